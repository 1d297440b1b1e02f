"""The audit trail: an append-only, hash-chained record of every state change.

Each office has its own chain. An event's ``hash`` is ``sha256(prev_hash || canonical JSON of
the event)``; the chain head (last ``seq`` and ``hash``) is kept in ``audit_heads`` and locked
while appending, so concurrent writers never fork the chain. The database refuses UPDATE and
DELETE on ``audit_events`` (triggers installed by the migration). :func:`verify` walks the chain
and names the first event that does not hold: modified, deleted, inserted or reordered rows are
all detected.

Reading the trail (:func:`list_events`) takes an :class:`AuditFilter` (case, actor, action and an
office-local date range) that is applied in SQL; :func:`csv_text` is the one CSV spelling of a
list of events and :func:`csv_file` its file (with a BOM for Excel), written by ``sop audit
export`` and downloaded from the web alike.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sop_engine import audit_heads, chain, chain_rows, reconcile, textrules
from sop_engine.chain import GENESIS as GENESIS
from sop_engine.chain import VerifyResult as VerifyResult
from sop_engine.chain import canonical_json as canonical_json
from sop_engine.chain import chain_hash as chain_hash
from sop_engine.chain import parse_anchor as parse_anchor
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.db.direct import Carried
from sop_engine.db.models import AuditEvent, AuditHead
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_date


@dataclass(frozen=True)
class AuditRecord:
    """One audit event as the services hand it out."""

    seq: int
    recorded_at: datetime
    stated_at: datetime
    actor: str
    role: str
    action: str
    case: str | None
    step: int | None
    details: Mapping[str, Any]
    prev_hash: str
    hash: str


#: The dates a filter may name (the ends of the calendar would overflow in time-zone arithmetic).
FILTER_FIRST_DAY, FILTER_LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class AuditFilter:
    """Which events to read; every criterion that is set must hold (an empty filter takes all).

    ``since`` and ``until`` are calendar dates in the office time zone, both inclusive, and are
    compared with the event's *stated* time: when the action happened as the actor recorded it
    (``--at``), which is the recording time unless the action was entered afterwards. That is
    the time the Inspektorat asks about ("what happened on 12 January"); the recording time
    stays visible in every row. Building a filter whose ``since`` is after its ``until`` raises
    :class:`InvalidInput`.
    """

    case: str | None = None
    actor: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        for label, text in (("Kasus", self.case), ("Pelaku", self.actor), ("Tindakan", self.action)):
            if text is not None:
                textrules.line(text, f"Saringan {label}", 100)
        for name, day in (("sejak", self.since), ("sampai", self.until)):
            if day is not None and not FILTER_FIRST_DAY <= day <= FILTER_LAST_DAY:
                raise InvalidInput(
                    f"Tanggal {name} {day.isoformat()} di luar rentang yang masuk akal; isikan tanggal antara "
                    f"{FILTER_FIRST_DAY.isoformat()} dan {FILTER_LAST_DAY.isoformat()}, misalnya 2021-01-11.",
                    value=day.isoformat(),
                )
        if self.since is not None and self.until is not None and self.since > self.until:
            raise InvalidInput(
                f"Rentang tanggal terbalik: sejak {self.since.isoformat()} ({format_date(self.since)}) jatuh "
                f"sesudah sampai {self.until.isoformat()} ({format_date(self.until)}). Tukar kedua tanggal, "
                f"misalnya sejak {self.until.isoformat()} sampai {self.since.isoformat()}.",
                value=self.since.isoformat(),
                until=self.until.isoformat(),
            )

    @classmethod
    def from_text(
        cls,
        *,
        case: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> AuditFilter:
        """A filter from what a person typed (command line, web form); blank fields are unset.

        Dates are ``YYYY-MM-DD``; anything else raises :class:`InvalidInput` naming the value.
        """
        return cls(
            case=_blank_to_none(case),
            actor=_blank_to_none(actor),
            action=_blank_to_none(action),
            since=_parse_day(since, "sejak"),
            until=_parse_day(until, "sampai"),
        )

    @property
    def active(self) -> bool:
        """True when at least one criterion is set."""
        return any(v is not None for v in (self.case, self.actor, self.action, self.since, self.until))


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def _parse_day(text: str | None, label: str) -> date | None:
    text = _blank_to_none(text)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"Tanggal {label} '{text}' tidak dikenali; tulis tahun-bulan-tanggal (YYYY-MM-DD), misalnya 2021-01-11.",
            value=text,
        ) from exc


def ensure_head(session: Session, office_id: int) -> None:
    """Create the office's chain head if it has none yet (at office creation)."""
    if session.get(AuditHead, office_id) is None:
        session.add(AuditHead(office_id=office_id, seq=0, hash=GENESIS))
        session.flush()


