"""The office's figures an operator watches, read at the moment they are asked for (``GET /metrics``).

Each is one aggregate query: notifications pending and failed by kind, cases by status, and the
scheduler's lag, how long the oldest due notification has waited for a worker. The pending rows
and the lag are read through the outbox's partial index of pending rows (see
:mod:`sop_engine.notify.queue`), the failed rows through their own, so their cost does not grow
with the history; :func:`pending_query`, :func:`failed_query` and :func:`lag_query` build them so
that a test can read their plans.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, TypeVarTuple

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sop_engine.context import Context
from sop_engine.db.models import Case, Notification, Office
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus
from sop_engine.errors import SopError
from sop_engine.notify.queue import pending_rows

log = logging.getLogger(__name__)

Member = TypeVar("Member", NotificationKind, CaseStatus)
Row = TypeVarTuple("Row")


@dataclass(frozen=True)
class OfficeFigures:
    """Counts by kind or status (every member present, 0 where none) and the scheduler's lag."""

    pending: Mapping[NotificationKind, int]
    failed: Mapping[NotificationKind, int]
    cases: Mapping[CaseStatus, int]
    #: Seconds the oldest notification due by now has waited; 0 when none waits.
    scheduler_lag_seconds: float


def office_figures(ctx: Context) -> OfficeFigures | None:
    """The figures now, or None (logged) when the database cannot give them."""
    try:
        with ctx.db.read() as session:
            office_id = ctx.office(session).id
            return _figures(session, ctx.clock.now(), [office_id])[office_id]
    except (SQLAlchemyError, SopError) as exc:
        log.warning("office figures unavailable: %s", type(exc).__name__, exc_info=True)
        return None


def figures_by_office(ctx: Context) -> dict[str, OfficeFigures] | None:
    """Every office's figures by kode satker (a central install), or None (logged); the same four queries."""
    try:
        with ctx.db.read() as session:
            offices = {
                row.id: row.code for row in session.execute(select(Office.id, Office.code).order_by(Office.code))
            }
            found = _figures(session, ctx.clock.now(), list(offices), every=True)
            return {code: found[office_id] for office_id, code in offices.items()}
    except SQLAlchemyError as exc:
        log.warning("office figures unavailable: %s", type(exc).__name__, exc_info=True)
        return None


def office_count(ctx: Context) -> int | None:
    """How many offices the database holds; None (logged) when it cannot say."""
    try:
        with ctx.db.read() as session:
            return session.scalar(select(func.count(Office.id))) or 0
    except SQLAlchemyError as exc:
        log.warning("office count unavailable: %s", type(exc).__name__, exc_info=True)
        return None


def _figures(session: Session, now: datetime, ids: list[int], every: bool = False) -> dict[int, OfficeFigures]:
    """The figures of the one office in ``ids`` (``every``: of every office, all listed in ``ids``) by row id."""
    office_id = None if every else ids[0]
    cases = select(Case.office_id, Case.status, func.count()).group_by(Case.office_id, Case.status)
    if office_id is not None:
        cases = cases.where(Case.office_id == office_id)
    pending = _counts(session, pending_query(office_id), NotificationKind, ids)
    failed = _counts(session, failed_query(office_id), NotificationKind, ids)
    by_status = _counts(session, cases, CaseStatus, ids)
    oldest = {office: at for office, at in session.execute(lag_query(office_id, now))}
    return {
        office: OfficeFigures(
            pending=pending[office],
            failed=failed[office],
            cases=by_status[office],
            scheduler_lag_seconds=_lag(now, oldest.get(office)),
        )
        for office in ids
    }


def _lag(now: datetime, oldest: datetime | None) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


def pending_query(office_id: int | None) -> Select[int, NotificationKind, int]:
    """The office's pending notifications counted by kind (None: every office's, by office)."""
    query = select(Notification.office_id, Notification.kind, func.count()).where(pending_rows())
    return _of(query, office_id).group_by(Notification.office_id, Notification.kind)


def failed_query(office_id: int | None) -> Select[int, NotificationKind, int]:
    """The office's failed notifications counted by kind (through ``ix_notifications_failed``)."""
    failed = Notification.status == literal_column(f"'{NotificationStatus.FAILED.value}'")  # matches the index
    query = select(Notification.office_id, Notification.kind, func.count()).where(failed)
    return _of(query, office_id).group_by(Notification.office_id, Notification.kind)


def lag_query(office_id: int | None, now: datetime) -> Select[int, datetime]:
    """When the oldest pending notification due by ``now`` became due, by office (no row: none is)."""
    query = select(Notification.office_id, func.min(Notification.next_attempt_at)).where(
        pending_rows(), Notification.next_attempt_at <= now
    )
    return _of(query, office_id).group_by(Notification.office_id)


def _of(query: Select[*Row], office_id: int | None) -> Select[*Row]:
    return query if office_id is None else query.where(Notification.office_id == office_id)


def _counts(
    session: Session, query: Select[int, Member, int], members: type[Member], offices: list[int]
) -> dict[int, dict[Member, int]]:
    """Every member's count for each office of ``offices`` (0 where none)."""
    found: dict[int, dict[Member, int]] = {office: dict.fromkeys(members, 0) for office in offices}
    for office, value, count in session.execute(query):
        if office in found:
            found[office][members(value)] = count
    return found
