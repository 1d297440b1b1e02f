"""Real ``sop scheduler run`` processes against a loopback SMTP server, on SQLite and PostgreSQL.

Issue 3's acceptance with operating-system processes, not threads:

* two workers on one database deliver 100 cases' notifications exactly once, counted at the
  SMTP server (aiosmtpd) by Message-ID;
* a worker killed with SIGKILL in the middle of a batch, more work written while it is dead, and
  a new worker started: nothing is missed, and nothing reaches the server under two different
  Message-IDs (a repeat with the same Message-ID is the documented at-least-once window between
  the SMTP accept and the ledger commit); the dead worker's leased rows are taken over once
  its lease has expired;
* a worker with a 300 s poll is woken for the next due moment and delivers a notification due a
  few seconds after it started within about a second of its time.

Every wait is bounded and waits on a condition (the inbox's condition variable, or the database
settling), never a fixed sleep. Workers write their stdout and stderr to files in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import select

from sop_engine import audit, cases, outbox
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import Clock, FixedClock, SystemClock
from sop_engine.config import Settings, load_settings
from sop_engine.config_calendar import DEFAULT_HOURS, WEEKDAYS
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent, Delivery, Notification
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.install import initialise
from tests.helpers import pdf
from tests.servers import Inbox, Received, smtp_server

pytestmark = pytest.mark.slow  # real worker processes against a loopback SMTP server

ROOT = Path(__file__).resolve().parent.parent
SOP = Path(sys.executable).parent / "sop"
SATKER = "3526"
SENDER = "sop-engine@kpu-bangkalan.example"
STARTED = datetime.fromisoformat("2021-01-11T08:00:00+07:00")  # Monday; step 1 is 10 menit
STEP_ONE_DONE = datetime.fromisoformat("2021-01-11T09:00:00+07:00")
EMAIL_ONLY = ("email",)
STOP_TIMEOUT = 30  # seconds for a worker to exit after SIGTERM


def message_id(nid: int) -> str:
    """The Message-ID the worker gives notification ``nid`` (documented in notify/worker.py)."""
    return f"<sop.{SATKER}.{nid}@{SENDER.rsplit('@', 1)[1]}>"


# --- configuration and the office ------------------------------------------------------------


def write_config(
    folder: Path,
    url: str,
    smtp_port: int,
    *,
    poll_seconds: float,
    lease_seconds: int,
    round_the_clock: bool = False,
) -> Path:
    """A complete config.toml with absolute paths: email to the sink only, no log channel, no digest."""
    hours = {day: ["00:00-23:59"] for day in WEEKDAYS} if round_the_clock else DEFAULT_HOURS
    categories: list[str] = [] if round_the_clock else ["public", "government"]
    q = json.dumps  # a JSON string or list of strings is also a TOML one
    lines = [
        "[office]",
        f"satker = {q(SATKER)}",
        'name = "KPU Kabupaten Bangkalan"',
        'timezone = "Asia/Jakarta"',
        "[calendar]",
        "jam_kerja_per_hari = 7.5",
        f"holiday_categories = {q(categories)}",
        "[calendar.hours]",
        *(f"{day} = {q(hours[day])}" for day in WEEKDAYS),
        "[database]",
        f"url = {q(url)}",
        "[storage]",
        f"artefacts_dir = {q(str(folder / 'artefacts'))}",
        "[workflows]",
        f"dir = {q(str(ROOT / 'workflows'))}",
        "[web]",
        'base_url = "http://localhost:8000"',
        "[notifications]",
        'default_channels = ["email", "log"]',
        "max_attempts = 5",
        "retry_backoff_seconds = [1, 2]",
        f"lease_seconds = {lease_seconds}",
        f"poll_seconds = {poll_seconds}",
        f"templates_dir = {q(str(ROOT / 'notifications'))}",
        "[notifications.email]",
        "enabled = true",
        'host = "127.0.0.1"',
        f"port = {smtp_port}",
        'security = "none"',
        f"sender = {q(SENDER)}",
        "timeout_seconds = 10",
        "[notifications.webhook]",
        "enabled = false",
        "[notifications.log]",
        "enabled = false",
        f"path = {q(str(folder / 'notifications.log'))}",
        "[notifications.digest]",
        "enabled = false",
    ]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Office:
    """This test's install: the config file the workers read and an in-process context on it."""

    config: Path
    settings: Settings
    ctx: Context


