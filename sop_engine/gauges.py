"""The office's figures an operator watches, read at the moment they are asked for (``GET /metrics``).

Each is one aggregate query: notifications pending and failed by kind, cases by status, and the
scheduler's lag, how long the oldest due notification has waited for a worker. The pending rows
and the lag are read through the outbox's partial index of pending rows (see
:mod:`sop_engine.notify.queue`), the failed rows through their own, so their cost does not grow
with the history; :func:`pending_query`, :func:`failed_query` and :func:`lag_query` build them so
that a test can read their plans.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sop_engine.context import Context
from sop_engine.db.models import Case, Notification
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus
from sop_engine.errors import SopError
from sop_engine.notify.queue import pending_rows

log = logging.getLogger(__name__)

Member = TypeVar("Member", NotificationKind, CaseStatus)


@dataclass(frozen=True)
class OfficeFigures:
    """Counts by kind or status (every member present, 0 where none) and the scheduler's lag."""

    pending: Mapping[NotificationKind, int]
    failed: Mapping[NotificationKind, int]
    cases: Mapping[CaseStatus, int]
    #: Seconds the oldest notification due by now has waited; 0 when none waits.
    scheduler_lag_seconds: float


def office_figures(ctx: Context) -> OfficeFigures | None:
    """The figures now, or None (logged) when the database cannot give them."""
    now = ctx.clock.now()
    try:
        with ctx.db.read() as session:
            office_id = ctx.office(session).id
            cases = select(Case.status, func.count()).where(Case.office_id == office_id)
            oldest = session.scalar(lag_query(office_id, now))
            return OfficeFigures(
                pending=_counts(session, pending_query(office_id), NotificationKind),
                failed=_counts(session, failed_query(office_id), NotificationKind),
                cases=_counts(session, cases.group_by(Case.status), CaseStatus),
                scheduler_lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
            )
    except (SQLAlchemyError, SopError) as exc:
        log.warning("office figures unavailable: %s", type(exc).__name__, exc_info=True)
        return None


def pending_query(office_id: int) -> Select[NotificationKind, int]:
    """The office's pending notifications counted by kind."""
    return (
        select(Notification.kind, func.count())
        .where(Notification.office_id == office_id, pending_rows())
        .group_by(Notification.kind)
    )


def failed_query(office_id: int) -> Select[NotificationKind, int]:
    """The office's failed notifications counted by kind (through ``ix_notifications_failed``)."""
    failed = Notification.status == literal_column(f"'{NotificationStatus.FAILED.value}'")  # matches the index
    return (
        select(Notification.kind, func.count())
        .where(Notification.office_id == office_id, failed)
        .group_by(Notification.kind)
    )


def lag_query(office_id: int, now: datetime) -> Select[datetime]:
    """When the oldest pending notification due by ``now`` became due (None: none is)."""
    return select(func.min(Notification.next_attempt_at)).where(
        Notification.office_id == office_id, pending_rows(), Notification.next_attempt_at <= now
    )


def _counts(session: Session, query: Select[Member, int], members: type[Member]) -> dict[Member, int]:
    found = {members(value): count for value, count in session.execute(query)}
    return {member: found.get(member, 0) for member in members}
