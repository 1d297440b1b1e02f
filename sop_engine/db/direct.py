"""Statements sent on the driver's cursor, compiled once per dialect: the step actions' hot path.

Executing a cached Core statement through ``Connection.execute`` costs SQLAlchemy 40–50 µs of CPU
on SQLite (its execution context, result set-up, row objects) beside ≈ 5 µs for sqlite3 itself,
and a step completion sends about ten. A :class:`Direct` statement keeps what SQLAlchemy would do
with it and drops the rest: it is compiled by the connection's dialect once, its parameters go
through the same bind processors (the column types), its rows through the same result processors,
the ``before_cursor_execute`` event is dispatched (the statement counts of the tests see it), it
runs inside the connection's transaction (begun if need be), and a driver error is raised as
SQLAlchemy raises it (``IntegrityError``, ``OperationalError``, a dropped connection invalidated).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, Connection, Dialect
from sqlalchemy.sql.expression import Executable

_Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One statement as one dialect sends it."""

    sql: str
    #: The parameters in the order the driver takes them (positional) or by name, each with its
    #: bind processor (None: sent as is) and its value when the statement fixes it.
    binds: tuple[tuple[str, _Processor | None, Any], ...]
    positional: bool
    #: The result columns that need converting: (position, result processor).
    results: tuple[tuple[int, _Processor], ...]


@dataclass(frozen=True, slots=True)
class Carried:
    """Writes that another statement of the transaction sends as its CTEs (PostgreSQL, where each statement
    is a round trip): one round trip fewer. ``key`` names their shape (a carrying statement is compiled once
    per key), ``ctes`` builds them, ``params`` are their values (names the carrier does not use), ``alone``
    sends them by themselves, where no statement can carry them."""

    key: Hashable
    ctes: Callable[[], Sequence[CTE]]
    params: Mapping[str, Any]
    alone: Callable[[Connection], None]


class Direct:
    """A Core statement executed on the driver's cursor of a SQLAlchemy connection."""

    __slots__ = ("_carrying", "_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._carrying: dict[Hashable, Direct] = {}

    def carrying(self, carried: Carried) -> Direct:
        """This statement with the CTEs of ``carried`` added (run it with ``carried.params`` added)."""
        found = self._carrying.get(carried.key)
        if found is None:
            found = self._carrying[carried.key] = Direct(self.statement.add_cte(*carried.ctes()))  # type: ignore[attr-defined]
        return found

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run the statement once; the driver's row count."""
        compiled = self._for(conn.dialect)
        cursor = _run(conn, compiled, _params(compiled, params), many=False)
        count = int(cursor.rowcount)
        cursor.close()
        return count

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run the statement for each of ``rows`` (one ``executemany``); the driver's row count."""
        compiled = self._for(conn.dialect)
        cursor = _run(conn, compiled, [_params(compiled, row) for row in rows], many=True)
        count = int(cursor.rowcount)
        cursor.close()
        return count

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[list[Any]]:
        """Run the query; its rows, each value converted as SQLAlchemy would (lists, not Row objects)."""
        compiled = self._for(conn.dialect)
        cursor = _run(conn, compiled, _params(compiled, params), many=False)
        fetched = cursor.fetchall()
        cursor.close()
        rows = [list(row) for row in fetched]
        for at, process in compiled.results:
            for row in rows:
                row[at] = process(row[at])
        return rows

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    fixed = compiled.construct_params(_check=False)
    names = compiled.positiontup if compiled.positional else list(compiled.binds)
    binds = []
    for name in names:
        kind = compiled.binds[name].type
        binds.append((name, kind.dialect_impl(dialect).bind_processor(dialect), fixed.get(name)))
    results = []
    for at, column in enumerate(compiled._result_columns):  # (keyname, name, objects, type), SQLAlchemy's own
        process = column[3].dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            results.append((at, process))
    return _Compiled(compiled.string, tuple(binds), bool(compiled.positional), tuple(results))


def _params(compiled: _Compiled, values: Mapping[str, Any]) -> Any:
    """The driver's parameters: each value (or the statement's own) through its bind processor."""
    converted = []
    for name, process, fixed in compiled.binds:
        value = values.get(name, fixed)
        converted.append(value if process is None else process(value))
    if compiled.positional:
        return tuple(converted)
    return {name: value for (name, _, _), value in zip(compiled.binds, converted, strict=True)}


def _run(conn: Connection, compiled: _Compiled, params: Any, *, many: bool) -> Any:
    """Execute on a new cursor of the connection's driver connection, in its transaction."""
    if not conn.in_transaction():
        conn.begin()
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    if conn.dispatch.before_cursor_execute:
        conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, params, None, many)
    try:
        if many:
            cursor.executemany(compiled.sql, params)
        else:
            cursor.execute(compiled.sql, params)
    except Exception as exc:
        conn._handle_dbapi_exception(exc, compiled.sql, params, cursor, None)
    return cursor
