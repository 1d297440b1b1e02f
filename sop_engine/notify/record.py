"""Recording what a worker did with its claimed notifications: one transaction for a whole batch.

A worker first sends, then records. :func:`record` writes, for every :class:`Attempt` of the
batch, its channels' outcomes in the delivery ledger, the audit events, and the settlement of
the row (sent, failed, skipped, cancelled, or pending again after a backoff), in one write
transaction with one multi-row statement per table. The ledger's unique (notification,
channel) key stays the once-per-channel guarantee: a channel another worker already recorded
is not recorded again, and a row another worker (or a step change) settled in the meantime is
left as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import Row

from sop_engine import audit_batch
from sop_engine.audit import AuditRecord
from sop_engine.config_notifications import NotificationSettings
from sop_engine.context import Context
from sop_engine.db.models import Delivery, Notification, Person
from sop_engine.db.queries import table
from sop_engine.db.statuses import DeliveryStatus, NotificationKind, NotificationStatus
from sop_engine.formatting import format_instant

ACTOR, ACTOR_ROLE = "penjadwal", "sistem"


@dataclass(frozen=True)
class Outcome:
    """What one pass did with one notification."""

    id: int
    kind: NotificationKind
    level: int
    case: str | None
    step: int | None
    recipient: str
    status: NotificationStatus
    channels: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Entry:
    """One channel's final outcome, for the ledger."""

    channel: str
    status: DeliveryStatus
    address: str | None
    message_id: str | None
    error: str | None
    at: datetime


@dataclass
class Attempt:
    """What a worker did with one claimed notification, waiting to be recorded.

    ``transient`` holds (channel, error) of failures worth retrying; a None channel is a failure
    before sending (a message that could not be composed). ``close`` settles the row without
    sending (skipped, cancelled or failed, with the reason).
    """

    nid: int
    now: datetime
    wanted: tuple[str, ...] = ()
    entries: list[Entry] = field(default_factory=list)
    transient: list[tuple[str | None, str]] = field(default_factory=list)
    close: tuple[NotificationStatus, str] | None = None

    @property
    def external(self) -> bool:
        """Whether it reached (or tried) a channel outside the operator's log file."""
        return any(e.channel != "log" for e in self.entries) or any(c not in (None, "log") for c, _ in self.transient)


def describe(channel: str | None, error: str) -> str:
    return f"{channel}: {error}" if channel else error


#: A notification's ledger so far: (channel, status, error) in the order recorded.
Prior = list[tuple[str, str, str | None]]

_n, _d = table(Notification).c, table(Delivery).c
_ROWS = (
    select(_n.id, _n.office_id, _n.kind, _n.level, _n.case_code, _n.step_no, _n.status, _n.attempts)
    .add_columns(_n.next_attempt_at, _n.last_error, _n.finished_at, table(Person).c.username)
    .join_from(table(Notification), table(Person), table(Person).c.id == _n.recipient_id)
    .where(_n.id.in_(bindparam("b_ids", expanding=True)))
)
_PRIOR = (
    select(_d.notification_id, _d.channel, _d.status, _d.error)
    .where(_d.notification_id.in_(bindparam("b_ids", expanding=True)))
    .order_by(_d.id)
)
_SETTLE = (
    update(table(Notification))
    .where(_n.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next"),
        last_error=bindparam("b_error"),
        finished_at=bindparam("b_finished"),
        lease_owner=None,
        lease_until=None,
    )
)
_LEDGER = insert(table(Delivery))


class _Book:
    """The rows and events of one batch, written at the end in one statement per table."""

    def __init__(self, ctx: Context) -> None:
        self.recorded_at, self.tz = ctx.clock.now(), ctx.tz
        self.deliveries: list[dict[str, Any]] = []
        self.settled: list[dict[str, Any]] = []
        self.events: list[AuditRecord] = []

    def audit(self, row: Row[Any], action: str, now: datetime, details: dict[str, object]) -> None:
        about = {"notification": row.id, "kind": row.kind, "level": row.level, "recipient": row.username}
        self.events.append(
            audit_batch.event(
                actor=ACTOR,
                role=ACTOR_ROLE,
                action=action,
                recorded_at=self.recorded_at,
                stated_at=now,
                case=row.case_code,
                step=row.step_no,
                details={**about, **details},
            )
        )

    def ledger(self, nid: int, channel: str, status: DeliveryStatus, at: datetime, attempt: int, **rest: Any) -> None:
        row = {"address": None, "message_id": None, "error": None} | rest
        self.deliveries.append(
            {"notification_id": nid, "channel": channel, "status": status, "at": at, "attempt": attempt, **row}
        )

    def settle(self, row: Row[Any], **changes: Any) -> None:
        values = {"status": row.status, "attempts": row.attempts, "next": row.next_attempt_at}
        values |= {"error": row.last_error, "finished": row.finished_at} | changes
        self.settled.append({"b_id": row.id, **{f"b_{k}": v for k, v in values.items()}})

    def write(self, conn: Connection, office_id: int, session: Any) -> None:
        if self.deliveries:
            conn.execute(_LEDGER, self.deliveries)
        if self.settled:
            conn.execute(_SETTLE, self.settled)
        audit_batch.append_many(session, office_id, self.events)


