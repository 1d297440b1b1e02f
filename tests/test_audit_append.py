"""audit.append (sop_engine/audit.py): every event links to the head, also when the head its caller
read earlier in the transaction has moved on since (another writer appended in between)."""

from __future__ import annotations

from sop_engine import audit
from sop_engine.chain import GENESIS
from sop_engine.context import Context


def append(ctx: Context, action: str, head: tuple[int, str] | None = None) -> audit.AuditRecord:
    with ctx.db.write() as session:
        office_id = ctx.office(session).id
        return audit.append(
            session, office_id, actor="sistem", role="sistem", action=action, recorded_at=ctx.clock.now(), head=head
        )


def test_an_event_appended_after_a_head_read_in_time_links_to_it(ctx: Context) -> None:
    first = append(ctx, "test.first")
    second = append(ctx, "test.second", head=(first.seq, first.hash))
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert audit.verify(ctx).ok


def test_an_event_appended_after_a_stale_head_links_to_the_real_head(ctx: Context) -> None:
    first = append(ctx, "test.first")
    stale = (first.seq - 1, first.prev_hash) if first.seq > 1 else (0, GENESIS)
    second = append(ctx, "test.second", head=stale)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert [e.action for e in audit.list_events(ctx)][-2:] == ["test.first", "test.second"]
    assert audit.verify(ctx).ok
