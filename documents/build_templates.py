"""Build the office-editable Word templates of the generated letters (python-docx).

Run ``.venv/bin/python documents/build_templates.py`` to (re)create ``disposisi.docx`` and
``surat-pengantar.docx`` next to this script. An office may instead edit the .docx files in Word
or LibreOffice: the ``{{ ... }}`` tags are filled by sop-engine (docxtpl, Jinja2 syntax), a tag
whose value sop-engine does not provide is refused with its name. The values available:

both        kantor, logo (the image of [office] logo, or empty), alamat_kantor, kontak (telephone,
            e-mail, website), alamat (address and contacts on one line), kasus, tanggal, perihal
disposisi   surat_dari, nomor_surat, tanggal_surat, diterima_tanggal, nomor_agenda, dari, kepada,
            sifat, sifat_pilihan, diteruskan, harap (rows: tanda, label), isi_disposisi,
            nama_pengirim
pengantar   nomor, tempat_tanggal, kepada, instansi_tujuan, di_tujuan, jumlah_lampiran, lampiran
            (rows: uraian, banyaknya, keterangan), jabatan_penanda_tangan, nama_penanda_tangan,
            nip_penanda_tangan
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
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
    """The kop surat: the logo on the left, the office's name, address and contacts centred, over a double rule."""
    table = document.add_table(rows=1, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    logo, text, _ = table.rows[0].cells
    logo.paragraphs[0].add_run("{{ logo }}")
    logo.vertical_alignment = text.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    name = text.paragraphs[0]
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run("{{ kantor|upper }}")
    run.bold, run.font.size = True, Pt(14)
    for tag in ("{{ alamat_kantor }}", "{{ kontak }}"):
        paragraph = text.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(tag).font.size = Pt(9)
    widths(table, 2.5, 11, 2.5)
    rule = document.add_paragraph()
    rule_below(rule)
    rule.paragraph_format.space_after = Pt(12)


def footer_reference(document: DocumentObject) -> None:
    """A small reference to the case in the page footer (where the office files the letter)."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Ref. {{ kasus }}").font.size = Pt(7)


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
    """Fixed column widths, in the table grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), centimetres, strict=True):
        column.set(qn("w:w"), str(Cm(width).twips))
    for row in table.rows:
        column = 0
        for cell in row._tr.tc_lst:
            cell.width = Cm(sum(centimetres[column : column + cell.grid_span]))
            column += cell.grid_span


def disposisi() -> DocumentObject:
    """Lembar disposisi in the usual layout of a government office (step 1 of the LAKIP SOP): the incoming
    letter, its agenda and urgency, to whom it goes on and what is asked, the note, paraf and date."""
    document = new_document("Lembar Disposisi")
    title = line(document, "LEMBAR DISPOSISI", bold=True, align="center")
    title.paragraph_format.space_after = Pt(8)
    table = document.add_table(rows=7, cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    labelled(table.cell(0, 0), "Surat dari", "{{ surat_dari }}")
    labelled(table.cell(0, 1), "Diterima tanggal", "{{ diterima_tanggal }}")
    labelled(table.cell(1, 0), "Nomor surat", "{{ nomor_surat }}")
    labelled(table.cell(1, 1), "Nomor agenda", "{{ nomor_agenda }}")
    labelled(table.cell(2, 0), "Tanggal surat", "{{ tanggal_surat }}")
    labelled(table.cell(2, 1), "Sifat", "{% for s in sifat_pilihan %}{{ s.tanda }}\u00a0{{ s.label }}  {% endfor %}")
    labelled(table.cell(3, 0).merge(table.cell(3, 1)), "Perihal", "{{ perihal }}")
    checklist(table.cell(4, 0), "Diteruskan kepada Sdr.:", "diteruskan")
    checklist(table.cell(4, 1), "Dengan hormat harap:", "harap")
    notes = table.cell(5, 0).merge(table.cell(5, 1))
    notes.paragraphs[0].add_run("Catatan:").bold = True
    notes.add_paragraph("{{ isi_disposisi }}")
    notes.add_paragraph("")
    received = table.cell(6, 0)
    received.paragraphs[0].add_run("Diterima oleh penerima disposisi:").bold = True
    for text in ("Tanggal: ....................", "Paraf:", "", ""):
        received.add_paragraph(text)
    signed = table.cell(6, 1)
    signed.paragraphs[0].add_run("{{ dari }},").bold = True
    for text in ("Tanggal: {{ tanggal }}", "Paraf:", "", "", "{{ nama_pengirim }}"):
        signed.add_paragraph(text)
    widths(table, 8, 8)
    footer_reference(document)
    return document


def labelled(cell: _Cell, label: str, tag: str) -> None:
    """A form field: the label in bold, then its value."""
    paragraph = cell.paragraphs[0]
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(tag)


def checklist(cell: _Cell, heading: str, rows: str) -> None:
    """A heading over one line per row of ``rows`` (its ``tanda`` box, then its ``label``)."""
    cell.paragraphs[0].add_run(heading).bold = True
    cell.add_paragraph(f"{{%p for item in {rows} %}}")
    cell.add_paragraph("{{ item.tanda }} {{ item.label }}")
    cell.add_paragraph("{%p endfor %}")


def surat_pengantar() -> DocumentObject:
    """Surat pengantar (ANRI format): what is sent to whom, with its number from the register (step 10)."""
    document = new_document("Surat Pengantar")
    line(document, "{{ tempat_tanggal }}", align="right").paragraph_format.space_after = Pt(12)
    line(document, "Yth. {{ kepada }}")
    line(document, "{%p if instansi_tujuan %}")
    line(document, "{{ instansi_tujuan }}")
    line(document, "{%p endif %}")
    line(document, "di {{ di_tujuan }}").paragraph_format.space_after = Pt(12)
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
    widths(table, 1.2, 7, 3.8, 4)
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
    footer_reference(document)
    return document


def main(out: Path = OUT) -> None:
    """Write the letter templates into ``out`` (the package's defaults unless told otherwise)."""
    for name, build in (("disposisi.docx", disposisi), ("surat-pengantar.docx", surat_pengantar)):
        build().save(str(out / name))
        print(f"{out / name} dibuat.")


if __name__ == "__main__":
    main()
