"""The case chart: planned against actual bars on a working-time axis, as well-formed, safe SVG."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from sop_engine import cases, workflows
from sop_engine.artefacts import IncomingFile
from sop_engine.cases import CaseRecord
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.web.chart import case_chart_svg
from tests.helpers import docx, pdf

SVG = "{http://www.w3.org/2000/svg}"
CODE = "lakip-2021"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


def chart(ctx: Context, case: CaseRecord, now: datetime) -> ET.Element:
    return ET.fromstring(str(case_chart_svg(ctx, case, now)))


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def rows(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}g[@class='step']")


def plan_bar(row: ET.Element) -> ET.Element:
    (bar,) = [r for r in row.findall(f"{SVG}rect") if "plan" in classes(r)]
    return bar


def actual_bars(row: ET.Element) -> list[ET.Element]:
    return [r for r in row.findall(f"{SVG}rect") if "actual" in classes(r)]


def span(bar: ET.Element) -> tuple[float, float]:
    x = float(bar.get("x", "nan"))
    return x, x + float(bar.get("width", "nan"))


def now_x(root: ET.Element) -> float:
    (line,) = [e for e in root.iter(f"{SVG}line") if "now" in classes(e)]
    return float(line.get("x1", "nan"))


def budgets(ctx: Context, case: CaseRecord) -> list[int]:
    definition = workflows.by_hash(ctx, case.definition_hash)
    return [ctx.calendar.budget_seconds(step.budget) for step in definition.steps]


def x_of(ctx: Context, root: ET.Element, case: CaseRecord, instant: datetime) -> float:
    """Where ``instant`` should sit: linear in working time, calibrated on the whole plan."""
    plan = [span(plan_bar(row)) for row in rows(root)]
    scale = (plan[-1][1] - plan[0][0]) / sum(budgets(ctx, case))
    return plan[0][0] + scale * ctx.calendar.working_seconds_between(case.started_at, instant)


def case_at_step_3(ctx: Context, clock: FixedClock, tmp_path: Path) -> CaseRecord:
    """Step 1 done on time, step 2 done late (due 10.05, done 11.00), step 3 active and overdue."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")  # Monday 11 January 2021 08.00
    clock.set(at("2021-01-11T08:05"))
    cases.complete_step(ctx, CODE, 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))])
    clock.set(at("2021-01-11T11:00"))
    cases.complete_step(ctx, CODE, 2, "kasubag", [IncomingFile.from_path(docx(tmp_path))])
    clock.set(at("2021-01-13T14:00"))  # step 3 (1 jam) was due Monday 12.00
    return cases.get_case(ctx, CODE)


def test_chart_is_an_svg_titled_for_the_case_with_no_style_or_script(ctx, clock, tmp_path):
    root = chart(ctx, case_at_step_3(ctx, clock, tmp_path), clock.now())
    assert root.tag == f"{SVG}svg"
    assert (root.get("role"), root.get("width")) == ("img", "100%")
    assert len(root.get("viewBox", "").split()) == 4
    (title,) = [e for e in root.iter(f"{SVG}title") if e.get("id") == root.get("aria-labelledby")]
    assert title.text == "Rencana dan realisasi langkah kasus lakip-2021"
    assert not [e for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}script", f"{SVG}style")]


def label_of(row: ET.Element) -> tuple[str, str]:
    """The label's tooltip (first child ``<title>``) and the text shown after it."""
    label = row.find(f"{SVG}text[@class='label']")
    assert label is not None
    title = label.find(f"{SVG}title")
    assert title is not None and title.text is not None and title.tail is not None
    return title.text, title.tail


def test_each_step_has_a_numbered_label_with_its_full_name_as_tooltip(ctx, clock, tmp_path):
    case = case_at_step_3(ctx, clock, tmp_path)
    labels = [label_of(row) for row in rows(chart(ctx, case, clock.now()))]
    assert len(labels) == 11
    for step, (tooltip, shown) in zip(case.steps, labels, strict=True):
        assert tooltip == f"{step.no}. {step.name}"
        assert shown.startswith(f"{step.no}. ") and len(shown) <= len(f"{step.no}. ") + 27
    assert labels[1][1] == "2. Membuat format pengumpulan…"
    assert labels[6][1] == "7. Mengoreksi Dokumen LAKIP"


def test_planned_bars_follow_each_other_and_are_as_wide_as_their_budgets(ctx, clock, tmp_path):
    case = case_at_step_3(ctx, clock, tmp_path)
    root = chart(ctx, case, clock.now())
    plan = [span(plan_bar(row)) for row in rows(root)]
    for (previous_start, previous_end), (start, _) in pairwise(plan):
        assert start >= previous_start
        assert abs(start - previous_end) < 0.02  # each step starts at the previous planned deadline
    widths = [end - start for start, end in plan]
    assert abs(widths[4] - 2 * widths[5]) < 0.02  # "4 hari" against "2 hari", a weekend between them
    scale = sum(widths) / sum(budgets(ctx, case))
    for width, seconds in zip(widths, budgets(ctx, case), strict=True):
        assert abs(width - scale * seconds) < 0.02