def append(
    session: Session,
    office_id: int,
    *,
    actor: str,
    role: str,
    action: str,
    recorded_at: datetime,
    stated_at: datetime | None = None,
    case: str | None = None,
    step: int | None = None,
    details: Mapping[str, Any] | None = None,
    head: tuple[int, str] | None = None,
    carried: Carried | None = None,
) -> AuditRecord:
    """Append one event to the office's chain inside the caller's transaction (Core statements, after a flush).

    ``head`` is the (seq, hash) the caller read earlier in this transaction without a lock (a step
    action reads it with its case): the head moves on from it if it is still the head, in one
    UPDATE that also locks it; otherwise, or without ``head``, the head is read under a lock first.
    ``carried``: the action's other writes, sent with the event where one statement can carry them.
    """
    session.flush()
    conn = session.connection()
    event = AuditRecord(
        0, recorded_at, stated_at or recorded_at, actor, role, action, case, step, {**(details or {})}, "", ""
    )
    if head is not None:
        linked = _linked(office_id, event, head)
        moved = audit_heads.append_after(conn, office_id, _row(office_id, linked), head, carried)
        if moved:
            return linked
        carried = None  # written all the same
    if carried is not None:
        carried.alone(conn)
    linked = _linked(office_id, event, locked_head(session, office_id))  # someone appended since, or no head given
    audit_heads.append_at_locked(conn, office_id, [_row(office_id, linked)])
    return linked


def locked_head(session: Session, office_id: int) -> tuple[int, str]:
    """The office's head (seq, hash), locked until the transaction ends; created if it has none yet."""
    conn = session.connection()
    locked = audit_heads.locked_head(conn, office_id)
    if locked is None:
        ensure_head(session, office_id)
        locked = audit_heads.locked_head(conn, office_id)
        assert locked is not None
    return locked


def _linked(office_id: int, event: AuditRecord, head: tuple[int, str]) -> AuditRecord:
    """``event`` as the link after ``head``: its seq, prev_hash and hash."""
    seq, prev_hash, e = head[0] + 1, head[1], event
    payload = chain.payload(
        office_id, seq, e.recorded_at, e.stated_at, e.actor, e.role, e.action, e.case, e.step, e.details
    )
    return dataclasses.replace(event, seq=seq, prev_hash=prev_hash, hash=chain_hash(prev_hash, payload))


def _row(office_id: int, event: AuditRecord) -> dict[str, Any]:
    """The ``audit_events`` row of ``event`` (details as the canonical JSON that was hashed)."""
    row = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    row.update(office_id=office_id, case_code=row.pop("case"), step_no=row.pop("step"))
    return row | {"details": canonical_json(event.details)}


