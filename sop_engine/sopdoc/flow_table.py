"""The grid of the flowchart table: its columns, its repeated heading, and the text of each row.

PermenPAN-RB 35/2012 lays the table out as No, Uraian Prosedur, one column per actor (Pelaksana),
the three columns of the mutu baku (Kelengkapan, Waktu, Output) and Keterangan; the heading is
repeated at the top of every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_engine.sopdoc.model import Chart, Row
from sop_engine.sopdoc.scene import Box, Item, block_height, text_block, wrap

SIZE = 8.0  # body text, points: readable on a printed A4
HEAD_SIZE = 8.0
PAD = 3.0
HEAD_FILL = "#e6e6e6"

#: Shares of the printable width of the columns other than the actors'.
_SHARES = {"no": 0.03, "uraian": 0.22, "kelengkapan": 0.11, "waktu": 0.065, "output": 0.11, "keterangan": 0.10}


@dataclass(frozen=True)
class Columns:
    """The x position and width of every column, left to right."""

    left: float
    no: tuple[float, float]
    uraian: tuple[float, float]
    actors: tuple[tuple[float, float], ...]
    mutu: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    keterangan: tuple[float, float]

    @property
    def right(self) -> float:
        return self.keterangan[0] + self.keterangan[1]


def columns(left: float, width: float, actor_count: int) -> Columns:
    """Columns over ``width`` from ``left``: fixed shares for the text, the rest split among the actors."""
    widths = {key: share * width for key, share in _SHARES.items()}
    actor_width = (width - sum(widths.values())) / max(actor_count, 1)
    x = left
    spans: dict[str, tuple[float, float]] = {}
    for key in ("no", "uraian"):
        spans[key], x = (x, widths[key]), x + widths[key]
    actors = []
    for _ in range(actor_count):
        actors.append((x, actor_width))
        x += actor_width
    for key in ("kelengkapan", "waktu", "output", "keterangan"):
        spans[key], x = (x, widths[key]), x + widths[key]
    mutu = (spans["kelengkapan"], spans["waktu"], spans["output"])
    return Columns(left, spans["no"], spans["uraian"], tuple(actors), mutu, spans["keterangan"])


def _cells(row: Row, cols: Columns) -> list[tuple[tuple[float, float], list[str], str]]:
    """The text columns of a row: (span, wrapped lines, anchor)."""
    texts = [
        (cols.no, f"{row.no}.", "middle"),
        (cols.uraian, row.uraian, "start"),
        (cols.mutu[0], "\n".join(row.kelengkapan) or "-", "start"),
        (cols.mutu[1], row.waktu, "middle"),
        (cols.mutu[2], row.output or "-", "start"),
        (cols.keterangan, row.keterangan or "-", "start"),
    ]
    return [(span, wrap(text, span[1] - 2 * PAD, SIZE), anchor) for span, text, anchor in texts]


def text_height(row: Row, cols: Columns) -> float:
    """The height the text of ``row`` needs."""
    return max(block_height(len(lines), SIZE) for _, lines, _ in _cells(row, cols)) + 2 * PAD


def row_items(row: Row, cols: Columns, top: float, height: float) -> list[Item]:
    """The borders and the text of one row."""
    items: list[Item] = []
    for (x, w), lines, anchor in _cells(row, cols):
        items.append(Box(x, top, w, height))
        tx = x + w / 2 if anchor == "middle" else x + PAD
        items.extend(text_block(lines, tx, top + PAD, SIZE, anchor=anchor))
    items.extend(Box(x, top, w, height) for x, w in cols.actors)
    return items


def heading_height(chart: Chart, cols: Columns) -> float:
    tallest = max(
        (
            len(wrap(actor.label, w - 2 * PAD, HEAD_SIZE, bold=True))
            for actor, (_, w) in zip(chart.actors, cols.actors, strict=True)
        ),
        default=1,
    )
    return block_height(1, HEAD_SIZE) + block_height(max(tallest, 2), HEAD_SIZE) + 4 * PAD


def heading_items(chart: Chart, cols: Columns, top: float) -> list[Item]:
    """The two heading rows: No, Uraian Prosedur, Pelaksana (the actors), Mutu Baku (three), Keterangan."""
    first = block_height(1, HEAD_SIZE) + 2 * PAD
    total = heading_height(chart, cols)
    items: list[Item] = []

    def cell(x: float, w: float, y: float, h: float, text: str) -> None:
        items.append(Box(x, y, w, h, fill=HEAD_FILL))
        lines = wrap(text, w - 2 * PAD, HEAD_SIZE, bold=True)
        y_text = y + (h - block_height(len(lines), HEAD_SIZE)) / 2
        items.extend(text_block(lines, x + w / 2, y_text, HEAD_SIZE, bold=True, anchor="middle"))

    cell(*cols.no, top, total, "No")
    cell(*cols.uraian, top, total, "Uraian Prosedur")
    if cols.actors:
        start = cols.actors[0][0]
        cell(start, sum(w for _, w in cols.actors), top, first, "Pelaksana")
        for actor, (x, w) in zip(chart.actors, cols.actors, strict=True):
            cell(x, w, top + first, total - first, actor.label)
    mutu_x = cols.mutu[0][0]
    cell(mutu_x, sum(w for _, w in cols.mutu), top, first, "Mutu Baku")
    for (x, w), label in zip(cols.mutu, ("Kelengkapan", "Waktu", "Output"), strict=True):
        cell(x, w, top + first, total - first, label)
    cell(*cols.keterangan, top, total, "Keterangan")
    return items
