"""The reads and writes of the case actions: what one step action loads and changes, inside its transaction.

Loading the case and the office's people an action works on (one query each, no ORM objects; the
checks of :mod:`sop_engine.case_checks` run on them), starting a step's new round (its deadline in
working time), finishing it, moving the case to its next state, storing the attached files, and
the action's audit event. The case rows are written first, version-checked, so that the loser of
a race stops before writing anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any

from sqlalchemy import CTE, Connection, insert
from sqlalchemy.orm import Session

from sop_engine import artefacts, audit, case_rows, directory, outbox, workflows
from sop_engine.artefacts import ArtefactRecord, CheckedFile
from sop_engine.case_checks import require_step_role, require_workable
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.context import Context
from sop_engine.db.direct import Carried
from sop_engine.db.models import Artefact, StepReturn
from sop_engine.db.queries import case_not_found, printable, rows_of, table
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.directory import Directory, Member
from sop_engine.machine import DONE, machine_for, step_of
from sop_engine.marking import ACTIVE, SKIPPED, WAITING, Marking, sources_of
from sop_engine.store import keep_rows, keep_rows_cte, store_for


@dataclass(frozen=True)
class StepAction:
    """The rows and definitions one step action works on, after its permission checks."""

    case: CaseRow
    definition: WorkflowDef
    step: StepDef
    row: StepRow
    people: Directory
    actor: Member
    role: str
    #: The case's state as loaded, before the action.
    state_before: str = ""
    #: The position reached in the step's paraf chain (0: its first actor's turn).
    position: int = 0


def load_case(ctx: Context, session: Session, code: str) -> CaseRow:
    """The case ``code`` of this install's office with its steps; NotFound (or ConfigError) if there is none."""
    code = printable(code)
    case = case_rows.load(session.connection(), ctx.settings.office.satker, code)
    if case is None:
        raise case_not_found(session, ctx.office(session).id, code)
    return case


def office_people(ctx: Context, session: Session, case: CaseRow | None = None) -> Directory:
    """The directory of this install's office (the one kept in the process if it is of the version read
    with ``case``); ConfigError if the office does not exist."""
    conn = session.connection()
    if case is None:
        people = directory.load(conn, ctx.settings.office.satker)
    else:
        people = directory.of_version(conn, case.office_id, case.people_version)
    if people is None:
        raise ctx.no_office()
    return people


def active_step(ctx: Context, session: Session, code: str, step_no: int, by: str) -> StepAction:
    """Load the case, step and actor, and check the case runs, the step is active and the role fits."""
    case = load_case(ctx, session, code)
    definition = workflows.pinned(session.connection(), case.definition_hash)
    step = definition.step(step_no)
    people = office_people(ctx, session, case)
    actor = people.person(by)
    row = case.steps[step.no - 1]
    require_workable(ctx, case, row, step)
    found = machine_for(definition).marking(case.state)
    position = 0 if found is None else found.at(step.no)
    role = require_step_role(actor, step, ctx.settings.roles, position)
    return StepAction(case, definition, step, row, people, actor, role, case.state, position)


def audit_step(
    ctx: Context,
    session: Session,
    act: StepAction,
    action: str,
    when: datetime,
    new_state: str,
    details: dict[str, Any],
    carried: Carried | None = None,
) -> None:
    """The action's audit event; ``carried``: its writes still unsent (:func:`attach`), sent with it."""
    audit.append(
        session,
        act.case.office_id,
        actor=act.actor.username,
        role=act.role,
        action=action,
        recorded_at=ctx.clock.now(),
        stated_at=when,
        case=act.case.code,
        step=act.step.no,
        details={**details, "state_before": act.state_before, "state_after": new_state},
        head=act.case.audit_head,
        carried=carried,
    )


