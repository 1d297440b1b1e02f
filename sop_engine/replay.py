"""The state the audit trail says the tables must hold: cases, steps, documents, people's roles,
returns of work, and where the data-collection workbook went and came back from.

Pure (plain values in, plain values out, no database): :mod:`sop_engine.reconcile` compares the
result with the database, :mod:`sop_engine.archive_check` with an archive bundle's ``kasus.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: The actions whose events change the state the replay rebuilds.
REPLAYED_ACTIONS = (
    "case.started",
    "step.completed",
    "step.confirmed",
    "step.returned",
    "case.cancelled",
    "person.added",
    "person.roles_changed",
    "person.deactivated",
    "person.activated",
    "lakip.workbook_sent",
    "lakip.workbook_imported",
)


@dataclass(frozen=True)
class Event:
    """The part of an audit event the replay reads."""

    seq: int
    action: str
    actor: str
    stated_at: datetime
    case: str | None
    step: int | None
    details: Mapping[str, Any]


@dataclass
class StepState:
    status: str = "waiting"
    round: int = 0
    activated_at: datetime | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    note: str | None = None
    #: A decision's answer ("ya"/"tidak"), as every ``step.completed`` of one has carried it.
    answer: str | None = None


@dataclass
class CaseState:
    status: str
    state: str
    started_by: str
    steps: dict[int, StepState] = field(default_factory=dict)

    def step(self, no: int) -> StepState:
        return self.steps.setdefault(no, StepState())


@dataclass(frozen=True)
class FileState:
    case: str
    step: int
    round: int
    sha256: str
    size: int
    uploaded_by: str


@dataclass
class PersonState:
    name: str
    roles: frozenset[str]
    active: bool = True


@dataclass(frozen=True)
class ReturnState:
    """A return of work (``step_returns``): from which step to which, the round it restarted, who, why, when."""

    from_step: int
    to_step: int
    round: int
    by: str
    reason: str
    stated_at: datetime


@dataclass(frozen=True)
class WorkbookSentState:
    """One division a case's workbook was sent to (``workbook_sends``)."""

    division: str
    file: str | None
    sha256: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class WorkbookDivisionState:
    """One division a workbook import named, returned or still missing (``workbook_import_divisions``)."""

    division: str
    returned: bool
    by: str
    at: datetime


@dataclass
class Replayed:
    """The state the events say the tables must hold (the lists in the order of the chain)."""

    cases: dict[str, CaseState] = field(default_factory=dict)
    files: dict[str, FileState] = field(default_factory=dict)
    people: dict[str, PersonState] = field(default_factory=dict)
    #: By case code.
    returns: dict[str, list[ReturnState]] = field(default_factory=dict)
    workbook_sent: dict[str, list[WorkbookSentState]] = field(default_factory=dict)
    #: By the year the imports reported on.
    workbook_divisions: dict[int, list[WorkbookDivisionState]] = field(default_factory=dict)


def replay(events: Iterable[Event]) -> Replayed:
    """The state after ``events``, in their order (the chain's order)."""
    out = Replayed()
    for event in events:
        handler = _HANDLERS.get(event.action)
        if handler is not None:
            handler(out, event)
    return out


def _started(out: Replayed, e: Event) -> None:
    case = CaseState("running", f"step_{e.step}", e.actor)
    first = case.step(e.step or 1)
    first.status, first.round, first.activated_at = "active", 1, e.stated_at
    out.cases[e.case or ""] = case


def _completed(out: Replayed, e: Event) -> None:
    case = out.cases.get(e.case or "")
    if case is None:
        return
    done = case.step(e.step or 0)
    done.status, done.completed_by, done.completed_at = "done", e.actor, e.stated_at
    # The note as written: the person's own since migration 0020, "Jawaban: Ya; ..." in the events before it.
    done.note = str(e.details.get("note") or "").strip() or None
    answer = e.details.get("answer")
    done.answer = answer if answer in ("ya", "tidak") else None
    after = str(e.details.get("state_after", ""))
    case.state = after
    _moved(case, e, after)
    if after == "done":
        case.status = "done"
    _attached(out, e)


