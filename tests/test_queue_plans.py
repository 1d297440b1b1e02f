"""The outbox queue reads pending rows through its partial indexes, never the history (read from the plans)."""

from __future__ import annotations

from datetime import timedelta

from sop_engine.context import Context
from sop_engine.notify.queue import Leases, claim_query, next_due_queries
from tests.outbox_support import T0, fill_outbox, query_plan


def test_claim_reads_the_pending_index_in_due_order(ctx: Context) -> None:
    office = fill_outbox(ctx, history=3000, pending=20)
    with ctx.db.engine.begin() as connection:
        plan = query_plan(connection, claim_query(office, T0 + timedelta(days=30), 50))
    assert "ix_notifications_pending" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # the index gives the order


def test_next_due_reads_the_pending_and_leased_indexes(ctx: Context) -> None:
    office = fill_outbox(ctx, history=3000, pending=20)
    free, leased = next_due_queries(office)
    with ctx.db.engine.begin() as connection:
        free_plan, leased_plan = query_plan(connection, free), query_plan(connection, leased)
    assert "ix_notifications_pending" in free_plan, free_plan
    assert "ix_notifications_leased" in leased_plan, leased_plan


def test_next_due_is_the_earliest_free_row_or_lease_end(ctx: Context) -> None:
    apart = timedelta(seconds=10)
    fill_outbox(ctx, history=5, pending=3, apart=apart)  # pending rows due at T0+50 s, +60 s, +70 s
    leases = Leases(ctx, "w1", batch=1)
    assert leases.next_due() == T0 + 5 * apart
    assert leases.claim(T0 + 5 * apart)  # leased for lease_seconds, past the others' due times
    lease_end = T0 + 5 * apart + timedelta(seconds=ctx.settings.notifications.lease_seconds)
    assert lease_end > T0 + 7 * apart
    assert leases.next_due() == T0 + 6 * apart
    assert len(Leases(ctx, "w2", batch=5).claim(T0 + 7 * apart)) == 2  # everything free is now leased
    assert leases.next_due() == lease_end
