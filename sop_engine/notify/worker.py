"""The worker: claim due notifications, deliver each once per channel, record every outcome.

One pass (:meth:`Worker.tick`) creates the day's digests if their moment has come, then claims
due rows under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), renders and sends them, and settles them. Each channel's outcome is written to the
delivery ledger, whose unique (notification, channel) key means a message is recorded as
delivered once. A worker that dies loses its lease after ``lease_seconds`` and another worker
takes the row over.

Where at-least-once remains: between a channel accepting a message (the SMTP server's 250, the
gateway's 200) and the commit of its ledger row. A worker killed in that window leaves the row
pending; after the lease expires it is sent again. The duplicate carries the same Message-ID
(``<sop.SATKER.ID@DOMAIN>``, also in the webhook JSON as ``id`` and the X-SOP-Message-ID header),
so mail clients and gateways can recognise and drop it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sop_engine import audit
from sop_engine.context import Context
from sop_engine.db.models import Case, Delivery, Notification
from sop_engine.db.statuses import CaseStatus, DeliveryStatus, NotificationKind, NotificationStatus, StepStatus
from sop_engine.digests import DailyDigests
from sop_engine.errors import SopError
from sop_engine.formatting import format_instant
from sop_engine.notify.channels import Channel, DeliveryError, configured_channels
from sop_engine.notify.compose import compose, digest_items
from sop_engine.notify.deliverylog import logged
from sop_engine.notify.messages import Message, environment
from sop_engine.notify.queue import Leases
from sop_engine.outbox import channels_of

ACTOR, ACTOR_ROLE = "penjadwal", "sistem"

log = logging.getLogger("sop_engine.scheduler")


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
class TickReport:
    """What one pass did."""

    now: datetime
    outcomes: tuple[Outcome, ...]
    digests_created: int


def _describe(channel: str | None, error: str) -> str:
    return f"{channel}: {error}" if channel else error


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class Worker:
    """Delivers the office's due notifications; several may run against one database."""

    def __init__(
        self, ctx: Context, channels: dict[str, Channel] | None = None, worker_id: str | None = None, batch: int = 10
    ) -> None:
        self.ctx = ctx
        self.policy = ctx.settings.notifications
        self.channels = configured_channels(self.policy) if channels is None else channels
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.leases = Leases(ctx, self.worker_id, batch)
        self.env = environment(self.policy.templates_dir)
        #: Set to make a running pass stop between notifications (SIGTERM in ``sop scheduler run``).
        self.stop = threading.Event()
        self.digests = DailyDigests(ctx)

    # --- one pass --------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> TickReport:
        """Deliver everything due at ``now``; without ``now``, on the clock, read afresh per batch.

        Stops between notifications once :attr:`stop` is set, handing back the rows it claimed.
        """
        simulated = now is not None
        moment = now or self.ctx.clock.now()
        digests = self.digests.create(moment)
        outcomes: list[Outcome] = []
        while not self.stop.is_set():
            moment = moment if simulated else self.ctx.clock.now()
            ids = self.claim(moment)
            if not ids:
                break
            for index, nid in enumerate(ids):
                if self.stop.is_set():
                    self.release(ids[index:])
                    break
                outcome = self._process_isolated(nid, moment if simulated else self.ctx.clock.now())
                outcomes.append(logged(outcome, self.worker_id))
        return TickReport(moment, tuple(outcomes), digests)

    def next_due(self) -> datetime | None:
        """When the next pending notification can be taken (:meth:`Leases.next_due`)."""
        return self.leases.next_due()

    def release(self, ids: list[int]) -> None:
        """Give back claimed rows (:meth:`Leases.release`)."""
        self.leases.release(ids)

    def hold(self, nid: int, now: datetime) -> bool:
        """Renew this worker's lease on ``nid`` (:meth:`Leases.hold`)."""
        return self.leases.hold(nid, now)

    def claim(self, now: datetime) -> list[int]:
        """Take a lease on a batch of due rows that nobody holds (:meth:`Leases.claim`)."""
        return self.leases.claim(now)

    def _message(self, session: Session, note: Notification, now: datetime) -> Message:
        return compose(self.ctx, self.env, session, note, now)

    def _process_isolated(self, nid: int, now: datetime) -> Outcome:
        """:meth:`process`, with any failure of this one message recorded on it instead of ending the pass.

        Database errors still end the pass: the row keeps its lease and is taken again after it.
        """
        try:
            return self.process(nid, now)
        except SQLAlchemyError:
            raise
        except Exception as exc:  # isolation boundary: one message never holds back the others
            log.exception("notification %s failed while being processed", nid)
            return self._close(nid, NotificationStatus.FAILED, f"Pesan gagal diproses ({_error_text(exc)}).", now)

    def process(self, nid: int, now: datetime) -> Outcome:
        """Deliver one claimed notification on each of its recipient's channels, then settle it."""
        with self.ctx.db.read() as session:
            note = session.get_one(Notification, nid)
            wanted = channels_of(self.ctx, note.recipient)
            done = {d.channel for d in note.deliveries}
            verdict = self._verdict(session, note, now)
            try:
                message = None if verdict else self._message(session, note, now)
            except SopError as exc:  # e.g. a broken template: retried, then failed, never blank
                return self._settle(nid, wanted, [(None, exc.message)], now)
            except Exception as exc:  # isolation: a message that cannot be composed fails alone, like a template
                log.exception("notification %s could not be composed", nid)
                return self._settle(nid, wanted, [(None, f"Pesan tidak dapat disusun ({_error_text(exc)}).")], now)
        if verdict is not None or message is None:
            status, reason = verdict or (NotificationStatus.CANCELLED, "Tidak ada pesan.")
            return self._close(nid, status, reason, now)
        transient: list[tuple[str | None, str]] = []
        for channel in (c for c in wanted if c not in done):
            if not self.hold(nid, now):  # the lease ran out: another worker owns this row now
                return Outcome(
                    nid,
                    NotificationKind(message.kind),
                    message.level,
                    None,
                    None,
                    message.to.username,
                    NotificationStatus.PENDING,
                    (),
                    "Sewa baris habis; diserahkan ke pekerja lain.",
                )
            impl = self.channels.get(channel)
            if impl is None:
                self._ledger(
                    nid,
                    channel,
                    DeliveryStatus.FAILED,
                    None,
                    message.message_id,
                    f"Saluran '{channel}' tidak aktif; aktifkan [notifications.{channel}] di config.toml "
                    "atau ubah saluran pilihan pegawai.",
                    now,
                )
                continue
            try:
                address = impl.send(message)
            except DeliveryError as exc:
                if exc.transient:
                    transient.append((channel, exc.message))
                else:
                    self._ledger(nid, channel, DeliveryStatus.FAILED, None, message.message_id, exc.message, now)
            except Exception as exc:  # isolation: a channel's unexpected error fails this message on it, only
                log.exception("notification %s failed on channel %s", nid, channel)
                error = f"Pesan tidak dapat dikirim lewat {channel} ({_error_text(exc)})."
                self._ledger(nid, channel, DeliveryStatus.FAILED, None, message.message_id, error, now)
            else:
                self._ledger(nid, channel, DeliveryStatus.SENT, address, message.message_id, None, now)
        return self._settle(nid, wanted, transient, now)

    # --- deciding --------------------------------------------------------------------------

    def _verdict(self, session: Session, note: Notification, now: datetime) -> tuple[NotificationStatus, str] | None:
        """Why not to send ``note`` (status and reason), or None to send it."""
        if note.kind == NotificationKind.DIGEST:
            return (
                None
                if digest_items(self.ctx, session, note.recipient, note.due_at, now)
                else (NotificationStatus.SKIPPED, "Tidak ada langkah aktif untuk diringkas.")
            )
        case = session.get_one(Case, note.case_id)
        row = case.steps[(note.step_no or 1) - 1]
        if case.status != CaseStatus.RUNNING or row.status != StepStatus.ACTIVE or row.round != note.round:
            return NotificationStatus.CANCELLED, "Langkah sudah tidak aktif."
        if note.kind == NotificationKind.REMINDER:
            due_also = session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.case_id == note.case_id,
                    Notification.step_no == note.step_no,
                    Notification.round == note.round,
                    Notification.kind == NotificationKind.DUE,
                    Notification.recipient_id == note.recipient_id,
                    Notification.due_at <= now,
                    Notification.status.in_((NotificationStatus.PENDING, NotificationStatus.SENT)),
                )
            )
            if due_also:
                return NotificationStatus.SKIPPED, "Tenggat juga sudah tiba; pengingat diganti pemberitahuan tenggat."
        return None

    # --- recording -------------------------------------------------------------------------

    def _ledger(
        self,
        nid: int,
        channel: str,
        status: DeliveryStatus,
        address: str | None,
        message_id: str,
        error: str | None,
        now: datetime,
    ) -> None:
        """Record a channel's final outcome and its audit event (once: the ledger key is unique)."""
        try:
            with self.ctx.db.write() as session:
                note = session.get_one(Notification, nid)
                session.add(
                    Delivery(
                        notification_id=nid,
                        channel=channel,
                        status=status,
                        address=address,
                        message_id=message_id,
                        error=error,
                        at=now,
                        attempt=note.attempts + 1,
                    )
                )
                session.flush()
                self._audit(
                    session,
                    note,
                    "notification.sent" if status == DeliveryStatus.SENT else "notification.failed",
                    now,
                    {"channel": channel, "address": address, "message_id": message_id, "error": error},
                )
        except DBIntegrityError:
            return  # already recorded by a worker that held this row before our lease

    def _settle(
        self, nid: int, wanted: tuple[str, ...], transient: list[tuple[str | None, str]], now: datetime
    ) -> Outcome:
        """Retry later after transient failures, or record the final status.

        ``transient`` holds (channel, error); a None channel is a failure before sending (a
        broken template). The notification counts as sent when it reached the person on at
        least one channel other than the operator's log file.
        """
        with self.ctx.db.write() as session:
            note = session.get_one(Notification, nid)
            note.attempts += 1
            outcomes = {d.channel: d.status for d in note.deliveries}
            if transient and note.attempts < self.policy.max_attempts:
                backoff = self.policy.retry_backoff_seconds or (60,)
                note.next_attempt_at = now + timedelta(seconds=backoff[min(note.attempts, len(backoff)) - 1])
                note.last_error = "; ".join(_describe(c, e) for c, e in transient)
                note.lease_owner = note.lease_until = None
                retry = {"error": note.last_error, "attempt": note.attempts}
                retry["next_attempt_at"] = note.next_attempt_at.isoformat()
                self._audit(session, note, "notification.retry", now, retry)
                retry_at = format_instant(note.next_attempt_at, self.ctx.tz)
                return self._outcome(note, NotificationStatus.PENDING, f"{note.last_error}; dicoba lagi {retry_at}")
            self._record_failures(session, note, outcomes, transient, now)
            errors = [d.error for d in note.deliveries if d.error] + [_describe(c, e) for c, e in transient]
            reaching = [c for c in wanted if c != "log"] or list(wanted)
            note.status = (
                NotificationStatus.SENT
                if any(outcomes.get(c) == DeliveryStatus.SENT for c in reaching)
                else NotificationStatus.FAILED
            )
            note.last_error = "; ".join(e for e in errors if e) or (None if wanted else "Tidak ada saluran.")
            note.finished_at, note.lease_owner, note.lease_until = now, None, None
            return self._outcome(note, note.status, note.last_error)

    def _record_failures(
        self,
        session: Session,
        note: Notification,
        outcomes: dict[str, DeliveryStatus],
        transient: list[tuple[str | None, str]],
        now: datetime,
    ) -> None:
        """Out of attempts: each transient failure is final (a failed delivery row, audited); ``outcomes`` follows."""
        for channel, failure in transient:
            if channel is None:
                self._audit(session, note, "notification.failed", now, {"error": failure, "attempts": note.attempts})
            elif channel not in outcomes:
                session.add(
                    Delivery(
                        notification_id=note.id,
                        channel=channel,
                        status=DeliveryStatus.FAILED,
                        error=failure,
                        at=now,
                        attempt=note.attempts,
                    )
                )
                outcomes[channel] = DeliveryStatus.FAILED
                failed = {"channel": channel, "error": failure, "attempts": note.attempts}
                self._audit(session, note, "notification.failed", now, failed)

    def _close(self, nid: int, status: NotificationStatus, reason: str, now: datetime) -> Outcome:
        with self.ctx.db.write() as session:
            note = session.get_one(Notification, nid)
            note.status, note.last_error, note.finished_at = status, reason, now
            note.lease_owner = note.lease_until = None
            if status == NotificationStatus.SKIPPED:
                self._audit(session, note, "notification.skipped", now, {"reason": reason})
            elif status == NotificationStatus.FAILED:
                self._audit(session, note, "notification.failed", now, {"error": reason, "attempts": note.attempts})
            return self._outcome(note, status, reason)

    def _audit(
        self, session: Session, note: Notification, action: str, now: datetime, details: dict[str, object]
    ) -> None:
        audit.append(
            session,
            note.office_id,
            actor=ACTOR,
            role=ACTOR_ROLE,
            action=action,
            recorded_at=self.ctx.clock.now(),
            stated_at=now,
            case=note.case_code,
            step=note.step_no,
            details={
                "notification": note.id,
                "kind": note.kind,
                "level": note.level,
                "recipient": note.recipient.username,
                **details,
            },
        )

    def _outcome(self, note: Notification, status: NotificationStatus, text: str | None) -> Outcome:
        return Outcome(
            note.id,
            note.kind,
            note.level,
            note.case_code,
            note.step_no,
            note.recipient.username,
            status,
            tuple(d.channel for d in note.deliveries if d.status == DeliveryStatus.SENT),
            text,
        )
