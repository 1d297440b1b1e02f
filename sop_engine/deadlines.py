"""Open deadlines re-derived from the calendar as it is now (``sop deadlines recompute``).

Run after the holiday list changes (an SKB revision, an office closure): every active step's deadline
is computed again from its activation and budget, and its pending notifications moved to where
:func:`sop_engine.outbox.plan_step` puts them now, for the actor whose turn it is (a paraf chain past
its first actor: from the moment the chain moved on). Deadlines that do not change are left alone; the
changes are recorded in one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sop_engine import audit, directory, policy, workflows
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent, Case, CaseStep, Notification
from sop_engine.db.statuses import CaseStatus, NotificationStatus, StepStatus
from sop_engine.directory import Directory
from sop_engine.machine import machine_for
from sop_engine.outbox import plan_step
from sop_engine.policy import SYSTEM_ACTOR, Actor, Permission


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
    definition = workflows.definition_of(case)
    step = definition.step(row.no)
    new_due = ctx.calendar.add(row.activated_at, workflows.budget_seconds(ctx, step))
    position = machine_for(definition).position(case.state, row.no)
    since = _handed_over(session, case, row) if position else None
    turn = plan_step(ctx, people, step, row.activated_at, new_due, step.actors[position], since)
    plan = {(p.kind, p.level, p.recipient.id): p.due_at for p in turn}
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


def _handed_over(session: Session, case: Case, row: CaseStep) -> datetime | None:
    """When the paraf chain of the active ``row`` last moved on (its latest confirmation in this round)."""
    return session.scalar(
        select(func.max(AuditEvent.stated_at)).where(
            AuditEvent.office_id == case.office_id,
            AuditEvent.case_code == case.code,
            AuditEvent.step_no == row.no,
            AuditEvent.action == "step.confirmed",
            AuditEvent.stated_at >= row.activated_at,
        )
    )


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