def test_a_completed_step_has_an_actual_bar_from_its_activation_to_its_completion(ctx, clock, tmp_path):
    case = case_at_step_3(ctx, clock, tmp_path)
    root = chart(ctx, case, clock.now())
    (bar,) = actual_bars(rows(root)[1])
    start, end = span(bar)
    assert abs(start - x_of(ctx, root, case, at("2021-01-11T08:05"))) < 0.05
    assert abs(end - x_of(ctx, root, case, at("2021-01-11T11:00"))) < 0.05
    assert case.steps[1].activated_at == at("2021-01-11T08:05")


def test_a_step_completed_after_its_deadline_is_marked_late_and_one_on_time_is_not(ctx, clock, tmp_path):
    root = chart(ctx, case_at_step_3(ctx, clock, tmp_path), clock.now())
    (on_time,) = actual_bars(rows(root)[0])
    (late,) = actual_bars(rows(root)[1])
    assert classes(on_time) == {"actual"}
    assert classes(late) == {"actual", "late"}


def test_the_active_step_is_drawn_in_progress_up_to_the_now_line(ctx, clock, tmp_path):
    case = case_at_step_3(ctx, clock, tmp_path)
    root = chart(ctx, case, clock.now())
    (bar,) = actual_bars(rows(root)[2])
    assert classes(bar) == {"actual", "active", "late"}  # due Monday 12.00, now Wednesday 14.00
    start, end = span(bar)
    assert abs(end - now_x(root)) < 0.02
    assert abs(start - x_of(ctx, root, case, at("2021-01-11T11:00"))) < 0.05
    assert abs(now_x(root) - x_of(ctx, root, case, clock.now())) < 0.05


def test_an_active_step_within_its_budget_is_not_late(ctx, clock):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(at("2021-01-11T08:05"))
    root = chart(ctx, cases.get_case(ctx, CODE), clock.now())
    (bar,) = actual_bars(rows(root)[0])
    assert classes(bar) == {"actual", "active"}


def test_waiting_steps_have_only_a_planned_bar(ctx, clock, tmp_path):
    case = case_at_step_3(ctx, clock, tmp_path)
    root = chart(ctx, case, clock.now())
    waiting = [row for row, step in zip(rows(root), case.steps, strict=True) if step.status == "waiting"]
    assert len(waiting) == 8
    assert all(actual_bars(row) == [] and plan_bar(row) is not None for row in waiting)


def test_the_axis_ticks_working_days_with_indonesian_short_dates(ctx, clock):
    clock.set(at("2021-08-16T08:00"))  # Monday; Tuesday 17 August is Hari Kemerdekaan
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    root = chart(ctx, cases.get_case(ctx, CODE), clock.now())
    axis = root.find(f"{SVG}g[@class='axis']")
    assert axis is not None
    ticks = [t.text for t in axis.iter(f"{SVG}text")]
    assert ticks[:3] == ["16 Agu", "18 Agu", "19 Agu"]
    legend = root.find(f"{SVG}g[@class='legend']")
    assert legend is not None
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Rencana", "Realisasi", "Terlambat"]


def test_step_names_with_markup_are_shown_as_text(ctx, clock):
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    evil = '<script>alert("x")</script> & Co'
    case = dataclasses.replace(case, steps=tuple(dataclasses.replace(s, name=evil) for s in case.steps))
    markup = str(case_chart_svg(ctx, case, clock.now()))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)
    assert not list(root.iter(f"{SVG}script"))
    assert label_of(rows(root)[0])[0] == f"1. {evil}"


def test_a_cancelled_case_still_shows_the_step_it_stopped_at(ctx, clock, tmp_path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.set(at("2021-01-11T08:05"))
    cases.complete_step(ctx, CODE, 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))])
    clock.set(at("2021-01-11T09:00"))
    case = cases.cancel_case(ctx, CODE, "sekretaris", "SOP diganti")
    root = chart(ctx, case, clock.now())
    (done,) = actual_bars(rows(root)[0])
    (stopped,) = actual_bars(rows(root)[1])
    assert classes(done) == {"actual"}
    assert classes(stopped) == {"actual", "cancelled"}
    assert abs(span(stopped)[1] - x_of(ctx, root, case, at("2021-01-11T09:00"))) < 0.05
    assert all(actual_bars(row) == [] for row in rows(root)[2:])
