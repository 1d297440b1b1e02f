"""The statements of the outbox's rows: a step activation's notifications inserted, the pending ones
of a step or a case cancelled, and on PostgreSQL, where each statement is a round trip, both in one
statement, in a completion with the case rows too (:func:`sop_engine.outbox.save_with_step`).
:mod:`sop_engine.outbox` decides which rows; this module writes them.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    select,
    update,
)

from sop_engine import case_rows
from sop_engine.db.direct import Direct
from sop_engine.db.models import Notification
from sop_engine.db.queries import table
from sop_engine.db.statuses import NotificationStatus

_n = table(Notification).c


def _literal(status: NotificationStatus) -> ColumnElement[str]:
    return literal_column(f"'{status.value}'")


#: The statuses written out, not bound: SQLite then knows which partial indexes (pending, leased,
#: failed) a cancelled row leaves and enters, and maintains only those (≈ 100 µs less per completion).
_CANCEL = (
    update(table(Notification))
    .where(_n.case_id == bindparam("b_case"), _n.status == _literal(NotificationStatus.PENDING))
    .values(status=_literal(NotificationStatus.CANCELLED), lease_owner=None, lease_until=None)
)
_CANCEL_STEP = _CANCEL.where(_n.step_no == bindparam("b_step"))
#: Sent directly, with the moment they were cancelled (the CTE of :func:`from_json` leaves it empty).
CANCEL_CASE = Direct(_CANCEL.values(finished_at=bindparam("finished_at", type_=_n.finished_at.type)))
CANCEL_ONE_STEP = Direct(_CANCEL_STEP.values(finished_at=bindparam("finished_at", type_=_n.finished_at.type)))
_ROW_COLUMNS = (
    *("office_id", "dedupe_key", "kind", "level", "case_id", "case_code", "step_no", "round", "recipient_id"),
    *("cc", "due_at", "status", "attempts", "next_attempt_at", "created_at"),
)
#: The rows of :func:`sop_engine.outbox.schedule_step` (every column named: the table's defaults are not
#: SQLAlchemy's to apply here).
INSERT = Direct(insert(table(Notification)).values({c: bindparam(c, type_=_n[c].type) for c in _ROW_COLUMNS}))


@functools.cache
def from_json() -> Direct:
    """PostgreSQL: the INSERT of any number of rows, given as one JSON array of objects (the ``rows``
    parameter, see :func:`as_json`) read by ``json_to_recordset``, with :data:`_CANCEL_STEP` as a CTE:
    one short statement whatever the count. (SQLAlchemy caches no multi-row VALUES, psycopg prepares
    no statement of more than 50 parameters, and one array per column costs psycopg ≈ 0.4 ms to send.)"""
    return Direct(
        insert(table(Notification)).from_select(_ROW_COLUMNS, _json_rows()).add_cte(_CANCEL_STEP.cte("cancelled"))
    )


def _json_rows() -> Select[Any]:
    """The rows of the ``rows`` JSON parameter (:func:`from_json`), as the columns of ``notifications``."""
    typed = [column(c, _n[c].type) for c in _ROW_COLUMNS]
    rows = func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON)).table_valued(*typed)
    rows = rows.render_derived(with_types=True)
    return select(*(rows.c[c] for c in _ROW_COLUMNS))


@functools.cache
def save_and_schedule(count: int, cancel: bool) -> Direct:
    """PostgreSQL: the case and its ``count`` changed step rows (:func:`sop_engine.case_rows.moved_case`), the
    notifications of :func:`from_json` and, if ``cancel``, :data:`_CANCEL_STEP`, the last two only if the
    case moved; selects how many case rows moved (1, or 0 if someone else wrote first)."""
    moved = case_rows.moved_case(count)
    if_moved = select(moved.c.id).exists()
    planned = insert(table(Notification)).from_select(_ROW_COLUMNS, _json_rows().where(if_moved))
    ctes = [planned.cte("planned")]
    if cancel:
        ctes.append(_CANCEL_STEP.where(if_moved).cte("cancelled"))
    return Direct(select(select(func.count()).select_from(moved).scalar_subquery()).add_cte(*ctes))


def as_json(rows: list[dict[str, Any]]) -> str:
    """The ``rows`` parameter of :func:`from_json` and :func:`save_and_schedule`: the rows as one JSON array."""
    return json.dumps(rows, default=_instant)


def _instant(value: object) -> str:
    """A moment of a row as the JSON of :func:`from_json` carries it: ISO 8601 in UTC, as UTCDateTime stores it."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(f"{value!r} is not an aware instant")
    return value.astimezone(UTC).isoformat()
