"""The due-action outbox: which notifications a step needs, created and cancelled with the step.

When a step becomes active, its notifications are written in the same transaction: a reminder
to each assignee at ``reminder_at`` of the budget, a due notice at the deadline, and escalation
level k at deadline + k x max(``escalation_fraction`` x budget, ``escalation_minimum``) to the
k-th supervisor up each assignee's chain, the assignees in copy, never beyond the top of the
chain; an assignee without a supervisor of their own escalates up the roles' chain instead (the
``atasan`` of config.toml's ``[peran]``: a holder of the k-th role above the step's). Completing,
returning or cancelling cancels what is still pending. All moments are working time of the office
calendar. The scheduler (:mod:`sop_engine.notify.worker`) only delivers what these rows say.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from sop_engine import audit, case_rows, directory, outbox_rows, policy, workflows
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.context import Context
from sop_engine.db.models import Case, CaseStep, Notification, Person
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus, StepStatus
from sop_engine.definitions import StepDef
from sop_engine.directory import MAX_CHAIN, Directory, Member
from sop_engine.durations import parse_duration
from sop_engine.policy import SYSTEM_ACTOR, Actor, Permission


@dataclass(frozen=True)
class Planned:
    """One notification a step needs: kind, level, moment, recipient and people in copy."""

    kind: NotificationKind
    level: int
    due_at: datetime
    recipient: Member
    cc: tuple[Member, ...] = ()


def plan_step(
    ctx: Context, people: Directory, step: StepDef, activated_at: datetime, due_at: datetime
) -> list[Planned]:
    """Every notification an activation of ``step`` needs, per the policy in config."""
    policy = ctx.settings.notifications
    budget = ctx.calendar.budget_seconds(step.budget)
    assigned = people.assignees(step.role)
    planned: list[Planned] = []
    reminder_at = ctx.calendar.add(activated_at, int(budget * policy.reminder_at))
    for person in assigned:
        planned.append(Planned(NotificationKind.REMINDER, 0, reminder_at, person))
        planned.append(Planned(NotificationKind.DUE, 0, due_at, person))
    interval = max(
        int(budget * policy.escalation_fraction), ctx.calendar.budget_seconds(_parse_minimum(policy.escalation_minimum))
    )
    above = [role for role in ctx.settings.roles.chain(step.role) if people.assignees(role)]
    for level in range(1, MAX_CHAIN + 1):
        bosses: dict[int, Member] = {}
        for person in assigned:
            boss = people.supervisor_at(person, level) if person.supervisor_id else _role_boss(people, above, level)
            if boss is not None:
                bosses.setdefault(boss.id, boss)
        if not bosses:
            break
        moment = ctx.calendar.add(due_at, level * interval)
        planned.extend(
            Planned(NotificationKind.ESCALATION, level, moment, boss, tuple(assigned)) for boss in bosses.values()
        )
    return planned


#: The shortest interval between escalations (config text), parsed once: every activation reads it.
_parse_minimum = functools.lru_cache(maxsize=16)(parse_duration)


def _role_boss(people: Directory, above: list[str], level: int) -> Member | None:
    """The ``level``-th supervisor of a person without one of their own: a holder of that role up the roles' chain."""
    return people.assignees(above[level - 1])[0] if level <= len(above) else None


def _key(case_code: str, step_no: int, round_no: int, kind: str, level: int, username: str) -> str:
    return f"{case_code}/{step_no}/{round_no}/{kind}/{level}/{username}"


def schedule_step(
    ctx: Context,
    conn: Connection,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    cancel_step: int | None = None,
) -> int:
    """Write the notifications of the step that just became active (inside the caller's transaction),
    and cancel the pending ones of step ``cancel_step`` of the case if given (the step just finished).

    One multi-row INSERT, without ORM objects; on PostgreSQL, where each statement is a round trip,
    the cancelling UPDATE is a CTE of it (it never touches the rows inserted: another step's).
    """
    planned = _rows(ctx, people, case, row, step)
    if cancel_step is not None and (not planned or conn.dialect.name != "postgresql"):
        cancel_pending(ctx, conn, case.id, cancel_step)
    elif cancel_step is not None:
        rows = outbox_rows.as_json(planned)
        outbox_rows.from_json().execute(conn, {"rows": rows, "b_case": case.id, "b_step": cancel_step})
        return len(planned)
    if planned:
        outbox_rows.INSERT.executemany(conn, planned)
    return len(planned)


