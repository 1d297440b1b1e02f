"""Engine and transactions.

:class:`Database` wraps one SQLAlchemy engine. ``write()`` opens the single transaction of an
action (``BEGIN IMMEDIATE`` on SQLite, so two writers queue instead of failing half-way);
``read()`` opens a read-only one. SQLite gets the pragmas that make a commit durable and concurrent readers cheap: WAL,
``synchronous=FULL``, ``foreign_keys=ON`` and a busy timeout.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sop_engine.db import columns
from sop_engine.errors import Busy, ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: A pooled PostgreSQL connection unused for longer is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0
#: What a refused caller is told to wait before trying again, in seconds.
BUSY_RETRY_SECONDS = 5


def make_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and the pragmas set."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError for any unparsable URL
        raise ConfigError(
            f"URL basis data '{url}' tidak sah; contoh: sqlite:///var/sop.db atau "
            "postgresql+psycopg://user:sandi@host/nama_db.",
            value=url,
        ) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": busy_timeout_ms / 1000})
        _install_sqlite_hooks(engine, busy_timeout_ms)
        return engine
    columns.with_postgresql_conditions()
    engine = create_engine(parsed)
    _ping_after_idle(engine)
    _utc_sessions(engine)
    return engine


def _utc_sessions(engine: Engine) -> None:
    """Each PostgreSQL connection's session in UTC: psycopg then reads a ``timestamptz`` as an instant
    already in UTC, which :class:`~sop_engine.db.columns.UTCDateTime` hands out as is (a case read
    converts dozens). Every instant is stored and compared as ``timestamptz``; nothing reads the
    session's zone (an office-local date is computed in Python)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection with a round trip before use only if it sat idle in the pool for
    ``PING_AFTER_IDLE_SECONDS`` (SQLAlchemy's ``pool_pre_ping`` would cost every action one): a
    connection the server dropped meanwhile is replaced before the action starts."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool then connects anew (the recipe of SQLAlchemy's pooling docs)
            raise DisconnectionError(str(exc)) from exc


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is DEFERRED only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # On the driver's connection, as pysqlite would: a statement of SQLAlchemy's own costs more than it.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode:  # "": one statement, atomic by itself (Database.read_rows with snapshot=False)
            connection.connection.driver_connection.execute(f"BEGIN {mode}")


#: How the drivers say that another transaction holds the lock (SQLite) or a lock wait timed out (PostgreSQL).
_BUSY_TEXTS = ("database is locked", "database is busy", "lock timeout", "could not obtain lock")


@contextmanager
def _busy_as_refusal() -> Iterator[None]:
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:  # the driver's own from BEGIN (_on_begin)
        if not any(text in str(getattr(exc, "orig", exc)).lower() for text in _BUSY_TEXTS):
            raise
        raise Busy(
            "Basis data sedang sibuk melayani pekerjaan lain; tidak ada yang berubah. Coba lagi beberapa detik lagi.",
            retry_after=BUSY_RETRY_SECONDS,
        ) from exc


class _ActionSession(Session):
    """The session of one write action: its connection, once begun, is handed out again without
    SQLAlchemy's lookup through the session's transaction (an action asks for it five or six times,
    ≈ 20 µs each); forgotten when the transaction ends."""

    _action_connection: Connection | None = None

    def connection(self, bind_arguments: Any = None, execution_options: Any = None) -> Connection:
        if bind_arguments is not None or execution_options is not None:
            return super().connection(bind_arguments, execution_options)
        if self._action_connection is None:
            self._action_connection = super().connection()
        return self._action_connection


@event.listens_for(_ActionSession, "after_transaction_end")
def _forget_connection(session: Session, _transaction: Any) -> None:
    session.__dict__.pop("_action_connection", None)


class Database:
    """One database: its engine and the two kinds of transaction the services use."""

    def __init__(self, url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        self._write = sessionmaker(bind=writer, class_=_ActionSession, expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._single = self.engine.execution_options(sqlite_begin="") if self.is_sqlite else self.engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One action's transaction: commits at the end, rolls back entirely on any error.

        A database that stays locked past the busy timeout raises :class:`~sop_engine.errors.Busy`.
        """
        with _busy_as_refusal(), self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction; nothing it does is committed."""
        with _busy_as_refusal(), self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def read_rows(self, *, snapshot: bool = True) -> Iterator[Connection]:
        """A read-only transaction on a bare connection, without an ORM session (the reads of every
        request); ``snapshot=False`` when the statements need not see one moment (each is atomic)."""
        with _busy_as_refusal(), (self.engine if snapshot else self._single).connect() as connection:
            try:
                yield connection
            finally:
                connection.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
