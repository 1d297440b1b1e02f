"""``sop serve``: the web application and, unless asked otherwise, the scheduler in one process.

Uvicorn runs the application in the main thread and handles SIGINT/SIGTERM; the scheduler's
passes run in a background thread on the same database (the outbox is the truth, so a separate
``sop scheduler run`` process, or several, can share the work instead). Before serving, the temp
files a killed process left (uploads, partial store files) are swept, and the dummy password hash
is made (so that not even the first login naming nobody answers sooner than a wrong password).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator

import uvicorn

from sop_engine import artefacts, passwords
from sop_engine.context import Context
from sop_engine.leftovers import Swept
from sop_engine.notify import runner
from sop_engine.notify.offices import OfficesReport, scheduler_for
from sop_engine.notify.worker import TickReport
from sop_engine.web.app import create_app
from sop_engine.web.uploads import sweep_stale_uploads, upload_dir

log = logging.getLogger("sop_engine.web")


class _Server(uvicorn.Server):
    """Uvicorn that stops gracefully on SIGINT/SIGTERM and then returns (exit status 0).

    Uvicorn re-raises a captured signal after its shutdown, which would end the process before
    the scheduler is stopped; here the signal only asks the server to stop.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def sweep_leftovers(ctx: Context) -> Swept:
    """Remove the stale temp uploads and partial store files of killed processes; log what went."""
    now = ctx.clock.now()
    uploads = sweep_stale_uploads(upload_dir(ctx), now)
    partials = artefacts.store_for(ctx).sweep_partials(now)
    log.info(
        "start-up sweep removed %d stale temp uploads (%d bytes) and %d partial store files (%d bytes)",
        uploads.files,
        uploads.bytes,
        partials.files,
        partials.bytes,
    )
    return uploads + partials


def uvicorn_config(ctx: Context, host: str, port: int) -> uvicorn.Config:
    """The server's settings: X-Forwarded-For believed only from ``[web] trusted_proxies`` (none by default).

    Uvicorn leaves logging as :func:`sop_engine.logs.configure` set it (its records go through the
    same handler) and writes no access line of its own: the application logs one per request.
    """
    proxies = ctx.settings.web.trusted_proxies
    return uvicorn.Config(
        create_app(ctx),
        host=host,
        port=port,
        log_config=None,
        log_level=None,
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
    )


def serve(
    ctx: Context,
    host: str,
    port: int,
    *,
    with_scheduler: bool = True,
    one_office: bool = False,
    on_report: Callable[[TickReport | OfficesReport], None] | None = None,
) -> None:
    """Sweep leftovers, then serve until interrupted; the scheduler (if any) stops between two notifications.

    The scheduler serves every office of a central install unless ``one_office`` (``--kantor``).
    """
    sweep_leftovers(ctx)
    passwords.prepare_dummy_hash()
    config = uvicorn_config(ctx, host, port)
    server = _Server(config)
    worker = scheduler_for(ctx, one_office) if with_scheduler else None
    scheduler = runner.start_background(worker, on_report or _ignore) if worker else None
    try:
        server.run()
    finally:
        if scheduler is not None and worker is not None:
            runner.stop_background(scheduler, worker)


def _ignore(_report: TickReport | OfficesReport) -> None:
    """A pass's report nobody reads."""
