"""The SOP document's pages as SVG, written by hand (no library): one ``<svg>`` per page, or all pages
stacked in one drawing for the web and for ``sop workflows document ID -o FILE.svg``."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from sop_engine.sopdoc.scene import Box, Item, Page, Path, Shape

FONTS = "Helvetica, Arial, 'Liberation Sans', sans-serif"
_GAP = 12.0  # between stacked pages


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _data(data: tuple[tuple[str, str], ...]) -> str:
    return "".join(f" data-{name}={quoteattr(value)}" for name, value in data)


def _item(item: Item) -> str:
    if isinstance(item, Box):
        radius = f' rx="{item.radius:.1f}"' if item.radius else ""
        return (
            f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" height="{item.h:.1f}"{radius} '
            f'fill="{item.fill or "none"}" stroke="#000" stroke-width="{item.width}"{_data(item.data)}/>'
        )
    if isinstance(item, Shape):
        return (
            f'<polygon points="{_points(item.points)}" fill="{item.fill or "none"}" stroke="#000" '
            f'stroke-width="{item.width}"{_data(item.data)}/>'
        )
    if isinstance(item, Path):
        marker = ' marker-end="url(#panah)"' if item.arrow else ""
        return (
            f'<polyline points="{_points(item.points)}" fill="none" stroke="#000" stroke-width="{item.width}"{marker}/>'
        )
    weight = ' font-weight="bold"' if item.bold else ""
    return (
        f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size}"{weight} '
        f'text-anchor="{item.anchor}">{escape(item.text)}</text>'
    )


def svg_document(pages: list[Page], title: str) -> str:
    """All ``pages`` one under the other in one SVG (white pages on grey), with ``title``."""
    width = max(page.width for page in pages)
    height = sum(page.height for page in pages) + _GAP * (len(pages) - 1)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.1f} {height:.1f}" '
        f'width="{width:.1f}pt" height="{height:.1f}pt" font-family={quoteattr(FONTS)} role="img">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="panah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse" markerUnits="userSpaceOnUse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#000"/></marker></defs>',
    ]
    top = 0.0
    for number, page in enumerate(pages, 1):
        parts.append(f'<g class="halaman" id="halaman-{number}" transform="translate(0 {top:.1f})">')
        parts.append(
            f'<rect x="0" y="0" width="{page.width:.1f}" height="{page.height:.1f}" fill="#fff" stroke="#bbb"/>'
        )
        parts.extend(_item(item) for item in page.items)
        parts.append("</g>")
        top += page.height + _GAP
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
