"""The office's figures for /metrics: exact at the scrape, and the pending ones read through the pending index."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import update

from sop_engine import gauges
from sop_engine.context import Context
from sop_engine.db.models import Notification
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus
from tests.outbox_support import T0, fill_outbox, query_plan


def test_the_pending_counts_and_the_lag_read_the_pending_index_not_the_history(ctx: Context) -> None:
    office = fill_outbox(ctx, history=3000, pending=20)
    with ctx.db.engine.begin() as connection:
        plans = [
            query_plan(connection, gauges.pending_query(office)),
            query_plan(connection, gauges.lag_query(office, T0)),
        ]
    assert all("ix_notifications_pending" in plan for plan in plans), plans


def test_the_failed_counts_read_the_failed_index_not_the_history(ctx: Context) -> None:
    office = fill_outbox(ctx, history=3000, pending=20, failed=5)
    with ctx.db.engine.begin() as connection:
        plan = query_plan(connection, gauges.failed_query(office))
    assert "ix_notifications_failed" in plan, plan


def test_the_figures_count_by_kind_and_status_and_the_lag_is_the_oldest_due_rows_wait(ctx: Context, clock) -> None:
    fill_outbox(ctx, history=5, pending=3, apart=timedelta(minutes=1))  # pending rows due at T0+5, +6, +7 minutes
    with ctx.db.write() as session:
        session.execute(update(Notification).where(Notification.id == 1).values(status=NotificationStatus.FAILED))
    clock.set(T0 + timedelta(minutes=6, seconds=30))
    figures = gauges.office_figures(ctx)
    assert figures is not None
    assert figures.pending == {kind: 3 if kind == NotificationKind.REMINDER else 0 for kind in NotificationKind}
    assert figures.failed[NotificationKind.REMINDER] == 1 and sum(figures.failed.values()) == 1
    assert figures.cases == dict.fromkeys(CaseStatus, 0)
    assert figures.scheduler_lag_seconds == 90  # the row due at T0+5 min has waited 1 min 30 s
    clock.set(T0)
    assert gauges.office_figures(ctx).scheduler_lag_seconds == 0  # type: ignore[union-attr]


def test_the_figures_are_none_when_the_office_is_not_in_the_database(ctx: Context) -> None:
    office = dataclasses.replace(ctx.settings.office, satker="9999")
    ctx.settings = dataclasses.replace(ctx.settings, office=office)
    assert gauges.office_figures(ctx) is None
