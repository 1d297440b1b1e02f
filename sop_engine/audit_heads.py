"""The statements that link an event into an office's audit chain: the head moved, the event inserted.

:func:`sop_engine.audit.append` computes the event's seq and hashes; this module writes them.
The head (``audit_heads``: last seq and hash) moves only from the value the event was linked to,
so that a concurrent append can never fork the chain: if someone appended meanwhile, nothing is
written and the caller links the event again after the head read under a lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from sop_engine.db.direct import Carried, Direct
from sop_engine.db.models import AuditEvent, AuditHead
from sop_engine.db.queries import table

_heads = table(AuditHead).c
_HEAD = select(_heads.seq, _heads.hash).where(_heads.office_id == bindparam("b_office")).with_for_update()
_INSERT_EVENT = insert(table(AuditEvent))
_MOVE_HEAD = update(table(AuditHead)).where(_heads.office_id == bindparam("b_office"))
_MOVE_HEAD_FROM = _MOVE_HEAD.where(_heads.seq == bindparam("b_seq"), _heads.hash == bindparam("b_hash"))
_events = table(AuditEvent)
_event_columns = [c for c in _events.c if c.name != "id"]
#: PostgreSQL: the head's move as a CTE, and the event (``e_`` parameters) inserted only if it moved;
#: its seq comes back if it was (the driver's row count of such a statement is not reliable).
_APPEND_AFTER = (
    insert(_events)
    .from_select(
        [c.name for c in _event_columns],
        select(*(bindparam(f"e_{c.name}", type_=c.type) for c in _event_columns)).select_from(
            _MOVE_HEAD_FROM.values(seq=bindparam("e_seq"), hash=bindparam("e_hash")).returning(_heads.office_id).cte()
        ),
    )
    .returning(_events.c.seq)
)
#: The two statements of SQLite's append, sent on the driver's cursor (every event column named).
_MOVE_HEAD_DIRECT = Direct(_MOVE_HEAD_FROM.values(seq=bindparam("seq", type_=_heads.seq.type), hash=bindparam("hash")))
_INSERT_EVENT_DIRECT = Direct(_INSERT_EVENT.values({c.name: bindparam(c.name, type_=c.type) for c in _event_columns}))
_APPEND_AFTER_DIRECT = Direct(_APPEND_AFTER)


def append_after(
    conn: Connection, office_id: int, row: Mapping[str, Any], head: tuple[int, str], carried: Carried | None = None
) -> bool:
    """Insert the event ``row`` (linked after ``head``) and move the head to it, if ``head`` is still
    the head; whether it did. One statement on PostgreSQL, where each is a round trip; it also sends
    the writes ``carried`` (written whether the head moved or not)."""
    expected = {"b_office": office_id, "b_seq": head[0], "b_hash": head[1]}
    if conn.dialect.name == "postgresql":
        values = {f"e_{k}": v for k, v in row.items()} | expected
        if carried is None:
            return bool(_APPEND_AFTER_DIRECT.rows(conn, values))
        return bool(_APPEND_AFTER_DIRECT.carrying(carried).rows(conn, {**values, **carried.params}))
    if carried is not None:
        carried.alone(conn)
    if _MOVE_HEAD_DIRECT.execute(conn, expected | {"seq": row["seq"], "hash": row["hash"]}) != 1:
        return False
    _INSERT_EVENT_DIRECT.execute(conn, row)
    return True


def locked_head(conn: Connection, office_id: int) -> tuple[int, str] | None:
    """The office's head (seq, hash), locked until the transaction ends; None if it has none yet."""
    found = conn.execute(_HEAD, {"b_office": office_id}).first()
    return None if found is None else (found[0], found[1])


def append_at_locked(conn: Connection, office_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the events ``rows`` (linked in order) and move the head to the last one (the head is
    locked by this transaction): one UPDATE and one INSERT however many events there are."""
    conn.execute(_MOVE_HEAD, {"b_office": office_id, "seq": rows[-1]["seq"], "hash": rows[-1]["hash"]})
    conn.execute(_INSERT_EVENT, list(rows))
