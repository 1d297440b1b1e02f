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
    """The office's figures from the database, read at each scrape (:func:`sop_engine.gauges.office_figures`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterable[Metric]:
        figures = gauges.office_figures(self.ctx)
        yield GaugeMetricFamily(
            "sop_database_up", "Whether the office's figures could be read from the database.", int(figures is not None)
        )
        if figures is None:
            return
        yield _by("sop_notifications_pending", "Notifications waiting for delivery, by kind.", "kind", figures.pending)
        yield _by("sop_notifications_failed", "Notifications that failed, by kind.", "kind", figures.failed)
        yield GaugeMetricFamily(
            "sop_scheduler_lag_seconds",
            "How long the oldest notification due by now has waited for a worker (0: none waits).",
            figures.scheduler_lag_seconds,
        )
        yield _by("sop_cases", "Cases by status.", "status", figures.cases)


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


def _by(name: str, text: str, label: str, counts: Mapping[Member, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, text, labels=[label])
    for member, count in counts.items():
        family.add_metric([member.value], count)
    return family
