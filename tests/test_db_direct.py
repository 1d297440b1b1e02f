"""Statements on the driver's cursor (:mod:`sop_engine.db.direct`) do what ``Connection.execute`` does.

Values go in and come back as SQLAlchemy converts them (aware UTC instants, statuses), a statement
runs inside the connection's transaction (begun if need be, rolled back with it), the statement
counts of the tests see it, and a driver error is SQLAlchemy's own exception, on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from sop_engine.context import Context
from sop_engine.db.direct import Direct
from sop_engine.db.models import Notification, Person
from sop_engine.db.queries import table
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from tests.helpers import statements

_n = table(Notification).c
_COLUMNS = (
    "office_id",
    "dedupe_key",
    "kind",
    "level",
    "recipient_id",
    "due_at",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)
_INSERT = Direct(insert(table(Notification)).values({c: bindparam(c, type_=_n[c].type) for c in _COLUMNS}))
_READ = Direct(
    select(_n.dedupe_key, _n.kind, _n.due_at, _n.status, _n.lease_owner).where(_n.dedupe_key == bindparam("key"))
)
_LEASE = Direct(update(table(Notification)).where(_n.dedupe_key == bindparam("key")).values(lease_owner="pekerja-1"))


def _row(ctx: Context, key: str, due_at: datetime) -> dict[str, object]:
    with ctx.db.read() as session:
        office_id, person_id = session.execute(select(Person.office_id, Person.id).limit(1)).one()
    return {
        "office_id": office_id,
        "dedupe_key": key,
        "kind": NotificationKind.REMINDER,
        "level": 0,
        "recipient_id": person_id,
        "due_at": due_at,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": due_at,
        "created_at": due_at,
    }


def test_values_round_trip_as_sqlalchemy_converts_them_and_its_own_reads_agree(ctx: Context) -> None:
    due = datetime(2021, 3, 4, 12, 30, 5, 123456, tzinfo=timezone(timedelta(hours=7)))
    rows = [_row(ctx, "satu", due), _row(ctx, "dua", due + timedelta(days=1))]
    with ctx.db.engine.connect() as conn:
        assert _INSERT.executemany(conn, rows) == 2
        assert _LEASE.execute(conn, {"key": "dua"}) == 1
        conn.commit()
    with ctx.db.engine.connect() as conn:
        read = _READ.rows(conn, {"key": "satu"})
        assert read == [["satu", NotificationKind.REMINDER, due.astimezone(UTC), NotificationStatus.PENDING, None]]
        assert read[0][2].tzinfo is UTC and type(read[0][3]) is NotificationStatus
        assert _READ.rows(conn, {"key": "dua"})[0][4] == "pekerja-1"
        # what SQLAlchemy's own execution reads back from the same rows
        orm = conn.execute(select(_n.due_at, _n.status).where(_n.dedupe_key == "satu")).one()
        assert tuple(orm) == (due.astimezone(UTC), NotificationStatus.PENDING)
        assert _READ.rows(conn, {"key": "tiga"}) == []


def test_a_naive_instant_is_refused_before_it_is_sent(ctx: Context) -> None:
    with ctx.db.engine.connect() as conn, pytest.raises(ValueError, match="naive datetime"):
        _INSERT.execute(conn, _row(ctx, "naif", datetime(2021, 3, 4, 12, 0)))  # noqa: DTZ001 (the naive instant refused)


def test_it_runs_in_the_connection_s_transaction_and_is_counted(ctx: Context) -> None:
    row = _row(ctx, "batal", datetime(2021, 3, 4, tzinfo=UTC))
    with statements(ctx) as seen, ctx.db.engine.connect() as conn:
        assert not conn.in_transaction()
        _INSERT.execute(conn, row)
        assert conn.in_transaction()
        conn.rollback()
    assert len(seen) == 1 and seen[0].startswith("INSERT INTO notifications"), seen
    with ctx.db.engine.connect() as conn:
        assert _READ.rows(conn, {"key": "batal"}) == []


def test_a_driver_error_is_raised_as_sqlalchemy_s_and_the_transaction_can_roll_back(ctx: Context) -> None:
    row = _row(ctx, "ganda", datetime(2021, 3, 4, tzinfo=UTC))
    with ctx.db.engine.connect() as conn:
        _INSERT.execute(conn, row)
        with pytest.raises(IntegrityError):
            _INSERT.execute(conn, row | {"recipient_id": 999_999})  # no such person
        conn.rollback()
        assert _READ.rows(conn, {"key": "ganda"}) == []


def test_sqlite_instants_are_written_and_read_as_sqlalchemy_s_own_datetime_would() -> None:
    from sqlalchemy import DateTime
    from sqlalchemy.dialects import sqlite

    from sop_engine.db.columns import UTCDateTime

    dialect = sqlite.dialect()
    ours, theirs = UTCDateTime().dialect_impl(dialect), DateTime().dialect_impl(dialect)
    write, read = ours.bind_processor(dialect), ours.result_processor(dialect, None)
    write_plain, read_plain = theirs.bind_processor(dialect), theirs.result_processor(dialect, None)
    assert write is not None and read is not None and write_plain is not None and read_plain is not None
    jakarta = timezone(timedelta(hours=7))
    for moment in (
        datetime(2021, 1, 11, 8, tzinfo=jakarta),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
    ):
        text = write(moment)
        assert text == write_plain(moment.astimezone(UTC).replace(tzinfo=None))
        back = read(text)
        assert isinstance(back, datetime) and back == moment and back.tzinfo is UTC
    for text in ("2021-01-11 08:00:00", "2021-01-11T08:00:00+07:00", "2021-01-11"):  # not written by SQLAlchemy
        plain, back = read_plain(text), read(text)
        assert isinstance(plain, datetime) and isinstance(back, datetime)
        assert back == (plain.replace(tzinfo=UTC) if plain.tzinfo is None else plain.astimezone(UTC))
        assert back.tzinfo is UTC


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_postgresql_instants_come_back_in_utc_whatever_the_session_s_zone(ctx: Context) -> None:
    """PostgreSQL's sessions only (SQLite has no session time zone)."""
    due = datetime(2021, 3, 4, 12, 30, tzinfo=timezone(timedelta(hours=7)))
    with ctx.db.engine.connect() as conn:
        _INSERT.execute(conn, _row(ctx, "zona", due))
        conn.commit()
        assert conn.exec_driver_sql("SHOW TIME ZONE").scalar() == "UTC"  # every session of the engine
        read = _READ.rows(conn, {"key": "zona"})[0][2]
        assert read == due and read.tzinfo is UTC
        conn.exec_driver_sql("SET TIME ZONE 'Asia/Jakarta'")  # a session someone set otherwise
        read = _READ.rows(conn, {"key": "zona"})[0][2]
        assert read == due and read.tzinfo is UTC
        orm = conn.execute(select(_n.due_at).where(_n.dedupe_key == "zona")).scalar_one()
        assert orm == due and orm.tzinfo is UTC
        conn.rollback()
