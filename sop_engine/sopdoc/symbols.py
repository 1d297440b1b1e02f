"""The five symbols of PermenPAN-RB 35/2012, as primitives: terminator, process, decision, connector
(the fifth, the arrow, is a :class:`~.scene.Path`). Each is placed by its centre."""

from __future__ import annotations

from dataclasses import dataclass

from sop_engine.sopdoc.model import NodeKind
from sop_engine.sopdoc.scene import Box, Item, Path, Shape, Text

SYMBOL_H = 22.0
DECISION_H = 30.0
CONNECTOR = 16.0
CHAIN = 0.6  # the size of a paraf chain's later symbols against the step's own


@dataclass(frozen=True)
class Placed:
    """A symbol's outline: centre, half width and half height (a diamond's vertices are at these)."""

    cx: float
    cy: float
    hw: float
    hh: float

    @property
    def top(self) -> float:
        return self.cy - self.hh

    @property
    def bottom(self) -> float:
        return self.cy + self.hh


def symbol_width(column_width: float) -> float:
    return min(54.0, column_width * 0.6)


def height_of(kind: NodeKind) -> float:
    return DECISION_H if kind is NodeKind.DECISION else SYMBOL_H


def symbol(kind: NodeKind, place: Placed, data: tuple[tuple[str, str], ...] = ()) -> list[Item]:
    """The outline of a node of ``kind`` at ``place``; ``data`` says which step and actor it is."""
    x, y, hw, hh = place.cx, place.cy, place.hw, place.hh
    data = (("simbol", kind.value), *data)
    if kind is NodeKind.DECISION:
        points = ((x, y - hh), (x + hw, y), (x, y + hh), (x - hw, y))
        return [Shape(points, data=data)]
    radius = hh if kind is NodeKind.TERMINATOR else 0.0
    outline: list[Item] = [Box(x - hw, y - hh, 2 * hw, 2 * hh, radius=radius, fill="#ffffff", width=0.9, data=data)]
    if kind is NodeKind.PREDEFINED:  # the predefined process: a rectangle with a bar inside each side
        inset = min(5.0, hw / 4)
        for bar in (x - hw + inset, x + hw - inset):
            outline.append(Path(((bar, y - hh), (bar, y + hh)), arrow=False, width=0.9))
    return outline


def connector(cx: float, top: float, label: str) -> list[Item]:
    """An off-page connector (a pentagon pointing down) with its letter, its top at ``top``."""
    half, size = CONNECTOR / 2, CONNECTOR
    points = (
        (cx - half, top),
        (cx + half, top),
        (cx + half, top + size * 0.6),
        (cx, top + size),
        (cx - half, top + size * 0.6),
    )
    return [
        Shape(points, data=(("simbol", NodeKind.CONNECTOR.value), ("huruf", label))),
        Text(cx, top + size * 0.52, label, 7.0, True, "middle"),
    ]
