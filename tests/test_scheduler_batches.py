"""A worker sends a claimed batch, then records it in one transaction (issue 9, the scheduler at scale).

* the write transactions and log-file fsyncs of a pass do not grow with the messages in it;
* a worker that dies between sending and recording loses nothing: after its lease another worker
  sends the batch again under the same Message-IDs, and the ledger and the audit trail hold each
  delivery once;
* a message to a channel outside the log file is never sent while an earlier one is unrecorded;
* on the clock, what falls due shortly is composed ahead and sent at its moment, never before,
  and not at all if its step was completed in the meantime.

Time is a FixedClock; the wait for a moment ahead moves it instead of sleeping.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sop_engine import audit, cases, outbox
from sop_engine.artefacts import IncomingFile
from sop_engine.audit import AuditFilter
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Delivery
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.notify import channels as channel_module
from sop_engine.notify import sending
from sop_engine.notify.messages import Message
from sop_engine.notify.worker import Worker
from tests.helpers import pdf
from tests.outbox_support import log_lines, log_only

WIB = ZoneInfo("Asia/Jakarta")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def start_cases(ctx: Context, clock: FixedClock, when: str, years: range) -> None:
    clock.set(t(when))
    for year in years:
        cases.start_case(ctx, "lakip", year, "sekretaris")


def counting_writes(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for every write transaction on ``ctx``."""
    opened: list[int] = []
    real = ctx.db.write

    @contextmanager
    def write() -> Iterator[Any]:
        opened.append(1)
        with real() as session:
            yield session

    monkeypatch.setattr(ctx.db, "write", write)
    return opened


def counting_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    synced: list[int] = []
    real = channel_module.os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(channel_module.os, "fsync", fsync)
    return synced


