"""Case services on both backends: deadlines, rounds, returns, pinning and permissions."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from sop_engine import audit, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.helpers import confirm_paraf, docx, pdf, statements


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


def test_start_activates_step_1_with_its_budget_as_deadline(ctx: Context):
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    step = case.steps[0]
    assert case.id == "lakip-2021" and case.status == "running" and case.current_step == 1
    assert (step.status, step.round, step.activated_at, step.due_at) == (
        "active",
        1,
        at("2021-01-11T08:00"),
        at("2021-01-11T08:10"),
    )
    assert all(s.status == "waiting" and s.due_at is None for s in case.steps[1:])


def test_only_sekretaris_starts_a_case(ctx: Context):
    with pytest.raises(NotAllowed, match="sekretaris"):
        cases.start_case(ctx, "lakip", 2021, "kasubag")


def test_unknown_workflow_names_the_known_ones(ctx: Context):
    with pytest.raises(NotFound, match="lakip"):
        cases.start_case(ctx, "lakib", 2021, "sekretaris")


def test_completing_a_step_activates_the_next_from_the_completion_time(ctx: Context, clock, tmp_path: Path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(at("2021-01-11T08:05"))
    case = cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))])
    assert case.steps[0].completed_by == "sekretaris" and case.steps[0].status == "done"
    assert case.steps[1].activated_at == at("2021-01-11T08:05")
    assert case.steps[1].due_at == at("2021-01-11T10:05")  # 2 jam
    assert [a.filename for a in case.steps[0].artefacts] == ["dokumen.pdf"]


def test_a_late_start_counts_from_the_next_working_moment(ctx: Context, clock):
    clock.set(at("2021-01-08T16:20"))  # Friday, ten minutes before closing
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert case.steps[0].due_at == at("2021-01-08T16:30")
    clock.set(at("2021-01-09T10:00"))  # Saturday
    with pytest.raises(Conflict):
        cases.start_case(ctx, "lakip", 2021, "sekretaris")
    case = cases.start_case(ctx, "lakip", 2022, "sekretaris")
    assert case.steps[0].due_at == at("2021-01-11T07:40")


def _run_to_step_7(ctx: Context, clock, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    plan = [
        (1, "sekretaris", True),
        (2, "kasubag", True),
        (3, "staf1", False),
        (4, "staf2", True),
        (5, "kasubag", True),
        (6, "staf1", True),
    ]
    for no, user, needs_file in plan:
        clock.advance(datetime.fromisoformat("2021-01-01T00:30") - datetime.fromisoformat("2021-01-01T00:00"))
        files = [IncomingFile.from_path(docx(tmp_path, f"l{no}.docx"))] if needs_file else []
        if no == 1:
            files = [IncomingFile.from_path(pdf(tmp_path, "l1.pdf"))]
        cases.complete_step(ctx, "lakip-2021", no, user, files)


def test_return_restarts_the_target_with_a_new_round_and_sends_later_steps_back_to_waiting(ctx, clock, tmp_path):
    _run_to_step_7(ctx, clock, tmp_path)
    clock.set(at("2021-01-12T09:00"))
    case = cases.return_step(ctx, "lakip-2021", 7, 6, "kasubag", "Bab III belum lengkap")
    six, seven = case.steps[5], case.steps[6]
    assert (six.status, six.round, six.activated_at, six.due_at) == (
        "active",
        2,
        at("2021-01-12T09:00"),
        at("2021-01-14T09:00"),
    )
    assert six.completed_at is None and six.completed_by is None
    assert (seven.status, seven.round, seven.due_at) == ("waiting", 1, None)
    assert case.current_step == 6
    # Round 2 needs a new document: the round-1 file does not count.
    with pytest.raises(InvalidInput, match="wajib melampirkan"):
        cases.complete_step(ctx, "lakip-2021", 6, "staf1")
    case = cases.complete_step(ctx, "lakip-2021", 6, "staf1", [IncomingFile.from_path(docx(tmp_path, "v2.docx"))])
    assert case.steps[6].round == 2 and case.steps[6].status == "active"
    assert [a.round for a in case.steps[5].artefacts] == [1, 2]
    events = [e for e in audit.list_events(ctx, "lakip-2021") if e.action == "step.returned"]
    assert events[0].details["reason"] == "Bab III belum lengkap" and events[0].details["to"] == 6


def test_return_needs_the_role_of_the_active_step(ctx, clock, tmp_path):
    _run_to_step_7(ctx, clock, tmp_path)
    with pytest.raises(NotAllowed, match="kasubag_program"):
        cases.return_step(ctx, "lakip-2021", 7, 6, "staf1", "coba")


def test_an_active_overdue_step_is_flagged(ctx, clock):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(at("2021-01-11T08:10"))
    assert not cases.get_case(ctx, "lakip-2021").steps[0].overdue
    clock.set(at("2021-01-11T08:11"))
    assert cases.get_case(ctx, "lakip-2021").steps[0].overdue


def test_a_running_case_keeps_its_definition_when_the_file_changes(ctx: Context, clock, tmp_path: Path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    source = (ctx.settings.workflows_dir / "lakip.toml").read_text(encoding="utf-8")
    edited = tmp_path / "workflows"
    edited.mkdir()
    (edited / "lakip.toml").write_text(
        source.replace('waktu = "10 menit"', 'waktu = "20 menit"', 1).replace(
            "tanggal_revisi = 2021-01-20", "tanggal_revisi = 2021-06-01"
        ),
        encoding="utf-8",
    )
    ctx2 = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, workflows_dir=edited))
    old = cases.get_case(ctx2, "lakip-2021")
    assert old.steps[0].budget == "10 menit" and old.revision.isoformat() == "2021-01-20"
    new = cases.start_case(ctx2, "lakip", 2022, "sekretaris")
    assert new.steps[0].budget == "20 menit" and new.revision.isoformat() == "2021-06-01"
    assert new.steps[0].due_at == at("2021-01-11T08:20")
    assert new.definition_hash != old.definition_hash


def test_one_case_per_workflow_year_and_office(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    with pytest.raises(Conflict, match="lakip-2021"):
        cases.start_case(ctx, "lakip", 2021, "sekretaris")


def test_completed_step_cannot_be_completed_again_and_says_by_whom(ctx, clock, tmp_path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))])
    with pytest.raises(Conflict, match=r"sudah diselesaikan oleh sekretaris pada Senin, 11 Januari 2021 08\.00 WIB"):
        cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))])


def test_list_cases_shows_each_year(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(ctx, "lakip", 2022, "sekretaris")
    assert [c.id for c in cases.list_cases(ctx).items] == ["lakip-2022", "lakip-2021"]


def test_completing_the_last_step_again_is_a_conflict_naming_who_finished_the_case(ctx: Context, tmp_path):
    """The loser of a race on step 11 is told who won (409), not that the case is closed (403)."""
    actors = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf1", 5: "kasubag", 6: "staf1", 7: "kasubag"}
    actors.update({8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf1"})
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, who in actors.items():
        files = [] if no in (3, 8, 11) else [IncomingFile.from_path(pdf(tmp_path, f"langkah-{no}.pdf"))]
        cases.complete_step(ctx, "lakip-2021", no, who, files)
        confirm_paraf(ctx, "lakip-2021", no)
    assert cases.get_case(ctx, "lakip-2021").status == "done"
    with pytest.raises(Conflict, match=r"Langkah 11 .* sudah diselesaikan oleh staf1"):
        cases.complete_step(ctx, "lakip-2021", 11, "staf2")


# --- what a completion costs --------------------------------------------------------------

#: The most statements one completion may send, by backend and whether it attaches a document and
#: activates a next step: the case with its steps and documents (one query), the step rows and the
#: case row, the document's row and bytes, the next step's notifications, the finished step's
#: cancelled, the audit head and event. On PostgreSQL, where each statement is a round trip, the
#: step rows, the case row, the next step's notifications and the finished step's cancelled are one
#: statement, and so are the document's row and bytes with the audit head and event. BEGIN is
#: the driver's own on both (SQLite's BEGIN IMMEDIATE goes to the driver's connection, like the
#: COMMIT). The office's people are kept in the process (tests/test_directory.py).
COMPLETION_STATEMENTS = {
    "sqlite": {"document": 9, "none": 7, "last": 6},
    "postgresql": {"document": 3, "none": 3, "last": 4},
}
DOERS = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf2", 5: "kasubag", 6: "staf1", 7: "kasubag"}
DOERS |= {8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf2"}
WITH_DOCUMENT = {1, 2, 4, 5, 6, 7, 9, 10}


def test_a_completion_sends_a_fixed_handful_of_statements_whatever_the_history(
    ctx: Context, backend: str, tmp_path: Path
) -> None:
    limits = COMPLETION_STATEMENTS[backend]
    for year in (2021, 2022):  # the second case runs with the first one's history in the tables
        code = cases.start_case(ctx, "lakip", year, "sekretaris").id
        for no in range(1, 12):
            files = [IncomingFile.from_path(pdf(tmp_path, f"{year}-{no}.pdf", f"{year} {no}"))]
            with statements(ctx) as seen:
                cases.complete_step(ctx, code, no, DOERS[no], files if no in WITH_DOCUMENT else [])
            confirm_paraf(ctx, code, no)
            what = "last" if no == 11 else "document" if no in WITH_DOCUMENT else "none"
            assert len(seen) <= limits[what], (year, no, seen)
            assert not [s for s in seen if "workflow_definitions.source" in s or "FROM people" in s], seen


def test_an_unknown_case_names_the_newest_ten_codes_and_how_many_more(ctx: Context) -> None:
    for year in range(2010, 2022):
        cases.start_case(ctx, "lakip", year, "sekretaris")
    with pytest.raises(NotFound) as refused:
        cases.get_case(ctx, "lakip-2099")
    newest = ", ".join(f"lakip-{year}" for year in range(2021, 2011, -1))
    assert refused.value.message == f"Kasus 'lakip-2099' tidak ada; kasus yang ada: {newest} (dan 2 lainnya)."
