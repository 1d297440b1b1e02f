"""Cases entered after the fact: notifications whose moment had passed when their step was recorded.

A case started, or a step completed, with ``--at`` a moment in the past gets its steps'
notifications as usual, but those whose moment had already passed when the step was recorded
are never sent: the scheduler skips them (:mod:`sop_engine.notify.verdict`) with a reason that
starts with :data:`REASON`, so that entering last year's case does not send its reminders, due
notices and escalations today. :func:`entered_late` tells the case page so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from sop_engine.context import Context
from sop_engine.db.models import Case, Notification
from sop_engine.db.statuses import NotificationKind

#: How far before its recording a moment may lie and still count as on time (the clock reads of
#: one action; a step whose budget ends the moment it starts).
GRACE = timedelta(minutes=1)
#: The start of the reason a backdated notification is skipped with (``sop notify``, the web).
REASON = "Dicatat belakangan"


def is_backdated(kind: str, due_at: datetime, recorded_at: datetime) -> bool:
    """Whether a notification due at ``due_at`` was already past when written at ``recorded_at``.

    Never a digest: it is written after its moment by design.
    """
    return kind != NotificationKind.DIGEST and due_at < recorded_at - GRACE


@dataclass(frozen=True)
class EnteredLate:
    """How a case was entered after the fact."""

    started_at: datetime
    recorded_at: datetime
    started_late: bool  # the case itself was started ``--at`` a past moment
    skipped: int  # notifications never sent because their moment had passed when recorded


def entered_late(ctx: Context, code: str) -> EnteredLate | None:
    """How case ``code`` was entered after the fact, or None if it was entered as it happened."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        case = session.execute(
            select(Case.id, Case.started_at, Case.recorded_at).where(Case.office_id == office.id, Case.code == code)
        ).first()
        if case is None:
            return None
        moments = session.execute(
            select(Notification.kind, Notification.due_at, Notification.created_at).where(
                Notification.case_id == case.id
            )
        ).all()
    skipped = sum(1 for kind, due_at, created_at in moments if is_backdated(kind, due_at, created_at))
    started_late = case.started_at < case.recorded_at - GRACE
    if not (started_late or skipped):
        return None
    return EnteredLate(case.started_at, case.recorded_at, started_late, skipped)
