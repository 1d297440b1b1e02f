"""An office's audit chain read from the database as :mod:`sop_engine.chain` walks it: in batches, plain rows.

``sop audit verify`` reads every event of the office. Loading each as an ORM object cost about
3 KB and most of the time; here a query selects only the columns the hash covers and streams
them :data:`BATCH` rows at a time (a server-side cursor on PostgreSQL), as tuples. The database
spells each instant as :func:`sop_engine.chain.payload` does (``to_utc(value).isoformat()``), so
that no row is turned into Python datetimes to be hashed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import ColumnElement, Dialect, String, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from sop_engine.chain import ChainEvent, StoredEvent
from sop_engine.db.models import AuditEvent

#: Rows fetched at a time: enough to keep the round trips few, few enough to keep memory flat.
BATCH = 200


@contextmanager
def stored_events(session: Session, office_id: int) -> Iterator[Iterator[StoredEvent]]:
    """The office's events in chain order (``seq``, then ``id``), as :data:`sop_engine.chain.StoredEvent`;
    the cursor is closed on leaving the block, whether or not every event was read.
    """
    dialect = session.get_bind().dialect
    query = (
        select(
            AuditEvent.id,
            AuditEvent.seq,
            _utc_iso(AuditEvent.recorded_at, dialect),
            _utc_iso(AuditEvent.stated_at, dialect),
            AuditEvent.actor,
            AuditEvent.role,
            AuditEvent.action,
            AuditEvent.case_code,
            AuditEvent.step_no,
            AuditEvent.details,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        )
        .where(AuditEvent.office_id == office_id)
        .order_by(AuditEvent.seq, AuditEvent.id)
        .execution_options(yield_per=BATCH)
    )
    with session.connection().execute(query) as result:
        yield itertools.chain.from_iterable(cast(Iterator[list[StoredEvent]], result.partitions()))


def typed_event(session: Session) -> Callable[[int], ChainEvent]:
    """The event of a row id with its typed values (an ORM row), for the few the walk looks at again."""
    return lambda row_id: session.get_one(AuditEvent, row_id)


def _utc_iso(column: InstrumentedAttribute[object], dialect: Dialect) -> ColumnElement[str]:
    """The instant in ``column`` as ISO 8601 text in UTC, written by the database the way Python's
    ``isoformat`` writes it: ``2021-01-11T01:00:00+00:00``, the fraction only when it is not zero
    (``2021-01-11T01:00:00.250000+00:00``).
    """
    if dialect.name == "sqlite":  # stored as UTC text: 2021-01-11 01:00:00.000000
        spelled = func.replace(type_coerce(column, String), " ", "T")
    else:  # PostgreSQL: timestamptz, read in UTC
        spelled = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US')
    return type_coerce(func.replace(spelled, ".000000", ""), String) + "+00:00"
