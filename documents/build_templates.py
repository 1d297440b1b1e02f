"""Build the office-editable Word templates of the generated letters (python-docx).

Run ``.venv/bin/python documents/build_templates.py`` to (re)create ``disposisi.docx`` and
``surat-pengantar.docx`` next to this script. An office may instead edit the .docx files in Word
or LibreOffice: the ``{{ ... }}`` tags are filled by sop-engine (docxtpl, Jinja2 syntax), a tag
whose value sop-engine does not provide is refused with its name. The values available:

both        kantor, alamat, kasus, tanggal, perihal
disposisi   nomor_agenda, dari, kepada, sifat, isi_disposisi, nama_pengirim
pengantar   nomor, tempat_tanggal, kepada, jumlah_lampiran, lampiran (rows: uraian, banyaknya,
            keterangan), jabatan_penanda_tangan, nama_penanda_tangan, nip_penanda_tangan
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
#: Where the package's default templates live (shipped in the wheel, found with importlib.resources).
OUT = HERE.parent / "sop_engine" / "defaults" / "documents"
FONT = "Arial"
#: The elements that follow <w:pBdr> inside <w:pPr> (ECMA-376 order; Word refuses another order).
PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def new_document(title: str) -> DocumentObject:
    """An A4 document in Arial 11 with the office letterhead at the top."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)
    document.core_properties.title = title
    document.core_properties.author = "sop-engine"
    letterhead(document)
    return document


def letterhead(document: DocumentObject) -> None:
    """The office name and address over a double rule."""
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run("{{ kantor|upper }}")
    run.bold, run.font.size = True, Pt(14)
    address = document.add_paragraph()
    rule_below(address)
    address.alignment = WD_ALIGN_PARAGRAPH.CENTER
    address.add_run("{{ alamat }}").font.size = Pt(9)
    address.paragraph_format.space_after = Pt(12)


def rule_below(paragraph: Paragraph) -> None:
    """A double line under ``paragraph`` (the rule under a letterhead)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "thickThinSmallGap"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.insert_element_before(border, *PBDR_SUCCESSORS)


def line(document: DocumentObject, text: str = "", *, bold: bool = False, align: str = "left") -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    if text:
        paragraph.add_run(text).bold = bold
    return paragraph


def cell_text(table: Table, row: int, column: int, text: str, *, bold: bool = False) -> None:
    paragraph = table.cell(row, column).paragraphs[0]
    paragraph.add_run(text).bold = bold


def widths(table: Table, *centimetres: float) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, centimetres, strict=True):
            cell.width = Cm(width)


def disposisi() -> DocumentObject:
    """Lembar disposisi: who orders what of whom, how urgently (step 1 of the LAKIP SOP)."""
    document = new_document("Lembar Disposisi")
    line(document, "LEMBAR DISPOSISI", bold=True, align="center").paragraph_format.space_after = Pt(12)
    fields = [
        ("Nomor Agenda", "{{ nomor_agenda }}"),
        ("Tanggal", "{{ tanggal }}"),
        ("Dari", "{{ dari }}"),
        ("Kepada", "{{ kepada }}"),
        ("Sifat", "{{ sifat }}"),
        ("Perihal", "{{ perihal }}"),
        ("Kasus", "{{ kasus }}"),
        ("Isi Disposisi", "{{ isi_disposisi }}"),
    ]
    table = document.add_table(rows=len(fields), cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (label, tag) in enumerate(fields):
        cell_text(table, index, 0, label, bold=True)
        cell_text(table, index, 1, tag)
    widths(table, 4, 12)
    line(document)
    line(document)
    line(document, "{{ dari }},", align="right")
    for _ in range(3):
        line(document)
    line(document, "{{ nama_pengirim }}", bold=True, align="right")
    return document


def surat_pengantar() -> DocumentObject:
    """Surat pengantar (ANRI format): what is sent to whom, with its number from the register (step 10)."""
    document = new_document("Surat Pengantar")
    line(document, "{{ tempat_tanggal }}", align="right").paragraph_format.space_after = Pt(12)
    line(document, "Kepada Yth.")
    line(document, "{{ kepada }}", bold=True)
    line(document, "di Tempat").paragraph_format.space_after = Pt(12)
    title = line(document, align="center")
    run = title.add_run("SURAT PENGANTAR")
    run.bold = run.underline = True
    line(document, "Nomor: {{ nomor }}", align="center").paragraph_format.space_after = Pt(12)
    line(document, "Perihal: {{ perihal }}")
    line(document, "Lampiran: {{ jumlah_lampiran }}").paragraph_format.space_after = Pt(6)
    table = document.add_table(rows=4, cols=4)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, header in enumerate(("No.", "Naskah Dinas yang Dikirimkan", "Banyaknya", "Keterangan")):
        cell_text(table, 0, column, header, bold=True)
    cell_text(table, 1, 0, "{%tr for item in lampiran %}")
    for column, tag in enumerate(("{{ loop.index }}", "{{ item.uraian }}", "{{ item.banyaknya }}")):
        cell_text(table, 2, column, tag)
    cell_text(table, 2, 3, "{{ item.keterangan }}")
    cell_text(table, 3, 0, "{%tr endfor %}")
    widths(table, 1.2, 7.8, 3, 4)
    line(document)
    signatures = document.add_table(rows=1, cols=2)
    left, right = signatures.cell(0, 0), signatures.cell(0, 1)
    left.paragraphs[0].add_run("Diterima tanggal: ..................")
    for text in ("Penerima,", "", "", "", "(..................................)"):
        left.add_paragraph(text)
    right.paragraphs[0].add_run("{{ jabatan_penanda_tangan }},")
    for _ in range(3):
        right.add_paragraph("")
    right.add_paragraph().add_run("{{ nama_penanda_tangan }}").bold = True
    right.add_paragraph("{% if nip_penanda_tangan %}NIP. {{ nip_penanda_tangan }}{% endif %}")
    widths(signatures, 8, 8)
    return document


def main(out: Path = OUT) -> None:
    """Write the letter templates into ``out`` (the package's defaults unless told otherwise)."""
    for name, build in (("disposisi.docx", disposisi), ("surat-pengantar.docx", surat_pengantar)):
        build().save(str(out / name))
        print(f"{out / name} dibuat.")


if __name__ == "__main__":
    main()
