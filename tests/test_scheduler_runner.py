"""The runner keeps ticking: a pass armed for "now" is never dropped by APScheduler.

APScheduler skips a job that falls due while an instance of it is still running
(``max_instances = 1``), and a skipped one-shot job is gone. If each pass armed the next one
from inside itself, a next pass due at once (work left, or a lease just run out) could fall due
before the arming pass had returned and be dropped: the worker would sit idle for good with due
work in the table. The runner therefore arms the next pass only when the previous one has ended.

A stand-in ticker (no database: the runner sees only the :class:`~sop_engine.notify.runner.Ticker`
protocol) always has work due now, so every pass is armed for "now".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sop_engine.clock import SystemClock
from sop_engine.notify import runner

PASSES = 30


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Any, ...] = ()
    digests_created: int = 0


@dataclass
class BusyTicker:
    """Always has something due now; counts its passes."""

    ctx: Any = field(default_factory=lambda: SimpleNamespace(clock=SystemClock()))
    policy: Any = field(default_factory=lambda: SimpleNamespace(poll_seconds=300))
    stop: threading.Event = field(default_factory=threading.Event)
    worker_id: str = "stand-in"
    passes: int = 0
    enough: threading.Event = field(default_factory=threading.Event)

    def tick(self, now: datetime | None = None) -> Report:
        self.passes += 1
        if self.passes >= PASSES:
            self.enough.set()
        return Report()

    def next_due(self) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=1)  # due already: the next pass is armed for now


def test_a_pass_armed_for_now_runs_after_the_one_before_it_ended_and_is_never_dropped() -> None:
    ticker = BusyTicker()
    scheduler = runner.start_background(ticker, lambda report: None)
    try:
        # Bounded wait on a condition; with a dropped pass the count stops short and this times out.
        assert ticker.enough.wait(timeout=60), f"the runner stopped after {ticker.passes} passes"
    finally:
        runner.stop_background(scheduler, ticker)
    assert ticker.passes >= PASSES


@dataclass
class SlowTicker(BusyTicker):
    """A pass that runs until told to stop, as a pass does between two notifications."""

    started: threading.Event = field(default_factory=threading.Event)
    finished: bool = False

    def tick(self, now: datetime | None = None) -> Report:
        self.passes += 1
        self.started.set()
        self.stop.wait(timeout=60)
        self.finished = True
        return Report()


def test_stopping_waits_for_the_pass_under_way_and_arms_no_other() -> None:
    ticker = SlowTicker()
    scheduler = runner.start_background(ticker, lambda report: None)
    assert ticker.started.wait(timeout=30)
    runner.stop_background(scheduler, ticker)
    assert ticker.finished, "stop returned while the pass was still running"
    assert ticker.passes == 1
    assert scheduler.scheduler.get_jobs() == []