def record(ctx: Context, policy: NotificationSettings, attempts: Sequence[Attempt]) -> dict[int, Outcome]:
    """Record ``attempts`` in one write transaction; their outcomes by notification id."""
    if not attempts:
        return {}
    ids = [a.nid for a in attempts]
    with ctx.db.write() as session:
        conn = session.connection()
        query = _ROWS.with_for_update(of=table(Notification)) if ctx.db.is_postgresql else _ROWS
        rows = {r.id: r for r in conn.execute(query, {"b_ids": ids})}
        prior: dict[int, Prior] = defaultdict(list)
        for nid, channel, status, error in conn.execute(_PRIOR, {"b_ids": ids}):
            prior[nid].append((channel, status, error))
        book = _Book(ctx)
        outcomes = {a.nid: _one(policy, book, rows[a.nid], prior[a.nid], a) for a in attempts if a.nid in rows}
        office_ids = {r.office_id for r in rows.values()}
        if len(office_ids) > 1:
            raise RuntimeError("one batch holds notifications of several offices")
        if office_ids:
            book.write(conn, office_ids.pop(), session)
    return outcomes


def _one(
    policy: NotificationSettings,
    book: _Book,
    row: Row[Any],
    prior: Prior,
    attempt: Attempt,
) -> Outcome:
    """Book one attempt: its ledger rows and events, then its settlement if the row is still pending."""
    if attempt.close is None:
        known = {channel for channel, _, _ in prior}
        for entry in attempt.entries:
            if entry.channel in known:
                continue  # recorded by a worker that held this row before us
            book.ledger(
                row.id,
                entry.channel,
                entry.status,
                entry.at,
                row.attempts + 1,
                address=entry.address,
                message_id=entry.message_id,
                error=entry.error,
            )
            action = "notification.sent" if entry.status == DeliveryStatus.SENT else "notification.failed"
            where = {"address": entry.address, "message_id": entry.message_id, "error": entry.error}
            book.audit(row, action, attempt.now, {"channel": entry.channel, **where})
            prior.append((entry.channel, entry.status, entry.error))
    if row.status != NotificationStatus.PENDING:  # settled meanwhile (another worker, a completed step)
        return _outcome(row, prior, NotificationStatus(row.status), row.last_error)
    if attempt.close is not None:
        return _close(book, row, prior, attempt)
    return _settle(policy, book, row, prior, attempt)


def _close(book: _Book, row: Row[Any], prior: Prior, attempt: Attempt) -> Outcome:
    """Settle without sending: skipped and failed are audited, cancelled is not."""
    assert attempt.close is not None
    status, reason = attempt.close
    book.settle(row, status=status, error=reason, finished=attempt.now)
    if status == NotificationStatus.SKIPPED:
        book.audit(row, "notification.skipped", attempt.now, {"reason": reason})
    elif status == NotificationStatus.FAILED:
        book.audit(row, "notification.failed", attempt.now, {"error": reason, "attempts": row.attempts})
    return _outcome(row, prior, status, reason)


def _settle(policy: NotificationSettings, book: _Book, row: Row[Any], prior: Prior, attempt: Attempt) -> Outcome:
    """Retry later after transient failures, or the final status.

    The notification counts as sent when it reached the person on at least one channel other
    than the operator's log file.
    """
    now, transient, count = attempt.now, attempt.transient, row.attempts + 1
    if transient and count < policy.max_attempts:
        backoff = policy.retry_backoff_seconds or (60,)
        retry_at = now + timedelta(seconds=backoff[min(count, len(backoff)) - 1])
        error = "; ".join(describe(c, e) for c, e in transient)
        book.settle(row, attempts=count, next=retry_at, error=error)
        details = {"error": error, "attempt": count, "next_attempt_at": retry_at.isoformat()}
        book.audit(row, "notification.retry", now, details)
        return _outcome(
            row, prior, NotificationStatus.PENDING, f"{error}; dicoba lagi {format_instant(retry_at, book.tz)}"
        )
    outcomes = {channel: status for channel, status, _ in prior}
    errors = [error for _, _, error in prior if error] + [describe(c, e) for c, e in transient]
    for channel, failure in transient:  # out of attempts: each transient failure is final
        if channel is None:
            book.audit(row, "notification.failed", now, {"error": failure, "attempts": count})
        elif channel not in outcomes:
            book.ledger(row.id, channel, DeliveryStatus.FAILED, now, count, error=failure)
            outcomes[channel] = DeliveryStatus.FAILED
            book.audit(row, "notification.failed", now, {"channel": channel, "error": failure, "attempts": count})
    reaching = [c for c in attempt.wanted if c != "log"] or list(attempt.wanted)
    sent = any(outcomes.get(c) == DeliveryStatus.SENT for c in reaching)
    status = NotificationStatus.SENT if sent else NotificationStatus.FAILED
    final = "; ".join(e for e in errors if e) or (None if attempt.wanted else "Tidak ada saluran.")
    book.settle(row, status=status, attempts=count, error=final, finished=now)
    return _outcome(row, prior, status, final)


def _outcome(row: Row[Any], prior: Prior, status: NotificationStatus, text: str | None) -> Outcome:
    channels = tuple(channel for channel, state, _ in prior if state == DeliveryStatus.SENT)
    kind = NotificationKind(row.kind)
    return Outcome(row.id, kind, row.level, row.case_code, row.step_no, row.username, status, channels, text)
