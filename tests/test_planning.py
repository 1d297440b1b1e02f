"""Tests for sop_engine.planning: latest starts back from a deadline, projected finish of a case."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine import cases
from sop_engine.calendar import WorkingCalendar
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.clock import FixedClock
from sop_engine.config_calendar import parse_calendar
from sop_engine.context import Context
from sop_engine.definitions import WorkflowDef
from sop_engine.durations import Duration
from sop_engine.loader import load_workflow_file
from sop_engine.planning import (
    last_working_moment,
    plan_backwards,
    plan_forwards,
    project,
    submission_deadline_at,
)
from sop_engine.views import plan_json, projection_json
from tests.conftest import ROOT

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar(parse_calendar({}, "config.toml"), WIB)
LAKIP = load_workflow_file(ROOT / "workflows" / "lakip.toml")
#: 7 hari 8 jam 35 menit of working time at 7.5 h per hari.
LAKIP_SECONDS = 7 * 27000 + 8 * 3600 + 35 * 60
MARCH_31 = (3, 31)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def with_budgets(minutes: list[int]) -> WorkflowDef:
    """LAKIP cut to ``len(minutes)`` steps whose budgets are the given minutes."""
    steps = tuple(
        dataclasses.replace(LAKIP.steps[i], no=i + 1, budget=Duration(Decimal(m), "menit"))
        for i, m in enumerate(minutes)
    )
    return dataclasses.replace(LAKIP, steps=steps)


# -- plan_backwards on the real LAKIP ------------------------------------------------------------


def test_lakip_plan_ends_its_last_step_at_the_deadline() -> None:
    plan = plan_backwards(CAL, LAKIP, wib(2021, 1, 29, 16, 0))
    assert plan.effective_deadline == plan.deadline == wib(2021, 1, 29, 16, 0)
    assert plan.steps[-1].no == 11
    assert plan.steps[-1].latest_finish == plan.effective_deadline


def test_lakip_plan_total_is_the_sum_of_the_budgets() -> None:
    plan = plan_backwards(CAL, LAKIP, wib(2021, 1, 29, 16, 0))
    assert plan.total_seconds == LAKIP_SECONDS
    assert plan_json(plan, WIB, 7.5)["total_working_time"] == "8 hari 1 jam 5 menit"


def test_lakip_plan_starts_the_whole_budget_of_working_time_before_the_deadline() -> None:
    plan = plan_backwards(CAL, LAKIP, wib(2021, 1, 29, 16, 0))
    assert CAL.working_seconds_between(plan.start_by, plan.effective_deadline) == plan.total_seconds
    # Friday 29th 7 h, Mon 25th-Fri 22nd... back to Tuesday 19th 14:25 (1 h 35 before its 16:00 close).
    assert plan.start_by == plan.steps[0].latest_start == wib(2021, 1, 19, 14, 25)


def test_lakip_plan_chains_each_finish_to_the_next_start() -> None:
    plan = plan_backwards(CAL, LAKIP, wib(2021, 1, 29, 16, 0))
    for earlier, later in zip(plan.steps, plan.steps[1:], strict=False):
        assert earlier.latest_finish == later.latest_start
        assert CAL.working_seconds_between(later.latest_start, later.latest_finish) == CAL.budget_seconds(
            LAKIP.step(later.no).budget
        )


def test_deadline_on_sunday_is_pulled_back_to_friday_close() -> None:
    plan = plan_backwards(CAL, LAKIP, wib(2021, 1, 31, 10, 0))
    assert plan.deadline == wib(2021, 1, 31, 10, 0)
    assert plan.effective_deadline == plan.steps[-1].latest_finish == wib(2021, 1, 29, 16, 30)


def test_deadline_over_idul_fitri_2025_cuti_bersama_is_pulled_back_before_nyepi() -> None:
    # Fri 28 Mar cuti bersama Nyepi, 31 Mar-1 Apr Idul Fitri, 2-7 Apr cuti bersama.
    plan = plan_backwards(CAL, LAKIP, wib(2025, 4, 3, 10, 0))
    assert plan.effective_deadline == wib(2025, 3, 27, 16, 0)
    assert plan_forwards(CAL, LAKIP, plan.start_by)[-1] == plan.effective_deadline


def test_deadline_at_a_period_opening_is_the_close_before_it() -> None:
    assert last_working_moment(CAL, wib(2021, 1, 18, 13, 0)) == wib(2021, 1, 18, 12, 0)
    assert last_working_moment(CAL, wib(2021, 1, 18, 7, 30)) == wib(2021, 1, 15, 16, 30)


def test_deadline_at_a_period_close_stays_there() -> None:
    assert last_working_moment(CAL, wib(2021, 1, 18, 12, 0)) == wib(2021, 1, 18, 12, 0)
    assert last_working_moment(CAL, wib(2021, 1, 18, 16, 0)) == wib(2021, 1, 18, 16, 0)


def test_start_at_a_period_opening_makes_the_previous_finish_the_close_before_it() -> None:
    plan = plan_backwards(CAL, with_budgets([30, 60]), wib(2021, 1, 18, 14, 0))
    assert plan.steps[1].latest_start == wib(2021, 1, 18, 13, 0)
    assert plan.steps[0].latest_finish == wib(2021, 1, 18, 12, 0)
    assert plan.start_by == wib(2021, 1, 18, 11, 30)


def test_plan_json_shows_instants_in_office_time() -> None:
    document = plan_json(plan_backwards(CAL, LAKIP, wib(2021, 1, 31, 10, 0)), WIB, 7.5)
    assert document["workflow"] == "lakip"
    assert document["deadline"] == "2021-01-31T10:00:00+07:00"
    assert document["effective_deadline"] == "2021-01-29T16:30:00+07:00"
    assert document["start_by"] == document["steps"][0]["latest_start"]
    assert document["steps"][-1] == {
        "no": 11,
        "name": LAKIP.step(11).name,
        "role": "staf",
        "budget": "1 jam",
        "latest_start": "2021-01-29T15:30:00+07:00",
        "latest_finish": "2021-01-29T16:30:00+07:00",
    }


# -- the back-then-forward property -------------------------------------------------------------

_DAYS = st.dates(date(2021, 1, 1), date(2026, 12, 31))
_BOUNDARIES = st.sampled_from(
    [time(0, 0), time(7, 30), time(11, 30), time(12, 0), time(13, 0), time(16, 0), time(16, 30)]
)
_NEAR_BOUNDARY = st.builds(
    lambda day, wall, shift: datetime.combine(day, wall, tzinfo=WIB) + timedelta(seconds=shift),
    _DAYS,
    _BOUNDARIES,
    st.sampled_from([-60, -1, 0, 1, 60]),
)
_ANY_MOMENT = st.datetimes(
    min_value=datetime(2021, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= adds the zone
    max_value=datetime(2026, 12, 31, 23, 59),  # noqa: DTZ001
    timezones=st.just(WIB),
)
DEADLINES = st.one_of(_ANY_MOMENT, _NEAR_BOUNDARY)


@settings(deadline=None, max_examples=100)
@given(DEADLINES)
def test_lakip_planned_back_then_forward_returns_the_effective_deadline(deadline: datetime) -> None:
    plan = plan_backwards(CAL, LAKIP, deadline)
    assert plan_forwards(CAL, LAKIP, plan.start_by)[-1] == plan.effective_deadline
    assert plan.effective_deadline <= deadline


@settings(deadline=None, max_examples=100)
@given(DEADLINES, st.lists(st.integers(1, 3000), min_size=1, max_size=6))
def test_any_budgets_planned_back_then_forward_meet_every_latest_finish(deadline: datetime, minutes: list[int]) -> None:
    definition = with_budgets(minutes)
    plan = plan_backwards(CAL, definition, deadline)
    assert plan_forwards(CAL, definition, plan.start_by) == tuple(s.latest_finish for s in plan.steps)
    assert CAL.working_seconds_between(plan.start_by, plan.effective_deadline) == plan.total_seconds


@settings(deadline=None, max_examples=100)
@given(DEADLINES)
def test_starting_a_second_after_start_by_misses_the_deadline(deadline: datetime) -> None:
    plan = plan_backwards(CAL, LAKIP, deadline)
    assert plan_forwards(CAL, LAKIP, plan.start_by + timedelta(seconds=1))[-1] > plan.effective_deadline


@settings(deadline=None, max_examples=100)
@given(DEADLINES)
def test_last_working_moment_is_a_deadline_the_calendar_can_reach(at: datetime) -> None:
    moment = last_working_moment(CAL, at)
    assert moment <= at
    assert CAL.add(CAL.subtract(moment, 60), 60) == moment
    assert CAL.working_seconds_between(moment, at) == 0


# -- the submission deadline --------------------------------------------------------------------


def test_submission_deadline_is_the_close_of_that_day() -> None:
    assert submission_deadline_at(CAL, 2021, MARCH_31) == wib(2021, 3, 31, 16, 0)


def test_submission_deadline_on_sunday_after_good_friday_is_thursday_close() -> None:
    assert submission_deadline_at(CAL, 2024, MARCH_31) == wib(2024, 3, 28, 16, 0)


def test_submission_deadline_of_29_february_is_28_february_in_common_years() -> None:
    assert submission_deadline_at(CAL, 2023, (2, 29)) == wib(2023, 2, 28, 16, 0)


# -- project on hand-built cases ----------------------------------------------------------------


def case_at(active_no: int, activated_at: datetime, status: str = "running") -> CaseRecord:
    """A LAKIP 2021 case whose steps before ``active_no`` are done and ``active_no`` is active."""
    steps = []
    for step in LAKIP.steps:
        state = "done" if step.no < active_no else "active" if step.no == active_no else "waiting"
        due = CAL.add_duration(activated_at, step.budget) if step.no == active_no else None
        steps.append(
            StepRecord(
                no=step.no,
                name=step.name,
                role=step.role,
                budget=str(step.budget),
                output=step.output,
                file_rule=step.file_rule.value,
                status=state,
                round=1 if step.no <= active_no else 0,
                activated_at=activated_at if step.no == active_no else None,
                due_at=due,
                completed_at=None,
                completed_by=None,
                note=None,
                overdue=False,
                artefacts=(),
            )
        )
    return CaseRecord(
        id="lakip-2021",
        workflow="lakip",
        title=LAKIP.title,
        year=2021,
        status=status,
        started_at=wib(2021, 1, 11, 8, 0),
        started_by="sekretaris",
        current_step=active_no if status == "running" else None,
        finished_at=wib(2021, 2, 1, 9, 0) if status != "running" else None,
        cancel_reason="dibatalkan" if status == "cancelled" else None,
        definition_hash=LAKIP.content_hash,
        revision=LAKIP.revision,
        steps=tuple(steps),
    )


def remaining_seconds(after_no: int) -> int:
    return sum(CAL.budget_seconds(step.budget) for step in LAKIP.steps[after_no:])


def test_active_step_not_yet_due_is_assumed_to_end_at_its_deadline() -> None:
    case = case_at(5, wib(2021, 2, 1, 9, 0))
    due = case.steps[4].due_at
    assert due is not None
    projection = project(CAL, LAKIP, case, wib(2021, 2, 2, 9, 0), MARCH_31)
    assert projection.finish == CAL.add(due, remaining_seconds(5))
    assert projection.late_steps == ()


def test_overdue_active_step_pushes_the_finish_to_now_plus_remaining_budgets() -> None:
    case = case_at(5, wib(2021, 2, 1, 9, 0))
    now = wib(2021, 2, 20, 10, 0)  # a Saturday, long after step 5's 4 hari ran out
    projection = project(CAL, LAKIP, case, now, MARCH_31)
    assert projection.late_steps == (5,)
    assert projection.finish == CAL.add(now, remaining_seconds(5))
    assert projection.finish == CAL.add(wib(2021, 2, 22, 7, 30), remaining_seconds(5))


def test_case_projected_past_the_submission_deadline_has_negative_slack() -> None:
    case = case_at(5, wib(2021, 3, 25, 9, 0))
    projection = project(CAL, LAKIP, case, wib(2021, 3, 25, 9, 0), MARCH_31)
    assert projection.finish is not None and projection.finish > projection.deadline
    assert projection.slack_seconds == -CAL.working_seconds_between(projection.deadline, projection.finish)
    document = projection_json(projection, WIB, 7.5)
    assert document["on_track"] is False
    assert document["slack"].startswith("-")


def test_done_case_finished_when_it_finished() -> None:
    projection = project(CAL, LAKIP, case_at(12, wib(2021, 2, 1, 9, 0), status="done"), wib(2021, 6, 1), MARCH_31)
    assert projection.finish == wib(2021, 2, 1, 9, 0)
    assert projection.slack_seconds == CAL.working_seconds_between(wib(2021, 2, 1, 9, 0), wib(2021, 3, 31, 16, 0))


def test_cancelled_case_has_no_finish_and_is_not_on_track() -> None:
    case = case_at(5, wib(2021, 2, 1, 9, 0), status="cancelled")
    projection = project(CAL, LAKIP, case, wib(2021, 6, 1), MARCH_31)
    assert (projection.finish, projection.slack_seconds, projection.late_steps) == (None, None, ())
    document = projection_json(projection, WIB, 7.5)
    assert (document["projected_finish"], document["slack"], document["on_track"]) == (None, None, False)


def test_projection_refuses_a_definition_the_case_does_not_run_under() -> None:
    other = dataclasses.replace(LAKIP, content_hash="0" * 64)
    with pytest.raises(ValueError, match="runs under definition"):
        project(CAL, other, case_at(5, wib(2021, 2, 1, 9, 0)), wib(2021, 2, 2), MARCH_31)


# -- project on cases started through the services ----------------------------------------------


def test_started_case_is_on_track_with_positive_slack(ctx: Context, clock: FixedClock) -> None:
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    projection = project(ctx.calendar, LAKIP, case, clock.now(), ctx.settings.submission_deadline)
    assert projection.finish == plan_forwards(ctx.calendar, LAKIP, case.started_at)[-1]
    assert projection.deadline == wib(2021, 3, 31, 16, 0)
    assert projection.slack_seconds is not None and projection.slack_seconds > 0
    document = projection_json(projection, ctx.tz, ctx.calendar.jam_kerja_per_hari)
    assert document["on_track"] is True
    assert document["submission_deadline"] == "2021-03-31T16:00:00+07:00"


def test_started_case_left_overdue_finishes_later_by_the_delay(ctx: Context, clock: FixedClock) -> None:
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(wib(2021, 1, 12, 9, 0))  # step 1 (10 menit) was due Monday 08:10
    projection = project(ctx.calendar, LAKIP, case, clock.now(), ctx.settings.submission_deadline)
    assert projection.late_steps == (1,)
    assert projection.finish == ctx.calendar.add(clock.now(), remaining_seconds(1))