def _rows(ctx: Context, people: Directory, case: CaseRow, row: StepRow, step: StepDef) -> list[dict[str, Any]]:
    """The ``notifications`` rows of the step that just became active, as INSERT parameters."""
    if row.activated_at is None or row.due_at is None:
        return []
    now = ctx.clock.now()
    return [
        {
            "office_id": case.office_id,
            "dedupe_key": _key(case.code, row.no, row.round, item.kind, item.level, item.recipient.username),
            "kind": item.kind,
            "level": item.level,
            "case_id": case.id,
            "case_code": case.code,
            "step_no": row.no,
            "round": row.round,
            "recipient_id": item.recipient.id,
            "cc": ",".join(p.username for p in item.cc) or None,
            "due_at": item.due_at,
            "status": NotificationStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": item.due_at,
            "created_at": now,
        }
        for item in plan_step(ctx, people, step, row.activated_at, row.due_at)
    ]


def save_with_step(
    ctx: Context,
    conn: Connection,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    cancel_step: int | None = None,
) -> bool:
    """PostgreSQL: :func:`sop_engine.case_rows.save` and :func:`schedule_step` in one statement (one round
    trip instead of two), the notifications written only if the case rows moved: a lost race writes
    nothing and raises ``StaleDataError``, as :func:`~sop_engine.case_rows.save` alone does.

    False, having written nothing, where that does not apply (SQLite, no step row changed, no
    notification planned): the caller saves and schedules as usual.
    """
    if conn.dialect.name != "postgresql":
        return False
    changed, values = case_rows.moved_case_params(case)
    planned = _rows(ctx, people, case, row, step) if changed else []
    if not planned:
        return False
    values |= {"rows": outbox_rows.as_json(planned), "b_case": case.id, "b_step": cancel_step}
    moved = outbox_rows.save_and_schedule(len(changed), cancel_step is not None).rows(conn, values)[0][0]
    case_rows.saved(case, changed, moved)
    return True


def cancel_pending(ctx: Context, conn: Connection, case_id: int, step_no: int | None = None) -> int:
    """Cancel the pending notifications of one step of case ``case_id`` (or of the whole case)."""
    query, values = (
        (outbox_rows.CANCEL_CASE, {}) if step_no is None else (outbox_rows.CANCEL_ONE_STEP, {"b_step": step_no})
    )
    return query.execute(conn, {"b_case": case_id, "finished_at": ctx.clock.now(), **values})


@dataclass(frozen=True)
class Moved:
    """One open deadline moved by ``recompute``."""

    case: str
    step: int
    old_due: datetime
    new_due: datetime
    notifications: int


def recompute(ctx: Context, by: str = SYSTEM_ACTOR) -> list[Moved]:
    """Re-derive every open deadline and pending notification from the calendar as it is now.

    Run after the holiday list changes (an SKB revision, an office closure). Deadlines that do
    not change are left alone; the changes are recorded in one audit event.
    """
    moved: list[Moved] = []
    with ctx.db.write() as session:
        office = ctx.office(session)
        actor = policy.resolve(session, office.id, by, Permission.MANAGE_CALENDAR)
        rows = session.execute(
            select(Case, CaseStep)
            .join(CaseStep, CaseStep.case_id == Case.id)
            .where(Case.office_id == office.id, Case.status == CaseStatus.RUNNING, CaseStep.status == StepStatus.ACTIVE)
            .order_by(Case.code)
        ).all()
        people = directory.load(session.connection(), office.id) or Directory(office.id, ())
        for case, row in rows:
            step_moved = _recompute_step(ctx, session, people, case, row)
            if step_moved is not None:
                moved.append(step_moved)
        if moved:
            _audit_recomputed(ctx, session, office.id, actor, moved)
    return moved


