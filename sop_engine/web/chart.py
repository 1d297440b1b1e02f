"""The case chart: each step's planned slot against what actually happened, as inline SVG.

The case page shows this chart server-rendered, without JavaScript and without ``style``
attributes (the site runs under a strict Content-Security-Policy): CSS classes carry the look
(``plan``, ``actual``, ``actual late``, ``actual active``, ``actual cancelled``, ``now``,
``axis``, ``label``) and presentation attributes give readable defaults without a stylesheet.

The horizontal axis is the office's *working time*: nights, weekends and holidays take no
width, so a step's planned bar is exactly as long as its budget ("4 hari" is twice "2 hari")
and a bar never stretches over a long weekend. The plan is the one
:func:`sop_engine.planning.plan_forwards` computes: step 1 starts when the case started, each
next step at the planned deadline of the last step it waits for. The actual bar is the latest round of a
step: activation to completion, or to ``now`` while the step is active.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from markupsafe import Markup, escape

from sop_engine import workflows
from sop_engine.calendar import WorkingCalendar
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.critical_path import Lookup, no_lookup
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import WorkflowDef
from sop_engine.formatting import LOCALE, format_instant
from sop_engine.planning import forward_spans

__all__ = ["case_chart_svg", "chart_svg"]

# Geometry, in viewBox units (the SVG scales to its container's width).
WIDTH = 640
LABEL_X = 4
PLOT_X0, PLOT_X1 = 200.0, 630.0
LEGEND_Y = 4
TICK_TEXT_Y = 32
AXIS_Y = 38
ROWS_Y = 42
ROW_H = 24
LABEL_CHARS = 26
MIN_ACTUAL_WIDTH = 1.0
TICK_LABEL_WIDTH = 28
MAX_TICK_LABELS = int((PLOT_X1 - PLOT_X0) // 44)
TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

# Defaults that make the chart readable without CSS; a stylesheet's class rules override them.
_LOOK: dict[str, dict[str, str]] = {
    "band": {"fill": "#f3f4f6"},
    "plan": {"fill": "#cbd5e1", "stroke": "#64748b", "stroke-width": "0.5"},
    "actual": {"fill": "#2563eb"},
    "actual late": {"fill": "#dc2626"},
    "actual cancelled": {"fill": "#6b7280"},
    "active": {"fill-opacity": "0.6", "stroke-dasharray": "3 2", "stroke-width": "1"},
    "axis": {"stroke": "#9ca3af", "stroke-width": "0.5"},
    "now": {"stroke": "#111827", "stroke-width": "1.5", "stroke-dasharray": "4 3"},
    "text": {"fill": "#111827"},
    "muted": {"fill": "#4b5563"},
}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def case_chart_svg(ctx: Context, case: CaseRecord, now: datetime) -> Markup:
    """The chart of ``case`` at ``now``, under the definition the case is pinned to."""
    return chart_svg(ctx.calendar, workflows.by_hash(ctx, case.definition_hash), case, now, workflows.lookup(ctx))


def chart_svg(
    calendar: WorkingCalendar, definition: WorkflowDef, case: CaseRecord, now: datetime, lookup: Lookup = no_lookup
) -> Markup:
    """The chart of ``case`` at ``now``; ``definition`` supplies the step budgets of the plan (``lookup``
    the SOPs its ``jalankan`` steps without ``waktu`` run)."""
    now = to_utc(now)
    rows = _rows(calendar, definition, case, now, lookup)
    axis = _Axis.spanning(calendar, _instants(case, rows, now))
    ident = "chart-" + re.sub(r"[^A-Za-z0-9_-]", "-", case.id)
    height = ROWS_Y + ROW_H * len(rows) + 34
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="case-chart" viewBox="0 0 {w} {h}" width="100%" '
            'role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
            'font-family="sans-serif" font-size="11">'
        ).format(w=WIDTH, h=height, id=ident),
        _element("title", {"id": f"{ident}-title"}, f"Rencana dan realisasi langkah kasus {case.id}"),
        _element("desc", {"id": f"{ident}-desc"}, _description(case)),
        _legend(),
        _ticks(axis, ROWS_Y + ROW_H * len(rows)),
        *(_row(axis, index, row) for index, row in enumerate(rows)),
        _now_line(axis, case, now, ROWS_Y + ROW_H * len(rows)),
        _element(
            "text",
            {"class": "note", "x": LABEL_X, "y": height - 6, "font-size": "9", **_LOOK["muted"]},
            "Sumbu waktu: jam kerja kantor (malam, akhir pekan dan hari libur tidak digambar).",
        ),
        Markup("</svg>"),
    ]
    return Markup("").join(parts)


# --- what is drawn -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    start: datetime
    end: datetime
    classes: str
    title: str


@dataclass(frozen=True)
class _Row:
    step: StepRecord
    plan: _Bar
    actual: _Bar | None


def _rows(
    calendar: WorkingCalendar, definition: WorkflowDef, case: CaseRecord, now: datetime, lookup: Lookup
) -> list[_Row]:
    """Each step's planned bar (budgets along the step graph from the case start) and its actual bar, if any."""
    spans = forward_spans(calendar, definition, case.started_at, lookup)
    tz = calendar.tz
    rows = []
    for step, (start, due) in zip(case.steps, spans, strict=True):
        plan_title = (
            f"Rencana langkah {step.no} ({step.budget}): {format_instant(start, tz)} – {format_instant(due, tz)}"
        )
        plan = _Bar(start, due, "plan", plan_title)
        rows.append(_Row(step, plan, _actual(step, case, now, tz)))
    return rows


