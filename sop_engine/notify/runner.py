"""``sop scheduler run``: keep a worker ticking, woken for the next due moment.

APScheduler 3 is only the ticker (an in-memory job store, ``coalesce`` and ``max_instances=1``):
the database is the truth about what is due, so a restarted runner loses nothing. After each
pass the job is re-armed for the earlier of the next due notification and ``poll_seconds``
from now (new work may be written by other processes at any time).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from sop_engine.notify.worker import TickReport, Worker

log = logging.getLogger("sop_engine.scheduler")

JOB_ID = "sop-tick"


def run(worker: Worker, on_report: Callable[[TickReport], None], stop: threading.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set), delivering notifications as they come due."""
    poll = timedelta(seconds=max(0.5, worker.policy.poll_seconds))
    scheduler = BlockingScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    )

    def wake_time() -> datetime:
        now = worker.ctx.clock.now()
        upcoming = worker.next_due()
        return max(now, min(upcoming, now + poll)) if upcoming else now + poll

    def tick() -> None:
        try:
            report = worker.tick()
            if report.outcomes or report.digests_created:
                on_report(report)
        except Exception:  # a broken pass must not stop the runner; the next pass retries
            log.exception("scheduler pass failed; retrying at the next wake-up")
        if stop is not None and stop.is_set():
            scheduler.shutdown(wait=False)
            return
        scheduler.modify_job(JOB_ID, next_run_time=wake_time())

    def shutdown(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
    scheduler.add_job(tick, "interval", seconds=poll.total_seconds(), id=JOB_ID, next_run_time=worker.ctx.clock.now())
    scheduler.start()
