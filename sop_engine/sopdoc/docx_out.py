"""The SOP document as .docx (python-docx): the identity table as a real Word table, which an office
can edit, then each flowchart page as a picture (drawn by :mod:`.png`), landscape A4 or F4."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.shared import Pt
from docx.table import _Cell

from sop_engine.definitions import WorkflowDef
from sop_engine.sopdoc.identity import facts, sections
from sop_engine.sopdoc.png import page_png
from sop_engine.sopdoc.scene import MM, PAPERS, Page

_MARGIN = 28.0  # points (1 cm)
_CROP = 28.0  # the flowchart pictures keep 6 of the layout's 34 points of margin


def docx_document(definition: WorkflowDef, flow: list[Page], paper: str) -> bytes:
    """The identity table and the flowchart pages of ``definition`` as .docx bytes."""
    document = Document()
    width, height = PAPERS[paper]
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Pt(width), Pt(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Pt(_MARGIN))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(9)
    document.core_properties.title = f"SOP {definition.header.nama}"
    document.core_properties.author = definition.header.instansi
    _identity(document, definition)
    usable_w, usable_h = width - 2 * _MARGIN, height - 2 * _MARGIN - 2 * MM
    for page in flow:
        picture_w, picture_h = page.width - 2 * _CROP, page.height - 2 * _CROP
        scale = min(usable_w / picture_w, usable_h / picture_h)
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        run = paragraph.add_run()
        run.add_picture(io.BytesIO(page_png(page, 200, crop=_CROP)), width=Pt(picture_w * scale))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _identity(document: object, definition: WorkflowDef) -> None:
    header = definition.header
    rows = facts(header)
    table = document.add_table(rows=len(rows) + 3, cols=3)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    title = table.cell(0, 0).merge(table.cell(len(rows) - 1, 0))
    _write(title, header.instansi.upper(), bold=True)
    for index, (label, value) in enumerate(rows):
        _write(table.cell(index, 1), label, bold=True)
        _write(table.cell(index, 2), value)
    for offset, pair in enumerate(sections(header)):
        row = len(rows) + offset
        right = table.cell(row, 1).merge(table.cell(row, 2))
        for cell, (section_title, text) in zip((table.cell(row, 0), right), pair, strict=True):
            _write(cell, section_title, bold=True)
            for line in text.split("\n"):
                cell.add_paragraph(line)


def _write(cell: _Cell, text: str, *, bold: bool = False) -> None:
    lines = text.split("\n")
    paragraph = cell.paragraphs[0]
    paragraph.add_run(lines[0]).bold = bold
    for line in lines[1:]:
        cell.add_paragraph().add_run(line).bold = bold
