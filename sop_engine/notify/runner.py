"""``sop scheduler run``: keep a worker ticking, woken for the next due moment.

APScheduler 3 is only the ticker (an in-memory job store, ``coalesce`` and ``max_instances=1``):
the database is the truth about what is due, so a restarted runner loses nothing. Each pass is
a one-shot job; when it has ended, the next one is armed for the earlier of ``LEAD`` before the
next moment a notification can be taken (the worker composes it ahead and sends it at its moment)
and ``poll_seconds`` from now (other processes may write new work at any time). SIGTERM or
SIGINT stops the pass between notifications, hands back what it had claimed, and exits. The
same runner drives one office's :class:`~sop_engine.notify.worker.Worker` or every office's
(:class:`~sop_engine.notify.offices.AllOffices`).

The next pass is armed by a listener once the pass has ended, as a job of its own
(``sop-tick-N``). Armed from inside the running pass under one shared id, a pass due at once
could be skipped by APScheduler as a second instance of a running job (``max_instances``), or
deleted along with the finished one-shot job of the same id (a completion callback may run
inline, before the scheduler removes that job); either way the runner sat idle for good with
work due. Stopping never calls ``shutdown(wait=True)``: APScheduler 3.11 holds its job-store
lock while joining the pass, which may be arming the next one (see :meth:`Passes.stop`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Generic, Protocol, TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler, SchedulerNotRunningError

from sop_engine.config_notifications import NotificationSettings
from sop_engine.context import Context
from sop_engine.notify.record import Outcome
from sop_engine.notify.worker import LEAD

log = logging.getLogger("sop_engine.scheduler")

JOB_ID = "sop-tick"  # each pass is the job "sop-tick-N"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


class Report(Protocol):
    """What a pass did, as far as the runner looks at it."""

    @property
    def outcomes(self) -> tuple[Outcome, ...]: ...

    @property
    def digests_created(self) -> int: ...


R = TypeVar("R", bound=Report)
R_co = TypeVar("R_co", bound=Report, covariant=True)


class Ticker(Protocol[R_co]):
    """What the runner drives: a worker of one office or of every office."""

    @property
    def ctx(self) -> Context: ...

    @property
    def policy(self) -> NotificationSettings: ...

    @property
    def stop(self) -> threading.Event: ...

    @property
    def worker_id(self) -> str: ...

    def tick(self, now: datetime | None = None) -> R_co: ...

    def next_due(self) -> datetime | None: ...


def run(worker: Ticker[R], on_report: Callable[[R], None]) -> None:
    """Run until SIGINT/SIGTERM or until ``worker.stop`` is set, delivering notifications as they come due."""

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        worker.stop.set()  # only that, in a handler: the main thread below does the stopping

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    passes = start_background(worker, on_report)
    worker.stop.wait()
    passes.stop()


def start_background(worker: Ticker[R], on_report: Callable[[R], None]) -> Passes[R]:
    """The passes in a background thread (also ``sop serve``'s); stop with :func:`stop_background`."""
    passes = Passes(BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS), worker, on_report)
    passes.scheduler.start()
    return passes


def stop_background(passes: Passes[R], worker: Ticker[R]) -> None:
    """Stop between notifications, hand back what was claimed, and wait for the pass to end."""
    passes.stop()


class Passes(Generic[R]):
    """One pass after another of ``worker`` on ``scheduler``, each armed once the one before has ended."""

    def __init__(self, scheduler: BaseScheduler, worker: Ticker[R], on_report: Callable[[R], None]) -> None:
        self.scheduler, self.worker, self.on_report = scheduler, worker, on_report
        self.poll = timedelta(seconds=max(0.5, worker.policy.poll_seconds))
        #: Held while a pass runs.
        self.running = threading.Lock()
        #: Held to arm a pass, and to stop arming: no pass is armed once :meth:`stop` has begun.
        self._arming = threading.Lock()
        self._numbers = itertools.count(1)
        scheduler.add_listener(self._ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self._arm(worker.ctx.clock.now())

    def stop(self) -> None:
        """Stop the pass under way between two notifications (it hands back its rows), arm no other, wait.

        The armed jobs are removed before the scheduler is shut down: APScheduler 3.11 marks itself
        stopped before it takes its job-store lock, and a pass it was just starting would then fail
        to find its job (an error in its thread), or ``shutdown(wait=True)`` would deadlock with a
        pass arming the next one.
        """
        with self._arming:
            self.worker.stop.set()
        self.scheduler.remove_all_jobs()
        with contextlib.suppress(SchedulerNotRunningError):  # already stopped
            self.scheduler.shutdown(wait=False)
        with self.running:
            pass

    def _wake_time(self) -> datetime:
        now = self.worker.ctx.clock.now()
        upcoming = self.worker.next_due()  # woken LEAD ahead: the worker composes, then sends at the moment
        return max(now, min(upcoming - LEAD, now + self.poll)) if upcoming else now + self.poll

    def _arm(self, at: datetime) -> None:
        self.scheduler.add_job(self._tick, "date", run_date=at, id=f"{JOB_ID}-{next(self._numbers)}")

    def _tick(self) -> None:
        with self.running:
            if self.worker.stop.is_set():
                return
            try:
                report = self.worker.tick()
                if report.outcomes or report.digests_created:
                    self.on_report(report)
            except Exception:  # a broken pass must not stop the runner; the next pass retries
                log.exception("scheduler pass failed; retrying at the next wake-up")

    def _ended(self, event: JobEvent) -> None:
        """A pass has ended (its job is no longer counted as running): arm the next one, unless stopping."""
        if not event.job_id.startswith(f"{JOB_ID}-"):
            return
        with self._arming:
            if self.worker.stop.is_set():
                return
            try:
                self._arm(self._wake_time())
            except Exception:
                log.exception("could not arm the next pass; retrying after poll_seconds")
                self._arm(self.worker.ctx.clock.now() + self.poll)