def _recompute_step(ctx: Context, session: Session, people: Directory, case: Case, row: CaseStep) -> Moved | None:
    """Move one active step's deadline and its pending notifications to where the calendar puts them now."""
    if row.activated_at is None or row.due_at is None:
        return None
    step = workflows.definition_of(case).step(row.no)
    new_due = ctx.calendar.add_duration(row.activated_at, step.budget)
    plan = {
        (p.kind, p.level, p.recipient.id): p.due_at for p in plan_step(ctx, people, step, row.activated_at, new_due)
    }
    changed = 0
    for note in session.scalars(
        select(Notification).where(
            Notification.case_id == case.id,
            Notification.step_no == row.no,
            Notification.round == row.round,
            Notification.status == NotificationStatus.PENDING,
        )
    ):
        moment = plan.get((note.kind, note.level, note.recipient_id))
        if moment is not None and moment != note.due_at:
            note.due_at = note.next_attempt_at = moment
            changed += 1
    if new_due != row.due_at or changed:
        step_moved = Moved(case.code, row.no, row.due_at, new_due, changed)
        row.due_at = new_due
        return step_moved
    return None


def _audit_recomputed(ctx: Context, session: Session, office_id: int, actor: Actor, moved: list[Moved]) -> None:
    """The one audit event of a recompute that moved something."""
    audit.append(
        session,
        office_id,
        actor=actor.username,
        role=actor.role,
        action="deadlines.recomputed",
        recorded_at=ctx.clock.now(),
        details={
            "moved": [
                {
                    "case": m.case,
                    "step": m.step,
                    "old_due_at": m.old_due.isoformat(),
                    "new_due_at": m.new_due.isoformat(),
                    "notifications": m.notifications,
                }
                for m in moved
            ]
        },
    )


@dataclass(frozen=True)
class NotificationRecord:
    """A notification as the services hand it out."""

    id: int
    kind: NotificationKind
    level: int
    case: str | None
    step: int | None
    round: int | None
    recipient: str
    cc: tuple[str, ...]
    channels: tuple[str, ...]
    due_at: datetime
    status: NotificationStatus
    attempts: int
    last_error: str | None
    finished_at: datetime | None
    deliveries: tuple[tuple[str, str], ...]  # (channel, status)


def channels_of(ctx: Context, person: Person) -> tuple[str, ...]:
    """The channels a person is reached on: their own choice, else the enabled office defaults.

    A channel a person chose but the office has not enabled is kept, so its failure is visible.
    """
    if person.channels:
        return tuple(c.strip() for c in person.channels.split(",") if c.strip())
    policy = ctx.settings.notifications
    enabled = {"email": policy.email.enabled, "webhook": policy.webhook.enabled, "log": policy.log.enabled}
    return tuple(c for c in policy.default_channels if enabled[c])


def list_notifications(ctx: Context, case: str | None = None) -> list[NotificationRecord]:
    """Every notification of the office (or of one case), by due time."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        query = select(Notification).where(Notification.office_id == office.id)
        if case is not None:
            query = query.where(Notification.case_code == case)
        items: Sequence[Notification] = session.scalars(query.order_by(Notification.due_at, Notification.id)).all()
        return [
            NotificationRecord(
                id=n.id,
                kind=n.kind,
                level=n.level,
                case=n.case_code,
                step=n.step_no,
                round=n.round,
                recipient=n.recipient.username,
                cc=tuple(n.cc.split(",")) if n.cc else (),
                channels=channels_of(ctx, n.recipient),
                due_at=n.due_at,
                status=n.status,
                attempts=n.attempts,
                last_error=n.last_error,
                finished_at=n.finished_at,
                deliveries=tuple((d.channel, d.status) for d in n.deliveries),
            )
            for n in items
        ]


# --- the daily digest ------------------------------------------------------------------------