def start_round(ctx: Context, row: StepRow, step: StepDef, when: datetime) -> None:
    """Make ``step`` the active one (in memory): new round, deadline = now + budget in working time."""
    row.status, row.round = StepStatus.ACTIVE, row.round + 1
    row.activated_at = when
    row.due_at = ctx.calendar.add(when, workflows.budget_seconds(ctx, step))
    row.completed_at = row.completed_by = row.note = row.answer = None


def finish(row: StepRow, by: str, when: datetime, note: str | None, answer: str | None = None) -> None:
    """The step done by ``by`` at ``when`` with the person's ``note``; ``answer``: a decision's "ya"/"tidak"."""
    row.status, row.completed_at, row.completed_by, row.answer = StepStatus.DONE, when, by, answer
    row.note = note.strip() if note and note.strip() else None


@dataclass(frozen=True)
class Moved:
    """What one move did to the steps other than the one acted on."""

    activated: tuple[int, ...]
    skipped: tuple[int, ...]
    withdrawn: tuple[int, ...]
    #: Steps done or skipped before that wait again (a return sent the work back before them).
    reset: tuple[int, ...]
    #: What a reader of the new state alone infers was activated: ``(N,)`` for ``step_N``, ``()`` for
    #: ``done``; None for any other state (a marking), from which nothing is inferred.
    implied: tuple[int, ...] | None
    #: What a reader infers a return reset: the steps after its target up to the one that returned.
    implied_reset: tuple[int, ...] = ()
    #: Activated steps that started later than the move's stated time: a join whose other input was
    #: recorded as finishing after the time stated for this one (a backdated ``--at``), by step number.
    started_later: tuple[tuple[int, str], ...] = ()

    def details(self) -> dict[str, Any]:
        """The audit details that name them (:mod:`sop_engine.replay` and :mod:`sop_engine.step_runs` read
        them); none for a straight move, exactly what the new state implies (the events read as before)."""
        later = {"activated_at": dict((str(no), at) for no, at in self.started_later)} if self.started_later else {}
        if self.implied == self.activated and self.reset == self.implied_reset and not (self.skipped or self.withdrawn):
            return later
        moved = {"activated": list(self.activated), "skipped": list(self.skipped), "withdrawn": list(self.withdrawn)}
        return moved | ({"reset": list(self.reset)} if self.reset else {}) | later


def advance(
    ctx: Context,
    session: Session,
    act: StepAction,
    new_state: str,
    after: Marking,
    when: datetime,
    restart: int | None = None,
) -> Moved:
    """Put the case in ``new_state`` and its step rows as ``after`` says: each newly active step with
    a new round and deadline, skipped steps skipped, steps sent back waiting; write the case rows, then
    the notifications (the new active steps', cancelling those of the steps that ended). ``restart``:
    the target of a return, which starts a new round even if it was active already (a parallel branch).

    The rows are the action's first write and are version-checked: the loser of a race stops
    here (``StaleDataError``), before a document or a notification is written.
    """
    case = act.case
    case.state = new_state
    if new_state == DONE:
        case.status, case.finished_at = CaseStatus.DONE, when
    activated, skipped, withdrawn, reset = _mark(ctx, act, after, when, restart)
    _write(ctx, session.connection(), act, after.at(act.step.no), when, activated, withdrawn)
    single = step_of(new_state)
    implied = () if new_state == DONE else None if single is None else (single,)
    implied_reset = () if restart is None else tuple(range(restart + 1, act.step.no + 1))
    later = tuple(
        (no, iso(case.steps[no - 1].activated_at) or "") for no in activated if _started_later(case, no, when)
    )
    return Moved(tuple(activated), tuple(skipped), tuple(withdrawn), tuple(reset), implied, implied_reset, later)


def _started_later(case: CaseRow, no: int, when: datetime) -> bool:
    started = case.steps[no - 1].activated_at
    return started is not None and started > when


def _ready_at(case: CaseRow, sources: tuple[int, ...], when: datetime) -> datetime:
    """When a step that waits for ``sources`` can start: at ``when``, or later if one of them is recorded
    as finishing after it (the other input of a join, when this move's time was stated earlier)."""
    finished = (case.steps[no - 1].completed_at for no in sources if case.steps[no - 1].status == StepStatus.DONE)
    return max([when, *(at for at in finished if at is not None)])


