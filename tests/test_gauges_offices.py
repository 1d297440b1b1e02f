"""``/metrics`` of a central install: every office's figures, each series labelled with its kode satker."""

from __future__ import annotations

from datetime import timedelta

from sop_engine import cases, gauges
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus
from tests.offices_support import OTHER, add_other_office
from tests.outbox_support import T0, fill_outbox
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
