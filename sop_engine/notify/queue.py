"""The outbox as a queue: a worker takes a lease on due rows, renews it while sending, gives it back.

A lease is ``lease_owner`` and ``lease_until`` on the notification row. Claiming takes the due
rows nobody holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
serialises claimers), so several workers on one database never take the same row; a worker
that dies loses its rows when their lease runs out.

The queries read only pending rows, in due order, through the partial index
``ix_notifications_pending`` (history is never scanned, however long): :func:`claim_query` and
:func:`next_due_queries` build them so that a test can read their plans, for one office or, as
subqueries correlated to each office, for all of them (:mod:`sop_engine.notify.offices`).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, update
from sqlalchemy.orm import QueryableAttribute

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
        #: ``time.monotonic()`` of the last claim or renewal: the leases run until lease_seconds after it.
        self.renewed = time.monotonic()

    def next_due(self) -> datetime | None:
        """When the next pending notification can be taken (due, and not leased by another worker)."""
        with self.ctx.db.read() as session:
            office = self.ctx.office(session)
            found = [session.scalar(query) for query in next_due_queries(office.id)]
            return min((moment for moment in found if moment is not None), default=None)

    def release(self, ids: list[int]) -> None:
        """Give back claimed rows (when stopping), so another worker can take them at once."""
        with self.ctx.db.write() as session:
            session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.lease_owner == self.worker_id)
                .values(lease_owner=None, lease_until=None),
                execution_options={"synchronize_session": False},
            )

    def hold_many(self, ids: list[int], now: datetime) -> set[int]:
        """Renew this worker's leases on ``ids``; the ids it still holds (not expired, not taken, pending)."""
        if not ids:
            return set()
        self.renewed = time.monotonic()
        with self.ctx.db.write() as session:
            held = session.scalars(
                update(Notification)
                .where(
                    Notification.id.in_(ids),
                    Notification.lease_owner == self.worker_id,
                    Notification.lease_until > now,
                    Notification.status == NotificationStatus.PENDING,
                )
                .values(lease_until=now + timedelta(seconds=self.lease_seconds))
                .returning(Notification.id),
                execution_options={"synchronize_session": False},
            )
            return set(held)

    def claim(self, now: datetime, due_by: datetime | None = None) -> list[int]:
        """Take a lease on a batch of rows due at ``now`` (or by ``due_by``, ahead) that nobody holds.

        The lease runs ``lease_seconds`` past the later of the two.
        """
        self.renewed = time.monotonic()
        with self.ctx.db.write() as session:
            office = self.ctx.office(session)
            query = claim_query(office.id, now, self.batch, due_by)
            if self.ctx.db.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            ids = list(session.scalars(query))
            lease = timedelta(seconds=self.lease_seconds)
            if ids:
                session.execute(
                    update(Notification)
                    .where(Notification.id.in_(ids))
                    .values(lease_owner=self.worker_id, lease_until=max(now, due_by or now) + lease),
                    execution_options={"synchronize_session": False},
                )
            return ids


def pending_rows() -> ColumnElement[bool]:
    """``status = 'pending'`` with the value written out, so the planner can match the partial index."""
    return Notification.status == literal_column(f"'{NotificationStatus.PENDING.value}'")


#: Whose rows a query reads: one office's row id, or the ``offices.id`` column of an outer query (the
#: query then is a subquery correlated to each office: :mod:`sop_engine.notify.offices`).
OfficeKey = int | ColumnElement[int] | QueryableAttribute[int]


def due_conditions(office: OfficeKey, due_by: datetime, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The office's pending rows due by ``due_by`` that nobody holds at ``now`` (the claim's rows)."""
    return (
        Notification.office_id == office,
        pending_rows(),
        Notification.next_attempt_at <= due_by,
        or_(Notification.lease_until.is_(None), Notification.lease_until <= now),
    )


def claim_query(office_id: int, now: datetime, batch: int, due_by: datetime | None = None) -> Select[int]:
    """The first ``batch`` rows due at ``now`` (or by ``due_by``) that nobody holds at ``now``, in due order."""
    return (
        select(Notification.id)
        .where(*due_conditions(office_id, due_by or now, now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
    )


def next_due_queries(office: OfficeKey) -> tuple[Select[datetime], Select[datetime | None]]:
    """When rows become available: the earliest free row by due order, the earliest lease to run out.

    A leased row is available when its lease ends (if that is after its next attempt); the others
    at their next attempt. Each query reads one index: the first stops at its first row.
    """
    free = (
        select(Notification.next_attempt_at)
        .where(
            Notification.office_id == office,
            pending_rows(),
            or_(Notification.lease_until.is_(None), Notification.lease_until <= Notification.next_attempt_at),
        )
        .order_by(Notification.next_attempt_at)
        .limit(1)
    )
    leased = select(func.min(Notification.lease_until)).where(
        Notification.office_id == office,
        pending_rows(),
        Notification.lease_until.is_not(None),
        Notification.lease_until > Notification.next_attempt_at,
    )
    return free, leased
