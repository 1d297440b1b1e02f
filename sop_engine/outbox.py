"""The due-action outbox: which notifications a step needs, created and cancelled with the step.

When a step becomes active, its notifications are written in the same transaction: a reminder
to each assignee at ``reminder_at`` of the budget, a due notice at the deadline, and escalation
level k at deadline + k x max(``escalation_fraction`` x budget, ``escalation_minimum``) to the
k-th supervisor up each assignee's chain, the assignees in copy, never beyond the top of the
chain; an assignee without a supervisor of their own escalates up the roles' chain instead (the
``atasan`` of config.toml's ``[peran]``: a holder of the k-th role above the step's). Completing,
returning or cancelling cancels what is still pending. A step with a paraf chain (several actors in
order) is planned for the actor whose turn it is: when one confirms, the step's pending notifications
are cancelled and the next actor's planned (:func:`hand_over`) against the same deadline. All moments
are working time of the office calendar. The scheduler (:mod:`sop_engine.notify.worker`) only
delivers what these rows say.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from sop_engine import case_rows, outbox_rows, workflows
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.context import Context
from sop_engine.db.models import Notification, Person
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.definitions import StepDef
from sop_engine.directory import MAX_CHAIN, Directory, Member
from sop_engine.durations import parse_duration


@dataclass(frozen=True)
class Planned:
    """One notification a step needs: kind, level, moment, recipient and people in copy."""

    kind: NotificationKind
    level: int
    due_at: datetime
    recipient: Member
    cc: tuple[Member, ...] = ()


def plan_step(
    ctx: Context,
    people: Directory,
    step: StepDef,
    activated_at: datetime,
    due_at: datetime,
    role: str | None = None,
    since: datetime | None = None,
) -> list[Planned]:
    """Every notification an activation of ``step`` needs, per the policy in config, for ``role`` (the
    actor whose turn it is; default the step's first). ``since``: the moment a paraf chain handed the
    step to ``role``; a reminder or due notice whose moment had passed then is due at once, and the
    escalations count from the later of the deadline and that moment."""
    policy = ctx.settings.notifications
    budget = workflows.budget_seconds(ctx, step)
    role = role or step.role
    assigned = people.assignees(role)
    planned: list[Planned] = []
    reminder_at = ctx.calendar.add(activated_at, int(budget * policy.reminder_at))
    late_from = due_at
    if since is not None:
        reminder_at, late_from = max(reminder_at, since), max(due_at, since)
    for person in assigned:
        planned.append(Planned(NotificationKind.REMINDER, 0, reminder_at, person))
        planned.append(Planned(NotificationKind.DUE, 0, late_from, person))
    interval = max(
        int(budget * policy.escalation_fraction), ctx.calendar.budget_seconds(_parse_minimum(policy.escalation_minimum))
    )
    above = [boss for boss in ctx.settings.roles.chain(role) if people.assignees(boss)]
    for level in range(1, MAX_CHAIN + 1):
        bosses: dict[int, Member] = {}
        for person in assigned:
            boss = people.supervisor_at(person, level) if person.supervisor_id else _role_boss(people, above, level)
            if boss is not None:
                bosses.setdefault(boss.id, boss)
        if not bosses:
            break
        moment = ctx.calendar.add(late_from, level * interval)
        planned.extend(
            Planned(NotificationKind.ESCALATION, level, moment, boss, tuple(assigned)) for boss in bosses.values()
        )
    return planned


#: The shortest interval between escalations (config text), parsed once: every activation reads it.
_parse_minimum = functools.lru_cache(maxsize=16)(parse_duration)


def _role_boss(people: Directory, above: list[str], level: int) -> Member | None:
    """The ``level``-th supervisor of a person without one of their own: a holder of that role up the roles' chain."""
    return people.assignees(above[level - 1])[0] if level <= len(above) else None


def _key(case_code: str, step_no: int, round_no: int, kind: str, level: int, username: str, position: int = 0) -> str:
    """Unique per case/step/round/kind/level/recipient, and per paraf position past the first (one
    person may hold two roles of a chain)."""
    turn = f"/paraf{position + 1}" if position else ""
    return f"{case_code}/{step_no}/{round_no}/{kind}/{level}/{username}{turn}"


def schedule_step(
    ctx: Context,
    conn: Connection,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    cancel_step: int | None = None,
    position: int = 0,
    since: datetime | None = None,
) -> int:
    """Write the notifications of the step that just became active (inside the caller's transaction),
    and cancel the pending ones of step ``cancel_step`` of the case if given (the step just finished).
    ``position`` and ``since``: the paraf actor whose turn it is and since when (:func:`hand_over`).

    One multi-row INSERT, without ORM objects; on PostgreSQL, where each statement is a round trip,
    the cancelling UPDATE is a CTE of it (it never touches the rows inserted: it sees the table as
    the statement found it).
    """
    planned = _rows(ctx, people, case, row, step, position, since)
    if cancel_step is not None and (not planned or conn.dialect.name != "postgresql"):
        cancel_pending(ctx, conn, case.id, cancel_step)
    elif cancel_step is not None:
        rows = outbox_rows.as_json(planned)
        outbox_rows.from_json().execute(conn, {"rows": rows, "b_case": case.id, "b_step": cancel_step})
        return len(planned)
    if planned:
        outbox_rows.INSERT.executemany(conn, planned)
    return len(planned)


def hand_over(
    ctx: Context,
    conn: Connection,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    position: int,
    since: datetime,
) -> int:
    """A paraf chain moved on at ``since`` to its actor at ``position``: cancel the step's pending
    notifications and write that actor's (inside the caller's transaction)."""
    return schedule_step(ctx, conn, people, case, row, step, row.no, position, since)


def _rows(
    ctx: Context,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    position: int = 0,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """The ``notifications`` rows of the step that just became active (or passed to its paraf actor at
    ``position``), as INSERT parameters."""
    if row.activated_at is None or row.due_at is None:
        return []
    now = ctx.clock.now()
    plan = plan_step(ctx, people, step, row.activated_at, row.due_at, step.actors[position], since)
    return [
        {
            "office_id": case.office_id,
            "dedupe_key": _key(case.code, row.no, row.round, item.kind, item.level, item.recipient.username, position),
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
        for item in plan
    ]


def save_with_step(
    ctx: Context,
    conn: Connection,
    people: Directory,
    case: CaseRow,
    row: StepRow,
    step: StepDef,
    cancel_step: int | None = None,
    position: int = 0,
    since: datetime | None = None,
) -> bool:
    """PostgreSQL: :func:`sop_engine.case_rows.save` and :func:`schedule_step` in one statement (one round
    trip instead of two), the notifications written only if the case rows moved: a lost race writes
    nothing and raises ``StaleDataError``, as :func:`~sop_engine.case_rows.save` alone does. ``position``
    and ``since``: a paraf chain's hand-over (:func:`hand_over`), the step's own rows cancelled.

    False, having written nothing, where that does not apply (SQLite, no notification planned): the
    caller saves and schedules as usual.
    """
    if conn.dialect.name != "postgresql":
        return False
    changed, values = case_rows.moved_case_params(case)
    planned = _rows(ctx, people, case, row, step, position, since)
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
