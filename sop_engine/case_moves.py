"""The writes of the case actions: what one step action changes, inside its transaction.

Loading the step an action works on (after :mod:`sop_engine.case_checks`), activating a step (its
round, deadline in working time and notifications), finishing it, moving the case to its next
state, storing the attached files, and the action's audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sop_engine import artefacts, audit, outbox, workflows
from sop_engine.artefacts import CheckedFile
from sop_engine.case_checks import require_step_role, require_workable
from sop_engine.context import Context
from sop_engine.db.models import Artefact, Case, CaseStep, Person
from sop_engine.db.queries import find_case, find_person
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.machine import step_of, step_state


@dataclass(frozen=True)
class StepAction:
    """The rows and definitions one step action works on, after its permission checks."""

    office_id: int
    case: Case
    definition: WorkflowDef
    step: StepDef
    row: CaseStep
    actor: Person
    role: str


def active_step(ctx: Context, session: Session, code: str, step_no: int, by: str) -> StepAction:
    """Load the case, step and actor, and check the case runs, the step is active and the role fits."""
    office = ctx.office(session)
    case = find_case(session, office.id, code)
    definition = workflows.definition_of(case)
    step = definition.step(step_no)
    actor = find_person(session, office.id, by)
    row = case.steps[step.no - 1]
    require_workable(ctx, case, row, step)
    role = require_step_role(actor, step)
    return StepAction(office.id, case, definition, step, row, actor, role)


def audit_step(
    ctx: Context,
    session: Session,
    act: StepAction,
    action: str,
    when: datetime,
    new_state: str,
    details: dict[str, Any],
) -> None:
    audit.append(
        session,
        act.office_id,
        actor=act.actor.username,
        role=act.role,
        action=action,
        recorded_at=ctx.clock.now(),
        stated_at=when,
        case=act.case.code,
        step=act.step.no,
        details={**details, "state_before": step_state(act.step.no), "state_after": new_state},
    )
    session.flush()


def activate(ctx: Context, session: Session, case: Case, row: CaseStep, step: StepDef, when: datetime) -> None:
    """Make ``step`` the active one: new round, deadline = now + budget in working time, its notifications."""
    row.status, row.round = StepStatus.ACTIVE, row.round + 1
    row.activated_at = when
    row.due_at = ctx.calendar.add_duration(when, step.budget)
    row.completed_at = row.completed_by = row.note = None
    outbox.schedule_step(ctx, session, case, row, step)


def finish(row: CaseStep, by: str, when: datetime, note: str | None) -> None:
    row.status, row.completed_at, row.completed_by = StepStatus.DONE, when, by
    row.note = note.strip() if note and note.strip() else None


def move(ctx: Context, session: Session, case: Case, definition: WorkflowDef, new_state: str, when: datetime) -> None:
    case.state = new_state
    next_no = step_of(new_state)
    if next_no is None:
        case.status, case.finished_at = CaseStatus.DONE, when
        return
    activate(ctx, session, case, case.steps[next_no - 1], definition.step(next_no), when)


def attach(
    ctx: Context,
    session: Session,
    case: Case,
    row: CaseStep,
    step: StepDef,
    checked: Sequence[CheckedFile],
    by: str,
    when: datetime,
) -> list[Artefact]:
    """Put the files in the store and record them; the rows commit with the step or not at all."""
    store = artefacts.store_for(ctx)
    stored: list[Artefact] = []
    for item in checked:
        store.put(item.incoming.path, item.sha256)
        artefact = Artefact(
            id=artefacts.new_artefact_id(),
            office_id=case.office_id,
            case_id=case.id,
            step_no=step.no,
            round=row.round,
            kind=step.output,
            file_kind=item.file_kind,
            filename=item.incoming.filename,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=by,
            uploaded_at=when,
            recorded_at=ctx.clock.now(),
        )
        case.artefacts.append(artefact)
        stored.append(artefact)
    session.flush()
    return stored


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
