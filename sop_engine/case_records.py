"""The records of a case as the services hand them out: plain frozen values, never ORM objects.

:func:`record_of` builds one from a case's ORM objects (after an action), :func:`record_from` from
its rows however they were read (a list page reads them without the ORM: several times faster for
fifty cases); the services of :mod:`sop_engine.cases` return these, and the front ends and
:mod:`sop_engine.views` read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row

from sop_engine import artefacts, workflows
from sop_engine.artefacts import ArtefactRecord
from sop_engine.context import Context
from sop_engine.db.models import Artefact, Case, CaseStep
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.machine import step_of


@dataclass(frozen=True)
class StepRecord:
    """One step of a case as the services hand it out."""

    no: int
    name: str
    role: str
    budget: str
    output: str
    file_rule: str
    status: StepStatus
    round: int
    activated_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    note: str | None
    overdue: bool
    artefacts: tuple[ArtefactRecord, ...]


@dataclass(frozen=True)
class CaseRecord:
    """A case with all its steps, as the services hand it out."""

    id: str
    workflow: str
    title: str
    year: int
    status: CaseStatus
    started_at: datetime
    started_by: str
    current_step: int | None
    finished_at: datetime | None
    cancel_reason: str | None
    definition_hash: str
    revision: date
    steps: tuple[StepRecord, ...]


@dataclass(frozen=True)
class CasePage:
    """One page of the case list and the cursor of the next page (None on the last page)."""

    items: tuple[CaseRecord, ...]
    next: str | None


def record_of(ctx: Context, case: Case, definition: WorkflowDef | None = None) -> CaseRecord:
    """The record of ``case``; ``definition`` is the one it is pinned to, when the caller has it parsed."""
    return record_from(ctx, case, case.steps, case.artefacts, definition or workflows.definition_of(case))


def record_from(
    ctx: Context,
    case: Case | Row[Any],
    steps: Sequence[CaseStep | Row[Any]],
    documents: Iterable[Artefact | Row[Any]],
    definition: WorkflowDef,
) -> CaseRecord:
    """The record of a case from its rows: ORM objects, or rows read without the ORM (a list page).

    ``steps`` in step order, ``documents`` oldest first; ``definition`` is the one the case is pinned to.
    """
    now = ctx.clock.now()
    by_step: dict[int, list[ArtefactRecord]] = {}
    for artefact in documents:
        by_step.setdefault(artefact.step_no, []).append(artefacts.record_of(artefact, case.code))
    return CaseRecord(
        id=case.code,
        workflow=case.workflow,
        title=definition.title,
        year=case.year,
        status=case.status,
        started_at=case.started_at,
        started_by=case.started_by,
        current_step=step_of(case.state),
        finished_at=case.finished_at,
        cancel_reason=case.cancel_reason,
        definition_hash=definition.content_hash,
        revision=definition.revision,
        steps=tuple(
            _step_record(row, step, now, tuple(by_step.get(row.no, ())))
            for row, step in zip(steps, definition.steps, strict=True)
        ),
    )


def _step_record(
    row: CaseStep | Row[Any], step: StepDef, now: datetime, documents: tuple[ArtefactRecord, ...]
) -> StepRecord:
    return StepRecord(
        no=row.no,
        name=step.name,
        role=step.role,
        budget=str(step.budget),
        output=step.output,
        file_rule=step.file_rule.value,
        status=row.status,
        round=row.round,
        activated_at=row.activated_at,
        due_at=row.due_at,
        completed_at=row.completed_at,
        completed_by=row.completed_by,
        note=row.note,
        overdue=_overdue(row, now),
        artefacts=documents,
    )


def _overdue(row: CaseStep | Row[Any], now: datetime) -> bool:
    if row.due_at is None:
        return False
    if row.status == StepStatus.ACTIVE:
        return now > row.due_at
    if row.status == StepStatus.DONE and row.completed_at is not None:
        return row.completed_at > row.due_at
    return False
