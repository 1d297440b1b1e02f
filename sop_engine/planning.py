"""Planning in working time: when a case must start, and when a running case will finish.

The scheduler looks forward from a step's activation to its deadline; an office also needs the
other direction. ``sop plan lakip --deadline T`` asks "by when must each step start so the whole
case still finishes by T?" (:func:`plan_backwards`), and ``sop case show`` asks "if every step
left takes its whole budget, when does this case finish, and how much working time is left
before the office's submission deadline?" (:func:`project`). Both are pure functions of the
calendar, the definition and the case record: no database, no clock.

Planning back then forward returns the deadline: ``plan_forwards(cal, d, plan.start_by)`` yields
exactly each step's ``latest_finish``, the last one being ``plan.effective_deadline``. For that,
every ``latest_finish`` is a moment a deadline can fall on (inside a working period or at its
end, never at a period's opening or outside working time); see :func:`last_working_moment`.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sop_engine import workflows
from sop_engine.calendar import WorkingCalendar
from sop_engine.cases import CaseRecord
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import StepDef, WorkflowDef

__all__ = [
    "Plan",
    "PlannedStep",
    "Projection",
    "case_projection",
    "last_working_moment",
    "plan_backwards",
    "plan_forwards",
    "plan_workflow",
    "project",
    "submission_deadline_at",
]


@dataclass(frozen=True)
class PlannedStep:
    """One step of a backward plan: the latest moments it may start and must finish."""

    no: int
    name: str
    role: str
    #: The step's budget as the SOP writes it, e.g. "4 hari".
    budget: str
    #: Aware UTC; may be the opening of a working period (Monday 07:30).
    latest_start: datetime
    #: Aware UTC; always a moment a deadline can fall on (12:00, never 13:00).
    latest_finish: datetime


@dataclass(frozen=True)
class Plan:
    """A whole workflow planned back from a deadline."""

    workflow: str
    #: The deadline as given, aware UTC.
    deadline: datetime
    #: The last working moment at or before :attr:`deadline`; the plan is computed against it.
    effective_deadline: datetime
    #: Latest start of the first step.
    start_by: datetime
    steps: tuple[PlannedStep, ...]
    #: Sum of the step budgets in working seconds.
    total_seconds: int


@dataclass(frozen=True)
class Projection:
    """Where a case stands against its workflow's deadline (``tenggat``) in the case's year."""

    #: Projected finish of the whole case (aware UTC); ``None`` for a cancelled case.
    finish: datetime | None
    #: End of the last working period on or before the ``tenggat`` of the case's year; None without one.
    deadline: datetime | None
    #: Working seconds from :attr:`finish` to :attr:`deadline`; negative when projected late; None without both.
    slack_seconds: int | None
    #: Numbers of the active steps past their deadline at ``now``.
    late_steps: tuple[int, ...]


def last_working_moment(calendar: WorkingCalendar, at: datetime) -> datetime:
    """The latest instant (UTC) at or before ``at`` that a deadline can fall on.

    That is ``at`` itself when it lies in a working period or at its end (``start < at <= end``),
    else the end of the last working period before it: Sunday → Friday 16:30, 12:30 and 13:00 →
    12:00, Monday 07:30 → Friday 16:30. The mirror of ``calendar.next_working_moment``.
    """
    instant = to_utc(at)
    if any(begin < instant <= end for begin, end in calendar.periods(_local_date(calendar, instant))):
        return instant
    # One working second before `instant` lies in the last period that ends before it.
    probe = calendar.subtract(instant, 1)
    return next(end for begin, end in calendar.periods(_local_date(calendar, probe)) if begin <= probe < end)


def plan_backwards(calendar: WorkingCalendar, definition: WorkflowDef, deadline: datetime) -> Plan:
    """The latest start and finish of every step so the case finishes by ``deadline``.

    The last step finishes at the effective deadline; each step starts its budget of working time
    before its finish (``calendar.subtract``), and the step before it must finish by the last
    working moment at or before that start (the same instant, except that a start at a period's
    opening, e.g. 13:00, makes the previous finish the close before it, 12:00).
    """
    given = to_utc(deadline)
    effective = last_working_moment(calendar, given)
    finish, planned = effective, []
    for step in reversed(definition.steps):
        start = calendar.subtract(finish, calendar.budget_seconds(step.budget))
        planned.append(PlannedStep(step.no, step.name, step.role, str(step.budget), start, finish))
        finish = last_working_moment(calendar, start)
    steps = tuple(reversed(planned))
    total = sum(calendar.budget_seconds(step.budget) for step in definition.steps)
    return Plan(definition.name, given, effective, steps[0].latest_start, steps, total)


def plan_forwards(calendar: WorkingCalendar, definition: WorkflowDef, start: datetime) -> tuple[datetime, ...]:
    """The deadline (UTC) of each step when each takes its whole budget, step 1 starting at ``start``.

    Step n+1 starts at step n's deadline; the last element is the finish of the case.
    """
    return _chain(calendar, definition.steps, to_utc(start))


def submission_deadline_at(calendar: WorkingCalendar, year: int, month_day: tuple[int, int]) -> datetime:
    """The end of the last working period on or before ``month_day`` of ``year`` (UTC).

    29 February in a year without it means 28 February.
    """
    month, day = month_day
    last_day = date(year, month, min(day, monthrange(year, month)[1]))
    next_midnight = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=calendar.tz)
    return last_working_moment(calendar, next_midnight)


def project(
    calendar: WorkingCalendar,
    definition: WorkflowDef,
    case: CaseRecord,
    now: datetime,
    submission_deadline: tuple[int, int] | None,
) -> Projection:
    """The projected finish of ``case`` and its slack against the submission deadline (if it has one).

    ``definition`` must be the one the case is pinned to (same content hash). A done case
    finished at ``finished_at``; a cancelled one has no finish. In a running case the active
    step ends at its ``due_at`` if that is still ahead, else now (it cannot end earlier than
    ``now``); every later step then takes its whole budget in working time.
    """
    if definition.content_hash != case.definition_hash:
        raise ValueError(f"case {case.id} runs under definition {case.definition_hash}, not {definition.content_hash}")
    now = to_utc(now)
    deadline = None if submission_deadline is None else submission_deadline_at(calendar, case.year, submission_deadline)
    late = tuple(s.no for s in case.steps if s.status == StepStatus.ACTIVE and s.due_at is not None and now > s.due_at)
    finish: datetime | None
    if case.status == CaseStatus.CANCELLED:
        finish, late = None, ()
    elif case.status == CaseStatus.DONE:
        finish = case.finished_at
    else:
        finish = _projected_finish(calendar, definition, case, now)
    slack = None if finish is None or deadline is None else calendar.working_seconds_between(finish, deadline)
    return Projection(finish, deadline, slack, late)


# -- internals ---------------------------------------------------------------------------------


def _projected_finish(calendar: WorkingCalendar, definition: WorkflowDef, case: CaseRecord, now: datetime) -> datetime:
    """The finish of a running case: the active step ends as :func:`project` says, the rest take their budgets."""
    active = next((s for s in case.steps if s.status == StepStatus.ACTIVE), None)
    if active is None or active.due_at is None:
        raise ValueError(f"running case {case.id} has no active step with a deadline")
    active_end = max(active.due_at, now)
    later = definition.steps[active.no :]
    return _chain(calendar, later, active_end)[-1] if later else active_end


def _chain(calendar: WorkingCalendar, steps: Iterable[StepDef], start: datetime) -> tuple[datetime, ...]:
    """Each step's deadline when each starts at the previous one's deadline, the first at ``start``."""
    deadlines, current = [], start
    for step in steps:
        current = calendar.add_duration(current, step.budget)
        deadlines.append(current)
    return tuple(deadlines)


def _local_date(calendar: WorkingCalendar, instant: datetime) -> date:
    return instant.astimezone(calendar.tz).date()


# --- for front ends: the same functions with their inputs looked up --------------------------


def plan_workflow(ctx: Context, workflow: str, deadline: datetime) -> Plan:
    """The backward plan of the current revision of ``workflow`` for ``deadline``."""
    return plan_backwards(ctx.calendar, workflows.show(ctx, workflow), deadline)


def case_projection(ctx: Context, case: CaseRecord) -> Projection:
    """The projected finish of ``case`` under its pinned definition, against that definition's ``tenggat``."""
    definition = workflows.by_hash(ctx, case.definition_hash)
    return project(ctx.calendar, definition, case, ctx.clock.now(), definition.deadline)
