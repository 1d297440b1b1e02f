"""The SOP document as PDF (ReportLab): every page of the layout drawn with the PDF's own Helvetica,
the font the layout measured its text with."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from sop_engine.sopdoc.scene import FONT, FONT_BOLD, Box, Item, Page, Path, Shape, arrow_head


def pdf_document(pages: list[Page], title: str, author: str) -> bytes:
    """``pages`` as one PDF; ``title`` and ``author`` go into its properties."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(pages[0].width, pages[0].height), invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    for page in pages:
        canvas.setPageSize((page.width, page.height))
        for item in page.items:
            _draw(canvas, item, page.height)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw(canvas: Canvas, item: Item, height: float) -> None:
    if isinstance(item, Box):
        _fill(canvas, item.fill)
        canvas.setLineWidth(item.width)
        y = height - item.y - item.h
        if item.radius:
            canvas.roundRect(item.x, y, item.w, item.h, item.radius, stroke=1, fill=int(bool(item.fill)))
        else:
            canvas.rect(item.x, y, item.w, item.h, stroke=1, fill=int(bool(item.fill)))
    elif isinstance(item, Shape):
        _fill(canvas, item.fill)
        canvas.setLineWidth(item.width)
        _outline(canvas, item.points, height, close=True, fill=bool(item.fill))
    elif isinstance(item, Path):
        canvas.setLineWidth(item.width)
        _outline(canvas, item.points, height, close=False, fill=False)
        if item.arrow:
            _head(canvas, item.points[-2], item.points[-1], height)
    else:
        canvas.setFillColor("#000000")
        canvas.setFont(FONT_BOLD if item.bold else FONT, item.size)
        y = height - item.y
        draw = {"start": canvas.drawString, "middle": canvas.drawCentredString, "end": canvas.drawRightString}
        draw[item.anchor](item.x, y, item.text)


def _fill(canvas: Canvas, fill: str | None) -> None:
    canvas.setFillColor(fill or "#ffffff")
    canvas.setStrokeColor("#000000")


def _outline(
    canvas: Canvas, points: tuple[tuple[float, float], ...], height: float, *, close: bool, fill: bool
) -> None:
    path = canvas.beginPath()
    path.moveTo(points[0][0], height - points[0][1])
    for x, y in points[1:]:
        path.lineTo(x, height - y)
    if close:
        path.close()
    canvas.drawPath(path, stroke=1, fill=int(fill))


def _head(canvas: Canvas, start: tuple[float, float], end: tuple[float, float], height: float) -> None:
    canvas.setFillColor("#000000")
    _outline(canvas, arrow_head(start, end, 5.0), height, close=True, fill=True)
