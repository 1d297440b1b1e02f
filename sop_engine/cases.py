"""Cases: starting, completing, returning and cancelling SOP work, one transaction per action.

Each action reads as the sequence of checks and writes it performs. The state machine
(:mod:`sop_engine.machine`) decides which move is legal; the rows in the database are the truth.
A rejected action raises before anything is written, and any failure after a write rolls the
whole transaction back, so a case is always exactly as before or exactly as after. Two people
acting on the same step at once are settled by the version columns: the loser is told who
acted first and when.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sop_engine import (
    artefacts,
    audit,
    case_codes,
    case_links,
    case_pages,
    case_parafs,
    case_restarts,
    case_rows,
    outbox,
    policy,
    textrules,
    workflows,
)
from sop_engine.artefacts import IncomingFile
from sop_engine.case_checks import (
    check_year,
    require_declared_return,
    require_files,
    require_process,
    require_running,
    require_workable,
    stated_time,
)
from sop_engine.case_moves import (
    active_step,
    advance,
    attach,
    audit_step,
    finish,
    fire,
    iso,
    load_case,
    office_people,
    record_return,
)
from sop_engine.case_records import CasePage as CasePage
from sop_engine.case_records import CaseRecord as CaseRecord
from sop_engine.case_records import StepRecord as StepRecord
from sop_engine.case_records import record_from
from sop_engine.case_records import record_of as _record
from sop_engine.case_rows import CaseRow
from sop_engine.context import Context
from sop_engine.db.queries import case_row, find_case, printable
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.errors import Conflict, InvalidInput, NotFound, SopError
from sop_engine.machine import CANCEL, complete_trigger, machine_for, return_trigger
from sop_engine.marking import ACTIVE
from sop_engine.paging import DEFAULT_LIMIT
from sop_engine.policy import Permission
from sop_engine.remedies import Field, Hint, Remedy

#: Which workflows a reader may see (access.py gives one per person); None: every workflow.
Visible = Callable[[WorkflowDef], bool] | None

# --- reading -------------------------------------------------------------------------------


def get_case(ctx: Context, code: str, *, visible: Visible = None) -> CaseRecord:
    """One case with its steps and documents.

    NotFound if there is no such case, or if ``visible`` refuses its workflow (decided from the
    definition it is pinned to, before its steps and documents are read).
    """
    with ctx.db.read_rows() as conn:
        row = case_pages.one_case(conn, ctx.settings.office.satker, printable(code))
        if row is not None:
            definition = workflows.pinned(conn, row.content_hash)
            if visible is not None and not visible(definition):
                _missing(code)
            record = _records(ctx, conn, [row], {row.definition_id: definition})[0]
            record = case_parafs.with_parafs(conn, row, case_restarts.with_links(conn, row, record))
            return case_links.with_links(conn, row, definition, record)
    with ctx.db.read() as session:  # ConfigError without the office; else the NotFound naming the cases there are
        office_id = ctx.office(session).id
        return _record(ctx, find_case(session, office_id, code)) if visible is None else _missing(code)


def _missing(code: str) -> NoReturn:
    """The NotFound of a case the reader may not see, or that is not there: it names no other case."""
    raise NotFound(f"Kasus '{code}' tidak ada.", value=code, hint=Hint(Remedy.LIST_CASES))


def pinned_workflow(ctx: Context, code: str) -> WorkflowDef | None:
    """The definition the case ``code`` is pinned to, None if there is no such case; nothing else is read."""
    with ctx.db.read() as session:
        row = case_row(session, ctx.office(session).id, code)
        return None if row is None else workflows.stored(session)[row.definition_id]


def list_cases(
    ctx: Context, *, limit: int = DEFAULT_LIMIT, after: str | None = None, visible: Visible = None
) -> CasePage:
    """A page of the office's cases, newest year first then by code, from the one after cursor ``after``.

    Only the page's cases are read, their steps and documents in one query each; ``visible``
    keeps the cases whose workflow it accepts (in the query, so a page is full).
    """
    case_pages.check_limit(limit)
    with ctx.db.read() as session:
        office_id = ctx.office(session).id
        definitions = workflows.stored(session)
        shown = None if visible is None else [row_id for row_id, d in definitions.items() if visible(d)]
        rows = session.connection().execute(case_pages.page_query(office_id, shown, after, limit + 1)).all()
        items = tuple(_records(ctx, session.connection(), rows[:limit], definitions))
        last = items[-1] if len(rows) > limit else None
        return CasePage(items, case_pages.cursor_of(last.year, last.id) if last else None)


def waiting_on(ctx: Context, acts: Callable[[StepDef], bool]) -> list[CaseRecord]:
    """The office's cases with an active step that ``acts`` accepts, newest year first then by code.

    Read from the active steps, so the cost follows the work in progress, not the history.
    """
    with ctx.db.read_rows() as conn:
        found = case_pages.office_definitions(conn, ctx.settings.office.satker)
        if not found:
            raise ctx.no_office()
        office_id = found[0].office_id
        definitions = {row.id: workflows.pinned(conn, row.content_hash) for row in found if row.id is not None}
        steps = {row_id: [s.no for s in d.steps if acts(s)] for row_id, d in definitions.items()}
        steps = {row_id: nos for row_id, nos in steps.items() if nos}
        if not steps:
            return []
        rows = case_pages.waiting_rows(conn, office_id, steps)
        return _records(ctx, conn, rows, definitions)


def _records(
    ctx: Context, conn: Connection, rows: Sequence[Row[Any]], definitions: Mapping[int, WorkflowDef]
) -> list[CaseRecord]:
    """The records of the cases of ``rows``: their steps and documents read in one query each."""
    steps, documents = case_pages.parts(conn, [row.id for row in rows])
    return [record_from(ctx, row, steps[row.id], documents[row.id], definitions[row.definition_id]) for row in rows]


# --- acting --------------------------------------------------------------------------------


@contextmanager
def step_transaction(ctx: Context, code: str | None = None, step_no: int | None = None) -> Iterator[Session]:
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


def finished_record(ctx: Context, case: CaseRow, definition: WorkflowDef) -> CaseRecord:
    """The record an action hands back: the case as its transaction leaves it, documents included."""
    steps = [(row.no, *row.values()) for row in case.steps]
    return record_from(ctx, case, steps, case.documents, definition)


def start_case(ctx: Context, workflow: str, year: int, by: str, at: datetime | None = None) -> CaseRecord:
    """Start a case of ``workflow`` in ``year``, by a role its policy allows (one a year unless ``kasus = "bebas"``)."""
    check_year(year)
    try:
        with step_transaction(ctx) as session:
            people = office_people(ctx, session)
            actor = people.person(by)
            definition_id, definition = workflows.current(session, ctx, people.office_id, workflow)
            starters = policy.start_roles(definition)
            role = policy.require(
                actor.username, actor.role_names, Permission.START_CASE, holders=starters, names=ctx.settings.roles
            )
            when = stated_time(ctx, at, not_before=None, what="memulai kasus")
            by_actor = case_links.Starter(people, actor.username, role, when)
            opened = case_links.open_case(ctx, session, by_actor, (definition_id, definition), year)
            record = finished_record(ctx, opened.case, definition)
            return dataclasses.replace(record, restart_of=opened.restart_of)
    except case_links.StartRace as race:
        # A concurrent start of the same year won the unique constraint: explain it like the check does.
        with ctx.db.read() as session:
            case_codes.explain_race(session, ctx.office(session).id, race.workflow, race.year, race.code)
        raise (race.__cause__ or race) from None  # the IntegrityError, as before


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
    with step_transaction(ctx, code, step_no) as session:
        act = active_step(ctx, session, code, step_no, by)
        require_process(act.step)
        case_links.require_by_hand(session.connection(), act)
        when = stated_time(ctx, at, not_before=act.row.activated_at, what=f"menyelesaikan langkah {step_no}")
        checked = [artefacts.accept(f, act.step) for f in inspected]
        require_files(act.step, checked, act.position > 0)  # a later paraf need not attach again
        new_state, after = fire(act, complete_trigger(step_no))
        settled = after.of(step_no) != ACTIVE
        if settled:
            finish(act.row, act.actor.username, when, note)
        moved = advance(ctx, session, act, new_state, after, when)
        started = case_links.start_children(
            ctx, session, case_links.Starter.of(act, when), act.case, act.definition, moved.activated
        )
        stored, carried = attach(ctx, session, act, checked, when)
        chain = {} if len(act.step.actors) == 1 else {"paraf": act.position + 1, "of": len(act.step.actors)}
        audit_step(
            ctx,
            session,
            act,
            "step.completed" if settled else "step.confirmed",
            when,
            new_state,
            {
                "round": act.row.round,
                "note": note,
                "due_at": iso(act.row.due_at),
                "late": bool(act.row.due_at and when > act.row.due_at),
                "files": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "size": a.size} for a in stored],
                **chain,
                **moved.details(),
                **started,
            },
            carried,
        )
        case_links.finish_parent(ctx, session, act.case, when)
        return finished_record(ctx, act.case, act.definition)


def return_step(
    ctx: Context, code: str, step_no: int, to: int, by: str, reason: str, at: datetime | None = None
) -> CaseRecord:
    """Send the active step's work back to a declared earlier step, which restarts with a new round."""
    reason = textrules.text(reason or "", "Alasan pengembalian")
    with step_transaction(ctx, code, step_no) as session:
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
        new_state, after = fire(act, return_trigger(act.step.no, target.no))
        moved = advance(ctx, session, act, new_state, after, when, restart=target.no)
        started = case_links.start_children(
            ctx, session, case_links.Starter.of(act, when), act.case, act.definition, moved.activated
        )
        restarted = act.case.steps[target.no - 1]
        record_return(ctx, session, act, target.no, reason, when)
        audit_step(
            ctx,
            session,
            act,
            "step.returned",
            when,
            new_state,
            {
                "to": target.no,
                "reason": reason,
                "round": restarted.round,
                "due_at": iso(restarted.due_at),
                **moved.details(),
                **started,
            },
        )
        return finished_record(ctx, act.case, act.definition)


def cancel_case(ctx: Context, code: str, by: str, reason: str, at: datetime | None = None) -> CaseRecord:
    """Cancel a running case (Sekretaris only, with a reason)."""
    reason = textrules.text(reason or "", "Alasan pembatalan")
    with step_transaction(ctx) as session:
        case = load_case(ctx, session, code)
        definition = workflows.pinned(session.connection(), case.definition_hash)
        actor = office_people(ctx, session, case).person(by)
        role = policy.require(actor.username, actor.role_names, Permission.CANCEL_CASE, names=ctx.settings.roles)
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
            step=next(iter(machine_for(definition).active(state_before)), None),
            details={"reason": reason, "state_before": state_before, "state_after": case.state},
            head=case.audit_head,
        )
        return finished_record(ctx, case, definition)
