"""``GET /metrics``: the Prometheus figures of this process and of its office.

:class:`HttpMetrics` counts the answered requests by route and status and times them (a
histogram); :class:`RequestLog <sop_engine.web.requestlog.RequestLog>` feeds it. The office's
figures (notifications pending and failed by kind, the scheduler's lag, cases by status) are
read from the database at each scrape by :class:`OfficeCollector`, never cached. Each
application has its own registry, so two applications in one process (tests) never share a series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sop_engine import gauges
from sop_engine.context import Context

__all__ = ["CONTENT_TYPE_LATEST", "HttpMetrics", "OfficeCollector", "Registry"]

Member = TypeVar("Member", bound=StrEnum)


class HttpMetrics:
    """Requests answered, by method, route (its template, e.g. ``/kasus/{code}``) and status, and their latency."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "sop_http_requests", "HTTP requests answered.", ("method", "route", "status"), registry=registry
        )
        self.latency = Histogram(
            "sop_http_request_duration_seconds", "Time to answer a request.", ("method", "route"), registry=registry
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class OfficeCollector(Collector):
    """The office's figures from the database, read at each scrape (:func:`sop_engine.gauges.office_figures`).

    In a central install (more than one office in the database) every office's figures, each
    series with an ``office`` label holding its kode satker (:func:`sop_engine.gauges.figures_by_office`).
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterable[Metric]:
        count = gauges.office_count(self.ctx)
        if count is not None and count > 1:
            by_office = gauges.figures_by_office(self.ctx)
        else:
            figures = gauges.office_figures(self.ctx) if count is not None else None
            by_office = None if figures is None else {"": figures}
        yield GaugeMetricFamily(
            "sop_database_up",
            "Whether the office's figures could be read from the database.",
            int(by_office is not None),
        )
        if by_office is not None:
            yield from _families(by_office)


def _families(by_office: Mapping[str, gauges.OfficeFigures]) -> Iterable[Metric]:
    """The figures' series; with an ``office`` label unless there is one office (keyed "")."""
    office = [] if set(by_office) == {""} else ["office"]
    pending = GaugeMetricFamily(
        "sop_notifications_pending", "Notifications waiting for delivery, by kind.", labels=[*office, "kind"]
    )
    failed = GaugeMetricFamily(
        "sop_notifications_failed", "Notifications that failed, by kind.", labels=[*office, "kind"]
    )
    lag = GaugeMetricFamily(
        "sop_scheduler_lag_seconds",
        "How long the oldest notification due by now has waited for a worker (0: none waits).",
        labels=office,
    )
    cases = GaugeMetricFamily("sop_cases", "Cases by status.", labels=[*office, "status"])
    for satker, figures in by_office.items():
        label = [satker] if office else []
        _add(pending, label, figures.pending)
        _add(failed, label, figures.failed)
        lag.add_metric(label, figures.scheduler_lag_seconds)
        _add(cases, label, figures.cases)
    return (pending, failed, lag, cases)


class Registry:
    """One application's metrics: the HTTP series, the office's figures, and the process's own."""

    def __init__(self, ctx: Context) -> None:
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry)
        self.registry.register(OfficeCollector(ctx))
        ProcessCollector(registry=self.registry)

    def exposition(self) -> bytes:
        """Every series in the Prometheus text format."""
        return generate_latest(self.registry)


def _add(family: GaugeMetricFamily, label: list[str], counts: Mapping[Member, int]) -> None:
    for member, count in counts.items():
        family.add_metric([*label, member.value], count)