def test_a_pass_costs_the_same_write_transactions_and_one_fsync_for_3_or_30_cases(
    ctx: Context, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sent = log_only(ctx, tmp_path)
    worker = Worker(ctx, batch=200)
    monkeypatch.setattr(worker.digests, "create", lambda now: 0)  # a digest is a day's, not a batch's, cost
    writes, fsyncs = counting_writes(ctx, monkeypatch), counting_fsyncs(monkeypatch)
    costs = []
    for day, years in (("2021-01-11", range(2000, 2003)), ("2021-01-12", range(2003, 2033))):
        start_cases(ctx, clock, f"{day}T08:00", years)
        writes.clear(), fsyncs.clear()
        report = worker.tick(t(f"{day}T08:11"))
        due = [o for o in report.outcomes if o.kind == NotificationKind.DUE]
        assert len(due) == len(years) and {o.status for o in due} == {NotificationStatus.SENT}
        costs.append((len(writes), len(fsyncs)))
    assert costs == [(3, 1), (3, 1)]  # the claim, the record, the claim that finds nothing more; one fsync
    assert len(log_lines(sent)) == len(outbox.list_notifications(ctx)) - sum(
        1 for n in outbox.list_notifications(ctx) if n.status != NotificationStatus.SENT
    )


def test_a_worker_dying_between_sending_and_recording_loses_nothing_and_the_ledger_holds_each_once(
    ctx: Context, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sent = log_only(ctx, tmp_path)
    start_cases(ctx, clock, "2021-01-11T08:00", range(2000, 2003))

    def killed(*args: object) -> None:
        raise SystemExit("killed after sending, before recording")

    monkeypatch.setattr(sending, "record", killed)
    with pytest.raises(SystemExit):
        Worker(ctx, worker_id="pekerja-mati").tick(t("2021-01-11T08:11"))
    first = [json.loads(line)["id"] for line in log_lines(sent)]
    assert len(first) == 3  # the due notices went out; nothing of them is recorded
    pending = [n for n in outbox.list_notifications(ctx) if n.status == NotificationStatus.PENDING]
    assert {n.kind for n in pending} >= {NotificationKind.DUE} and all(not n.deliveries for n in pending)

    monkeypatch.undo()
    successor = Worker(ctx, worker_id="pengganti")
    assert successor.tick(t("2021-01-11T08:11:30")).outcomes == ()  # the dead worker's lease still holds
    lease = timedelta(seconds=ctx.settings.notifications.lease_seconds)
    report = successor.tick(t("2021-01-11T08:11") + lease + timedelta(seconds=1))
    assert sorted(o.status for o in report.outcomes if o.kind == NotificationKind.DUE) == ["sent"] * 3

    again = [json.loads(line)["id"] for line in log_lines(sent)]
    assert sorted(again) == sorted(first * 2)  # the same Message-IDs, once more each, nothing lost
    with ctx.db.read() as session:
        ledger = session.execute(select(Delivery.notification_id, Delivery.channel)).all()
    assert len(ledger) == len(set(ledger)) == 3
    assert len(audit.list_events(ctx, where=AuditFilter(action="notification.sent"))) == 3


class _Gateway:
    """A channel outside the log file that notes each send, next to the worker's records."""

    name = "webhook"

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def send(self, message: Message) -> str:
        self.events.append(f"send {message.notification_id}")
        return message.to.username


def test_a_message_outside_the_log_file_is_sent_only_once_the_one_before_it_is_recorded(
    ctx: Context, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
):
    policy = ctx.settings.notifications
    webhook = dataclasses.replace(policy.webhook, enabled=True, url="http://127.0.0.1:9/kirim")
    ctx.settings = dataclasses.replace(
        ctx.settings, notifications=dataclasses.replace(policy, default_channels=("webhook",), webhook=webhook)
    )
    start_cases(ctx, clock, "2021-01-11T08:00", range(2000, 2004))
    events: list[str] = []
    real = sending.record

    def recording(ctx: Context, policy: Any, attempts: Any) -> Any:
        events.append(f"record {len(attempts)}")
        return real(ctx, policy, attempts)

    monkeypatch.setattr(sending, "record", recording)
    report = Worker(ctx, channels={"webhook": _Gateway(events)}, batch=50).tick(t("2021-01-11T08:11"))
    assert sum(1 for o in report.outcomes if o.status == NotificationStatus.SENT) == 4
    sends = [i for i, e in enumerate(events) if e.startswith("send")]
    assert len(sends) == 4
    for before, after in itertools.pairwise(sends):
        assert any(e.startswith("record") for e in events[before:after]), events


class _MovingClock(threading.Event):
    """A stop event whose wait moves the clock to the end of the wait (and runs ``meanwhile``)."""

    def __init__(self, clock: FixedClock, meanwhile: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.clock, self.meanwhile = clock, meanwhile
        self.waited: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout or 0.0)
        self.meanwhile()
        self.clock.set(self.clock.now() + timedelta(seconds=timeout or 0.0))
        return False


def test_on_the_clock_a_notice_due_in_3_s_is_composed_ahead_and_sent_at_its_moment(
    ctx: Context, clock: FixedClock, tmp_path: Path
):
    sent = log_only(ctx, tmp_path)
    start_cases(ctx, clock, "2021-01-11T08:00", range(2021, 2022))
    clock.set(t("2021-01-11T08:09:57"))  # the reminder is due (08:08), the due notice at 08:10
    worker = Worker(ctx)
    worker.stop = _MovingClock(clock)
    report = worker.tick()
    assert [(o.kind, o.status) for o in report.outcomes] == [
        (NotificationKind.REMINDER, NotificationStatus.SENT),
        (NotificationKind.DUE, NotificationStatus.SENT),
    ]
    assert worker.stop.waited == [3.0]
    with ctx.db.read() as session:
        at = dict(session.execute(select(Delivery.notification_id, Delivery.at)).all())
    due = next(n for n in outbox.list_notifications(ctx) if n.kind == NotificationKind.DUE)
    assert at[due.id] == t("2021-01-11T08:10")  # never before its moment
    assert len(log_lines(sent)) == 2


def test_a_notice_composed_ahead_is_not_sent_when_its_step_is_completed_before_its_moment(
    ctx: Context, clock: FixedClock, tmp_path: Path
):
    sent = log_only(ctx, tmp_path)
    start_cases(ctx, clock, "2021-01-11T08:00", range(2021, 2022))
    document = IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))
    clock.set(t("2021-01-11T08:07:58"))  # the reminder is due at 08:08, two seconds ahead

    def complete() -> None:
        cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", [document])

    worker = Worker(ctx)
    worker.stop = _MovingClock(clock, complete)
    report = worker.tick()
    assert [(o.kind, o.status) for o in report.outcomes] == [(NotificationKind.REMINDER, NotificationStatus.PENDING)]
    assert report.outcomes[0].note == sending.LEASE_LOST
    reminder = next(n for n in outbox.list_notifications(ctx) if n.kind == NotificationKind.REMINDER and n.step == 1)
    assert (reminder.status, reminder.deliveries) == (NotificationStatus.CANCELLED, ())
    assert log_lines(sent) == []