def _record(event: AuditEvent) -> AuditRecord:
    return AuditRecord(
        seq=event.seq,
        recorded_at=event.recorded_at,
        stated_at=event.stated_at,
        actor=event.actor,
        role=event.role,
        action=event.action,
        case=event.case_code,
        step=event.step_no,
        details=json.loads(event.details),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def list_events(
    ctx: Context,
    case: str | None = None,
    *,
    where: AuditFilter | None = None,
    limit: int | None = None,
    before: int | None = None,
) -> list[AuditRecord]:
    """The office's events in chain order that match ``case`` and ``where`` (both, if both are given).

    With ``limit``, only the last ``limit`` matching events (the most recent in the chain), still in
    chain order. With ``before``, only events whose seq is below it: a page of the trail read
    newest first is ``limit`` events before the oldest seq of the page above it (keyset, so a
    page costs the same however long the trail, and events appended meanwhile shift nothing).
    """
    if limit is not None and limit < 1:
        raise InvalidInput(f"Batas jumlah peristiwa {limit} tidak sah; tulis bilangan 1 atau lebih.", value=limit)
    with ctx.db.read() as session:
        office = ctx.office(session)
        query = select(AuditEvent).where(AuditEvent.office_id == office.id)
        if case is not None:
            query = query.where(AuditEvent.case_code == case)
        if where is not None:
            query = query.where(*_conditions(where, ctx.tz))
        if before is not None:
            query = query.where(AuditEvent.seq < before)
        if limit is None:
            return [_record(e) for e in session.scalars(query.order_by(AuditEvent.seq, AuditEvent.id))]
        latest = session.scalars(query.order_by(AuditEvent.seq.desc(), AuditEvent.id.desc()).limit(limit)).all()
        return [_record(e) for e in reversed(latest)]


def _conditions(where: AuditFilter, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions; the dates become UTC instants of the office's midnights."""
    conditions: list[ColumnElement[bool]] = []
    if where.case is not None:
        conditions.append(AuditEvent.case_code == where.case)
    if where.actor is not None:
        conditions.append(AuditEvent.actor == where.actor)
    if where.action is not None:
        conditions.append(AuditEvent.action == where.action)
    if where.since is not None:
        conditions.append(AuditEvent.stated_at >= _local_midnight(where.since, tz))
    if where.until is not None:
        conditions.append(AuditEvent.stated_at < _local_midnight(where.until + timedelta(days=1), tz))
    return conditions


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in the office zone."""
    return to_utc(datetime.combine(day, time.min, tzinfo=tz))


def known_actions(ctx: Context) -> list[str]:
    """The distinct actions present in the office's chain, sorted (for a filter's choices)."""
    return _distinct(ctx, AuditEvent.action)


def known_actors(ctx: Context) -> list[str]:
    """The distinct usernames that appear as actors in the office's chain, sorted."""
    return _distinct(ctx, AuditEvent.actor)


def _distinct(ctx: Context, column: InstrumentedAttribute[str]) -> list[str]:
    with ctx.db.read() as session:
        office = ctx.office(session)
        values = session.scalars(select(column).where(AuditEvent.office_id == office.id).distinct())
        return sorted(values)  # in Python: the same order on every backend and database collation


def verify(ctx: Context, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the office's chain from the first event and report the first one that does not hold; then
    replay the trail against the state tables (:mod:`sop_engine.reconcile`) and name every row that disagrees.

    ``anchor`` is a (seq, hash) pair recorded earlier outside the database (e.g. by the
    Inspektorat from a previous verify): the chain must still contain it. Without an anchor,
    someone able to rewrite the whole database could recompute every hash; with one, they cannot.
    """
    with ctx.db.read() as session:
        office = ctx.office(session)
        recorded = session.get(AuditHead, office.id)
        head = (recorded.seq, recorded.hash) if recorded else (0, GENESIS)
        with chain_rows.stored_events(session, office.id) as events:
            result = chain.walk(office.id, events, head, anchor, exact=chain_rows.typed_event(session))
        if not result.ok:
            return result
        mismatches = tuple(reconcile.compare_database(session, office.id))
    if not mismatches:
        return result
    shown = "; ".join(mismatches[:5]) + (f"; dan {len(mismatches) - 5} lagi" if len(mismatches) > 5 else "")
    return dataclasses.replace(
        result,
        ok=False,
        problem=f"Rantai utuh, tetapi {len(mismatches)} isian tabel tidak sesuai dengan jejak audit (diubah di luar "
        f"sop-engine): {shown}. Pulihkan dari cadangan dan laporkan ke Inspektorat.",
        mismatches=mismatches,
    )


CSV_COLUMNS = (
    "seq",
    "recorded_at",
    "stated_at",
    "actor",
    "role",
    "action",
    "case",
    "step",
    "details",
    "prev_hash",
    "hash",
)


def csv_text(records: Sequence[AuditRecord], tz: ZoneInfo) -> str:
    """The events as CSV text: a header of :data:`CSV_COLUMNS`, then one row per event.

    Instants are written in UTC, exactly as they were hashed, so that an auditor can re-check
    the chain from the CSV alone; ``tz`` does not change them (it is taken so that every front
    end formats events the same way, with the office zone at hand). Details are canonical JSON.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e in records:
        writer.writerow(
            [
                e.seq,
                to_utc(e.recorded_at).isoformat(),
                to_utc(e.stated_at).isoformat(),
                e.actor,
                e.role,
                e.action,
                e.case or "",
                "" if e.step is None else e.step,
                canonical_json(e.details),
                e.prev_hash,
                e.hash,
            ]
        )
    return buffer.getvalue()


def csv_file(records: Sequence[AuditRecord], tz: ZoneInfo) -> bytes:
    """:func:`csv_text` as the bytes of a .csv file: UTF-8 with a byte-order mark.

    Without the mark, Excel reads the file in the machine's code page and garbles any name or
    reason with a character outside ASCII; LibreOffice and Python's ``utf-8-sig`` skip it.
    """
    return csv_text(records, tz).encode("utf-8-sig")


def export_csv(ctx: Context, path: Path, case: str | None = None, *, where: AuditFilter | None = None) -> int:
    """Write the (filtered) trail to ``path`` as :func:`csv_file` (hashes included); returns the row count."""
    events = list_events(ctx, case, where=where)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_file(events, ctx.tz))
    return len(events)
