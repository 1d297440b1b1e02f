"""How the data-collection workbook prints: the page setup, the header and signature blocks of a
division sheet, the rupiah format, and the row heights of wrapped text (no database).

A division sheet prints landscape on A4, as wide as one page and as long as it needs, its column
header repeated on every page and the page number in the footer. The blocks name the satuan kerja
and the subbagian and leave the penanggung jawab's name, NIP and signature to be written in.
Input amounts carry an explicit Indonesian number format (``[$-421]``: dots between thousands in
LibreOffice whatever the computer's language; Excel uses the computer's separators, which is why
the amounts a person only reads are written as text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped, unused-ignore]

#: Rupiah in whole units with dots between thousands (id-ID), e.g. 2.701.548.000.
RUPIAH_FORMAT = "[$-421]#,##0"
#: The blank a penanggung jawab writes on.
BLANK = "................................................"
#: Points per printed line of wrapped 11-point text.
LINE_HEIGHT = 15.0


def page_setup(sheet: Worksheet, *, landscape: bool, title_rows: str | None = None) -> None:
    """A4, one page wide (as many pages long as needed), centred, with "Halaman N dari M" below."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = "Halaman &P dari &N"
    sheet.oddFooter.center.size = 8
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.left.size = 8


def header_block(sheet: Worksheet, title: str, lines: Sequence[str]) -> None:
    """The title, then one line each: satuan kerja, subbagian, penanggung jawab, how to fill in."""
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
    for line in lines:
        sheet.append([line])
    sheet.append([])


def signature_block(sheet: Worksheet, column: int, place_and_date: str) -> None:
    """Where the penanggung jawab signs, under the last table, in ``column`` (right-hand side)."""
    sheet.append([])
    start = sheet.max_row + 1
    for offset, text in enumerate((place_and_date, "Penanggung jawab,", "", "", "", BLANK, f"NIP {BLANK[:24]}")):
        cell = sheet.cell(start + offset, column, text or None)
        cell.alignment = Alignment(horizontal="center")
    sheet.cell(start + 1, column).font = Font(bold=True)


def wrapped_heights(sheet: Worksheet, columns: Mapping[str, float], first_row: int = 1) -> None:
    """Give each row from ``first_row`` the height of its longest wrapped text in ``columns`` (column:
    characters per line). openpyxl does not measure text, and a row without a height may print its
    wrapped lines over the next row."""
    for number in range(first_row, sheet.max_row + 1):
        lines, size = 1, 11.0
        for column, chars in columns.items():
            cell: Any = sheet[f"{column}{number}"]
            if cell.value is None:
                continue
            text = str(cell.value)
            lines = max(lines, sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n")))
            size = max(size, float(cell.font.size or 11))
        sheet.row_dimensions[number].height = lines * LINE_HEIGHT * size / 11
