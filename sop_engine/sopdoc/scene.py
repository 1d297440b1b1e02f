"""What a page of the SOP document is made of: a few drawing primitives, in points, y downwards.

The layouts (:mod:`.identity`, :mod:`.flow`) place these once; each output (:mod:`.svg`, :mod:`.pdf`,
:mod:`.png`) only draws them, so the SVG on the web, the PDF and the picture in the .docx agree.
Text is measured with the metrics of Helvetica (the PDF's own font; Arial and Liberation Sans
have the same widths), and wrapped here, so no output wraps on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

MM = 72 / 25.4

#: Paper sizes (width, height) in points, landscape.
PAPERS: dict[str, tuple[float, float]] = {"a4": (297 * MM, 210 * MM), "f4": (330 * MM, 215 * MM)}

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"


@dataclass(frozen=True)
class Box:
    """A rectangle; ``radius`` rounds its corners (half its height: a terminator)."""

    x: float
    y: float
    w: float
    h: float
    radius: float = 0.0
    fill: str | None = None
    width: float = 0.6
    #: What a symbol stands for, as (name, value) pairs: the SVG writes them as ``data-`` attributes.
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Shape:
    """A closed polygon (a decision's diamond, an off-page connector)."""

    points: tuple[tuple[float, float], ...]
    fill: str | None = "#ffffff"
    width: float = 0.9
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Path:
    """An open line through ``points``; ``arrow`` puts a head at its end."""

    points: tuple[tuple[float, float], ...]
    arrow: bool = True
    width: float = 0.8


@dataclass(frozen=True)
class Text:
    """One line of text; ``x`` is its left edge, its centre or its right edge by ``anchor``; ``y`` its baseline."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    anchor: str = "start"  # "start", "middle", "end"


Item = Box | Shape | Path | Text


@dataclass
class Page:
    """One page: its size and what is drawn on it, in order."""

    width: float
    height: float
    items: list[Item] = field(default_factory=list)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    return float(stringWidth(text, FONT_BOLD if bold else FONT, size))


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (a word longer than that is cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold=bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while text_width(word, size, bold=bold) > width and len(word) > 1:
                cut = max(1, next(i for i in range(len(word), 0, -1) if text_width(word[:i], size, bold=bold) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def text_block(
    lines: list[str], x: float, top: float, size: float, *, bold: bool = False, anchor: str = "start"
) -> list[Item]:
    """Lines set from ``top`` downwards at 1.2 times the font size."""
    leading = size * 1.2
    return [Text(x, top + size + index * leading, line, size, bold, anchor) for index, line in enumerate(lines)]


def block_height(count: int, size: float) -> float:
    return count * size * 1.2 + size * 0.25


def arrow_head(start: tuple[float, float], end: tuple[float, float], size: float) -> tuple[tuple[float, float], ...]:
    """The triangle of an arrow's head at ``end``, pointing away from ``start``."""
    (x0, y0), (x1, y1) = start, end
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    left = (x1 - ux * size - uy * size / 2, y1 - uy * size + ux * size / 2)
    right = (x1 - ux * size + uy * size / 2, y1 - uy * size - ux * size / 2)
    return ((x1, y1), left, right)
