"""The worker: claim due notifications, deliver each once per channel, record every outcome.

One pass (:meth:`Worker.tick`) creates the day's digests if their moment has come, then takes
due rows in batches under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE``
on SQLite). For each batch it reads and composes every message in one read transaction
(:mod:`~sop_engine.notify.verdict` says which are not to be sent), sends them
(:mod:`~sop_engine.notify.sending`), and records the ledger rows, audit events and settlement
of the whole batch in one write transaction (:mod:`~sop_engine.notify.record`). The delivery
ledger's unique (notification, channel) key means a message is recorded as delivered once. A
worker that dies loses its lease after ``lease_seconds`` and another worker takes the row over;
what a dead worker sent but had not recorded is sent again with the same Message-ID
(``<sop.SATKER.ID@DOMAIN>``, also in the webhook JSON as ``id`` and the X-SOP-Message-ID
header), so mail clients and gateways can recognise and drop it: at most one email or webhook
message, and the log-file lines of one batch (see :mod:`~sop_engine.notify.sending`).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sop_engine.context import Context
from sop_engine.db.models import Case, Notification
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.digests import DailyDigests
from sop_engine.errors import SopError
from sop_engine.notify.channels import Channel, configured_channels
from sop_engine.notify.compose import compose
from sop_engine.notify.deliverylog import logged
from sop_engine.notify.messages import Message, environment, instant, warm_up
from sop_engine.notify.queue import Leases
from sop_engine.notify.record import Attempt
from sop_engine.notify.record import Outcome as Outcome
from sop_engine.notify.sending import Batch, Planned, error_text
from sop_engine.notify.verdict import verdict
from sop_engine.outbox import channels_of

log = logging.getLogger("sop_engine.scheduler")

#: Rows one claim takes: sent one after the other, recorded in one transaction.
BATCH = 100
#: How far ahead of their moment a worker on the clock claims and composes notifications, so
#: that at the moment itself only the sending and one record per batch remain.
LEAD = timedelta(seconds=5)
#: At most this many batches composed ahead (their memory); they go out together at their moment,
#: as one batch.
AHEAD = 20
#: A claimed batch, composed: its ids, the rows settled without sending, the messages to send.
Prepared = tuple[list[int], list[Attempt], list[Planned]]


@dataclass(frozen=True)
class TickReport:
    """What one pass did."""

    now: datetime
    outcomes: tuple[Outcome, ...]
    digests_created: int


class Worker:
    """Delivers the office's due notifications; several may run against one database."""

    def __init__(
        self,
        ctx: Context,
        channels: dict[str, Channel] | None = None,
        worker_id: str | None = None,
        batch: int = BATCH,
        env: Environment | None = None,
    ) -> None:
        self.ctx = ctx
        self.policy = ctx.settings.notifications
        self.channels = configured_channels(self.policy) if channels is None else channels
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.leases = Leases(ctx, self.worker_id, batch)
        self.env = env or environment(self.policy.templates_dir)  # one office's may serve all
        # Before anything falls due: the templates compiled, the locale's names and this year's calendar loaded.
        warm_up(self.env, NotificationKind)
        today = ctx.clock.now()
        instant(today, ctx.tz)
        ctx.calendar.working_seconds_between(today, today + timedelta(days=1))
        #: Set to make a running pass stop between notifications (SIGTERM in ``sop scheduler run``).
        self.stop = threading.Event()
        self.digests = DailyDigests(ctx)

    # --- one pass --------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> TickReport:
        """Deliver everything due at ``now``; without ``now``, on the clock, read afresh per batch.

        On the clock, what falls due within :data:`LEAD` is claimed and composed ahead and sent at
        its moment. Stops between notifications once :attr:`stop` is set, handing back the rows
        it claimed.
        """
        moment = now or self.ctx.clock.now()
        digests = self.digests.create(moment)
        outcomes: list[Outcome] = []
        while not self.stop.is_set():
            prepared = self._take(now)
            if not prepared:
                break
            # Composed ahead, the batches go out together at their moment: one send, one record.
            ids = [nid for taken in prepared for nid in taken[0]]
            decided = [attempt for taken in prepared for attempt in taken[1]]
            planned = [item for taken in prepared for item in taken[2]]
            batch = Batch(self.ctx, self.policy, self.channels, self.leases, self.stop, now)
            outcomes.extend(logged(o, self.worker_id) for o in batch.run(ids, decided, planned))
            moment = now or self.ctx.clock.now()
        return TickReport(moment, tuple(outcomes), digests)

    def _take(self, now: datetime | None) -> list[Prepared]:
        """Claim and compose the next batches: one at a given ``now``; on the clock, up to :data:`AHEAD`.

        On the clock, claiming goes on while what it takes is not due yet (it is composed ahead);
        a batch already due is sent at once.
        """
        prepared: list[Prepared] = []
        while len(prepared) < AHEAD and not self.stop.is_set():
            moment = now or self.ctx.clock.now()
            ids = self.leases.claim(moment, None if now is not None else moment + LEAD)
            if not ids:
                break
            decided, planned = self._prepare(ids, moment)
            prepared.append((ids, decided, planned))
            latest = max(a.now for a in [*decided, *(p.attempt for p in planned)])
            if now is not None or latest <= self.ctx.clock.now():
                break
        return prepared

    def next_due(self) -> datetime | None:
        """When the next pending notification can be taken (:meth:`Leases.next_due`)."""
        return self.leases.next_due()

    def release(self, ids: list[int]) -> None:
        """Give back claimed rows (:meth:`Leases.release`)."""
        self.leases.release(ids)

    def claim(self, now: datetime) -> list[int]:
        """Take a lease on a batch of due rows that nobody holds (:meth:`Leases.claim`)."""
        return self.leases.claim(now)

    def process(self, nid: int, now: datetime) -> Outcome:
        """Deliver one claimed notification on each of its recipient's channels, then settle it."""
        (outcome,) = self.deliver([nid], now, simulated=True)
        return outcome

    def deliver(self, ids: Sequence[int], now: datetime, simulated: bool) -> list[Outcome]:
        """Compose, send and record a claimed batch; the outcomes in claim order.

        ``simulated``: every moment is ``now`` (a tick at a given time), else the clock's.
        """
        decided, planned = self._prepare(ids, now)
        batch = Batch(self.ctx, self.policy, self.channels, self.leases, self.stop, now if simulated else None)
        return batch.run(ids, decided, planned)

    # --- composing -------------------------------------------------------------------------

    def _message(self, session: Session, note: Notification, now: datetime) -> Message:
        return compose(self.ctx, self.env, session, note, now)

    def _prepare(self, ids: Sequence[int], now: datetime) -> tuple[list[Attempt], list[Planned]]:
        """In one read transaction: the rows settled without sending, and the messages to send."""
        decided: list[Attempt] = []
        planned: list[Planned] = []
        with self.ctx.db.read() as session:
            notes = {n.id: n for n in session.scalars(select(Notification).where(Notification.id.in_(ids)))}
            # Held here, the batch's cases stay in the session's identity map: each is loaded once.
            case_ids = {n.case_id for n in notes.values() if n.case_id is not None}
            held = session.scalars(select(Case).where(Case.id.in_(case_ids))).all() if case_ids else ()
            for nid in ids:
                note = notes.get(nid)
                if note is None:
                    continue
                at = max(now, note.next_attempt_at)  # composed ahead: as at its moment
                attempt = Attempt(nid, at, channels_of(self.ctx, note.recipient))
                item = self._plan(session, note, attempt, at)
                if item is None:
                    decided.append(attempt)
                else:
                    planned.append(item)
            del held
        return decided, planned

    def _plan(self, session: Session, note: Notification, attempt: Attempt, now: datetime) -> Planned | None:
        """The message of ``note`` to send, or None with ``attempt`` saying why not (or what failed)."""
        try:
            found = verdict(self.ctx, session, note, now)
        except SQLAlchemyError:
            raise  # the pass ends; the row keeps its lease and is taken again after it
        except Exception as exc:  # isolation boundary: one message never holds back the others
            log.exception("notification %s failed while being processed", note.id)
            attempt.close = (NotificationStatus.FAILED, f"Pesan gagal diproses ({error_text(exc)}).")
            return None
        if found is not None:
            attempt.close = found
            return None
        try:
            message = self._message(session, note, now)
        except SopError as exc:  # e.g. a broken template: retried, then failed, never blank
            attempt.transient.append((None, exc.message))
            return None
        except Exception as exc:  # isolation: a message that cannot be composed fails alone, like a template
            log.exception("notification %s could not be composed", note.id)
            attempt.transient.append((None, f"Pesan tidak dapat disusun ({error_text(exc)})."))
            return None
        done = {d.channel for d in note.deliveries}
        return Planned(attempt, message, [c for c in attempt.wanted if c not in done])
