"""Sub-SOP steps (``jalankan``): the linked case a step starts, and the step that completes with it.

When a step whose definition names another workflow (``StepDef.runs``) becomes active, a case of
that workflow starts in the same transaction (its code by its own case policy, started by the
actor of the action, in the parent's year), recorded in ``cases.parent_case_id`` and
``cases.parent_step``. The step cannot be completed by hand: it completes, as actor ``sistem``,
in the transaction of the last completion of the linked case. A cancelled linked case leaves the
step active. The parent's audit event names the linked case (``started_cases``), the linked
case's ``case.started`` names its parent, and the parent step's ``step.completed`` names the case
whose end completed it (``completed_by_case``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from sop_engine import audit, case_codes, case_restarts, case_rows, outbox, workflows
from sop_engine.case_moves import (
    StepAction,
    advance,
    audit_step,
    finish,
    fire,
    iso,
    load_case,
    office_people,
    start_round,
)
from sop_engine.case_records import CaseRecord, by_hand
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.context import Context
from sop_engine.db.models import Case
from sop_engine.db.queries import table
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import SYSTEM_ACTOR, WorkflowDef
from sop_engine.directory import Directory, Member
from sop_engine.errors import Conflict, NotAllowed
from sop_engine.machine import complete_trigger, machine_for

_c = table(Case).c
_LINK = (
    update(table(Case))
    .where(_c.id == bindparam("case_id"))
    .values(parent_case_id=bindparam("parent_id"), parent_step=bindparam("parent_step"))
)
_CHILDREN = select(_c.parent_step, _c.code, _c.status).where(_c.parent_case_id == bindparam("case_id")).order_by(_c.id)
_parents = table(Case).alias("parent")
_PARENT = (
    select(_parents.c.code, _c.parent_step)
    .select_from(table(Case).join(_parents, _parents.c.id == _c.parent_case_id))
    .where(_c.id == bindparam("case_id"))
)
#: The actor (and role) of the completions the end of a linked case makes.
_SYSTEM = Member(0, SYSTEM_ACTOR, None, True, None, (SYSTEM_ACTOR,))


class StartRace(Exception):
    """The insert of a new case lost the unique indexes to a concurrent start of the same code or year."""

    def __init__(self, workflow: str, year: int, code: str) -> None:
        super().__init__(code)
        self.workflow, self.year, self.code = workflow, year, code


@dataclass(frozen=True)
class Opened:
    """A case just inserted by :func:`open_case`, its definition and the cancelled case it restarts."""

    case: CaseRow
    definition: WorkflowDef
    restart_of: str | None


@dataclass(frozen=True)
class Starter:
    """Who starts a case, and when: the actor and role of the action, its stated time."""

    people: Directory
    actor: str
    role: str
    when: datetime

    @classmethod
    def of(cls, act: StepAction, when: datetime) -> Starter:
        """The actor and role of the action on ``act``, at ``when``."""
        return cls(act.people, act.actor.username, act.role, when)


def open_case(
    ctx: Context,
    session: Session,
    by: Starter,
    found: tuple[int, WorkflowDef],
    year: int,
    parent: tuple[CaseRow, int] | None = None,
) -> Opened:
    """Insert a running case of the definition ``found`` (stored id, definition) in ``year`` with its first
    step active, its linked cases if that step runs another SOP, and its ``case.started`` event.

    ``parent``: the case and step that start it (a sub-SOP). The policy checks are the caller's.
    """
    definition = found[1]
    conn = session.connection()
    code, serial, restart_of = case_codes.new_code(session, by.people.office_id, definition, year)
    case = _new_case(by, found, year, code, serial)
    first = case.steps[0]
    start_round(ctx, first, definition.first_step, by.when)
    try:
        case_rows.insert_case(conn, case, ctx.clock.now())
    except DBIntegrityError as exc:
        raise StartRace(definition.name, year, code) from exc
    case_restarts.link(conn, case.id, restart_of)
    if parent is not None:
        conn.execute(_LINK, {"case_id": case.id, "parent_id": parent[0].id, "parent_step": parent[1]})
        case.parent_case_id = parent[0].id
    outbox.schedule_step(ctx, conn, by.people, case, first, definition.first_step)
    started = start_children(ctx, session, by, case, definition, (definition.first_step.no,))
    audit.append(
        session,
        case.office_id,
        actor=by.actor,
        role=by.role,
        action="case.started",
        recorded_at=ctx.clock.now(),
        stated_at=by.when,
        case=code,
        step=definition.first_step.no,
        details={
            "workflow": definition.name,
            "year": year,
            "definition_sha256": definition.content_hash,
            "revision": definition.revision.isoformat(),
            "first_due_at": iso(first.due_at),
            **({"restart_of": restart_of} if restart_of else {}),
            **({"parent": parent[0].code, "parent_step": parent[1]} if parent else {}),
            **started,
        },
    )
    return Opened(case, definition, restart_of)


def _new_case(by: Starter, found: tuple[int, WorkflowDef], year: int, code: str, serial: int | None) -> CaseRow:
    """The row of a new running case (not inserted yet), every step waiting."""
    definition_id, definition = found
    return CaseRow(
        id=0,
        office_id=by.people.office_id,
        code=code,
        workflow=definition.name,
        definition_id=definition_id,
        definition_hash=definition.content_hash,
        year=year,
        status=CaseStatus.RUNNING,
        state=machine_for(definition).initial,
        started_at=by.when,
        started_by=by.actor,
        steps=[StepRow(None, s.no, StepStatus.WAITING) for s in definition.steps],
        serial=serial,
    )


@dataclass(frozen=True)
class _Link:
    """A step of a workflow that runs another SOP (``jalankan``)."""

    no: int
    name: str
    workflow: str
    runs: str


class ChildRefused(Conflict):
    """A linked case could not start: the steps from the one acted on down to the one whose linked case
    was refused (a grandchild's is named through its parent, in one sentence), then why (``tail``)."""

    def __init__(self, links: tuple[_Link, ...], tail: str, value: Any = None, **details: Any) -> None:
        first, *rest = links
        text = f"Langkah {first.no} ({first.name}) menjalankan SOP {first.runs}"
        text += "".join(f", dan langkah {k.no} ({k.name}) SOP {k.workflow} menjalankan SOP {k.runs}" for k in rest)
        super().__init__(text + tail, value=value, **details)
        self.links, self.tail = links, tail


def start_children(
    ctx: Context, session: Session, by: Starter, case: CaseRow, definition: WorkflowDef, activated: Sequence[int]
) -> dict[str, Any]:
    """Start the linked case of each step of ``activated`` that runs another SOP; the audit details naming
    them (``started_cases``; none if no step runs one). A yearly SOP whose year already has its case
    refuses the action (Conflict naming that case; the caller's transaction rolls back)."""
    started: list[dict[str, Any]] = []
    for no in activated:
        step = definition.step(no)
        if step.runs is None:
            continue
        found = workflows.current(session, ctx, case.office_id, step.runs)
        link = _Link(no, step.name, definition.name, step.runs)
        try:
            child = open_case(ctx, session, by, found, case.year, parent=(case, no))
        except ChildRefused as exc:  # a case further down the chain: one sentence from this step to it
            raise ChildRefused((link, *exc.links), exc.tail, value=exc.value, **exc.details) from exc
        except Conflict as exc:
            tail = (
                f" sebagai kasus tahun {case.year}, tetapi {exc.message[0].lower()}{exc.message[1:]} Tindakan ini "
                "dibatalkan; tidak ada yang berubah."
            )
            raise ChildRefused((link,), tail, value=exc.value, **exc.details) from exc
        except StartRace as race:  # the transaction is lost: the action is refused, to be done again
            tail = (
                f", tetapi kasus {race.code} baru saja dimulai oleh orang lain pada saat yang sama; "
                "ulangi tindakan ini."
            )
            raise ChildRefused((link,), tail, value=race.code) from race
        started.append({"step": no, "case": child.case.code})
    return {"started_cases": started} if started else {}


def children(conn: Connection, case_id: int) -> dict[int, tuple[str, CaseStatus]]:
    """The latest case each ``jalankan`` step of the case started, with its status, by step number."""
    return {no: (code, status) for no, code, status in conn.execute(_CHILDREN, {"case_id": case_id})}


def parent_of(conn: Connection, case_id: int) -> tuple[str, int] | None:
    """The code of the case whose step started this one, and that step (None: started by a person)."""
    row = conn.execute(_PARENT, {"case_id": case_id}).first()
    return None if row is None else (row[0], row[1])


def with_links(conn: Connection, row: Row[Any], definition: WorkflowDef, record: CaseRecord) -> CaseRecord:
    """``record`` (of ``row``, the case's row of the cases table, pinned to ``definition``) with the case
    that started it and the cases it started. A query for each only when there can be one: the row
    names a parent, the definition has a ``jalankan`` step."""
    part_of = None if row.parent_case_id is None else parent_of(conn, row.id)
    started = children(conn, row.id) if any(step.runs for step in definition.steps) else {}
    linked = tuple((no, code, status) for no, (code, status) in sorted(started.items()))
    return dataclasses.replace(record, part_of=part_of, linked_cases=linked)


def require_by_hand(conn: Connection, act: StepAction) -> None:
    """A step that started a linked case is not completed by hand: it completes when that case is done."""
    if by_hand(act.step):
        return
    child = children(conn, act.case.id).get(act.step.no)
    if child is not None:
        raise NotAllowed(
            f"Langkah {act.step.no} dijalankan sebagai kasus {child[0]}; langkah ini selesai sendiri saat kasus "
            "itu selesai.",
            value=act.step.no,
        )


def finish_parent(ctx: Context, session: Session, child: CaseRow, when: datetime) -> None:
    """If ``child`` is done and a step of another case started it, complete that step as ``sistem``
    (moving the parent on, and its own parent if it ends too), in the caller's transaction."""
    if child.status != CaseStatus.DONE or child.parent_case_id is None:
        return
    link = parent_of(session.connection(), child.id)
    if link is None:
        return
    parent = load_case(ctx, session, link[0])
    row = parent.steps[link[1] - 1]
    if parent.status != CaseStatus.RUNNING or row.status != StepStatus.ACTIVE:
        return
    definition = workflows.pinned(session.connection(), parent.definition_hash)
    people = office_people(ctx, session, parent)
    step = definition.step(link[1])
    act = StepAction(parent, definition, step, row, people, _SYSTEM, SYSTEM_ACTOR, parent.state)
    new_state, after = fire(act, complete_trigger(step.no))
    finish(row, SYSTEM_ACTOR, when, None)
    moved = advance(ctx, session, act, new_state, after, when)
    started = start_children(
        ctx, session, Starter(people, SYSTEM_ACTOR, SYSTEM_ACTOR, when), parent, definition, moved.activated
    )
    details = {
        "round": row.round,
        "note": None,
        "due_at": iso(row.due_at),
        "late": bool(row.due_at and when > row.due_at),
        "files": [],
        "completed_by_case": child.code,
        **moved.details(),
        **started,
    }
    audit_step(ctx, session, act, "step.completed", when, new_state, details)
    finish_parent(ctx, session, parent, when)
