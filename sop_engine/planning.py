"""Planning in working time: when a case must start, and when a running case will finish.

The scheduler looks forward from a step's activation to its deadline; an office also needs the
other direction. ``sop plan lakip --deadline T`` asks "by when must each step start so the whole
case still finishes by T?" (:func:`plan_backwards`), and ``sop case show`` asks "if every step
left takes its whole budget, when does this case finish, and how much working time is left
before the office's submission deadline?" (:func:`project`). Both are pure functions of the
calendar, the definition and the case record (and a lookup of the SOPs that ``jalankan`` steps
without ``waktu`` run): no database, no clock.

Both follow the step graph (:mod:`sop_engine.critical_path`): parallel branches run side by side,
a join waits for all of them, a decision's forward branches are both planned (either may be
taken), returns are not planned. The finish of a case is the end of its critical path.

Planning back then forward returns the deadline: ``plan_forwards(cal, d, plan.start_by)`` yields
exactly the ``latest_finish`` of each step on the critical path (of every step for a straight
SOP), the latest being ``plan.effective_deadline``. For that, every ``latest_finish`` is a moment
a deadline can fall on (inside a working period or at its end, never at a period's opening or
outside working time); see :func:`last_working_moment`.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sop_engine import workflows
from sop_engine.calendar import WorkingCalendar
from sop_engine.cases import CaseRecord
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.critical_path import Lookup, budget_label, finish_at, finishes, no_lookup, path_seconds, step_seconds
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import WorkflowDef
from sop_engine.marking import in_edges, out_edges

__all__ = [
    "Plan",
    "PlannedStep",
    "Projection",
    "case_projection",
    "forward_spans",
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
    #: The step's budget as the SOP writes it, e.g. "4 hari" (:func:`sop_engine.critical_path.budget_label`).
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
    #: The critical path in working seconds (for a straight SOP, the sum of the step budgets).
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


def plan_backwards(
    calendar: WorkingCalendar, definition: WorkflowDef, deadline: datetime, lookup: Lookup = no_lookup
) -> Plan:
    """The latest start and finish of every step so the case finishes by ``deadline``.

    A step no other step waits for finishes at the effective deadline; each step starts its budget
    of working time before its finish (``calendar.subtract``), and a step others wait for must
    finish by the last working moment at or before the earliest of their starts (the same instant,
    except that a start at a period's opening, e.g. 13:00, makes the finish the close before it,
    12:00). ``lookup`` finds the SOP a ``jalankan`` step without ``waktu`` runs.
    """
    given = to_utc(deadline)
    effective = last_working_moment(calendar, given)
    successors = out_edges(in_edges(definition.steps))
    starts: dict[int, datetime] = {}
    planned: list[PlannedStep] = []
    for step in reversed(definition.steps):
        later = [starts[no] for no in successors[step.no]]
        finish = last_working_moment(calendar, min(later)) if later else effective
        seconds = step_seconds(calendar, step, lookup)
        starts[step.no] = start = calendar.subtract(finish, seconds)
        label = budget_label(step, seconds, calendar.jam_kerja_per_hari)
        planned.append(PlannedStep(step.no, step.name, step.role, label, start, finish))
    steps = tuple(reversed(planned))
    total = path_seconds(calendar, definition, lookup)
    return Plan(definition.name, given, effective, steps[0].latest_start, steps, total)


def plan_forwards(
    calendar: WorkingCalendar, definition: WorkflowDef, start: datetime, lookup: Lookup = no_lookup
) -> tuple[datetime, ...]:
    """The deadline (UTC) of each step when each takes its whole budget, step 1 starting at ``start``.

    A step starts when the last step it waits for is due; the latest element is the finish of the
    case (for a straight SOP, the last one).
    """
    return tuple(end for _, end in forward_spans(calendar, definition, start, lookup))


def forward_spans(
    calendar: WorkingCalendar, definition: WorkflowDef, start: datetime, lookup: Lookup = no_lookup
) -> tuple[tuple[datetime, datetime], ...]:
    """(start, deadline) in UTC of each step as :func:`plan_forwards` plans it."""
    begin = to_utc(start)
    first = definition.first_step
    ends = finishes(
        calendar, definition, {first.no: calendar.add(begin, step_seconds(calendar, first, lookup))}, lookup
    )
    sources = in_edges(definition.steps)
    return tuple(
        (max((ends[source] for source in sources[step.no]), default=begin), ends[step.no]) for step in definition.steps
    )


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
    lookup: Lookup = no_lookup,
) -> Projection:
    """The projected finish of ``case`` and its slack against the submission deadline (if it has one).

    ``definition`` must be the one the case is pinned to (same content hash). A done case
    finished at ``finished_at``; a cancelled one has no finish. In a running case each active
    step ends at its ``due_at`` if that is still ahead, else now (it cannot end earlier than
    ``now``); every step after them then takes its whole budget in working time, starting when
    all it waits for have ended, and the case finishes when the last of them does (the critical
    path from the active steps; :mod:`sop_engine.critical_path`).
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
        finish = _projected_finish(calendar, definition, case, now, lookup)
    slack = None if finish is None or deadline is None else calendar.working_seconds_between(finish, deadline)
    return Projection(finish, deadline, slack, late)


# -- internals ---------------------------------------------------------------------------------


def _projected_finish(
    calendar: WorkingCalendar, definition: WorkflowDef, case: CaseRecord, now: datetime, lookup: Lookup
) -> datetime:
    """The finish of a running case: the active steps end as :func:`project` says, the rest take their budgets."""
    active = [s for s in case.steps if s.status == StepStatus.ACTIVE]
    ends = {s.no: max(s.due_at, now) for s in active if s.due_at is not None}
    if not active or len(ends) < len(active):
        raise ValueError(f"running case {case.id} has no active step with a deadline")
    skipped = frozenset(s.no for s in case.steps if s.status == StepStatus.SKIPPED)
    return finish_at(calendar, definition, ends, lookup, skipped)


def _local_date(calendar: WorkingCalendar, instant: datetime) -> date:
    return instant.astimezone(calendar.tz).date()


# --- for front ends: the same functions with their inputs looked up --------------------------


def plan_workflow(ctx: Context, workflow: str, deadline: datetime) -> Plan:
    """The backward plan of the current revision of ``workflow`` for ``deadline``."""
    return plan_backwards(ctx.calendar, workflows.show(ctx, workflow), deadline, workflows.lookup(ctx))


def case_projection(ctx: Context, case: CaseRecord) -> Projection:
    """The projected finish of ``case`` under its pinned definition, against that definition's ``tenggat``."""
    definition = workflows.by_hash(ctx, case.definition_hash)
    return project(ctx.calendar, definition, case, ctx.clock.now(), definition.deadline, workflows.lookup(ctx))
