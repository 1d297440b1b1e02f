"""Cases: starting, completing, returning and cancelling SOP work, one transaction per action.

Each action reads as the sequence of checks and writes it performs. The state machine
(:mod:`sop_engine.machine`) decides which move is legal; the rows in the database are the truth.
A rejected action raises before anything is written, and any failure after a write rolls the
whole transaction back, so a case is always exactly as before or exactly as after. Two people
acting on the same step at once are settled by the version columns: the loser is told who
acted first and when.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sop_engine import artefacts, audit, case_rows, outbox, policy, textrules, workflows
from sop_engine.artefacts import ArtefactRecord, IncomingFile
from sop_engine.case_checks import (
    check_year,
    require_declared_return,
    require_files,
    require_no_case,
    require_running,
    require_workable,
    stated_time,
)
from sop_engine.case_moves import (
    active_step,
    attach,
    audit_step,
    finish,
    iso,
    load_case,
    move,
    office_people,
    restart,
    start_round,
)
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.context import Context
from sop_engine.db.models import Case, CaseStep, StepReturn
from sop_engine.db.queries import find_case, table
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import WorkflowDef
from sop_engine.errors import Conflict, InvalidInput, SopError
from sop_engine.machine import CANCEL, COMPLETE, machine_for, return_trigger, step_of
from sop_engine.policy import Permission
from sop_engine.remedies import Field


@dataclass(frozen=True)
class StepRecord:
    """One step of a case as the services hand it out."""

    no: int
    name: str
    role: str
    budget: str
    output: str
    file_rule: str
    status: StepStatus
    round: int
    activated_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    note: str | None
    overdue: bool
    artefacts: tuple[ArtefactRecord, ...]


@dataclass(frozen=True)
class CaseRecord:
    """A case with all its steps, as the services hand it out."""

    id: str
    workflow: str
    title: str
    year: int
    status: CaseStatus
    started_at: datetime
    started_by: str
    current_step: int | None
    finished_at: datetime | None
    cancel_reason: str | None
    definition_hash: str
    revision: date
    steps: tuple[StepRecord, ...]


# --- reading -------------------------------------------------------------------------------


def get_case(ctx: Context, code: str) -> CaseRecord:
    """One case with its steps and documents."""
    with ctx.db.read() as session:
        return _record(ctx, find_case(session, ctx.office(session).id, code))


def list_cases(ctx: Context) -> list[CaseRecord]:
    """The office's cases, newest year first."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        cases = session.scalars(
            select(Case).where(Case.office_id == office.id).order_by(Case.year.desc(), Case.workflow)
        ).all()
        return [_record(ctx, case) for case in cases]


def _record(ctx: Context, case: Case) -> CaseRecord:
    documents = [artefacts.record_of(artefact, case.code) for artefact in case.artefacts]
    return _case_record(ctx, case, workflows.definition_of(case), documents)


def _case_record(
    ctx: Context, case: Case | CaseRow, definition: WorkflowDef, documents: Sequence[ArtefactRecord]
) -> CaseRecord:
    now = ctx.clock.now()
    by_step: dict[int, list[ArtefactRecord]] = {}
    for document in documents:
        by_step.setdefault(document.step, []).append(document)
    steps = tuple(
        StepRecord(
            no=row.no,
            name=step.name,
            role=step.role,
            budget=str(step.budget),
            output=step.output,
            file_rule=step.file_rule.value,
            status=row.status,
            round=row.round,
            activated_at=row.activated_at,
            due_at=row.due_at,
            completed_at=row.completed_at,
            completed_by=row.completed_by,
            note=row.note,
            overdue=_overdue(row, now),
            artefacts=tuple(by_step.get(row.no, ())),
        )
        for row, step in zip(_steps_of(case), definition.steps, strict=True)
    )
    return CaseRecord(
        id=case.code,
        workflow=case.workflow,
        title=definition.title,
        year=case.year,
        status=case.status,
        started_at=case.started_at,
        started_by=case.started_by,
        current_step=step_of(case.state),
        finished_at=case.finished_at,
        cancel_reason=case.cancel_reason,
        definition_hash=definition.content_hash,
        revision=definition.revision,
        steps=steps,
    )


def _steps_of(case: Case | CaseRow) -> Sequence[CaseStep | StepRow]:
    return case.steps


