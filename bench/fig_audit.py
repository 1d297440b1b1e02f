"""Audit verification against the speed of reading the same rows: ``sop audit verify`` vs sqlite3.

The demo office's chain is grown to 120,000 events (a ``--quick`` run: 12,000) once per run,
with bulk inserts whose hashes are computed exactly as :func:`sop_engine.audit.append` does
(:mod:`sop_engine.chain`): ``notification.sent`` events, which the reconciliation with the
tables does not replay. Per repetition: a ``sop audit verify`` process (events per second of
its wall time, start-up included) and, in this process, Python's sqlite3 fetching every
column of the same rows in chain order (rows per second).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine, insert, select, update

from bench.harness import Lab, Metric, Ratio
from bench.install import SOP, Install, checkpoint, timed_process
from sop_engine import chain
from sop_engine.db.models import AuditEvent, AuditHead
from sop_engine.policy import SYSTEM_ACTOR

BATCH = 10_000


def grow_chain(install: Install, events: int) -> int:
    """Append ``events`` hash-linked events to the install's only office; the chain's length after."""
    engine = create_engine(install.database_url)
    with engine.begin() as conn:
        seq = append_notifications(conn, events)
    engine.dispose()
    checkpoint(install.sqlite_file)
    return seq


def append_notifications(conn: Connection, events: int) -> int:
    """Append ``events`` ``notification.sent`` events, in bulk inserts, to the chain of the database's only
    office, hashed exactly as :func:`sop_engine.audit.append` hashes them; the chain's length after."""
    heads, table = AuditHead.__table__, AuditEvent.__table__
    start = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)
    office_id, seq, digest = conn.execute(select(heads.c.office_id, heads.c.seq, heads.c.hash)).one()
    for first in range(0, events, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, events)):
            seq += 1
            at = start + timedelta(seconds=n)
            details = {"notification": n, "channel": "log", "kind": "reminder", "address": "staf1"}
            payload = chain.payload(
                office_id, seq, at, at, SYSTEM_ACTOR, "sistem", "notification.sent", None, None, details
            )
            previous, digest = digest, chain.chain_hash(digest, payload)
            rows.append(
                {
                    "office_id": office_id,
                    "seq": seq,
                    "recorded_at": at,
                    "stated_at": at,
                    "actor": SYSTEM_ACTOR,
                    "role": "sistem",
                    "action": "notification.sent",
                    "case_code": None,
                    "step_no": None,
                    "details": chain.canonical_json(details),
                    "prev_hash": previous,
                    "hash": digest,
                }
            )
        conn.execute(insert(table), rows)
    conn.execute(update(heads).where(heads.c.office_id == office_id).values(seq=seq, hash=digest))
    return seq


def fetch_rows(install: Install) -> int:
    """Every column of the chain's rows, in chain order, with Python's sqlite3; how many."""
    with contextlib.closing(sqlite3.connect(install.sqlite_file)) as conn:
        rows = conn.execute("SELECT * FROM audit_events WHERE office_id = 1 ORDER BY seq, id").fetchall()
    return len(rows)


@dataclass
class AuditVerify:
    name: str = "audit"
    title: str = "Audit trail verification"
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = (
        Metric("verify_rate", "sop audit verify (a process, start-up included)", "events/s"),
        Metric("fetch_rate", "sqlite3: fetch the same rows", "rows/s"),
    )
    ratios: tuple[Ratio, ...] = (Ratio("verify rate / fetch rate", "verify_rate", "fetch_rate", ">= 0.3"),)

    def prepare(self, lab: Lab) -> None:
        self._install = Install(lab.folder / self.name).init_demo()
        self._events = grow_chain(self._install, lab.scale(120_000, 12_000))
        self.title = f"Audit trail verification, {self._events:,} events"

    def measure(self, lab: Lab) -> dict[str, float]:
        verify = timed_process([SOP, "--config", str(self._install.config), "audit", "verify"])
        start = time.perf_counter()
        fetched = fetch_rows(self._install)
        fetch = time.perf_counter() - start
        return {"verify_rate": self._events / verify.wall, "fetch_rate": fetched / fetch}

    def close(self) -> None:
        pass


def figures() -> list[Any]:
    return [AuditVerify()]
