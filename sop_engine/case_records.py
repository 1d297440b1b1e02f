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
from sop_engine.case_rows import CaseRow
from sop_engine.context import Context
from sop_engine.critical_path import label_of
from sop_engine.db.models import Artefact, Case, CaseStep
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import FileRule, StepDef, WorkflowDef
from sop_engine.machine import machine_for, step_of
from sop_engine.marking import sources_of


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
    #: Every role of the step's paraf chain, in order (one for an ordinary step); ``role`` is the
    #: one whose turn it is while the step is active, else the first.
    actors: tuple[str, ...] = ()
    #: The position reached in the paraf chain while the step is active (0: the first actor's turn).
    paraf: int = 0
    #: A decision step's answer while it stands: "ya" or "tidak" (None for a process step, or not answered).
    answer: str | None = None
    #: The steps it waits for (:func:`sop_engine.marking.in_edges`): where its input documents come from.
    sources: tuple[int, ...] = ()
    #: The workflow a ``jalankan`` step runs as a linked case (None for a step people complete).
    runs: str | None = None
    #: A paraf chain's progress in the step's current round: each actor in order, who confirmed and
    #: when (read with one case, see :mod:`sop_engine.case_parafs`; empty otherwise).
    parafs: tuple[Paraf, ...] = ()

    @property
    def turn(self) -> int | None:
        """The place in the paraf chain whose turn it is (0: the first actor); None unless the step is active."""
        return self.paraf if self.status == StepStatus.ACTIVE else None

    @property
    def takes_files(self) -> bool:
        """Whether a file is attached at this step (``berkas`` is not "tidak")."""
        return self.file_rule != FileRule.NONE.value


@dataclass(frozen=True)
class Paraf:
    """One actor of a paraf chain in a step's current round: ``by`` and ``at`` None until they confirm."""

    role: str
    by: str | None = None
    at: datetime | None = None


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
    #: The cancelled case of the same year this one starts again, and the case that started this one
    #: again after it was cancelled (read with one case, not with a list; see :mod:`sop_engine.case_restarts`).
    restart_of: str | None = None
    restarted_as: str | None = None
    #: Every active step, lowest first (``current_step`` is the first; several when steps run in parallel).
    active_steps: tuple[int, ...] = ()
    #: The case and step whose ``jalankan`` started this case, and the (step, code, status) of the cases this
    #: case's ``jalankan`` steps started (read with one case; see :mod:`sop_engine.case_links`).
    part_of: tuple[str, int] | None = None
    linked_cases: tuple[tuple[int, str, CaseStatus], ...] = ()


@dataclass(frozen=True)
class CasePage:
    """One page of the case list and the cursor of the next page (None on the last page)."""

    items: tuple[CaseRecord, ...]
    next: str | None


#: What a step row holds, in this order: no, status, round, activated_at, due_at, completed_at,
#: completed_by, note, answer (a page selects these columns; an action's ORM step gives the same values).
StepValues = tuple[
    int, StepStatus, int, datetime | None, datetime | None, datetime | None, str | None, str | None, str | None
]
STEP_COLUMNS = (
    CaseStep.no,
    CaseStep.status,
    CaseStep.round,
    CaseStep.activated_at,
    CaseStep.due_at,
    CaseStep.completed_at,
    CaseStep.completed_by,
    CaseStep.note,
    CaseStep.answer,
)


def record_of(ctx: Context, case: Case, definition: WorkflowDef | None = None) -> CaseRecord:
    """The record of ``case``; ``definition`` is the one it is pinned to, when the caller has it parsed."""
    steps = [
        (s.no, s.status, s.round, s.activated_at, s.due_at, s.completed_at, s.completed_by, s.note, s.answer)
        for s in case.steps
    ]
    return record_from(ctx, case, steps, case.artefacts, definition or workflows.definition_of(case))


def record_from(
    ctx: Context,
    case: Case | Row[Any] | CaseRow,
    steps: Sequence[StepValues],
    documents: Iterable[Artefact | Row[Any] | ArtefactRecord],
    definition: WorkflowDef,
) -> CaseRecord:
    """The record of a case from its rows: ORM objects, rows read without the ORM (a list page), or
    the plain rows a step action worked on (its documents already records).

    ``steps`` in step order, ``documents`` oldest first; ``definition`` is the one the case is pinned to.
    """
    now = ctx.clock.now()
    active = tuple(values[0] for values in steps if values[1] == StepStatus.ACTIVE)
    chained = any(len(definition.step(no).actors) > 1 for no in active)
    marking = machine_for(definition).marking(case.state) if chained else None
    lookup = workflows.lookup(ctx)
    sources = sources_of(definition)
    by_step: dict[int, list[ArtefactRecord]] = {}
    for artefact in documents:
        if isinstance(artefact, ArtefactRecord):
            by_step.setdefault(artefact.step, []).append(artefact)
        else:
            by_step.setdefault(artefact.step_no, []).append(artefacts.record_of(artefact, case.code))
    return CaseRecord(
        id=case.code,
        workflow=case.workflow,
        title=definition.title,
        year=case.year,
        status=case.status,
        started_at=case.started_at,
        started_by=case.started_by,
        current_step=active[0] if active else step_of(case.state),
        finished_at=case.finished_at,
        cancel_reason=case.cancel_reason,
        definition_hash=definition.content_hash,
        revision=definition.revision,
        steps=tuple(
            _step_record(
                values,
                step,
                label_of(ctx.calendar, step, lookup),
                now,
                tuple(by_step.get(values[0], ())),
                marking.at(step.no) if marking else 0,
                sources[step.no],
            )
            for values, step in zip(steps, definition.steps, strict=True)
        ),
        active_steps=active,
    )


def _step_record(
    values: StepValues,
    step: StepDef,
    budget: str,
    now: datetime,
    documents: tuple[ArtefactRecord, ...],
    paraf: int = 0,
    sources: tuple[int, ...] = (),
) -> StepRecord:
    no, status, round_, activated_at, due_at, completed_at, completed_by, note, answer = values
    paraf = paraf if status == StepStatus.ACTIVE else 0
    return StepRecord(
        no=no,
        name=step.name,
        role=step.actors[paraf],
        budget=budget,
        output=step.output,
        file_rule=step.file_rule.value,
        status=status,
        round=round_,
        activated_at=activated_at,
        due_at=due_at,
        completed_at=completed_at,
        completed_by=completed_by,
        note=note,
        answer=answer,
        overdue=_overdue(status, due_at, completed_at, now),
        artefacts=documents,
        actors=step.actors,
        paraf=paraf,
        sources=sources,
        runs=step.runs,
    )


def by_hand(step: StepDef | StepRecord) -> bool:
    """Whether people complete ``step``: not a ``jalankan`` step, which completes when its linked case is done."""
    return step.runs is None


def _overdue(status: StepStatus, due_at: datetime | None, completed_at: datetime | None, now: datetime) -> bool:
    if due_at is None:
        return False
    if status == StepStatus.ACTIVE:
        return now > due_at
    if status == StepStatus.DONE and completed_at is not None:
        return completed_at > due_at
    return False
