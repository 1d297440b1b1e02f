"""The runs of steps read from the audit trail: each time a step of a case was active, from when to when,
how it ended, and its working time.

The process-mining export (:mod:`sop_engine.mining`) and the monitoring evaluation
(:mod:`sop_engine.evaluation`) both count *runs*, never the case tables: the tables keep only
a step's latest round, the trail keeps every one. A run starts when an event activates its step
and ends when an event completes, returns, skips or cancels it.

Which steps an event activates is read from the event itself, so that runs stay right when a
definition lets steps be skipped or run side by side: an event's ``activated`` detail (a list
of step numbers) when it has one, else the single step its ``state_after`` names (``step_N``, the
linear definitions of today), else the event's own step for ``case.started``. An event's
``skipped`` detail (a list of step numbers) ends those steps as skipped. Pure: plain values in,
plain values out; working time is measured on the injected :class:`WorkingCalendar`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sop_engine.calendar import WorkingCalendar
from sop_engine.machine import step_of


class Outcome(StrEnum):
    """How a run of a step ended."""

    DONE = "selesai"
    RETURNED = "dikembalikan"
    SKIPPED = "dilewati"
    CANCELLED = "dibatalkan"
    #: Still active when the trail was read.
    ACTIVE = "berjalan"


class Fact(Protocol):
    """The part of an audit event the runs are read from (an :class:`~sop_engine.audit.AuditRecord` fits)."""

    @property
    def seq(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def stated_at(self) -> datetime: ...
    @property
    def case(self) -> str | None: ...
    @property
    def step(self) -> int | None: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class StepRun:
    """One round of one step of a case, as the trail tells it."""

    case: str
    step: int
    round: int
    started_at: datetime
    #: When it was completed, returned, skipped or cancelled; None while active.
    ended_at: datetime | None
    outcome: Outcome
    #: Who ended it and in which role (None while active).
    actor: str | None
    role: str | None
    #: The deadline of the round when the trail records it.
    due_at: datetime | None
    late: bool
    #: Working seconds from start to end (to ``now`` while active).
    working_seconds: int
    #: The seq of the event that ended it (that started it, while active).
    seq: int
    #: The step the work was sent back to, for a returned run.
    returned_to: int | None = None
    #: The documents attached when it ended: (id, filename, sha256, size).
    files: tuple[tuple[str, str, str, int], ...] = ()
    #: A decision's answer that ended it ("ya" or "tidak", the event's ``answer`` detail); None for other runs.
    answer: str | None = None


@dataclass(frozen=True)
class CaseTrail:
    """A case as the trail tells it: its workflow, the revision it is pinned to, and its runs in order."""

    case: str
    workflow: str
    definition_sha256: str
    started_at: datetime
    started_by: str
    status: str
    runs: tuple[StepRun, ...]


@dataclass
class _Open:
    step: int
    round: int
    started_at: datetime
    seq: int
    due_at: datetime | None = None
    #: The files attached by the earlier actors of a paraf chain (``step.confirmed``), for the run's end.
    files: tuple[tuple[str, str, str, int], ...] = ()


@dataclass
class _Case:
    fact: Fact
    status: str = "berjalan"
    rounds: dict[int, int] = field(default_factory=dict)
    open: dict[int, _Open] = field(default_factory=dict)
    runs: list[StepRun] = field(default_factory=list)


def read_trails(facts: Iterable[Fact], calendar: WorkingCalendar, now: datetime) -> list[CaseTrail]:
    """The cases started in ``facts`` (chain order) with their runs; events of other cases are ignored."""
    cases: dict[str, _Case] = {}
    for fact in facts:
        if fact.case is None:
            continue
        if fact.action == "case.started":
            cases[fact.case] = _Case(fact)
            _activate(cases[fact.case], fact, [fact.step or 1], _instant(fact.details.get("first_due_at")))
            continue
        found = cases.get(fact.case)
        if found is not None:
            _apply(found, fact, calendar)
    return [_trail(found, calendar, now) for found in cases.values()]


def _apply(case: _Case, fact: Fact, calendar: WorkingCalendar) -> None:
    details, step = fact.details, fact.step or 0
    files = tuple(
        (str(f["id"]), str(f["filename"]), str(f["sha256"]), int(f["size"])) for f in details.get("files", [])
    )
    if fact.action == "step.confirmed" and step in case.open:  # one actor of a paraf chain; the step stays open
        case.open[step].files += files
    elif fact.action == "step.completed":
        due, late = _instant(details.get("due_at")), bool(details.get("late"))
        _close(case, fact, step, Outcome.DONE, calendar, due=due, late=late, files=files, answer=_answer(details))
        for skipped in details.get("skipped", []):
            _skip(case, fact, int(skipped))
        _activate(case, fact, _activated(fact), None)
        if details.get("state_after") == "done":
            case.status = "selesai"
    elif fact.action == "step.returned":
        to = int(details["to"])
        _close(case, fact, step, Outcome.RETURNED, calendar, returned_to=to, answer=_answer(details))
        _activate(case, fact, [to], _instant(details.get("due_at")))
    elif fact.action == "case.cancelled":
        for open_step in list(case.open):
            _close(case, fact, open_step, Outcome.CANCELLED, calendar)
        case.status = "dibatalkan"


def _answer(details: Mapping[str, Any]) -> str | None:
    """The decision's answer an event records (``answer``), if any."""
    answer = details.get("answer")
    return str(answer) if answer else None