def _overdue(row: CaseStep | StepRow, now: datetime) -> bool:
    if row.due_at is None:
        return False
    if row.status == StepStatus.ACTIVE:
        return now > row.due_at
    if row.status == StepStatus.DONE and row.completed_at is not None:
        return row.completed_at > row.due_at
    return False


# --- acting --------------------------------------------------------------------------------


@contextmanager
def _action(ctx: Context, code: str | None = None, step_no: int | None = None) -> Iterator[Session]:
    """One action's transaction; a lost optimistic-locking race becomes a Conflict after rollback.

    When the race was over a step, the Conflict says who acted on it first and when.
    """
    try:
        with ctx.db.write() as session:
            yield session
    except StaleDataError as exc:
        if code is not None and step_no is not None:
            with ctx.db.read() as session:
                case = load_case(ctx, session, code)
                definition = workflows.pinned(session.connection(), case.definition_hash)
                try:
                    require_workable(ctx, case, case.steps[step_no - 1], definition.step(step_no))
                except SopError as explained:
                    raise explained from exc
        raise Conflict(
            "Kasus ini baru saja diubah oleh orang lain pada saat yang sama; muat ulang lalu periksa "
            "apakah tindakan Anda masih diperlukan.",
            value=code,
        ) from exc


def _finished(ctx: Context, case: CaseRow, definition: WorkflowDef) -> CaseRecord:
    """The record an action hands back: the case as its transaction leaves it, documents included."""
    return _case_record(ctx, case, definition, case.documents)


def start_case(ctx: Context, workflow: str, year: int, by: str, at: datetime | None = None) -> CaseRecord:
    """Start the yearly case of ``workflow`` (Sekretaris only; one per workflow, year and office)."""
    check_year(year)
    code = f"{workflow}-{year}"
    try:
        with _action(ctx) as session:
            people = office_people(ctx, session)
            actor = people.person(by)
            role = policy.require(actor.username, actor.role_names, Permission.START_CASE)
            require_no_case(session, people.office_id, workflow, year, code)
            definition_id, definition = workflows.current(session, ctx, people.office_id, workflow)
            when = stated_time(ctx, at, not_before=None, what="memulai kasus")
            case = CaseRow(
                id=0,
                office_id=people.office_id,
                code=code,
                workflow=workflow,
                definition_id=definition_id,
                definition_hash=definition.content_hash,
                year=year,
                status=CaseStatus.RUNNING,
                state=machine_for(definition).initial,
                started_at=when,
                started_by=actor.username,
                steps=[StepRow(None, s.no, StepStatus.WAITING) for s in definition.steps],
            )
            first = case.steps[0]
            start_round(ctx, first, definition.first_step, when)
            case_rows.insert_case(session.connection(), case, ctx.clock.now())
            outbox.schedule_step(ctx, session.connection(), people, case, first, definition.first_step)
            audit.append(
                session,
                case.office_id,
                actor=actor.username,
                role=role,
                action="case.started",
                recorded_at=ctx.clock.now(),
                stated_at=when,
                case=code,
                step=definition.first_step.no,
                details={
                    "workflow": workflow,
                    "year": year,
                    "definition_sha256": definition.content_hash,
                    "revision": definition.revision.isoformat(),
                    "first_due_at": iso(first.due_at),
                },
            )
            return _finished(ctx, case, definition)
    except DBIntegrityError:
        # A concurrent start of the same year won the unique constraint: explain it like the check does.
        with ctx.db.read() as session:
            require_no_case(session, ctx.office(session).id, workflow, year, code)
        raise


