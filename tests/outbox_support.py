"""Outbox rows in bulk, the plan a query gets, delivering on the log channel: shared by the outbox tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Select, insert, select, text

from sop_engine.context import Context
from sop_engine.db.models import Notification, Person
from sop_engine.db.statuses import NotificationKind, NotificationStatus

#: When the first row of :func:`fill_outbox` falls due.
T0 = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)


def fill_outbox(
    ctx: Context, history: int, pending: int, apart: timedelta = timedelta(minutes=1), failed: int = 0
) -> int:
    """``history`` settled rows (the first ``failed`` of them failed, the others delivered) then ``pending``
    ones, due ``apart`` from each other; the office's id."""
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
                "status": _status(i, history, failed),
                "attempts": 0,
                "next_attempt_at": T0 + i * apart,
                "created_at": T0,
            }
            for i in range(history + pending)
        ]
        session.execute(insert(Notification), rows)
        session.execute(text("ANALYZE"))
        return office.id


def _status(i: int, history: int, failed: int) -> NotificationStatus:
    if i < failed:
        return NotificationStatus.FAILED
    return NotificationStatus.SENT if i < history else NotificationStatus.PENDING


def query_plan(connection: Connection, query: Select[object]) -> str:
    """The plan the database chooses for ``query`` (PostgreSQL told to avoid sequential scans, as at scale)."""
    compiled = query.compile(dialect=connection.dialect)
    if connection.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all())


def log_only(ctx: Context, folder: Path) -> Path:
    """Deliver on the log channel only, to a file in ``folder``; its path."""
    path = folder / "notifikasi.jsonl"
    policy = ctx.settings.notifications
    log = dataclasses.replace(policy.log, enabled=True, path=path)
    ctx.settings = dataclasses.replace(
        ctx.settings, notifications=dataclasses.replace(policy, default_channels=("log",), log=log)
    )
    return path


def log_lines(path: Path) -> list[str]:
    """The lines the log channel wrote (none if it never wrote)."""
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
