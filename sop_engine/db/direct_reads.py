"""Queries of every request sent on the driver's cursor (:mod:`sop_engine.db.direct`), rows read by name.

A page or an API call reads a handful of rows by a handful of prebuilt queries (who holds the
session, the office with its definitions, the case, the cases waiting on someone). Through
``Connection.execute`` each costs SQLAlchemy 25–40 µs of CPU on SQLite beside ≈ 5 µs for the
driver; a :class:`DirectQuery` runs the same Core statement as :class:`~sop_engine.db.direct.Direct`
does (compiled once per dialect, parameters and values through the column types, the
``before_cursor_execute`` event dispatched) and hands out its rows as named tuples whose fields
are the statement's column keys, so that the callers read ``row.code`` as from a SQLAlchemy row.

Only statements without expanding parameters (``IN`` lists bound at run time) can go this way.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Select

from sop_engine.db.direct import Direct


class DirectQuery:
    """A Core SELECT run on the driver's cursor; its rows as named tuples of its column keys."""

    __slots__ = ("_direct", "_row", "statement")

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        keys = [str(column.key) for column in statement.selected_columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a direct query needs distinct column keys, got {keys}")
        self.statement = statement
        self._direct = Direct(statement)
        self._row: Any = namedtuple("DirectRow", keys)  # type: ignore[misc]  # fields known only at run time

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row of the query."""
        make = self._row._make
        return [make(values) for values in self._direct.rows(conn, params)]

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        """The first row, or None."""
        rows = self._direct.rows(conn, params)
        return self._row._make(rows[0]) if rows else None
