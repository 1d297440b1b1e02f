"""Sending one claimed batch: every message on its channels first, then one record for all of them.

A worker composes the batch's messages, then :class:`Batch` sends them and hands what happened
to :func:`~sop_engine.notify.record.record`, one write transaction for the batch. A channel
that can send many messages at once (the log file: one fsync for the batch) is sent just before
the record is written.

Where at-least-once remains: between a channel accepting a message and the commit of the
record that holds it. To keep that window as small as it was with a transaction per message,
a message to a channel outside the operator's log file (email, webhook) is never sent while an
earlier one of those is still unrecorded: the batch is recorded first. So a worker killed at
the worst moment repeats at most one email or webhook message (and the log lines of one batch),
each with the same Message-ID; nothing is lost, since an unrecorded row stays pending under its
lease and is taken again when the lease runs out.

Leases: the claim leased the rows for ``lease_seconds``; they are renewed together, before a
send, once half of that has passed, and after waiting for the moment of rows composed ahead
(:data:`~sop_engine.notify.worker.LEAD`). A row another worker has taken by then, or that was
settled meanwhile (its step completed), is not sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sop_engine.config_notifications import NotificationSettings
from sop_engine.context import Context
from sop_engine.db.statuses import DeliveryStatus, NotificationKind, NotificationStatus
from sop_engine.notify.channels import Channel, DeliveryError
from sop_engine.notify.messages import Message
from sop_engine.notify.queue import Leases
from sop_engine.notify.record import Attempt, Entry, Outcome, record

log = logging.getLogger("sop_engine.scheduler")
LEASE_LOST = "Tidak dikirim: sewanya habis dan diambil pekerja lain, atau notifikasinya sudah diselesaikan."


def error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


@dataclass
class Planned:
    """A composed message to send on ``channels`` (those of its recipient not yet in the ledger)."""

    attempt: Attempt
    message: Message
    channels: list[str]


class Batch:
    """One claimed batch on its way out; :meth:`run` returns the outcomes in claim order."""

    def __init__(
        self,
        ctx: Context,
        policy: NotificationSettings,
        channels: dict[str, Channel],
        leases: Leases,
        stop: threading.Event,
        simulated: datetime | None,
    ) -> None:
        self.ctx, self.policy, self.channels, self.leases, self.stop = ctx, policy, channels, leases, stop
        self.simulated = simulated
        self.unrecorded: list[Attempt] = []
        self.deferred: list[tuple[Attempt, Message, str]] = []
        self.outcomes: dict[int, Outcome] = {}

    def moment(self) -> datetime:
        return self.simulated or self.ctx.clock.now()

    def run(self, ids: Sequence[int], decided: list[Attempt], planned: list[Planned]) -> list[Outcome]:
        self.unrecorded.extend(decided)
        lost: set[int] = set()
        for index, item in enumerate(planned):
            if self.stop.is_set():
                self.leases.release([p.attempt.nid for p in planned[index:]])
                break
            waited = self._wait_for(item.attempt.now)
            if waited is None:
                self.leases.release([p.attempt.nid for p in planned[index:]])
                break
            if waited or time.monotonic() - self.leases.renewed > self.policy.lease_seconds / 2:
                lost |= self._renew([p.attempt.nid for p in planned[index:]])
            if item.attempt.nid in lost:
                self.outcomes[item.attempt.nid] = _lost(item)
                continue
            self._send(item)
        self.flush()
        return [self.outcomes[nid] for nid in ids if nid in self.outcomes]

    def _wait_for(self, moment: datetime) -> bool | None:
        """On the clock, wait until ``moment`` (composed ahead); whether it waited, None if told to stop."""
        if self.simulated is not None:
            return False
        delay = (moment - self.ctx.clock.now()).total_seconds()
        if delay <= 0:
            return False
        self.flush()  # what was sent before the wait is recorded now
        return None if self.stop.wait(delay) else True

    def _renew(self, ids: list[int]) -> set[int]:
        """Renew the leases on ``ids``; the ids no longer held (taken over, or settled: a step completed)."""
        self.flush()
        held = self.leases.hold_many(ids, self.moment())
        return set(ids) - held

    def _send(self, item: Planned) -> None:
        attempt, message = item.attempt, item.message
        immediate = [c for c in item.channels if not hasattr(self.channels.get(c), "send_many")]
        if any(c != "log" for c in immediate) and any(a.external for a in self.unrecorded):
            self.flush()  # at most one external message is ever sent and not yet recorded
        attempt.now = self.moment()
        for channel in item.channels:
            impl = self.channels.get(channel)
            if impl is None:
                error = (
                    f"Saluran '{channel}' tidak aktif; aktifkan [notifications.{channel}] di config.toml "
                    "atau ubah saluran pilihan pegawai."
                )
                attempt.entries.append(
                    Entry(channel, DeliveryStatus.FAILED, None, message.message_id, error, attempt.now)
                )
            elif channel in immediate:
                self._send_one(attempt, message, channel, impl)
            else:
                self.deferred.append((attempt, message, channel))
        self.unrecorded.append(attempt)

    def _send_one(self, attempt: Attempt, message: Message, channel: str, impl: Channel) -> None:
        try:
            address = impl.send(message)
        except DeliveryError as exc:
            self._failed(attempt, message, channel, exc)
        except Exception as exc:  # isolation: a channel's unexpected error fails this message on it, only
            log.exception("notification %s failed on channel %s", attempt.nid, channel)
            error = f"Pesan tidak dapat dikirim lewat {channel} ({error_text(exc)})."
            attempt.entries.append(
                Entry(channel, DeliveryStatus.FAILED, None, message.message_id, error, self.moment())
            )
        else:
            attempt.entries.append(
                Entry(channel, DeliveryStatus.SENT, address, message.message_id, None, self.moment())
            )

    def _failed(self, attempt: Attempt, message: Message, channel: str, exc: DeliveryError) -> None:
        if exc.transient:
            attempt.transient.append((channel, exc.message))
        else:
            attempt.entries.append(_entry(channel, message, self.moment(), error=exc.message))

    def flush(self) -> None:
        """Send what waits for a batch channel, then record everything sent and decided so far."""
        by_channel: dict[str, list[tuple[Attempt, Message]]] = {}
        for attempt, message, channel in self.deferred:
            by_channel.setdefault(channel, []).append((attempt, message))
        self.deferred = []
        for channel, group in by_channel.items():
            self._send_many(channel, group)
        if self.unrecorded:
            self.outcomes.update(record(self.ctx, self.policy, self.unrecorded))
            self.unrecorded = []

    def _send_many(self, channel: str, group: list[tuple[Attempt, Message]]) -> None:
        send_many = getattr(self.channels[channel], "send_many")  # noqa: B009 - an optional method
        try:
            results: list[str | DeliveryError] = send_many([m for _, m in group])
        except Exception as exc:  # isolation: as for one message, on every message of the group
            log.exception("notifications failed on channel %s", channel)
            error = f"Pesan tidak dapat dikirim lewat {channel} ({error_text(exc)})."
            results = [DeliveryError(error, transient=False) for _ in group]
        at = self.moment()
        for (attempt, message), result in zip(group, results, strict=True):
            if isinstance(result, DeliveryError):
                self._failed(attempt, message, channel, result)
            else:
                attempt.entries.append(_entry(channel, message, at, address=result))


def _lost(item: Planned) -> Outcome:
    message = item.message
    kind = NotificationKind(message.kind)
    return Outcome(
        item.attempt.nid,
        kind,
        message.level,
        None,
        None,
        message.to.username,
        NotificationStatus.PENDING,
        (),
        LEASE_LOST,
    )


def _entry(
    channel: str, message: Message, at: datetime, *, address: str | None = None, error: str | None = None
) -> Entry:
    """The ledger entry of ``message`` on ``channel``: sent to ``address``, or failed with ``error``."""
    status = DeliveryStatus.FAILED if error is not None else DeliveryStatus.SENT
    return Entry(channel, status, address, message.message_id, error, at)