def _actual(step: StepRecord, case: CaseRecord, now: datetime, tz: ZoneInfo) -> _Bar | None:
    """The latest round of ``step`` as it happened; ``None`` for a step that is not (or no longer) started.

    A step waiting again after a return has no bar. In a cancelled case the step that was active
    when the case was cancelled is waiting with its deadline kept: it ran until the cancellation.
    """
    if step.activated_at is None:
        return None
    start = to_utc(step.activated_at)
    if step.status == StepStatus.DONE and step.completed_at is not None:
        end, classes, state = to_utc(step.completed_at), "actual", "selesai"
    elif step.status == StepStatus.ACTIVE and case.status == CaseStatus.RUNNING:
        end, classes, state = max(now, start), "actual active", "sedang berjalan"
    elif (
        step.status == StepStatus.WAITING
        and case.status == CaseStatus.CANCELLED
        and case.finished_at is not None
        and step.due_at is not None
        and step.completed_at is None
    ):
        end, classes, state = max(to_utc(case.finished_at), start), "actual cancelled", "dihentikan (kasus dibatalkan)"
    else:
        return None
    late = step.due_at is not None and end > step.due_at
    if late:
        classes, state = f"{classes} late", f"{state}, terlambat"
    title = f"Realisasi langkah {step.no} ({state}): {format_instant(start, tz)} – {format_instant(end, tz)}"
    if step.due_at is not None:
        title += f"; batas waktu {format_instant(step.due_at, tz)}"
    return _Bar(start, end, classes, title)


def _instants(case: CaseRecord, rows: Iterable[_Row], now: datetime) -> list[datetime]:
    """The instants the axis must cover: every bar, and ``now`` while the case runs."""
    instants = [to_utc(case.started_at)]
    for row in rows:
        instants += [row.plan.start, row.plan.end]
        if row.actual is not None:
            instants += [row.actual.start, row.actual.end]
    if case.status == CaseStatus.RUNNING:
        instants.append(now)
    return instants


def _description(case: CaseRecord) -> str:
    return (
        f"Kasus {case.id}: untuk setiap langkah, batang atas adalah rencana bila setiap langkah memakai "
        "seluruh waktunya sejak kasus dimulai, batang bawah adalah realisasi (merah bila terlambat, "
        "bergaris putus bila masih berjalan). Sumbu mendatar adalah waktu kerja kantor."
    )


