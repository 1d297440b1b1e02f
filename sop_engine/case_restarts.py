"""Starting a cancelled year again: the new case's code, and the link between the two cases.

One case per office, workflow and year may be open (running or done); a cancelled case is kept as
it was and no longer holds its year (the partial unique index ``uq_cases_office_workflow_year_open``).
The case that starts the year again is coded ``lakip-2021-2`` (then ``-3``, ...) and names the
cancelled case it restarts in ``cases.restart_of``; the cancelled case finds its successor by
that column. Both directions are shown on each case's page and JSON.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update

from sop_engine.case_records import CaseRecord
from sop_engine.db.models import Case
from sop_engine.db.queries import table
from sop_engine.db.statuses import CaseStatus

_c = table(Case).c
_CODES = (
    select(_c.code)
    .where(_c.office_id == bindparam("office_id"), _c.workflow == bindparam("workflow"), _c.year == bindparam("year"))
    .order_by(_c.id)
)
#: The case that restarted a cancelled one: of its workflow and year (``ix_cases_office_year_code``; no index
#: holds ``restart_of``, so the year keeps the read to that year's few cases).
_SUCCESSOR = select(_c.code).where(
    _c.office_id == bindparam("office_id"),
    _c.year == bindparam("year"),
    _c.workflow == bindparam("workflow"),
    _c.restart_of == bindparam("code"),
)
_LINK = update(table(Case)).where(_c.id == bindparam("case_id")).values(restart_of=bindparam("restart_of"))


def new_code(conn: Connection, office_id: int, workflow: str, year: int) -> tuple[str, str | None]:
    """The code of a new case of ``workflow`` and ``year``, and the cancelled case it restarts (None: the first).

    Called after the check that no open case holds the year, so every case found is cancelled.
    """
    codes = conn.execute(_CODES, {"office_id": office_id, "workflow": workflow, "year": year}).scalars().all()
    base = f"{workflow}-{year}"
    if not codes:
        return base, None
    return f"{base}-{len(codes) + 1}", codes[-1]


def link(conn: Connection, case_id: int, restart_of: str | None) -> None:
    """Record on the new case (just inserted) the cancelled case it restarts."""
    if restart_of is not None:
        conn.execute(_LINK, {"case_id": case_id, "restart_of": restart_of})


def with_links(conn: Connection, row: Row[Any], record: CaseRecord) -> CaseRecord:
    """``record`` (of ``row``, the case's row of the cases table) with the cancelled case it restarts (the
    row's own ``restart_of``) and the case that restarted it: only a cancelled case has one, so only a
    cancelled case costs a query."""
    successor = None
    if row.status == CaseStatus.CANCELLED:
        params = {"office_id": row.office_id, "year": row.year, "workflow": row.workflow, "code": row.code}
        successor = conn.execute(_SUCCESSOR, params).scalar()
    return dataclasses.replace(record, restart_of=row.restart_of, restarted_as=successor)
