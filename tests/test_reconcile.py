"""The audit trail replayed against the state tables (hardening finding 4).

An attacker with the database file edits ``case_steps``, ``cases``, ``person_roles``,
``artefacts``, ``step_returns`` or the workbook's ``workbook_sends`` / ``workbook_import_divisions``
directly and leaves the hash chain alone: ``sop audit verify`` must exit 1 and name each row that
disagrees. A real run (returns, cancellation, people changes) must still verify clean.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from sop_engine import audit, cases, people, reconcile, replay
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import Artefact, Case, CaseStep, Office, Person, PersonRole, StepReturn
from sop_engine.db.models_performance import WorkbookImportDivision, WorkbookSend
from sop_engine.lakip.workbook import record_sent
from tests.helpers import confirm_paraf, docx, pdf, run_cli

CASE = "lakip-2021"


def walk(ctx: Context, folder: Path, last: int) -> None:
    """Start 2021 and complete steps 1..``last`` with documents where the step needs one."""
    actors = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf1", 5: "kasubag", 6: "staf1", 7: "kasubag"}
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no in range(1, last + 1):
        files = [] if no == 3 else [IncomingFile.from_path(pdf(folder, f"langkah-{no}.pdf"))]
        if no == 2:
            files = [IncomingFile.from_path(docx(folder, "format.docx"))]
        cases.complete_step(ctx, CASE, no, actors[no], files=files, note=f"catatan {no}")
        confirm_paraf(ctx, CASE, no)


def forge(ctx: Context, statement: object) -> None:
    """Change a state table directly, as someone with the database file would (the audit trail untouched)."""
    with ctx.db.engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def mismatches(ctx: Context) -> tuple[str, ...]:
    result = audit.verify(ctx)
    assert not result.ok and result.first_bad_seq is None
    return result.mismatches


def test_a_real_run_with_a_return_a_cancel_and_people_changes_reconciles(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 6)
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel capaian belum lengkap")
    cases.complete_step(ctx, CASE, 6, "staf1", files=[IncomingFile.from_path(pdf(tmp_path, "lakip-2.pdf"))])
    cases.complete_step(ctx, CASE, 7, "kasubag", files=[IncomingFile.from_path(pdf(tmp_path, "koreksi.pdf"))])
    cases.start_case(ctx, "lakip", 2022, "sekretaris")
    cases.cancel_case(ctx, "lakip-2022", "sekretaris", "Dimulai keliru")
    people.set_roles(ctx, "staf2", ["staf", "inspektorat"], by="admin")
    people.set_active(ctx, "staf2", False, by="admin")
    result = audit.verify(ctx)
    assert result.ok, result.problem
    assert result.mismatches == ()


def test_a_paraf_chain_whose_first_actor_attaches_the_document_reconciles(ctx: Context, tmp_path: Path) -> None:
    """Step 8: the Kasubag Program attaches (step.confirmed), the Sekretaris confirms (step.completed)."""
    walk(ctx, tmp_path, 7)
    cases.complete_step(ctx, CASE, 8, "kasubag", files=[IncomingFile.from_path(pdf(tmp_path, "untuk-ketua.pdf"))])
    result = audit.verify(ctx)
    assert (result.ok, result.mismatches) == (True, ()), result.mismatches  # the step still waits for the paraf
    cases.complete_step(ctx, CASE, 8, "sekretaris", note="Diparaf")
    result = audit.verify(ctx)
    assert (result.ok, result.mismatches) == (True, ()), result.mismatches
    step = cases.get_case(ctx, CASE).steps[7]
    assert (step.status, step.completed_by) == ("done", "sekretaris")
    assert [(a.filename, a.uploaded_by) for a in step.artefacts] == [("untuk-ketua.pdf", "kasubag")]


def test_a_step_marked_completed_by_someone_else_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 2)
    forge(ctx, update(CaseStep).where(CaseStep.no == 2).values(completed_by="ketua"))
    assert mismatches(ctx) == (
        "kasus lakip-2021 langkah 2: diselesaikan oleh di tabel 'ketua', menurut jejak audit 'kasubag'",
    )


def test_a_case_marked_done_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 2)
    forge(ctx, update(Case).values(status="done"))
    assert mismatches(ctx) == ("kasus lakip-2021: status di tabel 'done', menurut jejak audit 'running'",)


def test_a_role_given_in_person_roles_is_named(ctx: Context) -> None:
    staf1 = select(Person.id).where(Person.username == "staf1").scalar_subquery()
    forge(ctx, insert(PersonRole).values(person_id=staf1, role="sekretaris"))
    assert mismatches(ctx) == ("pegawai staf1: peran di tabel 'sekretaris, staf', menurut jejak audit 'staf'",)


def test_a_swapped_document_hash_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 1)
    forge(ctx, update(Artefact).values(sha256="0" * 64))
    (line,) = mismatches(ctx)
    assert line.startswith("dokumen ") and "(lakip-2021 langkah 1): sha256 di tabel '" + "0" * 64 in line


def test_a_document_row_removed_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 1)
    with ctx.db.read() as session:
        artefact_id = session.scalar(select(Artefact.id))
    forge(ctx, delete(Artefact))
    assert mismatches(ctx) == (
        f"dokumen {artefact_id}: dilampirkan menurut jejak audit, tetapi tidak ada di tabel artefacts",
    )


def test_a_reactivated_person_without_an_event_is_named(ctx: Context) -> None:
    people.set_active(ctx, "staf2", False, by="admin")
    forge(ctx, update(Person).where(Person.username == "staf2").values(active=True))
    assert mismatches(ctx) == ("pegawai staf2: aktif di tabel 'True', menurut jejak audit 'False'",)


def test_a_rewritten_return_reason_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 6)
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel capaian belum lengkap")
    forge(ctx, update(StepReturn).values(reason="Sudah lengkap", returned_by="ketua"))
    assert mismatches(ctx) == (
        "pengembalian kasus lakip-2021, baris ke-1: oleh di tabel 'ketua', menurut jejak audit 'kasubag'",
        "pengembalian kasus lakip-2021, baris ke-1: alasan di tabel 'Sudah lengkap', menurut jejak audit "
        "'Tabel capaian belum lengkap'",
    )


def test_a_return_row_removed_is_named(ctx: Context, tmp_path: Path) -> None:
    walk(ctx, tmp_path, 6)
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel capaian belum lengkap")
    forge(ctx, delete(StepReturn))
    assert mismatches(ctx) == (
        "pengembalian kasus lakip-2021, baris ke-1: tercatat di jejak audit, tetapi tidak ada di tabel step_returns",
    )


def test_a_forged_workbook_recipient_and_return_are_named(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    record_sent(ctx, CASE, ["Subbagian Hukum dan SDM"], "kasubag")
    forge(ctx, update(WorkbookSend).values(division="Subbagian Program dan Data"))
    office = select(Office.id).scalar_subquery()
    returned = {"division": "Subbagian Hukum dan SDM", "returned": True, "imported_by": "staf1"}
    forge(
        ctx, insert(WorkbookImportDivision).values(office_id=office, year=2020, imported_at=ctx.clock.now(), **returned)
    )
    assert mismatches(ctx) == (
        "pengiriman buku kerja kasus lakip-2021, baris ke-1: subbagian di tabel 'Subbagian Program dan Data', "
        "menurut jejak audit 'Subbagian Hukum dan SDM'",
        "impor buku kerja tahun 2020, baris ke-1: ada di tabel workbook_import_divisions, tetapi tidak tercatat "
        "di jejak audit",
    )


def test_the_cli_exits_1_naming_the_forged_row(
    settings: Settings, ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    walk(ctx, tmp_path, 2)
    forge(ctx, update(CaseStep).where(CaseStep.no == 2).values(completed_by="ketua"))
    result = run_cli(["audit", "verify"], settings, clock)
    assert result.code == 1
    assert "ISI TABEL TIDAK SESUAI DENGAN JEJAK AUDIT (1 isian" in result.err
    assert "kasus lakip-2021 langkah 2: diselesaikan oleh di tabel 'ketua'" in result.err


@pytest.mark.parametrize("backend", ["sqlite"])
def test_replay_reads_only_the_events_that_change_state(ctx: Context) -> None:
    with ctx.db.read() as session:
        events = list(reconcile.events_of(session, ctx.office(session).id))
    assert {e.action for e in events} <= set(replay.REPLAYED_ACTIONS)
    assert [e.action for e in events].count("person.added") == 7
