"""Page layout helpers of the draft LKj template (python-docx): fonts, fixed tables, sections, fields.

Used by ``build_draft_template.py``. Word and LibreOffice both honour what is set here: one font
family for every style (the theme fonts of the headings removed), tables with a fixed layout and a
column grid (so no word or amount is split), a repeated header row, landscape sections for wide
tables, page numbers in the footer and a Daftar Isi field.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

FONT = "Arial"
TABLE_SIZE = Pt(9.5)
PORTRAIT = (Cm(21), Cm(29.7))
MARGIN = Cm(2.5)


def one_font(document: DocumentObject, styles: Sequence[str]) -> None:
    """Every listed style in :data:`FONT`, black, the theme fonts (Calibri Light headings) removed."""
    for name in styles:
        style = document.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    document.styles["Heading 1"].font.size = Pt(14)
    document.styles["Heading 2"].font.size = Pt(12)
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.keep_with_next = True


def set_page(section: object, landscape: bool) -> None:
    """A4 in the orientation asked, 2,5 cm margins."""
    width, height = PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (height, width) if landscape else (width, height)  # type: ignore[attr-defined]
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def new_section(document: DocumentObject, landscape: bool) -> None:
    """Start a new page in a section of the orientation asked (footer and numbering continue)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False  # only the cover goes without a number
    set_page(section, landscape)


def _field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A complex field (PAGE, TOC, ...) marked dirty so Word and LibreOffice compute it."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate):
        paragraph.add_run()._r.append(element)
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(end)


def page_numbers(document: DocumentObject) -> None:
    """ "Halaman N" centred in the footer of the first section (the others link to it); none on the cover."""
    document.sections[0].different_first_page_header_footer = True
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Halaman ")
    _field(paragraph, "PAGE", "1")


def table_of_contents(document: DocumentObject, anchor: Paragraph, skip: Sequence[str] = ()) -> None:
    """The Daftar Isi before ``anchor``: each heading of level 1-2 (but ``skip``) with its page.

    Every heading gets a bookmark; its entry ends in a PAGEREF field to it, which LibreOffice
    computes when it lays the document out and Word when it updates fields (marked dirty).
    """
    width = document.sections[0].page_width - document.sections[0].left_margin - document.sections[0].right_margin
    for number, paragraph in enumerate(p for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")):
        if paragraph.text in skip:
            continue
        name = f"_Toc{number:04d}"
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(number)), start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(number))
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)
        entry = anchor.insert_paragraph_before()
        entry.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        entry.paragraph_format.space_after = Pt(2)
        level2 = paragraph.style.name == "Heading 2"
        if level2:
            entry.paragraph_format.left_indent = Cm(0.75)
        entry.add_run(paragraph.text + "\t").bold = not level2
        _field(entry, f"PAGEREF {name} \\h", "")


def fixed_table(document: DocumentObject, rows: int, widths: Sequence[float]) -> object:
    """A grid table with a fixed layout: the column widths (cm) hold in Word and LibreOffice; the header
    row repeats on each page and no row is split over two pages."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    return table


def cell_text(table: object, row: int, column: int, value: str, *, bold: bool = False, right: bool = False) -> None:
    """Put ``value`` in a cell in the table font size, bold or right-aligned if asked."""
    paragraph = table.cell(row, column).paragraphs[0]  # type: ignore[attr-defined]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(value)
    run.bold, run.font.size = bold, TABLE_SIZE


def rule_below(paragraph: Paragraph) -> None:
    """A double line under ``paragraph``: the rule under a kop."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "double"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    properties = paragraph._p.get_or_add_pPr()  # pBdr comes after pStyle and before spacing and jc
    properties.insert(1 if properties.find(qn("w:pStyle")) is not None else 0, borders)
