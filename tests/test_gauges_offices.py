"""``/metrics`` of a central install: every office's figures, each series labelled with its kode satker."""

from __future__ import annotations

from datetime import timedelta

from sop_engine import cases, gauges
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus
from tests.offices_support import OTHER, add_other_office
from tests.outbox_support import T0, fill_outbox, query_plan
from tests.test_web_ops import samples, with_metrics

HOME = "3526"


def test_metrics_of_a_central_install_label_each_office_figures_with_its_satker(
    ctx: Context, clock: FixedClock
) -> None:
    other = add_other_office(ctx)
    cases.start_case(other, "lakip", 2022, "sekretaris")
    clock.set(clock.now() + timedelta(minutes=9))  # the other office's reminder (due after 8 min) waits 1 min
    found = samples(with_metrics(ctx).get("/metrics").text)
    assert found[("sop_database_up", ())] == 1
    assert found[("sop_cases", (("office", OTHER), ("status", "running")))] == 1
    assert found[("sop_cases", (("office", HOME), ("status", "running")))] == 0
    assert found[("sop_scheduler_lag_seconds", (("office", OTHER),))] == 60
    assert found[("sop_scheduler_lag_seconds", (("office", HOME),))] == 0
    assert found[("sop_notifications_pending", (("kind", "reminder"), ("office", HOME)))] == 0
    assert found[("sop_notifications_pending", (("kind", "reminder"), ("office", OTHER)))] >= 1
    assert not any(name.startswith("sop_cases") and not dict(labels).get("office") for name, labels in found)


def test_the_figures_by_office_are_each_office_figures(ctx: Context, clock: FixedClock) -> None:
    other = add_other_office(ctx)
    fill_outbox(ctx, history=4, pending=2, failed=1)
    fill_outbox(other, history=0, pending=5)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(T0 + timedelta(minutes=30))
    by_office = gauges.figures_by_office(ctx)
    assert by_office is not None and set(by_office) == {HOME, OTHER}
    assert by_office[HOME] == gauges.office_figures(ctx)
    assert by_office[OTHER] == gauges.office_figures(other)
    assert by_office[OTHER].cases[CaseStatus.RUNNING] == 0 and by_office[HOME].cases[CaseStatus.RUNNING] == 1
    assert sum(by_office[OTHER].pending.values()) == 5 and sum(by_office[HOME].failed.values()) == 1


def test_the_figures_of_every_office_read_the_pending_and_failed_indexes(ctx: Context) -> None:
    fill_outbox(add_other_office(ctx), history=1000, pending=10, failed=3)
    fill_outbox(ctx, history=3000, pending=20, failed=5)
    with ctx.db.engine.begin() as connection:
        pending, lag, failed = (
            query_plan(connection, query)  # type: ignore[arg-type]  # three or two columns
            for query in (gauges.pending_query(None), gauges.lag_query(None, T0), gauges.failed_query(None))
        )
    assert "ix_notifications_pending" in pending and "ix_notifications_pending" in lag, (pending, lag)
    assert "ix_notifications_failed" in failed, failed
