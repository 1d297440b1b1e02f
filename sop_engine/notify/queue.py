"""The outbox as a queue: a worker takes a lease on due rows, renews it while sending, gives it back.

A lease is ``lease_owner`` and ``lease_until`` on the notification row. Claiming takes the due
rows nobody holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
serialises claimers), so several workers on one database never take the same row; a worker
that dies loses its rows when their lease runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select, update

from sop_engine.context import Context
from sop_engine.db.models import Notification
from sop_engine.db.statuses import NotificationStatus


class Leases:
    """One worker's leases on the office's outbox."""

    def __init__(self, ctx: Context, worker_id: str, batch: int) -> None:
        self.ctx = ctx
        self.worker_id = worker_id
        self.batch = batch
        self.lease_seconds = ctx.settings.notifications.lease_seconds

    def next_due(self) -> datetime | None:
        """When the next pending notification can be taken (due, and not leased by another worker)."""
        available = sql_case(
            (Notification.lease_until > Notification.next_attempt_at, Notification.lease_until),
            else_=Notification.next_attempt_at,
        )
        with self.ctx.db.read() as session:
            office = self.ctx.office(session)
            upcoming: datetime | None = session.scalar(
                select(func.min(available)).where(
                    Notification.office_id == office.id, Notification.status == NotificationStatus.PENDING
                )
            )
            return upcoming

    def release(self, ids: list[int]) -> None:
        """Give back claimed rows (when stopping), so another worker can take them at once."""
        with self.ctx.db.write() as session:
            session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.lease_owner == self.worker_id)
                .values(lease_owner=None, lease_until=None),
                execution_options={"synchronize_session": False},
            )

    def hold(self, nid: int, now: datetime) -> bool:
        """Renew this worker's lease on ``nid``; False if it expired or another worker took the row."""
        with self.ctx.db.write() as session:
            result = session.execute(
                update(Notification)
                .where(
                    Notification.id == nid,
                    Notification.lease_owner == self.worker_id,
                    Notification.lease_until > now,
                    Notification.status == NotificationStatus.PENDING,
                )
                .values(lease_until=now + timedelta(seconds=self.lease_seconds)),
                execution_options={"synchronize_session": False},
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def claim(self, now: datetime) -> list[int]:
        """Take a lease on a batch of due rows that nobody holds."""
        with self.ctx.db.write() as session:
            office = self.ctx.office(session)
            query = (
                select(Notification.id)
                .where(
                    Notification.office_id == office.id,
                    Notification.status == NotificationStatus.PENDING,
                    Notification.next_attempt_at <= now,
                    or_(Notification.lease_until.is_(None), Notification.lease_until <= now),
                )
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(self.batch)
            )
            if self.ctx.db.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            ids = list(session.scalars(query))
            if ids:
                session.execute(
                    update(Notification)
                    .where(Notification.id.in_(ids))
                    .values(lease_owner=self.worker_id, lease_until=now + timedelta(seconds=self.lease_seconds)),
                    execution_options={"synchronize_session": False},
                )
            return ids