def _moved(case: CaseState, e: Event, after: str) -> None:
    """The other steps a move changed: as the event lists them (``activated``, ``skipped``, ``withdrawn``,
    ``reset``), or, without the lists (a straight SOP), the one step ``after`` = ``step_N`` names."""
    listed = e.details.get("activated")
    activated = (
        listed if isinstance(listed, list) else [int(after.removeprefix("step_"))] if after.startswith("step_") else []
    )
    for no in [*e.details.get("withdrawn", []), *e.details.get("reset", [])]:
        back = case.step(int(no))
        back.status = "waiting"
        back.completed_by = back.completed_at = back.note = back.answer = None
    for no in e.details.get("skipped", []):
        case.step(int(no)).status = "skipped"
    later = e.details.get("activated_at") or {}  # a join that started after the move's stated time
    for no in activated:
        following = case.step(int(no))
        started = datetime.fromisoformat(later[str(no)]) if str(no) in later else e.stated_at
        following.status, following.round, following.activated_at = "active", following.round + 1, started
        following.completed_by = following.completed_at = following.note = following.answer = None


def _confirmed(out: Replayed, e: Event) -> None:
    """One actor of a paraf chain confirmed the step, which stays active for the next (the first attaches)."""
    case = out.cases.get(e.case or "")
    if case is None:
        return
    case.state = str(e.details.get("state_after", case.state))
    _attached(out, e)


def _attached(out: Replayed, e: Event) -> None:
    for item in e.details.get("files", []):
        out.files[str(item["id"])] = FileState(
            e.case or "", e.step or 0, int(e.details.get("round", 0)), str(item["sha256"]), int(item["size"]), e.actor
        )


def _returned(out: Replayed, e: Event) -> None:
    case = out.cases.get(e.case or "")
    if case is None:
        return
    to = int(e.details["to"])
    if "activated" in e.details:  # an SOP with decisions or parallel steps: the event names every step moved
        _moved(case, e, "")
    else:
        for no in range(to + 1, (e.step or to) + 1):
            case.step(no).status = "waiting"
    target = case.step(to)
    target.status, target.round, target.activated_at = "active", int(e.details.get("round", 0)), e.stated_at
    target.completed_by = target.completed_at = target.note = target.answer = None
    case.state = str(e.details.get("state_after", case.state))
    back = ReturnState(e.step or to, to, target.round, e.actor, str(e.details.get("reason", "")), e.stated_at)
    out.returns.setdefault(e.case or "", []).append(back)


def _cancelled(out: Replayed, e: Event) -> None:
    case = out.cases.get(e.case or "")
    if case is None:
        return
    case.status, case.state = "cancelled", str(e.details.get("state_after", "cancelled"))
    for step in case.steps.values():
        if step.status == "active":
            step.status = "waiting"


def _person_added(out: Replayed, e: Event) -> None:
    out.people[str(e.details["username"])] = PersonState(
        str(e.details.get("name", "")), frozenset(e.details.get("roles", ()))
    )


def _person_changed(out: Replayed, e: Event) -> None:
    person = out.people.get(str(e.details.get("username", "")))
    if person is None:
        return
    if "roles" in e.details:
        person.roles = frozenset(e.details["roles"])
    if "active" in e.details:
        person.active = bool(e.details["active"])


def _workbook_sent(out: Replayed, e: Event) -> None:
    file, sha256 = e.details.get("file"), e.details.get("sha256")
    out.workbook_sent.setdefault(e.case or "", []).extend(
        WorkbookSentState(
            str(d), None if file is None else str(file), None if sha256 is None else str(sha256), e.actor, e.stated_at
        )
        for d in e.details.get("divisions", [])
    )


def _workbook_imported(out: Replayed, e: Event) -> None:
    named = [(d, True) for d in e.details.get("divisions", [])] + [(d, False) for d in e.details.get("missing", [])]
    out.workbook_divisions.setdefault(int(e.details["year"]), []).extend(
        WorkbookDivisionState(str(d), returned, e.actor, e.stated_at) for d, returned in named
    )


_HANDLERS = {
    "case.started": _started,
    "step.completed": _completed,
    "step.confirmed": _confirmed,
    "step.returned": _returned,
    "case.cancelled": _cancelled,
    "person.added": _person_added,
    "person.roles_changed": _person_changed,
    "person.deactivated": _person_changed,
    "person.activated": _person_changed,
    "lakip.workbook_sent": _workbook_sent,
    "lakip.workbook_imported": _workbook_imported,
}
