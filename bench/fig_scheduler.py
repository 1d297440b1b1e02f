"""The scheduler at scale: 100,000 pending notifications, 1,000 of them due at the same moment.

Built once per run: the demo office with ``lakip-2021`` at step 4, whose pending due-notice row
is cloned with bulk inserts into 100,000 pending rows (a ``--quick`` run: 10,000 and 100 due),
delivered on the log channel only. Per repetition, on a fresh copy: the due rows are set to
fall due ``LEAD`` seconds ahead, a real ``sop scheduler run`` process starts (it must be up
before that moment; the table says so otherwise), and the run ends when every due row has its
delivery. Lateness of a message = its delivery's recorded time minus the moment it fell due;
the worker's memory is its peak resident set (VmHWM).
"""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, update

from bench.harness import Lab, Metric, NotMeasured, Ratio
from bench.install import SOP, Install, checkpoint
from sop_engine.db.models import Delivery, Notification
from sop_engine.db.statuses import DeliveryStatus, NotificationKind, NotificationStatus

LEAD = 20.0  # seconds between starting the worker and the moment the rows fall due
TIMEOUT = 900.0  # seconds to wait for every due row to be delivered


def clone_notifications(install: Install, total: int, due: int) -> None:
    """``total`` pending copies of the case's due notice; ``due`` of them are marked ``bench-due-N``."""
    engine = create_engine(install.database_url)
    table = Notification.__table__
    with engine.begin() as conn:
        proto = conn.execute(
            select(table).where(table.c.kind == NotificationKind.DUE, table.c.status == NotificationStatus.PENDING)
        ).first()
        if proto is None:
            raise NotMeasured("the demo case has no pending due notice to clone")
        row = {k: v for k, v in proto._mapping.items() if k != "id"}
        later = datetime.now(UTC) + timedelta(days=30)
        rows = [
            {
                **row,
                "dedupe_key": f"bench-{'due' if n < due else 'later'}-{n}",
                "due_at": later,
                "next_attempt_at": later,
            }
            for n in range(total)
        ]
        for first in range(0, total, 10_000):
            conn.execute(insert(table), rows[first : first + 10_000])
    engine.dispose()
    checkpoint(install.sqlite_file)


@dataclass
class SchedulerScale:
    name: str = "scheduler"
    title: str = "Scheduler"
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = (
        Metric("p50", "lateness p50 (log channel)", "s"),
        Metric("p99", "lateness p99 (log channel; target < 1 s)", "s"),
        Metric("rate", "delivered per second", "messages/s"),
        Metric("rss", "worker peak memory, VmHWM (target < 200 MB)", "MB"),
    )
    ratios: tuple[Ratio, ...] = ()

    def prepare(self, lab: Lab) -> None:
        self._total, self._due = lab.scale(100_000, 10_000), lab.scale(1_000, 100)
        self.title = f"Scheduler: {self._total:,} pending notifications, {self._due:,} due at once"
        self._template = Install(lab.folder / self.name / "template").init_demo()
        self._template.with_case(done=3)
        clone_notifications(self._template, self._total, self._due)
        self._repetition = 0

    def measure(self, lab: Lab) -> dict[str, float]:
        self._repetition += 1
        install = self._fresh_install(lab)
        engine = create_engine(install.database_url)
        at = datetime.now(UTC) + timedelta(seconds=LEAD)
        table = Notification.__table__
        with engine.begin() as conn:
            conn.execute(
                update(table).where(table.c.dedupe_key.like("bench-due-%")).values(due_at=at, next_attempt_at=at)
            )
        out = install.folder / "scheduler.out"
        with out.open("wb") as handle:
            proc = subprocess.Popen(
                [SOP, "--config", str(install.config), "scheduler", "run"], stdout=handle, stderr=subprocess.STDOUT
            )
        try:
            ready = _wait_for_line(out, "Penjadwal berjalan", proc)
            if ready > at:
                self.notes.append(
                    f"repetition {self._repetition}: the worker was up {(ready - at).total_seconds():.1f} s "
                    "after the due moment (lateness includes its start-up)"
                )
            delivered = _wait_delivered(engine, self._due, proc)
            rss = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            engine.dispose()
        lateness = sorted((d - at).total_seconds() for d in delivered)
        return {
            "p50": statistics.median(lateness),
            "p99": lateness[max(0, int(len(lateness) * 0.99) - 1)],
            "rate": len(lateness) / max(lateness[-1], 1e-9),
            "rss": rss,
        }

    def _fresh_install(self, lab: Lab) -> Install:
        """A copy of the built database, delivering on the log channel only."""
        install = Install(lab.folder / self.name / f"run-{self._repetition}").copy_from(self._template)
        text = install.config.read_text(encoding="utf-8")
        install.config.write_text(text.replace('default_channels = ["email", "log"]', 'default_channels = ["log"]'))
        return install

    def close(self) -> None:
        pass


def _wait_for_line(path: Path, text: str, proc: subprocess.Popen[bytes]) -> datetime:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if text.encode() in path.read_bytes():
            return datetime.now(UTC)
        if proc.poll() is not None:
            raise RuntimeError(f"sop scheduler run exited: {path.read_text(errors='replace')}")
        time.sleep(0.1)
    raise RuntimeError("sop scheduler run did not start")


def _wait_delivered(engine: Any, due: int, proc: subprocess.Popen[bytes]) -> list[datetime]:
    """The recorded delivery times of the due rows, once all of them have one."""
    notes, deliveries = Notification.__table__, Delivery.__table__
    joined = deliveries.join(notes, deliveries.c.notification_id == notes.c.id)
    where = notes.c.dedupe_key.like("bench-due-%") & (deliveries.c.status == DeliveryStatus.SENT)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(joined).where(where)) >= due:
                return list(conn.scalars(select(deliveries.c.at).select_from(joined).where(where)))
        if proc.poll() is not None:
            raise RuntimeError("sop scheduler run exited before delivering everything")
        time.sleep(0.5)
    raise NotMeasured(f"not every due notification was delivered within {TIMEOUT:.0f} s")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def figures() -> list[Any]:
    return [SchedulerScale()]
