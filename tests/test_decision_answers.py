"""A decision's answer in its own column (``case_steps.answer``, migration 0020), the note the person's own.

Cases answered before the column existed wrote the answer into the note ("Jawaban: Ya; ...") and
their events carry that note; the upgrade fills the column from the events' ``answer``, and
``sop audit verify`` replays old and new cases alike. The ``alur`` SOP of flow_support: step 2
(kasubag) Ya -> 3, Tidak -> back to 1; step 7 (ketua) Ya -> 8, Tidak -> 9.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sop_engine import audit, case_decisions, case_moves, cases, people
from sop_engine.case_rows import StepRow
from sop_engine.context import Context
from sop_engine.people import NewPerson
from tests.flow_support import ALUR, flow_context
from tests.helpers import upgrade_from
from tests.policy_support import PERAN


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    office = flow_context(ctx, tmp_path, {"alur": ALUR}, PERAN)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    return office


def old_finish(row: StepRow, by: str, when: datetime, note: str | None, answer: str | None = None) -> None:
    """How a decision was finished before migration 0020: the answer written into the note, no column."""
    kept = f"Jawaban: {'Ya' if answer == 'ya' else 'Tidak'}" + (f"; {note}" if note else "")
    case_moves.finish(row, by, when, kept)


def to_the_end(office: Context, code: str, note: str | None) -> None:
    """Steps 1 to 9 of ``code``: step 2 answered Ya (with ``note``), step 7 Tidak."""
    cases.complete_step(office, code, 1, "staf1")
    case_decisions.answer_decision(office, code, 2, "kasubag", True, note)
    cases.complete_step(office, code, 3, "staf1")
    cases.complete_step(office, code, 4, "staf1")
    cases.complete_step(office, code, 5, "kasubag")
    cases.complete_step(office, code, 6, "kasubag")
    cases.complete_step(office, code, 6, "sekretaris")
    case_decisions.answer_decision(office, code, 7, "ketua", False)
    cases.complete_step(office, code, 9, "arsip1")


def answers(office: Context, code: str) -> list[tuple[int, str | None, str | None]]:
    return [(s.no, s.answer, s.note) for s in cases.get_case(office, code).steps if s.answer or s.note]


def test_the_answer_is_kept_in_its_column_and_cleared_when_the_decision_starts_a_new_round(office: Context) -> None:
    code = cases.start_case(office, "alur", 2021, "staf1").id
    cases.complete_step(office, code, 1, "staf1")
    back = case_decisions.answer_decision(office, code, 2, "kasubag", False, "Lampiran belum lengkap")
    assert (back.steps[1].status, back.steps[1].answer, back.steps[1].note) == ("waiting", None, None)
    cases.complete_step(office, code, 1, "staf1")
    answered = case_decisions.answer_decision(office, code, 2, "kasubag", True, "  Lengkap ")
    assert (answered.steps[1].answer, answered.steps[1].note) == ("ya", "Lengkap")
    assert answered.steps[0].answer is None
    assert audit.verify(office).ok


def test_old_and_new_answers_verify_and_the_upgrade_to_0020_fills_the_column_from_the_trail(
    office: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = cases.start_case(office, "alur", 2021, "staf1").id
    with monkeypatch.context() as patched:
        patched.setattr(case_decisions, "finish", old_finish)
        to_the_end(office, old, "Lengkap")
    new = cases.start_case(office, "alur", 2021, "staf1").id
    to_the_end(office, new, "Lengkap")
    assert answers(office, new) == [(2, "ya", "Lengkap"), (7, "tidak", None)]
    assert answers(office, old) == [(2, None, "Jawaban: Ya; Lengkap"), (7, None, "Jawaban: Tidak")]
    # Before the upgrade fills it, the replay finds the column of the old case empty:
    assert audit.verify(office).mismatches == (
        f"kasus {old} langkah 2: jawaban di tabel '-', menurut jejak audit 'ya'",
        f"kasus {old} langkah 7: jawaban di tabel '-', menurut jejak audit 'tidak'",
    )
    trail = audit.list_events(office)

    upgrade_from(office, "0019")

    assert answers(office, old) == [(2, "ya", "Jawaban: Ya; Lengkap"), (7, "tidak", "Jawaban: Tidak")]
    assert answers(office, new) == [(2, "ya", "Lengkap"), (7, "tidak", None)]
    assert audit.list_events(office) == trail
    result = audit.verify(office)
    assert result.ok and result.mismatches == ()
