"""Column types and index helpers of the schema (:mod:`sop_engine.db.models`): aware UTC instants on
every backend, StrEnum statuses as text, and partial indexes whose PostgreSQL condition is named
only when a PostgreSQL engine is made."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Dialect, Index, String, TypeDecorator, text


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; use an aware UTC instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Status(TypeDecorator[StrEnum]):
    """A StrEnum stored as its text (VARCHAR(16)); read back as the member, refused if unknown."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(self.enum(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


#: The partial indexes, whose condition PostgreSQL's DDL is given by :func:`with_postgresql_conditions`.
_PARTIAL: list[Index] = []


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows matching ``where`` only.

    The condition is named for SQLite here and for PostgreSQL when a PostgreSQL engine is made
    (:func:`with_postgresql_conditions`): naming a ``postgresql_`` option imports SQLAlchemy's
    PostgreSQL dialect, a tenth of a second at the start of every command on SQLite.
    """
    index = Index(name, *columns, unique=unique, sqlite_where=text(where))
    _PARTIAL.append(index)
    return index


def with_postgresql_conditions() -> None:
    """Give the partial indexes their condition in PostgreSQL's DDL too (idempotent)."""
    for index in _PARTIAL:
        index.dialect_options["postgresql"]["where"] = index.dialect_options["sqlite"]["where"]
