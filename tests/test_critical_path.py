"""Tests for sop_engine.critical_path and the plans that follow the step graph: the longest path over
parallel steps and decisions, a ``jalankan`` step without ``waktu`` lasting its sub-SOP's critical path
(also nested), the projection of a case with two active parallel steps, the backward plan of a graph."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine import cases, planning, workflows
from sop_engine.calendar import WorkingCalendar
from sop_engine.clock import FixedClock
from sop_engine.config_calendar import parse_calendar
from sop_engine.context import Context
from sop_engine.critical_path import budget_label, finish_at, label_of, path_seconds, step_seconds
from sop_engine.definitions import WorkflowDef
from sop_engine.errors import DefinitionError, NotFound
from sop_engine.loader import load_workflow_text
from sop_engine.planning import forward_spans, plan_backwards, plan_forwards, project
from sop_engine.sopdoc.model import Names, chart_of
from tests.flow_support import flow_context, flow_text
from tests.helpers import run_cli

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar(parse_calendar({}, "config.toml"), WIB)
HOUR = 3600


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of January 2021 in WIB (Monday 11 January is a working day, 07:30-12:00, 13:00-16:00)."""
    return datetime(2021, 1, day, hour, minute, tzinfo=WIB)


def load(text: str) -> WorkflowDef:
    return load_workflow_text(text, "uji.toml")


#: Step 1 (1 jam), then 2 (2 jam) and 3 (5 jam) side by side, joined by 4 (1 jam): the path is 7 jam.
PARALEL = flow_text(
    4,
    {
        2: {"setelah": "[1]", "waktu": '"2 jam"'},
        3: {"setelah": "[1]", "waktu": '"5 jam"'},
        4: {"setelah": "[2, 3]"},
    },
    workflow="paralel",
)
#: Decision 2: Ya leads straight to 4, Tidak to 3 (4 jam, which may go back to 1) and then 4.
KEPUTUSAN = flow_text(
    4,
    {
        2: {"jenis": '"keputusan"', "pertanyaan": '"Lengkap?"', "ya": "4", "tidak": "3"},
        3: {"waktu": '"4 jam"', "kembali_ke": "[1]"},
    },
    workflow="keputusan",
)


def test_a_parallel_pair_joined_counts_its_longer_branch() -> None:
    definition = load(PARALEL)
    assert path_seconds(CAL, definition) == (1 + 5 + 1) * HOUR  # not the sum of the budgets, 9 jam


def test_a_decision_counts_its_longer_forward_branch_and_no_return() -> None:
    definition = load(KEPUTUSAN)
    # 1, the decision, its Tidak branch 3, then 4; the Ya branch (1, 2, 4) is 3 jam; kembali_ke is no edge.
    assert path_seconds(CAL, definition) == (1 + 1 + 4 + 1) * HOUR


def test_a_skipped_step_takes_no_time() -> None:
    definition = load(KEPUTUSAN)
    after_yes = finish_at(CAL, definition, {2: wib(11, 9)}, skipped=frozenset({3}))
    assert after_yes == wib(11, 10)  # only step 4 is left
    assert finish_at(CAL, definition, {2: wib(11, 9)}) == wib(11, 15)  # 3 and 4: 09:00 + 5 jam over lunch


# -- a step that runs another SOP without waktu --------------------------------------------------

INDUK = flow_text(3, {2: {"jalankan": '"anak"', "waktu": None}}, workflow="induk")
#: The child of INDUK in the nested case: 1 jam, then cucu's critical path (3 jam), then 1 jam.
ANAK_BERSARANG = flow_text(3, {2: {"jalankan": '"cucu"', "waktu": None}}, workflow="anak")
CUCU = flow_text(2, {1: {"waktu": '"2 jam"'}}, workflow="cucu")


def test_a_jalankan_step_without_waktu_lasts_the_critical_path_of_its_sop() -> None:
    parent, child = load(INDUK), load(PARALEL.replace('id = "paralel"', 'id = "anak"'))
    assert parent.step(2).budget is None and parent.step(2).runs == "anak"
    found = {"anak": child}
    assert step_seconds(CAL, parent.step(2), found.__getitem__) == 7 * HOUR
    assert path_seconds(CAL, parent, found.__getitem__) == (1 + 7 + 1) * HOUR
    assert budget_label(parent.step(2), 7 * HOUR, 7.5) == "mengikuti SOP anak (± 7 jam)"
    assert budget_label(parent.step(2)) == "mengikuti SOP anak"
    assert budget_label(parent.step(1)) == "1 jam"


def test_the_label_of_a_step_whose_sop_is_gone_names_it_without_a_length() -> None:
    def gone(name: str) -> WorkflowDef:
        raise NotFound(f"SOP '{name}' tidak ada.", value=name)

    assert label_of(CAL, load(INDUK).step(2), gone) == "mengikuti SOP anak"


