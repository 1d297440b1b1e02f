"""One action, one transaction: a crash half-way leaves the case exactly as before.

Faults are injected between the writes of ``complete_step`` (after the step rows, the artefact rows
or the audit event have reached the database inside the transaction); afterwards the case, the
audit trail and the artefact rows are as they were, and the same action then succeeds. A hard
kill of a separate process in the middle of its transaction is covered too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from sop_engine import artefacts, audit, audit_heads, case_moves, cases, views
from sop_engine.artefacts import IncomingFile
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import Artefact, ArtefactBlob, Case, CaseStep
from tests.helpers import large_pdf, pdf, sop_env, write_config

CASE = "lakip-2021"
HARD_KILL = 86  # exit status of the crashing child, distinct from sop's own 0/1/2


class InjectedFault(RuntimeError):
    """The crash a test injects."""


def artefact_rows(ctx: Context) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Artefact)) or 0)


def kept_documents(ctx: Context) -> int:
    """The documents kept in the database (small ones; larger ones are files)."""
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ArtefactBlob)) or 0)


def step_status_in(session: Session, step_no: int) -> str | None:
    """The status of ``step_no`` of the case as this (uncommitted) transaction sees it in the database."""
    return session.scalar(
        select(CaseStep.status).join(Case, Case.id == CaseStep.case_id).where(Case.code == CASE, CaseStep.no == step_no)
    )


def started(ctx: Context, folder: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(pdf(folder, "disposisi.pdf"))])


# --- faults injected between the writes of one completion ----------------------------------
# Each installer patches one function that runs in the middle of complete_step and records in
# ``seen`` what the open transaction had already written when the fault struck.

Installer = Callable[[pytest.MonkeyPatch, dict[str, Any]], None]


def fault_in_audit_append(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    def crash(session: Session, *args: Any, **kwargs: Any) -> None:
        session.flush()  # the step and case rows (and on SQLite the artefact rows) are now written
        seen["step 2"] = step_status_in(session, 2)
        seen["step 3"] = step_status_in(session, 3)
        seen["artefacts"] = session.scalar(select(func.count()).select_from(Artefact))
        raise InjectedFault("crash before the audit event")

    monkeypatch.setattr(audit, "append", crash)


def fault_in_move(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    real = cases.advance

    def crash(ctx: Context, session: Session, *args: Any) -> None:
        real(ctx, session, *args)  # the case and step rows are written (the first write of the action)
        seen["step 2"] = step_status_in(session, 2)
        seen["step 3"] = step_status_in(session, 3)
        raise InjectedFault("crash while moving to the next step")

    monkeypatch.setattr(cases, "advance", crash)


def fault_in_second_file(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    real = artefacts.ArtefactStore.blob_row
    calls = []

    def crash(self: artefacts.ArtefactStore, source: Path, sha256: str, size: int) -> dict[str, Any] | None:
        calls.append(source)
        if len(calls) == 2:
            seen["files read"] = len(calls)
            raise InjectedFault("crash while storing the second file")
        return real(self, source, sha256, size)

    monkeypatch.setattr(artefacts.ArtefactStore, "blob_row", crash)


def fault_after_documents(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    real_record, real_append = case_moves._record, audit_heads.append_after

    def crash(conn: Connection) -> None:
        seen["documents kept"] = conn.scalar(select(func.count()).select_from(ArtefactBlob))
        raise InjectedFault("crash just after the documents were written")

    def record_then_crash(conn: Connection, rows: list[dict[str, Any]], blobs: list[dict[str, Any]]) -> Any:
        carried = real_record(conn, rows, blobs)
        if carried is None:  # SQLite: written here
            crash(conn)
        return carried

    def append_then_crash(conn: Connection, *args: Any, **kwargs: Any) -> None:
        real_append(conn, *args, **kwargs)  # PostgreSQL: the documents go with the audit event
        crash(conn)

    monkeypatch.setattr(case_moves, "_record", record_then_crash)
    monkeypatch.setattr(audit_heads, "append_after", append_then_crash)


def fault_after_audit_event(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    real_append = audit.append

    def append_then_look(session: Session, *args: Any, **kwargs: Any) -> Any:
        event = real_append(session, *args, **kwargs)
        seen["audit seq"] = event.seq
        return event

    def crash(*args: Any) -> None:
        raise InjectedFault("crash just before commit")

    monkeypatch.setattr(audit, "append", append_then_look)
    monkeypatch.setattr(cases, "finished_record", crash)


FAULTS: dict[str, Installer] = {
    "audit_append": fault_in_audit_append,
    "move": fault_in_move,
    "second_file": fault_in_second_file,
    "documents": fault_after_documents,
    "before_commit": fault_after_audit_event,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_crash_while_completing_a_step_leaves_the_case_as_before_and_it_can_move_on(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    started(ctx, tmp_path)
    files = [IncomingFile.from_path(pdf(tmp_path, n, n)) for n in ("rencana.pdf", "lampiran.pdf")]
    before = views.case_json(cases.get_case(ctx, CASE), ctx.tz)
    events_before = len(audit.list_events(ctx))
    rows_before, documents_before = artefact_rows(ctx), kept_documents(ctx)

    seen: dict[str, Any] = {}
    with monkeypatch.context() as patched:
        FAULTS[fault](patched, seen)
        with pytest.raises(InjectedFault):
            cases.complete_step(ctx, CASE, 2, "kasubag", files, note="catatan")
    assert seen, "the fault did not strike"
    if fault == "audit_append":  # the half-done state really was in the database, uncommitted
        carried = ctx.db.is_postgresql  # there the documents' rows are sent with the audit event
        assert seen == {"step 2": "done", "step 3": "active", "artefacts": rows_before + (0 if carried else 2)}
    if fault == "move":
        assert seen == {"step 2": "done", "step 3": "active"}
    if fault == "before_commit":
        assert seen["audit seq"] == events_before + 1
    if fault == "second_file":
        assert seen == {"files read": 2}
    if fault == "documents":  # the documents' bytes really were in the database, uncommitted
        assert seen == {"documents kept": documents_before + 2}

    assert views.case_json(cases.get_case(ctx, CASE), ctx.tz) == before
    assert len(audit.list_events(ctx)) == events_before
    assert (artefact_rows(ctx), kept_documents(ctx)) == (rows_before, documents_before)
    assert audit.verify(ctx).ok

    after = cases.complete_step(ctx, CASE, 2, "kasubag", files, note="catatan")
    assert after.current_step == 3
    assert after.steps[1].completed_by == "kasubag"
    assert [a.filename for a in after.steps[1].artefacts] == ["rencana.pdf", "lampiran.pdf"]
    assert len(audit.list_events(ctx)) == events_before + 1
    assert kept_documents(ctx) == documents_before + 2
    assert audit.verify(ctx).ok


def test_a_crash_after_large_documents_reached_the_folder_leaves_only_orphan_files_and_the_retry_works(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document too large for the database is a file, durable before the commit; a crash after it
    leaves the file as a harmless orphan (content-addressed), and the same action then succeeds."""
    started(ctx, tmp_path)
    files = [IncomingFile.from_path(large_pdf(tmp_path, n, n)) for n in ("rencana.pdf", "lampiran.pdf")]
    before = views.case_json(cases.get_case(ctx, CASE), ctx.tz)
    rows_before, documents_before = artefact_rows(ctx), kept_documents(ctx)
    seen: dict[str, Any] = {}
    with monkeypatch.context() as patched:
        fault_in_audit_append(patched, seen)
        with pytest.raises(InjectedFault):
            cases.complete_step(ctx, CASE, 2, "kasubag", files)
    store = artefacts.store_for(ctx)
    orphans = [store.path_for(artefacts.inspect_file(f, 10**9).sha256) for f in files]
    assert all(path.is_file() for path in orphans)
    assert views.case_json(cases.get_case(ctx, CASE), ctx.tz) == before
    assert (artefact_rows(ctx), kept_documents(ctx)) == (rows_before, documents_before)

    after = cases.complete_step(ctx, CASE, 2, "kasubag", files)
    assert [store.read(a.sha256) for a in after.steps[1].artefacts] == [f.path.read_bytes() for f in files]
    assert kept_documents(ctx) == documents_before
    assert audit.verify(ctx).ok


