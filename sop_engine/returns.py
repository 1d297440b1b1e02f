"""Work sent back to an earlier step, with its reason: the ``step_returns`` rows of a case.

:func:`sop_engine.cases.return_step` writes the row in the same transaction as the step change
and its ``step.returned`` audit event. The case page reads the rows; the event stays the evidence
(:mod:`sop_engine.reconcile` names a row that disagrees with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from sop_engine.context import Context
from sop_engine.db.models import StepReturn
from sop_engine.db.queries import case_row, find_case


@dataclass(frozen=True)
class ReturnRecord:
    """One return: from which step to which, the round the target restarted with, who, why, when."""

    from_step: int
    to_step: int
    round: int
    by: str
    reason: str
    #: When the person said it happened (``--at``), and when it was recorded.
    stated_at: datetime
    recorded_at: datetime


def list_returns(ctx: Context, code: str) -> tuple[ReturnRecord, ...]:
    """The returns of case ``code``, oldest first (NotFound if there is no such case)."""
    with ctx.db.read() as session:
        office_id = ctx.office(session).id
        case = case_row(session, office_id, code) or find_case(session, office_id, code)  # the latter: NotFound
        rows = session.scalars(select(StepReturn).where(StepReturn.case_id == case.id).order_by(StepReturn.id))
        return tuple(
            ReturnRecord(r.from_step, r.to_step, r.round, r.returned_by, r.reason, r.stated_at, r.recorded_at)
            for r in rows
        )