def test_a_nested_sub_sop_adds_up_through_every_level() -> None:
    found = {"anak": load(ANAK_BERSARANG), "cucu": load(CUCU)}
    assert path_seconds(CAL, found["cucu"]) == 3 * HOUR
    assert path_seconds(CAL, found["anak"], found.__getitem__) == 5 * HOUR
    assert path_seconds(CAL, load(INDUK), found.__getitem__) == 7 * HOUR


def test_a_jalankan_step_without_waktu_cannot_be_budgeted_without_a_lookup() -> None:
    with pytest.raises(ValueError, match="runs SOP anak without waktu"):
        path_seconds(CAL, load(INDUK))


def test_a_loop_of_sub_sops_is_refused_not_followed_for_ever() -> None:
    looped = {"induk": load(INDUK), "anak": load(flow_text(2, {2: {"jalankan": '"induk"', "waktu": None}}, "anak"))}
    with pytest.raises(DefinitionError) as info:
        path_seconds(CAL, looped["induk"], looped.__getitem__)
    assert "(induk -> anak -> induk)" in info.value.message


def test_the_loader_still_refuses_a_missing_waktu_on_a_step_that_runs_no_sop() -> None:
    with pytest.raises(DefinitionError) as info:
        load(flow_text(3, {2: {"waktu": None}}))
    error = info.value
    assert error.message == "uji.toml: langkah 2: kunci wajib 'waktu' tidak ada; tambahkan: waktu = \"10 menit\""
    assert (error.value, error.details["step"], error.details["field"]) == (None, 2, "waktu")