@pytest.fixture
def open_office(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., Office]]:
    """Write the config for the parametrised database and initialise the demo office on it."""
    opened: list[Context] = []

    def make(smtp_port: int, clock: Clock, **config: object) -> Office:
        path = write_config(tmp_path, settings.database.url, smtp_port, **config)  # type: ignore[arg-type]
        loaded = load_settings(path, env={})
        assert loaded.database.url == settings.database.url
        ctx = Context.open(loaded, clock=clock)
        opened.append(ctx)
        initialise(ctx, DEMO_PEOPLE)
        return Office(path, loaded, ctx)

    yield make
    for ctx in opened:
        ctx.db.dispose()


# --- worker processes --------------------------------------------------------------------------

ROW = re.compile(r"^(\d+)\s{2,}(?:pengingat|tenggat|eskalasi)", re.MULTILINE)
PASS = re.compile(r"(\d+) notifikasi diproses\.")
BANNER = re.compile(r"Penjadwal berjalan \((\S+)\)")


@dataclass
class WorkerProcess:
    """One ``sop scheduler run`` subprocess, its output in files."""

    name: str
    proc: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path
    files: list[IO[bytes]] = field(default_factory=list)

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def worker_id(self) -> str | None:
        match = BANNER.search(self.out)
        return match.group(1) if match else None

    def processed(self) -> list[int]:
        """Ids of the notifications this worker settled (sent, skipped, ...), from its pass reports."""
        text = self.out
        ids = [int(m) for m in ROW.findall(text)]
        assert sum(int(n) for n in PASS.findall(text)) == len(ids), f"unexpected report format:\n{text}"
        return ids

    def stop(self) -> int:
        """SIGTERM, then wait (bounded) for a clean exit; returns the exit status.

        A worker still running after :data:`STOP_TIMEOUT` is sent SIGABRT: its faulthandler
        (``PYTHONFAULTHANDLER``, set by :func:`spawn`) writes every thread's stack to its stderr,
        which the failure then shows.
        """
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.close()
            stuck = f"{self.name} did not stop {STOP_TIMEOUT} s after SIGTERM"
            raise AssertionError(f"{stuck}\n{self.describe()}") from None
        finally:
            self.close()
        return code

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        self.close()

    def close(self) -> None:
        for f in self.files:
            f.close()
        self.files.clear()

    def describe(self) -> str:
        return f"--- {self.name} stdout ---\n{self.out}\n--- {self.name} stderr ---\n{self.err}"


