"""The outbox queue reads pending rows through its partial indexes, never the history (read from the plans)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Select, insert, select, text

from sop_engine.context import Context
from sop_engine.db.models import Notification, Person
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.notify.queue import Leases, claim_query, next_due_queries

T0 = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)


def _fill(ctx: Context, history: int, pending: int, apart: timedelta = timedelta(minutes=1)) -> int:
    """``history`` delivered rows then ``pending`` ones, due ``apart`` from each other; the office's id."""
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = session.scalars(select(Person.id).where(Person.office_id == office.id)).first()
        assert person is not None
        rows = [
            {
                "office_id": office.id,
                "dedupe_key": f"test/{i}",
                "kind": NotificationKind.REMINDER,
                "level": 0,
                "recipient_id": person,
                "due_at": T0 + i * apart,
                "status": NotificationStatus.SENT if i < history else NotificationStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": T0 + i * apart,
                "created_at": T0,
            }
            for i in range(history + pending)
        ]
        session.execute(insert(Notification), rows)
        session.execute(text("ANALYZE"))
        return office.id


def _plan(connection: Connection, query: Select[object]) -> str:
    compiled = query.compile(dialect=connection.dialect)
    if connection.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all())


def test_claim_reads_the_pending_index_in_due_order(ctx: Context) -> None:
    office = _fill(ctx, history=3000, pending=20)
    with ctx.db.engine.begin() as connection:
        plan = _plan(connection, claim_query(office, T0 + timedelta(days=30), 50))
    assert "ix_notifications_pending" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # the index gives the order


def test_next_due_reads_the_pending_and_leased_indexes(ctx: Context) -> None:
    office = _fill(ctx, history=3000, pending=20)
    free, leased = next_due_queries(office)
    with ctx.db.engine.begin() as connection:
        free_plan, leased_plan = _plan(connection, free), _plan(connection, leased)
    assert "ix_notifications_pending" in free_plan, free_plan
    assert "ix_notifications_leased" in leased_plan, leased_plan


def test_next_due_is_the_earliest_free_row_or_lease_end(ctx: Context) -> None:
    apart = timedelta(seconds=10)
    _fill(ctx, history=5, pending=3, apart=apart)  # pending rows due at T0+50 s, +60 s, +70 s
    leases = Leases(ctx, "w1", batch=1)
    assert leases.next_due() == T0 + 5 * apart
    assert leases.claim(T0 + 5 * apart)  # leased for lease_seconds, past the others' due times
    lease_end = T0 + 5 * apart + timedelta(seconds=ctx.settings.notifications.lease_seconds)
    assert lease_end > T0 + 7 * apart
    assert leases.next_due() == T0 + 6 * apart
    assert len(Leases(ctx, "w2", batch=5).claim(T0 + 7 * apart)) == 2  # everything free is now leased
    assert leases.next_due() == lease_end