def _activated(fact: Fact) -> list[int]:
    """The steps ``fact`` makes active (see the module docstring)."""
    listed = fact.details.get("activated")
    if isinstance(listed, list):
        return [int(no) for no in listed]
    following = step_of(str(fact.details.get("state_after", "")))
    return [] if following is None else [following]


def _activate(case: _Case, fact: Fact, steps: list[int], due: datetime | None) -> None:
    later = fact.details.get("activated_at") or {}  # a join that started after the move's stated time
    for no in steps:
        case.rounds[no] = case.rounds.get(no, 0) + 1
        started = _instant(later.get(str(no))) or fact.stated_at
        case.open[no] = _Open(no, case.rounds[no], started, fact.seq, due)


def _skip(case: _Case, fact: Fact, no: int) -> None:
    case.open.pop(no, None)
    case.rounds[no] = case.rounds.get(no, 0) + 1
    at = fact.stated_at
    case.runs.append(
        StepRun(
            fact.case or "",
            no,
            case.rounds[no],
            at,
            at,
            Outcome.SKIPPED,
            fact.actor,
            fact.role,
            None,
            False,
            0,
            fact.seq,
        )
    )


def _close(
    case: _Case,
    fact: Fact,
    no: int,
    outcome: Outcome,
    calendar: WorkingCalendar,
    *,
    due: datetime | None = None,
    late: bool = False,
    returned_to: int | None = None,
    files: tuple[tuple[str, str, str, int], ...] = (),
    answer: str | None = None,
) -> None:
    run = case.open.pop(no, None) or _Open(no, 1, fact.stated_at, fact.seq)
    due = due or run.due_at
    late = late or (outcome is not Outcome.DONE and due is not None and fact.stated_at > due)
    case.runs.append(
        StepRun(
            case=fact.case or "",
            step=no,
            round=run.round,
            started_at=run.started_at,
            ended_at=fact.stated_at,
            outcome=outcome,
            actor=fact.actor,
            role=fact.role,
            due_at=due,
            late=late,
            working_seconds=calendar.working_seconds_between(run.started_at, fact.stated_at),
            seq=fact.seq,
            returned_to=returned_to,
            files=run.files + files,
            answer=answer,
        )
    )


def _trail(case: _Case, calendar: WorkingCalendar, now: datetime) -> CaseTrail:
    fact = case.fact
    active = [
        StepRun(
            fact.case or "",
            run.step,
            run.round,
            run.started_at,
            None,
            Outcome.ACTIVE,
            None,
            None,
            run.due_at,
            run.due_at is not None and now > run.due_at,
            calendar.working_seconds_between(run.started_at, max(now, run.started_at)),
            run.seq,
        )
        for run in case.open.values()
    ]
    return CaseTrail(
        case=fact.case or "",
        workflow=str(fact.details.get("workflow", "")),
        definition_sha256=str(fact.details.get("definition_sha256", "")),
        started_at=fact.stated_at,
        started_by=fact.actor,
        status=case.status,
        runs=tuple(case.runs + active),
    )


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