# --- the working-time axis -----------------------------------------------------------------


class _Axis:
    """Maps instants to x positions proportionally to the working time since the axis origin."""

    def __init__(self, calendar: WorkingCalendar, origin: datetime, end: datetime) -> None:
        self.calendar = calendar
        self.origin = origin
        self.end = end
        total = calendar.working_seconds_between(origin, end)
        self.scale = (PLOT_X1 - PLOT_X0) / max(total, 1)

    @classmethod
    def spanning(cls, calendar: WorkingCalendar, instants: list[datetime]) -> _Axis:
        """An axis from the opening of the first working day of ``instants`` to their latest one."""
        first = calendar.next_working_moment(min(instants))
        origin = calendar.periods(first.astimezone(calendar.tz).date())[0][0]
        return cls(calendar, origin, max(instants))

    def x(self, at: datetime) -> float:
        return PLOT_X0 + self.scale * self.calendar.working_seconds_between(self.origin, at)

    def covers(self, at: datetime) -> bool:
        return self.origin <= at <= self.end

    def day_starts(self) -> list[tuple[date, float]]:
        """Each working day on the axis with the x of its opening, counted incrementally."""
        tz = self.calendar.tz
        day, last = self.origin.astimezone(tz).date(), self.end.astimezone(tz).date()
        seconds, previous, found = 0, self.origin, []
        while day <= last:
            periods = self.calendar.periods(day)
            if periods and periods[0][0] <= self.end:
                opening = periods[0][0]
                seconds += self.calendar.working_seconds_between(previous, opening)
                previous = opening
                found.append((day, PLOT_X0 + self.scale * seconds))
            day += timedelta(days=1)
        return found


def _ticks(axis: _Axis, bottom: float) -> Markup:
    """Date labels ("11 Jan") at the opening of every k-th working day, with grid lines."""
    days = axis.day_starts()
    step = next((k for k in TICK_STEPS if math.ceil(len(days) / k) <= MAX_TICK_LABELS), TICK_STEPS[-1])
    parts = [
        _element("line", {"class": "axis", "x1": PLOT_X0, "y1": AXIS_Y, "x2": PLOT_X1, "y2": AXIS_Y, **_LOOK["axis"]})
    ]
    for day, x in days[::step]:
        parts.append(_element("line", {"class": "axis", "x1": x, "y1": AXIS_Y, "x2": x, "y2": bottom, **_LOOK["axis"]}))
        if x <= PLOT_X1 - TICK_LABEL_WIDTH:
            attributes = {"class": "axis", "x": x + 2, "y": TICK_TEXT_Y, **_LOOK["muted"]}
            parts.append(_element("text", attributes, _short_date(day)))
    return _group("axis", parts)


def _short_date(day: date) -> str:
    """An Indonesian short date, e.g. "11 Jan", "17 Agu"."""
    return str(format_date(day, "d MMM", locale=LOCALE))


# --- pieces --------------------------------------------------------------------------------


def _legend() -> Markup:
    items = [("plan", "Rencana"), ("actual", "Realisasi"), ("actual late", "Terlambat")]
    parts, x = [], PLOT_X0
    for classes, text in items:
        look = _LOOK["plan"] if classes == "plan" else {**_LOOK["actual"], **_LOOK.get(classes, {})}
        swatch = {"class": f"swatch {classes}", "x": x, "y": LEGEND_Y + 2, "width": 12, "height": 8, **look}
        parts.append(_element("rect", swatch))
        parts.append(_element("text", {"x": x + 16, "y": LEGEND_Y + 10, **_LOOK["text"]}, text))
        x += 90
    return _group("legend", parts)