def test_a_crash_while_starting_a_case_leaves_no_case(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    events_before = len(audit.list_events(ctx))

    def crash(session: Session, *args: Any, **kwargs: Any) -> None:
        session.flush()
        raise InjectedFault("crash before the audit event")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "append", crash)
        with pytest.raises(InjectedFault):
            cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert cases.list_cases(ctx).items == ()
    assert len(audit.list_events(ctx)) == events_before
    assert audit.verify(ctx).ok
    assert cases.start_case(ctx, "lakip", 2021, "sekretaris").current_step == 1


# --- a process killed in the middle of its transaction -------------------------------------

CRASHING_SOP = f"""
import os, sys
from sqlalchemy import func, select
from sop_engine import audit, cli
from sop_engine.db.models import Artefact, ArtefactBlob, Case, CaseStep

real_append = audit.append

def hard_kill(session, *args, **kwargs):
    real_append(session, *args, **kwargs)  # every write of the action, the event too, is in the transaction
    status = session.scalar(
        select(CaseStep.status).join(Case, Case.id == CaseStep.case_id).where(Case.code == {CASE!r}, CaseStep.no == 2)
    )
    rows = session.scalar(select(func.count()).select_from(Artefact))
    print(f"in transaction: step 2 {{status}}, {{rows}} artefact rows", flush=True)
    os._exit({HARD_KILL})  # no rollback, no cleanup: the process just dies

audit.append = hard_kill
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_process_killed_mid_transaction_leaves_the_case_as_before(
    ctx: Context, settings: Settings, tmp_path: Path
) -> None:
    config = write_config(tmp_path, settings)
    started(ctx, tmp_path)
    document = pdf(tmp_path, "rencana.pdf")
    before = views.case_json(cases.get_case(ctx, CASE), ctx.tz)
    events_before = len(audit.list_events(ctx))
    rows_before = artefact_rows(ctx)

    args = ["--config", str(config), "step", "done", CASE, "2", "--by", "kasubag", "--file", str(document)]
    child = subprocess.run(
        [sys.executable, "-c", CRASHING_SOP, *args, "--at", "2021-01-11T09:00"],
        cwd=tmp_path,
        env=sop_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == HARD_KILL, child.stderr
    assert f"in transaction: step 2 done, {rows_before + 1} artefact rows" in child.stdout

    assert views.case_json(cases.get_case(ctx, CASE), ctx.tz) == before
    assert len(audit.list_events(ctx)) == events_before
    assert artefact_rows(ctx) == rows_before
    assert audit.verify(ctx).ok

    after = cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(document)])
    assert after.current_step == 3
    assert audit.verify(ctx).ok
