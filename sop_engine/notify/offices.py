"""One scheduler for every office of a central install: each office delivered with its own context.

A single install has one office and one :class:`~sop_engine.notify.worker.Worker`. When the
database holds more than one office (``sop offices add``), ``sop scheduler run|tick`` and the
scheduler in ``sop serve`` serve them all with :class:`AllOffices` (``--kantor`` still limits them
to one): a worker per office, built on that office's context (its calendar, time zone, name and
templates), sharing one worker id and one stop signal. Claims stay per row under a lease, so any
number of such processes share the offices safely.

A pass reads every office with its ``settings_version`` once, and builds the worker of an office
again when ``sop offices set`` changed the office since (its name, zone, calendar, kop). It asks once
which offices have work due (:func:`due_offices_query`), creates each office's
digests when their moment has come, and runs a pass of the offices with work; the next wake-up
is the earliest moment across the offices (:func:`next_due_query`). Both are one query whatever
the number of offices, reading each office's pending rows through the outbox's partial indexes.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from sop_engine.config_notifications import NotificationSettings
from sop_engine.context import Context
from sop_engine.db.models import Notification, Office
from sop_engine.notify.channels import Channel
from sop_engine.notify.queue import due_conditions, next_due_queries
from sop_engine.notify.record import Outcome
from sop_engine.notify.runner import Ticker
from sop_engine.notify.worker import BATCH, LEAD, TickReport, Worker


@dataclass(frozen=True)
class OfficesReport:
    """What one pass over the offices did: each office's pass with its context (those that had work)."""

    now: datetime
    reports: tuple[tuple[Context, TickReport], ...]

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(o for _ctx, report in self.reports for o in report.outcomes)

    @property
    def digests_created(self) -> int:
        return sum(report.digests_created for _ctx, report in self.reports)


class AllOffices:
    """Delivers the due notifications of every office in the database, each in its own context."""

    def __init__(
        self,
        ctx: Context,
        channels: dict[str, Channel] | None = None,
        worker_id: str | None = None,
        batch: int = BATCH,
    ) -> None:
        self.ctx = ctx
        self.policy: NotificationSettings = ctx.settings.notifications
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        #: Set to make a running pass stop between notifications; every office's worker shares it.
        self.stop = threading.Event()
        self._batch = batch
        home = Worker(ctx, channels, self.worker_id, batch)
        home.stop = self.stop
        with ctx.db.read() as session:
            self.workers = {ctx.office(session).id: home}
        # The channels and templates are the install's: built once, shared by every office's worker.
        self._channels, self._env = home.channels, home.env
        self.offices()

    def offices(self) -> dict[int, Worker]:
        """Every office's worker by office row id: offices added since the last pass are taken up, and an
        office whose settings changed since its worker was built (``sop offices set``) gets a new one."""
        with self.ctx.db.read() as session:
            rows = session.execute(select(Office.id, Office.settings_version).order_by(Office.code))
            versions = {office_id: version for office_id, version in rows}
        for office_id, version in versions.items():
            kept = self.workers.get(office_id)
            if kept is None or kept.ctx.settings_version < version:
                office = self.ctx.for_office_at(office_id, version)
                if kept is None or office is not kept.ctx:
                    worker = Worker(office, self._channels, self.worker_id, self._batch, self._env)
                    worker.stop = self.stop
                    self.workers[office_id] = worker
        return {office_id: self.workers[office_id] for office_id in versions}

    def tick(self, now: datetime | None = None) -> OfficesReport:
        """One pass of each office with work due at ``now`` (on the clock without ``now``, as :meth:`Worker.tick`)."""
        moment = now or self.ctx.clock.now()
        workers = self.offices()
        with self.ctx.db.read() as session:
            due = set(session.scalars(due_offices_query(moment if now is not None else moment + LEAD, moment)))
        reports: list[tuple[Context, TickReport]] = []
        for office_id, worker in workers.items():
            if self.stop.is_set():
                break
            created = worker.digests.create(moment)
            if office_id not in due and not created:
                continue
            report = worker.tick(now)
            if report.outcomes or created or report.digests_created:
                digests = created + report.digests_created
                reports.append((worker.ctx, TickReport(report.now, report.outcomes, digests)))
        return OfficesReport(moment, tuple(reports))

    def next_due(self) -> datetime | None:
        """When the next pending notification of any office can be taken (one query)."""
        with self.ctx.db.read() as session:
            row = session.execute(next_due_query()).one()
        return min((moment for moment in row if moment is not None), default=None)


def due_offices_query(due_by: datetime, now: datetime) -> Select[int]:
    """The offices with a row due by ``due_by`` that nobody holds at ``now``: one index probe per office."""
    due = select(Notification.id).where(*due_conditions(Office.id, due_by, now))
    return select(Office.id).where(due.exists())


def next_due_query() -> Select[datetime, datetime | None]:
    """The earliest free row's moment and the earliest lease to run out, across the offices.

    The queries of :func:`~sop_engine.notify.queue.next_due_queries`, asked of each office in a
    correlated subquery, so each reads the office's first row of its index.
    """
    free, leased = next_due_queries(Office.id)
    first = func.min(free.correlate(Office).scalar_subquery())
    return select(first, func.min(leased.correlate(Office).scalar_subquery())).select_from(Office)


def scheduler_for(ctx: Context, one_office: bool) -> Ticker[TickReport | OfficesReport]:
    """The scheduler of ``ctx``'s office alone (``one_office``, or a single install), else of every office."""
    if not one_office:
        with ctx.db.read() as session:
            if (session.scalar(select(func.count(Office.id))) or 0) > 1:
                return AllOffices(ctx)
    return Worker(ctx)