def _row(axis: _Axis, index: int, row: _Row) -> Markup:
    y = ROWS_Y + index * ROW_H
    step = row.step
    parts = []
    if index % 2 == 0:
        parts.append(
            _element("rect", {"class": "band", "x": 0, "y": y, "width": WIDTH, "height": ROW_H, **_LOOK["band"]})
        )
    label = {"class": "label", "x": LABEL_X, "y": y + 15, **_LOOK["text"]}
    parts.append(_element("text", label, f"{step.no}. {_shorten(step.name)}", title=f"{step.no}. {step.name}"))
    parts.append(_bar(axis, row.plan, y + 3, 7, _LOOK["plan"], min_width=0.0))
    if row.actual is not None:
        parts.append(_bar(axis, row.actual, y + 12, 8, _actual_look(row.actual.classes), min_width=MIN_ACTUAL_WIDTH))
    attributes = {"class": "step", "data-step": step.no, "data-status": step.status}
    return _element("g", attributes, Markup("").join(parts))


def _actual_look(classes: str) -> dict[str, str]:
    names = classes.split()
    look = dict(_LOOK["actual"])
    if "cancelled" in names:
        look.update(_LOOK["actual cancelled"])
    if "late" in names:
        look.update(_LOOK["actual late"])
    if "active" in names:
        look.update(_LOOK["active"], stroke=look["fill"])
    return look


def _bar(axis: _Axis, bar: _Bar, y: float, height: float, look: Mapping[str, str], min_width: float) -> Markup:
    x0, x1 = _round(axis.x(bar.start)), _round(axis.x(bar.end))
    attributes = {"class": bar.classes, "x": x0, "y": y, "width": max(x1 - x0, min_width), "height": height, **look}
    return _element("rect", attributes, title=bar.title)


def _now_line(axis: _Axis, case: CaseRecord, now: datetime, bottom: float) -> Markup:
    """The vertical "now" line; left out for a finished case viewed after its chart's end."""
    if not axis.covers(now) and case.status != CaseStatus.RUNNING:
        return Markup("")
    x = _round(axis.x(now))
    line = {"class": "now", "x1": x, "y1": AXIS_Y, "x2": x, "y2": bottom, **_LOOK["now"]}
    label_x = min(max(x, PLOT_X0 + 22), PLOT_X1 - 22)
    label = {"class": "now", "x": label_x, "y": bottom + 12, "text-anchor": "middle", **_LOOK["text"]}
    when = f"Sekarang: {format_instant(now, axis.calendar.tz)}"
    return _group("now", [_element("line", line, title=when), _element("text", label, "Sekarang")])


def _shorten(name: str) -> str:
    """``name`` cut at a word boundary to :data:`LABEL_CHARS` characters, with an ellipsis."""
    name = " ".join(name.split())
    if len(name) <= LABEL_CHARS:
        return name
    cut = name[:LABEL_CHARS]
    space = LABEL_CHARS if name[LABEL_CHARS] == " " else cut.rfind(" ")
    if space >= LABEL_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


# --- markup --------------------------------------------------------------------------------


def _element(
    tag: str, attributes: Mapping[str, object], content: str | Markup = "", title: str | None = None
) -> Markup:
    """``<tag attributes><title>title</title>content</tag>``, every value and text escaped."""
    inner = Markup("")
    if title is not None:
        inner += Markup("<title>{}</title>").format(_clean(title))
    inner += content if isinstance(content, Markup) else escape(_clean(content))
    attrs = Markup("").join(Markup(' {}="{}"').format(name, _value(value)) for name, value in attributes.items())
    if not inner:
        return Markup("<{}{}/>").format(tag, attrs)
    return Markup("<{}{}>{}</{}>").format(tag, attrs, inner, tag)


def _group(cls: str, parts: Iterable[Markup]) -> Markup:
    return _element("g", {"class": cls}, Markup("").join(parts))


def _value(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return _clean(str(value))


def _round(x: float) -> float:
    return round(x, 2)


def _clean(text: str) -> str:
    """``text`` without the control characters XML 1.0 does not allow (they would break parsing)."""
    return _XML_ILLEGAL.sub("", text)