def _mark(
    ctx: Context, act: StepAction, after: Marking, when: datetime, restart: int | None
) -> tuple[list[int], list[int], list[int], list[int]]:
    """The step rows as ``after`` says, in memory: the steps activated, skipped, withdrawn and reset."""
    activated: list[int] = []
    skipped: list[int] = []
    withdrawn: list[int] = []
    reset: list[int] = []
    sources = sources_of(act.definition)
    for row, status in zip(act.case.steps, after.status, strict=True):
        if status == ACTIVE and row.status == StepStatus.ACTIVE and row.no == restart:
            withdrawn.append(row.no)  # its pending notifications go; the new round plans its own
        if status == ACTIVE and (row.status != StepStatus.ACTIVE or row.no == restart):
            start = when if row.no == restart else _ready_at(act.case, sources[row.no], when)
            start_round(ctx, row, act.definition.step(row.no), start)
            activated.append(row.no)
        elif status == SKIPPED and row.status != StepStatus.SKIPPED:
            row.status, row.due_at = StepStatus.SKIPPED, None
            skipped.append(row.no)
        elif status == WAITING and row.status != StepStatus.WAITING:
            if row.status == StepStatus.ACTIVE and row.no != act.step.no:
                withdrawn.append(row.no)
            else:  # done or skipped before, or the step that sends the work back
                reset.append(row.no)
            row.status, row.due_at = StepStatus.WAITING, None
    return activated, skipped, withdrawn, reset


def _write(
    ctx: Context,
    conn: Connection,
    act: StepAction,
    turn: int,
    when: datetime,
    activated: list[int],
    withdrawn: list[int],
) -> None:
    """Write the case rows, then the notifications: the new active steps', cancelling those of the steps
    that ended or were withdrawn, and a paraf chain's hand-over to the actor at ``turn``. On PostgreSQL the
    case rows go with the first step's notifications (or the hand-over) in one statement."""
    case = act.case
    ended = None if act.row.status == StepStatus.ACTIVE else act.step.no
    first = activated[0] if activated and not withdrawn else None  # a withdrawn step is cancelled before
    handed = ended is None and act.step.no not in activated and turn != act.position  # the paraf chain moved on
    folded = first is not None and outbox.save_with_step(
        ctx, conn, act.people, case, case.steps[first - 1], act.definition.step(first), cancel_step=ended
    )
    if handed and first is None and not withdrawn:
        folded = outbox.save_with_step(
            ctx, conn, act.people, case, act.row, act.step, act.step.no, position=turn, since=when
        )
        handed = not folded
    if not folded:
        case_rows.save(conn, case)
    for no in withdrawn:
        outbox.cancel_pending(ctx, conn, case.id, no)
    if not activated and ended is not None:
        outbox.cancel_pending(ctx, conn, case.id, ended)
    for index, no in enumerate(activated[1:] if folded else activated):
        step, cancel = act.definition.step(no), ended if index == 0 and not folded else None
        outbox.schedule_step(ctx, conn, act.people, case, case.steps[no - 1], step, cancel_step=cancel)
    if handed:
        outbox.hand_over(ctx, conn, act.people, case, act.row, act.step, turn, when)


def fire(act: StepAction, trigger: str) -> tuple[str, Marking]:
    """The state ``trigger`` leads to from the case's state (NotAllowed if illegal), and its marking."""
    machine = machine_for(act.definition)
    return machine.fire(act.case.state, trigger), machine.after(act.case.state, trigger)


def record_return(ctx: Context, session: Session, act: StepAction, to: int, reason: str, when: datetime) -> None:
    """The row of the return of step ``act.step`` to step ``to`` (its new round already started)."""
    session.connection().execute(
        insert(table(StepReturn)).values(
            case_id=act.case.id,
            from_step=act.step.no,
            to_step=to,
            round=act.case.steps[to - 1].round,
            returned_by=act.actor.username,
            reason=reason,
            stated_at=when,
            recorded_at=ctx.clock.now(),
        )
    )


