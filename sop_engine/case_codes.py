"""The code of a new case, by its workflow's case policy (``kasus`` in ``[workflow]``).

A yearly workflow (``kasus = "tahunan"``, the default) has one case a year, coded ``lakip-2021``;
starting a second is refused naming the first. A ``kasus = "bebas"`` workflow has any number,
numbered within the year from 1 in the order they start: ``surat-masuk-2021-0001``, ``-0002``.
The number is also kept in ``cases.serial``, which exempts the case from the one-a-year index.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from sop_engine import case_restarts
from sop_engine.case_checks import require_no_case
from sop_engine.db.models import Case
from sop_engine.db.queries import table
from sop_engine.definitions import CasePolicy, WorkflowDef
from sop_engine.errors import Conflict
from sop_engine.remedies import Hint, Remedy

_c = table(Case).c
_LAST_SERIAL = select(func.max(_c.serial)).where(
    _c.office_id == bindparam("office_id"), _c.workflow == bindparam("workflow"), _c.year == bindparam("year")
)


def new_code(
    session: Session, office_id: int, definition: WorkflowDef, year: int
) -> tuple[str, int | None, str | None]:
    """The code of the next case of ``definition`` in ``year``, its serial (None for a yearly workflow) and
    the cancelled case of the year it restarts (:mod:`sop_engine.case_restarts`; None: the first start).

    A yearly workflow that already has its open case of the year is refused (Conflict naming that case).
    """
    yearly = f"{definition.name}-{year}"
    if definition.cases is CasePolicy.YEARLY:
        require_no_case(session, office_id, definition.name, year, yearly)
        code, restart_of = case_restarts.new_code(session.connection(), office_id, definition.name, year)
        return code, None, restart_of
    params = {"office_id": office_id, "workflow": definition.name, "year": year}
    serial = (session.connection().scalar(_LAST_SERIAL, params) or 0) + 1
    return f"{yearly}-{serial:04d}", serial, None


def explain_race(session: Session, office_id: int, workflow: str, year: int, code: str) -> None:
    """Explain a start that lost a race on the unique indexes to a concurrent start of the same code or year."""
    if code == f"{workflow}-{year}":
        require_no_case(session, office_id, workflow, year, code)
        return
    raise Conflict(
        f"Kasus {code} baru saja dimulai oleh orang lain pada saat yang sama; mulai lagi untuk kasus berikutnya.",
        value=code,
        hint=Hint(Remedy.SHOW_CASE, case=code),
    )