#: A record at INFO as sop_engine.logs.TextFormatter writes it: time, level, logger, [request id].
INFO_LINE = re.compile(r"^\S+ INFO \S+ \[[^\]]*\] ")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[str, Office], WorkerProcess]]:
    """Start ``sop scheduler run`` processes; any still running at the end are killed."""
    started: list[WorkerProcess] = []

    def start(name: str, office: Office) -> WorkerProcess:
        env = {k: v for k, v in os.environ.items() if k != "SOP_CONFIG"}
        env["SOP_DATABASE_URL"] = office.settings.database.url
        env["PYTHONFAULTHANDLER"] = "1"  # a stuck worker's threads are dumped on SIGABRT (WorkerProcess.stop)
        out_path, err_path = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
        out, err = out_path.open("wb"), err_path.open("wb")
        proc = subprocess.Popen(
            [str(SOP), "--config", str(office.config), "scheduler", "run"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        worker = WorkerProcess(name, proc, out_path, err_path, [out, err])
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait(timeout=STOP_TIMEOUT)
        worker.close()


def unexpected_errors(stderr: str) -> str:
    """A worker's stderr less its INFO lines (one per notification, [logging] format "text"): a clean run
    leaves nothing (no tracebacks, no warnings, APScheduler's included)."""
    return "\n".join(line for line in stderr.splitlines() if not INFO_LINE.match(line)).strip()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def wait_for_ids(inbox: Inbox, wanted: set[str], timeout: float) -> list[Received]:
    """Block until every Message-ID in ``wanted`` has arrived (duplicates do not count twice)."""
    with inbox.condition:
        arrived = inbox.condition.wait_for(lambda: wanted <= {m.message_id for m in inbox.messages}, timeout=timeout)
        received = list(inbox.messages)
    missing = wanted - {m.message_id for m in received}
    assert arrived, f"{len(missing)} of {len(wanted)} messages still missing after {timeout} s: {sorted(missing)[:5]}"
    return received


def snapshot(inbox: Inbox) -> list[Received]:
    with inbox.condition:
        return list(inbox.messages)


# --- what the database says ----------------------------------------------------------------------


def expected_sends(ctx: Context, now: datetime) -> dict[int, str]:
    """Notification id -> Message-ID of every notification that must reach the SMTP server.

    Already sent, or pending and due at ``now`` -- except a reminder whose due notice is also due,
    which the worker records as skipped. Cancelled rows are not expected.
    """
    notes = outbox.list_notifications(ctx)
    due_notices = {
        (n.case, n.step, n.round, n.recipient)
        for n in notes
        if n.kind == NotificationKind.DUE
        and n.due_at <= now
        and n.status in (NotificationStatus.PENDING, NotificationStatus.SENT)
    }
    expected: dict[int, str] = {}
    for n in notes:
        if n.status == NotificationStatus.SENT:
            expected[n.id] = message_id(n.id)
        elif n.status == NotificationStatus.PENDING and n.due_at <= now:
            if n.kind == NotificationKind.REMINDER and (n.case, n.step, n.round, n.recipient) in due_notices:
                continue
            expected[n.id] = message_id(n.id)
    return expected


def unsettled(ctx: Context) -> int:
    """How many notifications are still pending."""
    return sum(1 for n in outbox.list_notifications(ctx) if n.status == NotificationStatus.PENDING)


def check_ledger_and_audit(ctx: Context, expected: dict[int, str]) -> None:
    """One ledger row and one audit event per delivered notification; the chain verifies."""
    with ctx.db.read() as session:
        deliveries = session.execute(
            select(Delivery.notification_id, Delivery.channel, Delivery.status, Delivery.message_id)
        ).all()
        events = session.execute(
            select(AuditEvent.action, AuditEvent.details).where(AuditEvent.action.like("notification.%"))
        ).all()
    keys = Counter((nid, channel) for nid, channel, _, _ in deliveries)
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
    assert {nid: mid for nid, _, _, mid in deliveries} == expected
    assert all(channel == "email" and status == NotificationStatus.SENT for _, channel, status, _ in deliveries)
    sent_events = Counter(
        json.loads(details)["notification"] for action, details in events if action == "notification.sent"
    )
    assert sent_events == Counter(expected.keys()), "one notification.sent audit event per delivered notification"
    assert not [a for a, _ in events if a in ("notification.failed", "notification.retry")]
    result = audit.verify(ctx)
    assert result.ok, result


def check_received(received: list[Received], expected: dict[int, str], ctx: Context) -> Counter[str]:
    """Every message is an expected one, under its own Message-ID, to the right person.

    Returns the Message-ID counts (a count above 1 is a repeat with the same Message-ID).
    """
    recipients = {n.id: n for n in outbox.list_notifications(ctx)}
    ids_per_note: dict[int, set[str]] = defaultdict(set)
    for message in received:
        nid = int(str(message.message["X-SOP-Notification"]))
        ids_per_note[nid].add(message.message_id)
        assert nid in expected, f"notification {nid} was not due to be sent: {message.message_id}"
        assert f"{recipients[nid].recipient}@kpu-bangkalan.example" in str(message.message["To"])
    assert {nid: ids for nid, ids in ids_per_note.items() if len(ids) > 1} == {}, "one notice, two Message-IDs"
    counts = Counter(m.message_id for m in received)
    assert set(counts) == set(expected.values())
    return counts


def start_cases(ctx: Context, years: range, at: datetime = STARTED) -> None:
    for year in years:
        cases.start_case(ctx, "lakip", year, "sekretaris", at=at)


def report(text: str) -> None:
    """A line for the test log (shown with -s or -rA)."""
    print(f"[scheduler-processes] {text}")


# --- 1. two workers, 100 cases, exactly once -----------------------------------------------------


def test_two_workers_deliver_every_notification_of_100_cases_exactly_once(
    open_office: Callable[..., Office], spawn: Callable[[str, Office], WorkerProcess], backend: str
) -> None:
    with smtp_server() as (inbox, port):
        office = open_office(port, FixedClock(STARTED), poll_seconds=1, lease_seconds=30)
        ctx = office.ctx
        start_cases(ctx, range(2000, 2100))
        now = datetime.now(UTC)
        notes = outbox.list_notifications(ctx)
        assert len(notes) == 300 and all(n.due_at <= now for n in notes)  # reminder, due, escalation 1 each
        assert all(n.channels == EMAIL_ONLY for n in notes)
        expected = expected_sends(ctx, now)
        assert len(expected) == 200  # each reminder is skipped: its due notice is also due

        began = time.monotonic()
        workers = [spawn("worker-a", office), spawn("worker-b", office)]
        wait_for_ids(inbox, set(expected.values()), timeout=120)
        wait_until(lambda: unsettled(ctx) == 0, timeout=30, what="every notification to be settled")
        delivered = time.monotonic() - began
        codes = [w.stop() for w in workers]
        assert codes == [0, 0], "\n".join(w.describe() for w in workers)
        received = snapshot(inbox)

        # Exactly once at the SMTP server: no repeat at all (nothing crashed).
        counts = check_received(received, expected, ctx)
        assert len(received) == len(expected) == 200
        assert max(counts.values()) == 1
        # Every row settled: the expected ones sent, the reminders skipped, nothing failed.
        statuses = {n.id: n.status for n in outbox.list_notifications(ctx)}
        assert {i for i, s in statuses.items() if s == NotificationStatus.SENT} == set(expected)
        assert {i for i, s in statuses.items() if s == NotificationStatus.SKIPPED} == set(statuses) - set(expected)
        check_ledger_and_audit(ctx, expected)
        # Each notification was settled by exactly one of the workers.
        done = [w.processed() for w in workers]
        assert not set(done[0]) & set(done[1]), "a notification was settled by both workers"
        assert sorted(done[0] + done[1]) == sorted(statuses)
        for w in workers:
            assert "Penjadwal berhenti." in w.out, w.describe()
            assert unexpected_errors(w.err) == "", w.describe()
        report(
            f"{backend}: 200 messages in {delivered:.1f} s; worker-a settled {len(done[0])}, "
            f"worker-b {len(done[1])} of 300 rows"
        )


# --- 2. kill -9, more work, restart --------------------------------------------------------------


KILL_AFTER = 45  # of 80 messages: in the middle of the dead worker's second batch of 50 rows


def test_a_worker_killed_mid_batch_is_replaced_and_nothing_is_missed_or_doubled(
    open_office: Callable[..., Office],
    spawn: Callable[[str, Office], WorkerProcess],
    backend: str,
    tmp_path: Path,
) -> None:
    with smtp_server() as (inbox, port):
        clock = FixedClock(STARTED)  # recorded when they happen: a backdated step would send nothing
        office = open_office(port, clock, poll_seconds=1, lease_seconds=3)
        ctx = office.ctx
        start_cases(ctx, range(2000, 2040))  # 80 messages: due notice and escalation 1 per case
        clock.set(datetime.now(UTC))
        first = expected_sends(ctx, clock.now())
        assert len(first) == 80

        doomed = spawn("worker-killed", office)
        inbox.wait_for(KILL_AFTER, timeout=90)
        doomed.kill()
        killed_at = datetime.now(UTC)
        at_kill = snapshot(inbox)
        killed_id = doomed.worker_id()
        assert killed_id, doomed.describe()
        with ctx.db.read() as session:
            held = dict(
                session.execute(
                    select(Notification.id, Notification.lease_until).where(
                        Notification.status == NotificationStatus.PENDING, Notification.lease_owner == killed_id
                    )
                ).all()
            )
        assert len(at_kill) < len(first), "the worker finished before it could be killed; kill it earlier"

        # More due work while no worker runs: step 1 done (in the past) on cases the dead worker
        # had finished with, so their step-2 notices are all due; and ten more cases started in the past.
        finished_cases = sorted(
            {n.case for n in outbox.list_notifications(ctx) if n.case}
            - {n.case for n in outbox.list_notifications(ctx) if n.status == NotificationStatus.PENDING}
        )
        assert finished_cases, "no case had all of its step-1 notices settled at the kill"
        clock.set(STEP_ONE_DONE)
        for code in finished_cases[:10]:
            document = IncomingFile.from_path(pdf(tmp_path, f"disposisi-{code}.pdf", code))
            cases.complete_step(ctx, code, 1, "sekretaris", [document], at=STEP_ONE_DONE)
        start_cases(ctx, range(2040, 2050), at=STEP_ONE_DONE)
        clock.set(datetime.now(UTC))
        expected = expected_sends(ctx, clock.now())
        assert set(first) <= set(expected)
        assert all(n.due_at <= clock.now() for n in outbox.list_notifications(ctx))
        step_two = [n for n in outbox.list_notifications(ctx) if n.step == 2]
        assert len(step_two) == 4 * min(10, len(finished_cases))  # reminder, due, escalation 1 and 2

        began = time.monotonic()
        successor = spawn("worker-successor", office)
        try:
            wait_for_ids(inbox, set(expected.values()), timeout=90)
        except AssertionError as exc:  # say which rows, and what the worker printed
            arrived = {m.message_id for m in snapshot(inbox)}
            rows = [n for n in outbox.list_notifications(ctx) if n.id in expected and expected[n.id] not in arrived]
            raise AssertionError(f"{exc}\n{rows[:20]}\n{successor.describe()}") from None
        wait_until(lambda: unsettled(ctx) == 0, timeout=30, what="every notification to be settled")
        recovered = time.monotonic() - began
        assert successor.stop() == 0, successor.describe()
        received = snapshot(inbox)

        counts = check_received(received, expected, ctx)
        repeats = {mid: n for mid, n in counts.items() if n > 1}
        # Only the one message that was in flight at the kill may arrive again, with its Message-ID.
        assert sum(n - 1 for n in repeats.values()) <= 1, repeats
        for mid in repeats:
            nid = next(i for i, m in expected.items() if m == mid)
            assert nid in held, f"{mid} repeated but was not held by the killed worker"
        statuses = {n.id: n.status for n in outbox.list_notifications(ctx)}
        assert {i for i, s in statuses.items() if s == NotificationStatus.SENT} == set(expected)
        assert {s for i, s in statuses.items() if i not in expected} <= {
            NotificationStatus.SKIPPED,
            NotificationStatus.CANCELLED,
        }
        check_ledger_and_audit(ctx, expected)
        # The rows the dead worker held were taken over only once its lease had expired.
        with ctx.db.read() as session:
            settled_at = dict(
                session.execute(
                    select(Notification.id, Notification.finished_at).where(Notification.id.in_(held))
                ).all()
            )
        late = {nid: (settled_at[nid], until) for nid, until in held.items() if settled_at[nid] < until}
        assert late == {}, "a leased row was taken over before its lease expired"
        assert set(held) <= set(successor.processed())
        assert unexpected_errors(successor.err) == "", successor.describe()
        report(
            f"{backend}: killed after {len(at_kill)} of 80 messages holding {len(held)} leased rows "
            f"({sum(1 for until in held.values() if until <= killed_at)} of those leases had already expired "
            "while the worker was alive); "
            f"successor delivered the rest ({len(expected)} in all) in {recovered:.1f} s; "
            f"repeats with the same Message-ID: {repeats or 'none'}"
        )


# --- 3. woken for the next due moment -------------------------------------------------------------

LEAD = timedelta(seconds=8)  # from creating the case to the reminder's moment (the worker starts in ~2 s)
BOUND = timedelta(seconds=3)  # generous: the runner should wake within about a second


def test_a_worker_with_a_long_poll_is_woken_for_the_next_due_moment(
    open_office: Callable[..., Office], spawn: Callable[[str, Office], WorkerProcess], backend: str
) -> None:
    with smtp_server() as (inbox, port):
        # Round-the-clock hours and no holidays, so a reminder can fall a few seconds from now.
        office = open_office(port, SystemClock(), poll_seconds=300, lease_seconds=30, round_the_clock=True)
        ctx = office.ctx
        reminder_seconds = 8 * 60  # 80 % of step 1's 10 menit
        target = datetime.now(UTC) + LEAD
        if not ctx.calendar.is_working_time(target):  # the one non-working minute, 23:59 WIB
            target = ctx.calendar.next_working_moment(target) + LEAD
        cases.start_case(ctx, "lakip", 2021, "sekretaris", at=ctx.calendar.subtract(target, reminder_seconds))
        reminder = next(n for n in outbox.list_notifications(ctx) if n.kind == NotificationKind.REMINDER)
        assert reminder.due_at == target
        others = [n for n in outbox.list_notifications(ctx) if n.id != reminder.id]
        assert min(n.due_at for n in others) > target + timedelta(minutes=1)

        worker = spawn("worker-waking", office)
        wait_until(lambda: worker.worker_id() is not None, timeout=30, what="the worker to start")
        started = datetime.now(UTC)
        assert started < reminder.due_at - timedelta(seconds=1), (
            f"the worker started too late ({started} for {reminder.due_at}) to show it was woken"
        )
        remaining = (reminder.due_at - datetime.now(UTC)).total_seconds()
        [message] = inbox.wait_for(1, timeout=remaining + 30)
        arrived = datetime.now(UTC)
        wait_until(lambda: unsettled(ctx) == len(others), timeout=30, what="the reminder to be settled")
        wait_until(lambda: "1 notifikasi diproses." in worker.out, timeout=30, what="the pass report")
        assert worker.stop() == 0, worker.describe()

        assert message.message_id == message_id(reminder.id)
        lag = arrived - reminder.due_at
        assert timedelta(0) <= lag < BOUND, f"arrived {lag.total_seconds():.2f} s after its moment"
        assert len(snapshot(inbox)) == 1  # nothing else was due
        assert [n.status for n in outbox.list_notifications(ctx) if n.id == reminder.id] == [NotificationStatus.SENT]
        assert "1 notifikasi diproses." in worker.out, worker.describe()
        assert unexpected_errors(worker.err) == "", worker.describe()
        report(f"{backend}: reminder arrived {lag.total_seconds():.3f} s after its moment (poll 300 s)")