def test_the_parent_step_is_due_after_the_critical_path_of_the_case_it_starts(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    child = PARALEL.replace('id = "paralel"', 'id = "anak"')
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": child})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    assert clock.now() == wib(11, 8)  # Monday
    parent = cases.complete_step(office, code, 1, "staf1")
    step = parent.steps[1]
    assert (step.status, step.activated_at) == ("active", wib(11, 8))
    assert step.due_at == wib(11, 16)  # 08:00 + 7 jam: 4 before lunch, 3 after
    assert step.budget == "mengikuti SOP anak (± 7 jam)"
    started = cases.get_case(office, "anak-2021-0001")
    assert started.active_steps == (1,) and started.steps[0].due_at == wib(11, 9)


def test_a_nested_sub_sop_sets_the_deadline_of_each_level(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": ANAK_BERSARANG, "cucu": CUCU})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    clock.set(wib(11, 9))
    parent = cases.complete_step(office, code, 1, "staf1")
    assert parent.steps[1].due_at == wib(11, 15)  # 09:00 + 5 jam (anak: 1 + cucu 3 + 1), over lunch
    clock.set(wib(11, 10))
    middle = cases.complete_step(office, "anak-2021-0001", 1, "staf1")
    assert middle.steps[1].due_at == wib(11, 14)  # 10:00 + 3 jam (cucu: 2 + 1)
    assert middle.steps[1].budget == "mengikuti SOP cucu (± 3 jam)"
    assert cases.get_case(office, "cucu-2021-0001").steps[0].due_at == wib(11, 12)


def test_workflows_show_and_the_sop_document_give_the_length_of_a_jalankan_step(ctx: Context, tmp_path: Path) -> None:
    child = PARALEL.replace('id = "paralel"', 'id = "anak"')
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": child})
    label = "mengikuti SOP anak (± 7 jam)"
    shown = run_cli(["workflows", "show", "induk"], office.settings, office.clock)
    assert shown.code == 0, shown.err
    assert label in shown.out
    as_json = run_cli(["workflows", "show", "induk", "--json"], office.settings, office.clock)
    assert json.loads(as_json.out)["steps"][1]["budget"] == label
    definition = workflows.show(office, "induk")
    names = Names.of(
        office.settings.roles, workflows.on_disk(office).values(), workflows.budget_labels(office, definition)
    )
    assert chart_of(definition, names).rows[1].waktu == label
    assert chart_of(definition).rows[1].waktu == "mengikuti SOP anak"  # the definition alone knows no other SOP
    drawn = run_cli(["workflows", "document", "induk", "-o", str(tmp_path / "induk.svg")], office.settings)
    assert drawn.code == 0, drawn.err
    assert "± 7 jam" in (tmp_path / "induk.svg").read_text(encoding="utf-8")


# -- projection and plans over the graph ---------------------------------------------------------


def test_the_projection_of_two_active_parallel_steps_waits_for_the_longer(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    office = flow_context(ctx, tmp_path, {"paralel": PARALEL})
    definition = load(PARALEL)
    code = cases.start_case(office, "paralel", 2021, "sekretaris").id
    clock.set(wib(11, 9))
    case = cases.complete_step(office, code, 1, "staf1")
    assert case.active_steps == (2, 3)
    assert (case.steps[1].due_at, case.steps[2].due_at) == (wib(11, 11), wib(11, 15))
    on_time = project(office.calendar, definition, case, clock.now(), (1, 12))
    assert on_time.finish == wib(11, 16)  # step 3's deadline, then step 4 (1 jam)
    assert on_time.slack_seconds == CAL.working_seconds_between(wib(11, 16), wib(12, 16)) == 27000
    clock.set(wib(12, 10))  # both late: each ends now at the earliest
    late = project(office.calendar, definition, case, clock.now(), (1, 12))
    assert (late.finish, late.late_steps) == (wib(12, 11), (2, 3))


def test_the_projection_after_the_longer_branch_is_done_follows_the_other(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    office = flow_context(ctx, tmp_path, {"paralel": PARALEL})
    code = cases.start_case(office, "paralel", 2021, "sekretaris").id
    clock.set(wib(11, 9))
    cases.complete_step(office, code, 1, "staf1")
    clock.set(wib(11, 10))
    case = cases.complete_step(office, code, 3, "staf1")
    assert case.active_steps == (2,)
    assert project(office.calendar, load(PARALEL), case, clock.now(), None).finish == wib(11, 12)


def test_the_backward_plan_of_a_parallel_pair_gives_the_shorter_branch_slack() -> None:
    definition = load(PARALEL)
    plan = plan_backwards(CAL, definition, wib(18, 16))
    by_no = {s.no: (s.latest_start, s.latest_finish) for s in plan.steps}
    assert by_no == {
        4: (wib(18, 15), wib(18, 16)),
        3: (wib(18, 9), wib(18, 15)),  # 5 jam back over lunch
        2: (wib(18, 13), wib(18, 15)),  # both finish when the join must start
        1: (wib(18, 8), wib(18, 9)),  # before the earlier of their starts
    }
    assert (plan.start_by, plan.total_seconds) == (wib(18, 8), 7 * HOUR)
    forwards = plan_forwards(CAL, definition, plan.start_by)
    assert max(forwards) == plan.effective_deadline
    assert [forwards[no - 1] for no in (1, 3, 4)] == [by_no[no][1] for no in (1, 3, 4)]  # the critical path
    assert forward_spans(CAL, definition, plan.start_by)[3] == (wib(18, 15), wib(18, 16))


@st.composite
def graphs(draw: st.DrawFn) -> WorkflowDef:
    """Up to 7 steps of 1-3000 menit, each after the step before or after some earlier steps (setelah)."""
    count = draw(st.integers(2, 7))
    extra: dict[int, dict[str, str]] = {}
    for no in range(1, count + 1):
        keys = {"waktu": f'"{draw(st.integers(1, 3000))} menit"'}
        if no > 1 and draw(st.booleans()):
            after = draw(st.sets(st.integers(1, no - 1), min_size=1, max_size=3))
            keys["setelah"] = f"[{', '.join(map(str, sorted(after)))}]"
        extra[no] = keys
    return load(flow_text(count, extra))


@settings(deadline=None, max_examples=60)
@given(
    graphs(),
    st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2026, 12, 31, 23, 59), timezones=st.just(WIB)),  # noqa: DTZ001
)
def test_any_graph_planned_back_then_forward_finishes_at_the_deadline(
    definition: WorkflowDef, deadline: datetime
) -> None:
    plan = plan_backwards(CAL, definition, deadline)
    forwards = plan_forwards(CAL, definition, plan.start_by)
    assert max(forwards) == plan.effective_deadline
    assert all(due <= step.latest_finish for due, step in zip(forwards, plan.steps, strict=True))
    assert CAL.working_seconds_between(plan.start_by, plan.effective_deadline) == plan.total_seconds


def test_the_backward_plan_of_a_jalankan_step_names_its_sop_and_length() -> None:
    found = {"anak": load(CUCU.replace('id = "cucu"', 'id = "anak"'))}
    plan = plan_backwards(CAL, load(INDUK), wib(18, 16), found.__getitem__)
    assert plan.steps[1].budget == "mengikuti SOP anak (± 3 jam)"
    assert (plan.steps[1].latest_start, plan.total_seconds) == (wib(18, 11), 5 * HOUR)


def test_the_front_ends_plan_and_project_with_the_current_sub_sop(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": ANAK_BERSARANG, "cucu": CUCU})
    plan = planning.plan_workflow(office, "induk", wib(18, 16))
    assert (plan.steps[1].budget, plan.total_seconds) == ("mengikuti SOP anak (± 5 jam)", 7 * HOUR)
    case = cases.start_case(office, "induk", 2021, "sekretaris")  # Monday 08:00, step 1 due 09:00
    assert planning.case_projection(office, case).finish == wib(11, 16)  # 09:00 + anak's 5 jam + step 3's 1 jam
