"""The data-collection workbook of steps 2-4 written as an .xlsx file (no database).

:func:`write_workbook` writes one .xlsx with a "Petunjuk" sheet and one protected sheet per
division, prefilled with the targets it is given; only the yellow realisation cells are unlocked
and they carry Excel data validation. A hidden sheet ``_sop`` records the year and, per division
sheet, which rows are input rows, so the import (:mod:`sop_engine.lakip.workbook_read`) knows
what to expect.

Cells a person only reads (targets, pagu) hold Indonesian text ("6,0%", "Rp 2.701.548.000"), since
a spreadsheet shows a number with the separators of the computer's language whatever its format;
the input cells stay numbers (the import reads them) with the Indonesian format of
:mod:`sop_engine.lakip.workbook_print`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.styles import Alignment, Font, PatternFill, Protection  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped, unused-ignore]

from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_rupiah
from sop_engine.lakip.analysis import ORDINAL_SCALES
from sop_engine.lakip.indicator_text import target_text
from sop_engine.lakip.targets import POLARITY_NAMES, IndicatorRow, OutputRow
from sop_engine.lakip.workbook_print import RUPIAH_FORMAT, header_block, page_setup, signature_block, wrapped_heights

DEFAULT_DIVISIONS = (
    "Subbagian Program dan Data",
    "Subbagian Teknis dan Hubungan Partisipasi Masyarakat",
    "Subbagian Hukum dan SDM",
    "Subbagian Keuangan, Umum dan Logistik",
)
#: Which division reports on the outputs of a kegiatan (by its four-digit code).
ACTIVITY_DIVISIONS = {"3357": 0, "3364": 1, "3363": 2, "3355": 3, "3356": 3, "3360": 3, "3361": 3}
#: Indicators linked to no output go by a word of their name; the rest to the first division.
INDICATOR_WORDS = (("opini bpk", 3), ("hukum", 2), ("pelanggaran", 2), ("partisipasi", 1), ("konflik", 1))
META_SHEET, INSTRUCTIONS_SHEET, INPUT_COLUMN = "_sop", "Petunjuk", 7
_HEADER_FILL, _INPUT_FILL = PatternFill("solid", fgColor="1F4E78"), PatternFill("solid", fgColor="FFF2CC")
_WIDTHS = {"A": 12, "B": 36, "C": 52, "D": 10, "E": 17, "F": 11, "G": 22}
#: The row of a division sheet's column header (under the header block), repeated on every printed page.
HEADER_ROW = 7
#: The width of the Petunjuk sheet's one column (characters): narrower than a portrait A4 page, since a
#: spreadsheet never shrinks a single column to the page (it cuts it off).
INSTRUCTIONS_WIDTH = 76


def sheet_name(division: str) -> str:
    """A sheet title (at most 31 characters, no []:*?/\\) for a division."""
    name = re.sub(r"^sub\s?bag(ian)?\s+", "", division.strip(), flags=re.IGNORECASE)
    name = name.replace("Hubungan Partisipasi Masyarakat", "Hupmas")
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:31].strip() or "Divisi"


def assign(
    divisions: Sequence[str], indicators: Sequence[IndicatorRow], outputs: Sequence[OutputRow]
) -> dict[str, tuple[list[IndicatorRow], list[OutputRow]]]:
    """The indicators and outputs of each division (see ACTIVITY_DIVISIONS and INDICATOR_WORDS)."""
    index = {d.casefold(): d for d in divisions}

    def division(default: int | None) -> str:
        name = DEFAULT_DIVISIONS[default] if default is not None else divisions[0]
        return index.get(name.casefold(), divisions[0])

    parts: dict[str, tuple[list[IndicatorRow], list[OutputRow]]] = {d: ([], []) for d in divisions}
    for out in outputs:
        parts[division(ACTIVITY_DIVISIONS.get(out.activity_code))][1].append(out)
    for ind in indicators:
        if ind.output_code:
            default = ACTIVITY_DIVISIONS.get(ind.output_code.split(".")[0])
        else:
            default = next((i for word, i in INDICATOR_WORDS if word in ind.indicator.casefold()), None)
        parts[division(default)][0].append(ind)
    return parts


def chosen_divisions(divisions: Sequence[str]) -> tuple[str, ...]:
    """``divisions`` with spaces tidied and repeats dropped; InvalidInput if none, or two share a sheet title."""
    chosen = tuple(dict.fromkeys(" ".join(d.split()) for d in divisions if d.strip()))
    titles = [sheet_name(d) for d in chosen]
    if not chosen or len(set(t.casefold() for t in titles)) < len(titles):
        raise InvalidInput(
            f"Daftar divisi '{', '.join(chosen)}' kosong atau memuat dua nama yang sama; sebutkan setiap "
            "subbagian sekali.",
            value=", ".join(chosen),
        )
    return chosen


def write_workbook(
    out_path: Path,
    year: int,
    divisions: Sequence[str],
    indicators: Sequence[IndicatorRow],
    outputs: Sequence[OutputRow],
    *,
    due: str,
    return_to: str,
    office: str = "",
) -> Path:
    """Write the workbook of ``year`` for ``divisions`` (from :func:`chosen_divisions`) to ``out_path``;
    ``due`` is the return deadline as written, ``office`` the satuan kerja (code and name)."""
    book = openpyxl.Workbook()
    _instructions(book.active, year, divisions, due, return_to)
    meta = book.create_sheet(META_SHEET)
    meta.append(["tahun", year])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    parts, titles = assign(divisions, indicators, outputs), [sheet_name(d) for d in divisions]
    for (division, (own_indicators, own_outputs)), title in zip(parts.items(), titles, strict=True):
        sheet = book.create_sheet(title)
        header_block(
            sheet,
            f"Pengumpulan Data Kinerja Tahun {year} — {division}",
            [
                f"Satuan kerja: {office or '-'}",
                f"Subbagian: {division}",
                "Penanggung jawab: ............................................  NIP: ........................",
                f"Isi sel berwarna kuning saja (lihat lembar Petunjuk); kembalikan paling lambat {due}.",
            ],
        )
        _division_sheet(sheet, division, own_indicators, own_outputs, meta)
    book.move_sheet(meta, offset=len(book.worksheets) - 1 - book.index(meta))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    book.save(out_path)
    return out_path


def _instructions(ws: Any, year: int, divisions: Sequence[str], due: str, return_to: str) -> None:
    sheet = ws
    sheet.title = INSTRUCTIONS_SHEET
    lines = [
        f"Petunjuk Pengisian Data Kinerja dan Anggaran Tahun {year}",
        "",
        f"1. Buku kerja ini memuat satu lembar untuk setiap subbagian: {'; '.join(divisions)}.",
        "2. Isi hanya sel berwarna kuning di lembar subbagian Anda; sel lain dikunci.",
        f"3. Kolom 'Realisasi' (indikator): capaian tahun {year} dalam satuan di kolom Satuan. Persentase "
        "ditulis sebagai angka tanpa tanda %, misalnya 95,5. Opini BPK diisi WTP, WDP, TW atau TMP; "
        "predikat diisi AA, A, BB, B, CC, C atau D (pilih dari daftar).",
        f"4. Kolom 'Realisasi Anggaran (Rp)' (output DIPA): realisasi sampai 31 Desember {year} dalam rupiah "
        "penuh tanpa sen dan tanpa 'Rp', misalnya 20884000; tidak boleh negatif.",
        "5. Jangan menambah, menghapus, atau mengganti nama lembar, dan jangan mengubah baris.",
        f"6. Batas waktu pengembalian: {due}.",
        f"7. Kirim kembali berkas ini dalam format .xlsx kepada {return_to}.",
        "8. Berkas yang memuat kesalahan ditolak seluruhnya beserta daftar kesalahannya; perbaiki lalu kirim ulang.",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for row in sheet.iter_rows(min_row=1):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    wrapped_heights(sheet, {"A": INSTRUCTIONS_WIDTH * 0.9})
    page_setup(sheet, landscape=False)


def _division_sheet(
    ws: Any,
    division: str,
    indicators: Sequence[IndicatorRow],
    outputs: Sequence[OutputRow],
    meta: Any,
) -> None:
    sheet = ws
    _header(sheet, ["Kode", "Sasaran", "Indikator", "Satuan", "Target", "Polaritas", "Realisasi"])
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    number.error, number.errorTitle = "Tulis angka 0 atau lebih (koma untuk desimal).", "Bukan angka"
    rupiah = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    rupiah.error, rupiah.errorTitle = "Tulis rupiah penuh, 0 atau lebih, tanpa sen.", "Bukan jumlah rupiah"
    lists = {
        p: DataValidation(type="list", formula1=f'"{",".join(scale)}"', allow_blank=True)
        for p, scale in ORDINAL_SCALES.items()
    }
    for v in (number, rupiah, *lists.values()):
        v.showErrorMessage = True
        sheet.add_data_validation(v)
    rows: list[list[object]] = []
    for ind in indicators:
        target = target_text(ind.target, ind.unit, ind.polarity)
        sheet.append([ind.code, ind.sasaran, ind.indicator, ind.unit, target, POLARITY_NAMES[ind.polarity]])
        lists.get(ind.polarity, number).add(_input(sheet, sheet.max_row))
        rows.append([sheet.title, division, "indikator", sheet.max_row])
    sheet.append([])
    sheet.append(["Output DIPA dan realisasi anggaran"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    _header(sheet, ["Kode Output", "Kegiatan", "Uraian Output", "", "Pagu", "", "Realisasi Anggaran (Rp)"])
    for out in outputs:
        sheet.append([out.code, out.activity_name or out.activity_code, out.description, None, format_rupiah(out.pagu)])
        rupiah.add(_input(sheet, sheet.max_row, RUPIAH_FORMAT))
        sheet.cell(sheet.max_row, 5).alignment = Alignment(horizontal="right", vertical="top")  # never wrapped
        rows.append([sheet.title, division, "output", sheet.max_row])
    if not rows:
        rows.append([sheet.title, division, "kosong", 0])
    for row in rows:
        meta.append(row)
    for column, width in _WIDTHS.items():
        sheet.column_dimensions[column].width = width
    wrapped_heights(sheet, {"B": _WIDTHS["B"] * 0.9, "C": _WIDTHS["C"] * 0.9}, HEADER_ROW + 1)
    signature_block(sheet, INPUT_COLUMN, "Tanggal: ........................")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    page_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.protection.sheet = True


def _header(sheet: Any, names: Sequence[str]) -> None:
    sheet.append(list(names))
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _input(sheet: Any, row: int, number_format: str = "General") -> str:
    cell = sheet.cell(row, INPUT_COLUMN)
    cell.fill, cell.protection, cell.number_format = _INPUT_FILL, Protection(locked=False), number_format
    cell.alignment = Alignment(vertical="top")  # beside its row's first line, not under a wrapped indicator
    for other in sheet[row][: INPUT_COLUMN - 1]:
        other.alignment = Alignment(wrap_text=True, vertical="top")
    return str(cell.coordinate)
