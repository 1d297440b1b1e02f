"""The evaluation of an SOP as a PDF (ReportLab, as the SOP document): landscape A4 under the office's kop.

The same content as the workbook of :mod:`sop_engine.evaluation_xlsx`: the figures per step
with the remarks (revisions, budgets) and the verdict rule stated under them, then the monitoring
form of PermenPAN-RB 35/2012 (No, prosedur, penilaian, catatan teknis, tindakan, paraf) with room
for the evaluator's signature.
Pure: no database; the kop comes from ``[office]`` in config.toml.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    HRFlowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sop_engine.config_office import OfficeSettings
from sop_engine.evaluation import Evaluation, period_text
from sop_engine.evaluation_xlsx import FIGURES_HEADER, MONITORING_HEADER, figures_row, monitoring_rows

_BODY = ParagraphStyle("isi", fontName="Helvetica", fontSize=8, leading=9.6)
_HEAD = ParagraphStyle("kepala", parent=_BODY, fontName="Helvetica-Bold", alignment=1)
_TITLE = ParagraphStyle("judul", parent=_BODY, fontName="Helvetica-Bold", fontSize=12, leading=15, alignment=1)
_KOP = ParagraphStyle("kop", parent=_BODY, fontName="Helvetica-Bold", fontSize=14, leading=17, alignment=1)
_KOP_LINE = ParagraphStyle("kop-baris", parent=_BODY, fontSize=9, leading=11, alignment=1)
_CENTRE = ParagraphStyle("tengah", parent=_BODY, alignment=1)
_MARGIN = 12 * mm
#: Column widths (mm) of the two tables, summing to the printable width of landscape A4.
_FIGURES_WIDTHS = (9, 58, 36, 16, 13, 20, 16, 16, 16, 24, 14, 15, 20)
_MONITORING_WIDTHS = (9, 80, 25, 60, 62, 37)


def evaluation_pdf(result: Evaluation, office: OfficeSettings) -> bytes:
    """``result`` as the bytes of a PDF under the kop of ``office``."""
    out = io.BytesIO()
    title = f"Evaluasi pelaksanaan SOP {result.workflow.header.nama}"
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=title,
        author=office.name,
        invariant=1,
    )
    period = f"Periode: {period_text(result.since, result.until)}; {len(result.cases)} kasus."
    rule = Paragraph(f"<b>Aturan penilaian:</b> {escape(result.rule)}", _BODY)
    story: list[Flowable] = [
        *_kop(office),
        Paragraph("EVALUASI PELAKSANAAN SOP", _TITLE),
        Paragraph(escape(f"{result.workflow.header.nama} (Nomor {result.workflow.header.nomor})"), _CENTRE),
        Paragraph(escape(period), _CENTRE),
        Spacer(1, 4 * mm),
        _table(FIGURES_HEADER, [figures_row(result, item) for item in result.steps], _FIGURES_WIDTHS),
        Spacer(1, 3 * mm),
        *[Paragraph(f"<b>Keterangan:</b> {escape(remark)}", _BODY) for remark in result.remarks],
        rule,
        PageBreak(),
        *_kop(office),
        Paragraph("FORMULIR MONITORING PELAKSANAAN SOP ADMINISTRASI PEMERINTAHAN", _TITLE),
        Paragraph(escape(f"{result.workflow.header.nama} · {period}"), _CENTRE),
        Spacer(1, 4 * mm),
        _table(MONITORING_HEADER, monitoring_rows(result), _MONITORING_WIDTHS),
        Spacer(1, 3 * mm),
        rule,
        Spacer(1, 6 * mm),
        _signature(),
    ]
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _kop(office: OfficeSettings) -> list[Flowable]:
    """The office's name, address and contacts, centred, with its logo at the left, and a rule under."""
    lines: list[Flowable] = [Paragraph(escape(office.name.upper()), _KOP)]
    lines += [Paragraph(escape(line), _KOP_LINE) for line in (office.address, office.contact_line) if line]
    head: Flowable
    if office.logo is not None:
        logo = Image(str(office.logo), width=18 * mm, height=18 * mm, kind="proportional")
        head = Table([[logo, lines]], colWidths=(22 * mm, None))
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    else:
        head = Table([[lines]])
    return [head, HRFlowable(width="100%", thickness=1.5, color=colors.black, spaceBefore=2, spaceAfter=6)]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    """A grid with its header repeated on every page; numbers centred, text wrapped."""
    cells = [[Paragraph(escape(name), _HEAD) for name in header]]
    for row in rows:
        cells.append([_cell(value) for value in row])
    table = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _cell(value: Any) -> Paragraph:
    if value is None:
        return Paragraph("-", _CENTRE)
    if isinstance(value, float):
        return Paragraph(f"{value:.2f}".replace(".", ","), _CENTRE)
    if isinstance(value, int):
        return Paragraph(str(value), _CENTRE)
    return Paragraph(escape(str(value)), _BODY)


def _signature() -> Table:
    """The evaluator's place: date, signature, name and NIP to be written in."""
    blank = "................................................"
    lines = ["Dievaluasi oleh,", "Tanggal: " + blank, "", "", "", "Nama: " + blank, "NIP. " + blank]
    block = Table([[None, [Paragraph(line or "&nbsp;", _BODY) for line in lines]]], colWidths=(190 * mm, 80 * mm))
    block.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return block


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7.5)
    width, _ = landscape(A4)
    canvas.drawCentredString(width / 2, 6 * mm, f"{document.title} · halaman {document.page}")
    canvas.restoreState()
