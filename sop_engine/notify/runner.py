"""``sop scheduler run``: keep a worker ticking, woken for the next due moment.

APScheduler 3 is only the ticker (an in-memory job store, ``coalesce`` and ``max_instances=1``):
the database is the truth about what is due, so a restarted runner loses nothing. Each pass is
a one-shot job; when it ends, the next one is armed for the earlier of ``LEAD`` before the next
moment a notification can be taken (the worker composes it ahead and sends it at its moment) and
``poll_seconds`` from now (other processes may write new work at
any time). SIGTERM or SIGINT stops the pass between notifications, hands back what it had
claimed, and exits. The same runner drives one office's :class:`~sop_engine.notify.worker.Worker`
or every office's (:class:`~sop_engine.notify.offices.AllOffices`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Protocol, TypeVar

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler, SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from sop_engine.config_notifications import NotificationSettings
from sop_engine.context import Context
from sop_engine.notify.record import Outcome
from sop_engine.notify.worker import LEAD

log = logging.getLogger("sop_engine.scheduler")

JOB_ID = "sop-tick"
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
    scheduler = BlockingScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if worker.stop.is_set():
            return  # a second signal changes nothing: the pass is already stopping
        worker.stop.set()
        _shutdown(scheduler, wait=True)  # the pass ends at the next notification; wait for it

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    _arm_first(scheduler, worker, on_report)
    scheduler.start()


def start_background(worker: Ticker[R], on_report: Callable[[R], None]) -> BackgroundScheduler:
    """The same passes in a background thread (``sop serve``); stop with :func:`stop_background`."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    _arm_first(scheduler, worker, on_report)
    scheduler.start()
    return scheduler


def stop_background(scheduler: BaseScheduler, worker: Ticker[R]) -> None:
    """Stop between notifications, hand back what was claimed, and wait for the pass to end."""
    worker.stop.set()
    _shutdown(scheduler, wait=True)


def _arm_first(scheduler: BaseScheduler, worker: Ticker[R], on_report: Callable[[R], None]) -> None:
    poll = timedelta(seconds=max(0.5, worker.policy.poll_seconds))

    def wake_time() -> datetime:
        now = worker.ctx.clock.now()
        upcoming = worker.next_due()  # woken LEAD ahead: the worker composes, then sends at the moment
        return max(now, min(upcoming - LEAD, now + poll)) if upcoming else now + poll

    def arm(at: datetime) -> None:
        scheduler.add_job(tick, "date", run_date=at, id=JOB_ID, replace_existing=True)

    def tick() -> None:
        try:
            report = worker.tick()
            if report.outcomes or report.digests_created:
                on_report(report)
        except Exception:  # a broken pass must not stop the runner; the next pass retries
            log.exception("scheduler pass failed; retrying at the next wake-up")
        if worker.stop.is_set():
            _shutdown(scheduler)
            return
        try:
            arm(wake_time())
        except Exception:
            log.exception("could not arm the next pass; retrying after poll_seconds")
            arm(worker.ctx.clock.now() + poll)

    arm(worker.ctx.clock.now())


def _shutdown(scheduler: BaseScheduler, wait: bool = False) -> None:
    with contextlib.suppress(SchedulerNotRunningError):  # already stopping
        scheduler.shutdown(wait=wait)
