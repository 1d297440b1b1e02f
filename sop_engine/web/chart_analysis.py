"""The chart of the analysis page: each indicator's capaian and each program's absorption, as inline SVG.

One horizontal bar a row, on a shared percentage axis up to :data:`AXIS_PCT` (a longer bar is
cut there and its figure still says the real value), with a dashed line at 100 %. Like the
case chart (:mod:`.chart`) it has no ``style`` attribute (the Content-Security-Policy forbids
them): presentation attributes give the look, and every bar carries a ``<title>`` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from sop_engine.lakip.analysis import format_pct
from sop_engine.lakip.records import AnalysisRecord

__all__ = ["AXIS_PCT", "analysis_chart_svg"]

#: Where the axis ends: capaian above it is drawn to the edge.
AXIS_PCT = 150
WIDTH, LABEL_X, PLOT_X0, PLOT_X1 = 640, 4, 230.0, 580.0
ROW_H, TOP = 20, 24
LABEL_CHARS = 34
_COLOURS = {"capaian": "#2563eb", "serapan": "#059669"}


@dataclass(frozen=True)
class Bar:
    """One row: what it is, its percentage, and which series it belongs to."""

    label: str
    pct: Decimal
    series: str


def bars(record: AnalysisRecord) -> list[Bar]:
    """The indicators with a percentage, then each program's absorption and the total's."""
    rows = [
        Bar(f"{r.indicator.code} {r.indicator.name}", r.achievement.pct, "capaian")
        for r in record.indicators
        if r.achievement.pct is not None
    ]
    if record.budget is not None:
        spent = [*record.budget.programs, record.budget.total]
        rows += [Bar(f"Serapan {a.name or a.code}", a.pct, "serapan") for a in spent if a.pct is not None]
    return rows


def analysis_chart_svg(record: AnalysisRecord) -> Markup:
    """The chart of ``record``; an empty Markup when nothing has a percentage."""
    rows = bars(record)
    if not rows:
        return Markup("")
    height = TOP + ROW_H * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="analysis-chart" aria-label="Capaian indikator dan serapan anggaran tahun {record.year}">',
        *_axis(height),
        *(_row(index, bar) for index, bar in enumerate(rows)),
        "</svg>",
    ]
    return Markup("".join(parts))


def _x(pct: Decimal | int) -> float:
    share = min(max(float(pct), 0.0), AXIS_PCT) / AXIS_PCT
    return round(PLOT_X0 + share * (PLOT_X1 - PLOT_X0), 1)


def _axis(height: int) -> Sequence[str]:
    ticks = []
    for pct in range(0, AXIS_PCT + 1, 50):
        x = _x(pct)
        ticks.append(f'<text x="{x}" y="14" text-anchor="middle" class="axis" font-size="10">{pct} %</text>')
    hundred = _x(100)
    ticks.append(
        f'<line x1="{hundred}" y1="{TOP - 6}" x2="{hundred}" y2="{height - 4}" class="target" '
        'stroke="#111827" stroke-width="1" stroke-dasharray="4 3"/>'
    )
    return ticks


def _row(index: int, bar: Bar) -> str:
    y = TOP + index * ROW_H
    label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
    width = round(_x(bar.pct) - PLOT_X0, 1)
    shown = format_pct(bar.pct)
    return (
        f'<g class="bar {bar.series}">'
        f"<title>{escape(bar.label)}: {escape(shown)}</title>"
        f'<text x="{LABEL_X}" y="{y + 13}" class="label" font-size="10">{escape(label)}</text>'
        f'<rect x="{PLOT_X0}" y="{y + 3}" width="{width}" height="{ROW_H - 6}" fill="{_COLOURS[bar.series]}"/>'
        f'<text x="{_x(bar.pct) + 3}" y="{y + 13}" class="label" font-size="10">{escape(shown)}</text>'
        "</g>"
    )
