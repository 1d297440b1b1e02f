"""The event log of process mining, built from the runs of steps: what XES and OCEL both write.

Each run of a step gives a ``start`` event (when the step became active, the step's role) and,
once it ended, an event of its outcome by the person who ended it, in the lifecycle of IEEE 1849
(XES): ``complete`` (done), ``ate_abort`` (work sent back), ``manualskip`` (a step not taken),
``pi_abort`` (the case cancelled). The activity is the step's number and uraian ("3. Menyusun
..."), so that a process-mining tool keeps steps of the same name apart. Durations are in working
time of the office calendar (process-mining tools know no holidays): the run's working seconds
and the step's budget (mutu baku) in seconds. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sop_engine.calendar import WorkingCalendar
from sop_engine.critical_path import Lookup, no_lookup, step_seconds
from sop_engine.definitions import WorkflowDef
from sop_engine.step_runs import CaseTrail, Outcome, StepRun
from sop_engine.trails import Trails

#: The XES lifecycle transition that ends a run of each outcome.
LIFECYCLE = {
    Outcome.DONE: "complete",
    Outcome.RETURNED: "ate_abort",
    Outcome.SKIPPED: "manualskip",
    Outcome.CANCELLED: "pi_abort",
}


@dataclass(frozen=True)
class LogEvent:
    """One event of the log: a run of a step starting, or ending with its outcome."""

    case: str
    activity: str
    lifecycle: str
    at: datetime
    #: Who ended the run (None for a start: the step was activated by the move of another).
    resource: str | None
    #: The role the step belongs to (start) or that its actor acted in (end).
    role: str
    run: StepRun
    budget_seconds: int


@dataclass(frozen=True)
class LogCase:
    """One case of the log with its events in time order."""

    trail: CaseTrail
    definition: WorkflowDef
    events: tuple[LogEvent, ...]


def activity(definition: WorkflowDef, no: int) -> str:
    """The activity name of step ``no``: its number and uraian."""
    return f"{no}. {definition.step(no).name}"


def event_log(trails: Trails, calendar: WorkingCalendar, lookup: Lookup = no_lookup) -> list[LogCase]:
    """The log of every case in ``trails``, events ordered by time (start before end at one instant)."""
    cases = []
    for trail in trails.cases:
        definition = trails.definition(trail)
        events = [event for run in trail.runs for event in _events(trail, definition, run, calendar, lookup)]
        events.sort(key=lambda e: (e.at, e.lifecycle != "start", e.run.seq))
        cases.append(LogCase(trail, definition, tuple(events)))
    return cases


def _events(
    trail: CaseTrail, definition: WorkflowDef, run: StepRun, calendar: WorkingCalendar, lookup: Lookup
) -> Iterator[LogEvent]:
    step = definition.step(run.step)
    budget = step_seconds(calendar, step, lookup)
    name = activity(definition, run.step)
    if run.outcome is not Outcome.SKIPPED:
        yield LogEvent(trail.case, name, "start", run.started_at, None, step.role, run, budget)
    if run.ended_at is not None and run.outcome in LIFECYCLE:
        role = run.role or step.role
        yield LogEvent(trail.case, name, LIFECYCLE[run.outcome], run.ended_at, run.actor, role, run, budget)


def working_hours(seconds: int) -> float:
    """Working seconds as hours, to two decimals."""
    return round(seconds / 3600, 2)


def local_time(at: datetime, tz: ZoneInfo) -> str:
    """``at`` in ISO 8601 in the office zone, with milliseconds and its offset."""
    return at.astimezone(tz).isoformat(timespec="milliseconds")
