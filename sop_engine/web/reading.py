"""Where a read runs: on the event loop for SQLite, in a worker thread for PostgreSQL.

A read of a local SQLite file (in WAL mode readers never wait for writers) costs less than handing
it to a worker thread and back, and Python runs one thread at a time anyway; a PostgreSQL query
is a network round trip, which must not hold up the event loop. Writes always run in a worker
thread (they may wait for the write lock). The hottest reads use this: who holds a session or a
token, a case for the API, Tugas Saya.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool

from sop_engine.context import Context

P = ParamSpec("P")
T = TypeVar("T")


async def read(ctx: Context, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)``, a read of ``ctx``'s database: here on SQLite, in a worker thread otherwise."""
    if ctx.db.is_sqlite:
        return function(*args, **kwargs)
    return await run_in_threadpool(function, *args, **kwargs)
