"""PostgreSQL connections are pinged before use only after sitting idle in the pool.

A connection used a moment ago goes straight back to work (no round trip per action, which
``pool_pre_ping`` would cost); one idle for longer than ``PING_AFTER_IDLE_SECONDS`` is checked
first, so that one the server dropped meanwhile is replaced before the action runs. The pool's
clock is injected.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from sop_engine.db import session as db_session
from sop_engine.db.session import PING_AFTER_IDLE_SECONDS, Database

pytestmark = pytest.mark.postgres


class PoolClock:
    """Stands in for the ``time`` module of :mod:`sop_engine.db.session`."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def pool_clock(monkeypatch: pytest.MonkeyPatch) -> PoolClock:
    clock = PoolClock()
    monkeypatch.setattr(db_session, "time", clock)
    return clock


def _backend_pid(db: Database) -> int:
    with db.write() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def _terminate(postgres_url: str, pid: int) -> None:
    admin = Database(postgres_url)
    try:
        with admin.write() as session:
            session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url: str, pool_clock: PoolClock) -> None:
    db = Database(postgres_url)
    try:
        first = _backend_pid(db)
        pool_clock.now += PING_AFTER_IDLE_SECONDS / 2
        pings: list[Any] = []
        original = db.engine.dialect.do_ping

        def counted(conn: Any) -> bool:
            pings.append(conn)
            return original(conn)

        db.engine.dialect.do_ping = counted  # type: ignore[method-assign, assignment]
        seen: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
        assert _backend_pid(db) == first
        assert pings == []
        assert seen == ["SELECT pg_backend_pid()"]
    finally:
        db.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_the_action(
    postgres_url: str, pool_clock: PoolClock
) -> None:
    db = Database(postgres_url)
    try:
        first = _backend_pid(db)
        _terminate(postgres_url, first)
        pool_clock.now += PING_AFTER_IDLE_SECONDS + 1
        second = _backend_pid(db)  # the ping found the connection dead: the action runs on a new one
        assert second not in (0, first)
    finally:
        db.dispose()
