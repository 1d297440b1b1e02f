"""Decisions, parallel steps and paraf chains through the case services (the ``alur`` SOP of flow_support)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sop_engine import audit, cases, views
from sop_engine.case_decisions import answer_decision
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.errors import InvalidInput, NotAllowed, SopError
from tests.flow_support import ALUR, flow_context


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    return flow_context(ctx, tmp_path, {"alur": ALUR})


def statuses(record: cases.CaseRecord) -> list[str]:
    return [str(step.status) for step in record.steps]


def snapshot(ctx: Context, code: str) -> str:
    return json.dumps(views.case_json(cases.get_case(ctx, code), ctx.tz), sort_keys=True, default=str)


def refused(ctx: Context, code: str, error: type[SopError], action: object) -> str:
    """The message of ``action`` (a callable) refused with ``error``, checking the case did not change."""
    before = snapshot(ctx, code)
    with pytest.raises(error) as caught:
        action()  # type: ignore[operator]
    assert snapshot(ctx, code) == before
    return caught.value.message


def test_a_decision_goes_back_then_on_and_parallel_steps_join_in_a_paraf_chain(office: Context) -> None:
    case = cases.start_case(office, "alur", 2021, "staf1")
    code = case.id
    case = cases.complete_step(office, code, 1, "staf1")
    message = refused(office, code, InvalidInput, lambda: answer_decision(office, code, 2, "kasubag", False))
    assert message.startswith("Catatan wajib diisi bila jawaban mengembalikan pekerjaan ke langkah 1;")
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 2, "kasubag"))
    assert message == (
        "Langkah 2 (Langkah 2) adalah keputusan: Berkas lengkap? Jawab dengan sop step jawab KASUS 2 ya|tidak "
        '--catatan "...".'
    )
    case = answer_decision(office, code, 2, "kasubag", False, "Lampiran kurang")
    assert (case.active_steps, statuses(case)[:3]) == ((1,), ["active", "waiting", "waiting"])
    assert case.steps[0].round == 2
    cases.complete_step(office, code, 1, "staf1")
    case = answer_decision(office, code, 2, "kasubag", True, "Lengkap")
    case = cases.complete_step(office, code, 3, "staf1")
    assert case.active_steps == (4, 5) and case.current_step == 4
    assert case.steps[3].due_at is not None and case.steps[4].due_at is not None
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 6, "kasubag"))
    assert message == (
        "Langkah 6 (Langkah 6) belum aktif; langkah yang aktif sekarang: 4, 5. Langkah dikerjakan berurutan."
    )
    case = cases.complete_step(office, code, 5, "kasubag")
    assert case.active_steps == (4,)
    case = cases.complete_step(office, code, 4, "staf1")
    assert case.active_steps == (6,)
    case = cases.complete_step(office, code, 6, "kasubag")
    assert case.active_steps == (6,) and case.steps[5].completed_by is None
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 6, "kasubag"))
    assert message == (
        "Langkah 6 (Langkah 6) sekarang menunggu paraf peran sekretaris (Sekretaris), urutan 2 dari 2 "
        "(kasubag_program lalu sekretaris); 'kasubag' berperan kasubag_program."
    )
    case = cases.complete_step(office, code, 6, "sekretaris")
    assert case.steps[5].completed_by == "sekretaris" and case.active_steps == (7,)
    case = answer_decision(office, code, 7, "ketua", False, "Tidak perlu")
    assert case.steps[7].status == StepStatus.SKIPPED and case.active_steps == (9,)
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 8, "staf1"))
    assert message.startswith("Langkah 8 (Langkah 8) dilewati karena cabang keputusan tidak menuju ke sana;")
    case = cases.complete_step(office, code, 9, "staf1")
    assert case.status == CaseStatus.DONE and case.active_steps == ()
    assert statuses(case) == ["done"] * 7 + ["skipped", "done"]


def test_the_audit_names_the_steps_activated_and_skipped(office: Context) -> None:
    code = cases.start_case(office, "alur", 2021, "staf1").id
    cases.complete_step(office, code, 1, "staf1")
    answer_decision(office, code, 2, "kasubag", True)
    cases.complete_step(office, code, 3, "staf1")
    events = [e for e in audit.list_events(office, code) if e.step == 3]
    assert events[-1].details["activated"] == [4, 5]
    assert events[-1].details["skipped"] == []