_artefacts = table(Artefact)
_INSERT_ARTEFACT = insert(_artefacts)


def attach(
    ctx: Context, session: Session, act: StepAction, checked: Sequence[CheckedFile], when: datetime
) -> tuple[list[ArtefactRecord], Carried | None]:
    """Put the files in the store and record them; the rows commit with the step or not at all.

    On PostgreSQL the rows are handed back unsent (:class:`~sop_engine.db.direct.Carried`), for the
    action's audit event, its last write, to carry (:func:`audit_step`): one round trip fewer.
    """
    if not checked:
        return [], None
    store = store_for(ctx)
    stored: list[ArtefactRecord] = []
    blobs: dict[str, dict[str, Any]] = {}  # by sha256: the same bytes attached twice are one row
    rows: list[dict[str, Any]] = []
    for item in checked:
        blob = store.blob_row(item.incoming.path, item.sha256, item.size)
        if blob is not None:
            blobs[item.sha256] = blob
        record = ArtefactRecord(
            id=artefacts.new_artefact_id(),
            case=act.case.code,
            step=act.step.no,
            round=act.row.round,
            kind=act.step.output,
            file_kind=item.file_kind,
            filename=item.incoming.filename,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=act.actor.username,
            uploaded_at=when,
        )
        stored.append(record)
        rows.append(_artefact_row(record, act.case, ctx.clock.now()))
    carried = _record(session.connection(), rows, list(blobs.values()))
    act.case.documents.extend(stored)
    return stored, carried


def _artefact_row(a: ArtefactRecord, case: CaseRow, recorded_at: datetime) -> dict[str, Any]:
    return {
        "id": a.id,
        "office_id": case.office_id,
        "case_id": case.id,
        "step_no": a.step,
        "round": a.round,
        "kind": a.kind,
        "file_kind": a.file_kind,
        "filename": a.filename,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by,
        "uploaded_at": a.uploaded_at,
        "recorded_at": recorded_at,
    }


def _record(conn: Connection, rows: list[dict[str, Any]], blobs: list[dict[str, Any]]) -> Carried | None:
    """Insert the documents' rows and the bytes kept in the database; on PostgreSQL, where each statement
    is a round trip, hand them back for another statement to carry (the rows' INSERT and the bytes' as
    CTEs of :func:`_document_ctes`)."""
    if conn.dialect.name == "postgresql":
        values = {f"a{i}_{k}": v for i, row in enumerate(rows) for k, v in row.items()}
        values |= {f"k{i}_{k}": v for i, blob in enumerate(blobs) for k, v in blob.items()}
        ctes = partial(_document_ctes, len(rows), len(blobs))
        alone = partial(_insert_documents, rows=rows, blobs=blobs)
        return Carried(("documents", len(rows), len(blobs)), ctes, values, alone)
    _insert_documents(conn, rows, blobs)
    return None


def _insert_documents(conn: Connection, rows: list[dict[str, Any]], blobs: list[dict[str, Any]]) -> None:
    if blobs:
        keep_rows(conn, blobs)
    conn.execute(_INSERT_ARTEFACT, rows)


@cache
def _document_ctes(count: int, blobs: int) -> tuple[CTE, ...]:
    """PostgreSQL: the INSERT of ``count`` documents' rows (row i takes the ``a{i}_*`` values) and of ``blobs``
    rows of bytes (:func:`sop_engine.store.keep_rows_cte`, row i the ``k{i}_*`` values), as CTEs."""
    names = [c.name for c in _artefacts.c]
    documents = insert(_artefacts).from_select(names, rows_of(_artefacts.c, names, "a", count)).cte("documents")
    return (keep_rows_cte(blobs), documents) if blobs else (documents,)


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