def complete_step(
    ctx: Context,
    code: str,
    step_no: int,
    by: str,
    files: Sequence[IncomingFile] = (),
    note: str | None = None,
    at: datetime | None = None,
) -> CaseRecord:
    """Mark the active step done, attaching its documents, and activate the next step."""
    note = textrules.optional_text(note, "Catatan")
    inspected = [artefacts.inspect_file(f, ctx.settings.storage.max_upload_bytes) for f in files]
    with _action(ctx, code, step_no) as session:
        act = active_step(ctx, session, code, step_no, by)
        when = stated_time(ctx, at, not_before=act.row.activated_at, what=f"menyelesaikan langkah {step_no}")
        checked = [artefacts.accept(f, act.step) for f in inspected]
        require_files(act.step, checked)
        new_state = machine_for(act.definition).fire(act.case.state, COMPLETE)
        finish(act.row, act.actor.username, when, note)
        move(ctx, session, act, new_state, when)
        stored = attach(ctx, session, act, checked, when)
        outbox.cancel_pending(ctx, session.connection(), act.case.id, act.step.no)
        audit_step(
            ctx,
            session,
            act,
            "step.completed",
            when,
            new_state,
            {
                "round": act.row.round,
                "note": note,
                "due_at": iso(act.row.due_at),
                "late": bool(act.row.due_at and when > act.row.due_at),
                "files": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "size": a.size} for a in stored],
            },
        )
        return _finished(ctx, act.case, act.definition)


def return_step(
    ctx: Context, code: str, step_no: int, to: int, by: str, reason: str, at: datetime | None = None
) -> CaseRecord:
    """Send the active step's work back to a declared earlier step, which restarts with a new round."""
    reason = textrules.text(reason or "", "Alasan pengembalian")
    with _action(ctx, code, step_no) as session:
        act = active_step(ctx, session, code, step_no, by)
        target = act.definition.step(to)
        require_declared_return(act.step, target)
        if not reason:
            raise InvalidInput(
                f"Alasan pengembalian wajib diisi; tulis apa yang harus diperbaiki di langkah {target.no}, "
                'misalnya "Tabel capaian kinerja belum lengkap".',
                value=reason,
                field=Field.REASON,
            )
        when = stated_time(ctx, at, not_before=act.row.activated_at, what=f"mengembalikan langkah {step_no}")
        new_state = machine_for(act.definition).fire(act.case.state, return_trigger(target.no))
        for later in act.case.steps[target.no : act.step.no]:
            later.status, later.due_at = StepStatus.WAITING, None
        restart(ctx, session, act, new_state, target, when)
        outbox.cancel_pending(ctx, session.connection(), act.case.id, act.step.no)
        restarted = act.case.steps[target.no - 1]
        session.connection().execute(
            insert(table(StepReturn)).values(
                case_id=act.case.id,
                from_step=act.step.no,
                to_step=target.no,
                round=restarted.round,
                returned_by=act.actor.username,
                reason=reason,
                stated_at=when,
                recorded_at=ctx.clock.now(),
            )
        )
        audit_step(
            ctx,
            session,
            act,
            "step.returned",
            when,
            new_state,
            {"to": target.no, "reason": reason, "round": restarted.round, "due_at": iso(restarted.due_at)},
        )
        return _finished(ctx, act.case, act.definition)


def cancel_case(ctx: Context, code: str, by: str, reason: str, at: datetime | None = None) -> CaseRecord:
    """Cancel a running case (Sekretaris only, with a reason)."""
    reason = textrules.text(reason or "", "Alasan pembatalan")
    with _action(ctx) as session:
        case = load_case(ctx, session, code)
        definition = workflows.pinned(session.connection(), case.definition_hash)
        actor = office_people(ctx, session, case).person(by)
        role = policy.require(actor.username, actor.role_names, Permission.CANCEL_CASE)
        require_running(ctx, case)
        if not reason:
            raise InvalidInput("Alasan pembatalan wajib diisi.", value=reason, field=Field.REASON)
        when = stated_time(ctx, at, not_before=case.started_at, what="membatalkan kasus")
        state_before = case.state
        case.state = machine_for(definition).fire(case.state, CANCEL)
        case.status, case.finished_at, case.cancel_reason = CaseStatus.CANCELLED, when, reason
        for row in case.steps:
            if row.status == StepStatus.ACTIVE:
                row.status = StepStatus.WAITING
        case_rows.save(session.connection(), case)
        outbox.cancel_pending(ctx, session.connection(), case.id)
        audit.append(
            session,
            case.office_id,
            actor=actor.username,
            role=role,
            action="case.cancelled",
            recorded_at=ctx.clock.now(),
            stated_at=when,
            case=case.code,
            step=step_of(state_before),
            details={"reason": reason, "state_before": state_before, "state_after": case.state},
            head=case.audit_head,
        )
        return _finished(ctx, case, definition)
