"""The office's chain read from the database in batches, as plain rows (both backends).

The database spells each instant as :func:`chain.payload` does, events written by ``audit.append``
hash from their stored columns alone, and ``audit.verify`` walks a long chain in the memory of a
short one.
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bench.fig_audit import append_notifications
from sop_engine import audit, chain, chain_rows
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.db.models import AuditHead

START = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)
WIB = timezone(timedelta(hours=7))


def append(ctx: Context, **event: Any) -> None:
    with ctx.db.write() as session:
        office_id = ctx.office(session).id
        event = {"actor": "staf1", "role": "staf", "action": "step.completed", "recorded_at": START} | event
        audit.append(session, office_id, **event)


def rows(ctx: Context) -> list[chain.StoredEvent]:
    with ctx.db.read() as session, chain_rows.stored_events(session, ctx.office(session).id) as events:
        return list(events)


def never(row_id: int) -> chain.ChainEvent:
    raise AssertionError(f"event {row_id} looked at again although its stored columns hash to its hash")


def test_the_database_spells_each_instant_as_the_payload_does(ctx: Context) -> None:
    instants = [
        (START, START),
        (START.replace(microsecond=250_000), datetime(2021, 1, 11, 8, 5, 0, 1, tzinfo=WIB)),
        (datetime(2021, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), datetime(2022, 1, 1, 6, 59, tzinfo=WIB)),
    ]
    for recorded, stated in instants:
        append(ctx, recorded_at=recorded, stated_at=stated)
    spelled = [(row[2], row[3]) for row in rows(ctx)[-3:]]
    assert spelled == [(to_utc(r).isoformat(), to_utc(s).isoformat()) for r, s in instants]
    assert spelled[0] == ("2021-01-11T01:00:00+00:00", "2021-01-11T01:00:00+00:00")
    assert spelled[1] == ("2021-01-11T01:00:00.250000+00:00", "2021-01-11T01:05:00.000001+00:00")


def test_events_with_awkward_text_hash_from_their_stored_columns_alone(ctx: Context) -> None:
    append(ctx, case='lakip-"2021"\\', step=4, details={"catatan": "baris 1\nbaris 2\t“kutip” ✓ 🙂", "angka": 1.5})
    append(ctx, actor="pelaku-é", role="staf", action="person.added", details={"kosong": None, "daftar": [1, "a"]})
    append(ctx, stated_at=datetime(2021, 1, 11, 8, 5, 0, 123_456, tzinfo=WIB), details={})
    with ctx.db.read() as session:
        office_id = ctx.office(session).id
        head = session.get_one(AuditHead, office_id)
        with chain_rows.stored_events(session, office_id) as events:
            result = chain.walk(office_id, events, (head.seq, head.hash), exact=never)
    assert result.ok, result.problem
    assert result.events == result.head_seq


# --- memory ----------------------------------------------------------------------------------


def grow(ctx: Context, events: int) -> None:
    """Append ``events`` events in bulk, hashed as ``audit.append`` hashes them (as ``make bench`` does)."""
    with ctx.db.engine.begin() as conn:
        append_notifications(conn, events)


def verify_peak(ctx: Context) -> int:
    """The peak of Python memory allocated while ``audit.verify`` runs (after a first, unmeasured run)."""
    assert audit.verify(ctx).ok
    tracemalloc.start()
    try:
        result = audit.verify(ctx)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.ok, result.problem
    return peak


def test_verify_takes_the_same_memory_for_ten_times_the_events(ctx: Context) -> None:
    """Events are streamed in batches, never all held: 5,000 events cost what 500 do (loaded as ORM
    objects they took about 3 KB each, some 13 MB more)."""
    grow(ctx, 500)
    short = verify_peak(ctx)
    grow(ctx, 4_500)
    long = verify_peak(ctx)
    assert long < short + 256 * 1024, (short, long)
