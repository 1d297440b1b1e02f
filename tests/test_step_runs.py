"""Runs of steps read from audit events: rounds, returns, and the events of skipped and parallel steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine.calendar import WorkingCalendar
from sop_engine.config_calendar import parse_calendar
from sop_engine.step_runs import Outcome, read_trails

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar(parse_calendar({}, "config.toml"), WIB)


@dataclass(frozen=True)
class Fact:
    seq: int
    action: str
    stated_at: datetime
    step: int | None
    details: Mapping[str, Any] = field(default_factory=dict)
    actor: str = "budi"
    role: str = "staf"
    case: str | None = "surat-2021-0001"


def at(day: int, hour: int) -> datetime:
    return datetime(2021, 1, day, hour, 0, tzinfo=WIB)


def test_linear_case_with_a_return_has_two_rounds_of_the_returned_step() -> None:
    facts = [
        Fact(1, "case.started", at(11, 8), 1, {"workflow": "lakip", "definition_sha256": "ab"}),
        Fact(2, "step.completed", at(11, 10), 1, {"state_after": "step_2", "due_at": at(11, 9).isoformat()}),
        Fact(3, "step.returned", at(12, 8), 2, {"to": 1, "state_after": "step_1", "round": 2}),
        Fact(4, "step.completed", at(12, 9), 1, {"state_after": "step_2"}),
        Fact(5, "step.completed", at(12, 10), 2, {"state_after": "done"}),
    ]
    (trail,) = read_trails(facts, CAL, at(20, 8))
    runs = [(r.step, r.round, r.outcome, r.working_seconds, r.late) for r in trail.runs]
    assert runs == [
        (1, 1, Outcome.DONE, 2 * 3600, False),  # late is what the completing event recorded
        (2, 1, Outcome.RETURNED, 19800, False),  # 10.00-12.00, 13.00-16.00, then 07.30-08.00: 5.5 h
        (1, 2, Outcome.DONE, 3600, False),
        (2, 2, Outcome.DONE, 3600, False),
    ]
    assert trail.status == "selesai" and trail.runs[1].returned_to == 1


def test_activated_and_skipped_details_make_parallel_and_skipped_runs() -> None:
    facts = [
        Fact(1, "case.started", at(11, 8), 1),
        Fact(2, "step.completed", at(11, 9), 1, {"state_after": "fork", "activated": [2, 3], "skipped": [4]}),
        Fact(3, "step.completed", at(11, 10), 3, {"state_after": "wait"}),
        Fact(4, "case.cancelled", at(11, 11), None, {"state_after": "cancelled"}),
    ]
    (trail,) = read_trails(facts, CAL, at(20, 8))
    runs = {(r.step, r.outcome): r for r in trail.runs}
    assert set(runs) == {(1, Outcome.DONE), (4, Outcome.SKIPPED), (3, Outcome.DONE), (2, Outcome.CANCELLED)}
    assert runs[2, Outcome.CANCELLED].started_at == at(11, 9) and runs[2, Outcome.CANCELLED].working_seconds == 7200
    assert runs[4, Outcome.SKIPPED].working_seconds == 0
    assert trail.status == "dibatalkan"


def test_a_step_still_active_counts_its_time_until_now_and_is_late_past_its_deadline() -> None:
    facts = [Fact(1, "case.started", at(11, 8), 1, {"first_due_at": at(11, 9).isoformat()})]
    (trail,) = read_trails(facts, CAL, at(11, 11))
    (run,) = trail.runs
    assert (run.outcome, run.ended_at, run.working_seconds, run.late) == (Outcome.ACTIVE, None, 3 * 3600, True)
