"""Reading the tables an office hands in, and refusing a bad file as a whole.

Targets, DIPA outputs and budget realisations all arrive as a table with a header row: a CSV
file (comma, semicolon or tab separated; UTF-8, else Windows-1252, as Excel saves it) or a sheet
of an XLSX workbook. The header is the first non-empty row; header names are matched without
case, spacing or punctuation ("Pagu (Rp.)" is ``pagu_rp``). Readers collect every problem —
sheet, row, column, cell, value, why — and raise one :class:`ImportRefused` that lists them all,
so nothing of a bad file is stored and the user fixes it in one pass.

Amounts are whole rupiah: ``2.701.548.000``, ``Rp 2.701.548.000``, ``Rp2.701.548.000,-`` and
``2701548000`` are the same; ``-`` or an empty cell is 0; a negative amount, a fraction of a
rupiah or a text is refused.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped, unused-ignore]

from sop_engine import safezip
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_size

#: Lines shown in the error message (the full list stays on ``ImportRefused.problems``).
SHOWN_PROBLEMS = 50


class BadValue(ValueError):
    """A cell value that cannot be used; the message (Indonesian) says why and how to write it."""


@dataclass(frozen=True)
class Cell:
    """One cell as the user sees it: row and column numbers from 1, the value, how it was typed."""

    row: int
    column: int
    value: object
    #: An XLSX formula whose result was never stored (the workbook was not saved by a spreadsheet program).
    formula: bool = False
    #: An XLSX cell formatted as a percentage (0,9 shown as 90 %).
    percent: bool = False

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def text(self) -> str:
        return cell_text(self.value)


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused."""

    row: int | None
    column: str
    value: str
    reason: str
    sheet: str | None = None
    cell: str | None = None

    def describe(self) -> str:
        where = [f"lembar '{self.sheet}'"] if self.sheet else []
        if self.row is not None:
            where.append(f"baris {self.row}")
        where.append(f"kolom '{self.column}'" + (f" (sel {self.cell})" if self.cell else ""))
        return f"{', '.join(where)}, nilai '{self.value}': {self.reason}"


class ImportRefused(InvalidInput):
    """A file was refused as a whole; ``problems`` lists every error found in it."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        lines = [f"- {p.describe()}" for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"- … dan {len(problems) - SHOWN_PROBLEMS} kesalahan lain")
        message = (
            f"Berkas '{source}' ditolak seluruhnya; tidak ada data yang disimpan. "
            f"{len(problems)} kesalahan:\n" + "\n".join(lines) + "\nPerbaiki berkas itu lalu impor ulang."
        )
        super().__init__(message, value=source, errors=len(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Table:
    """A header row and the non-empty rows under it, from a CSV file or one XLSX sheet."""

    source: str
    sheet: str | None
    header_row: int
    #: normalised header name -> column number (first occurrence)
    columns: Mapping[str, int]
    rows: tuple[tuple[Cell, ...], ...]

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def with_aliases(self, aliases: Mapping[str, Sequence[str]]) -> Table:
        """This table with each canonical name bound to the first of its aliases the header has."""
        columns = dict(self.columns)
        for name, spellings in aliases.items():
            found = next((columns[s] for s in spellings if s in columns), None)
            if found is not None:
                columns[name] = found
        return replace(self, columns=columns)

    def cell(self, row: Sequence[Cell], name: str) -> Cell | None:
        """The cell of ``row`` under column ``name`` (None if the table has no such column)."""
        column = self.columns.get(name)
        if column is None:
            return None
        return row[column - 1] if column <= len(row) else Cell(row[0].row, column, None)

    def problem(self, cell: Cell | None, column: str, reason: str, row: int | None = None) -> Problem:
        """A problem at ``cell`` (or at a missing column) of this table."""
        return Problem(
            row=cell.row if cell else row,
            column=column,
            value="" if cell is None else cell.text,
            reason=reason,
            sheet=self.sheet,
            cell=None if cell is None else cell.ref,
        )

    def missing(self, required: Sequence[str]) -> list[Problem]:
        """A problem for each required column the header lacks."""
        present = ", ".join(self.columns) or "(tidak ada)"
        return [
            Problem(
                row=self.header_row,
                column=name,
                value="",
                reason=f"kolom wajib '{name}' tidak ada di baris judul (kolom yang ada: {present})",
                sheet=self.sheet,
            )
            for name in required
            if name not in self.columns
        ]


def normalise_header(text: str) -> str:
    """ "Pagu (Rp.)" → "pagu_rp"; "Realisasi (%)" → "realisasi_persen"; "<b>Kode</b>" → "kode"."""
    text = re.sub(r"<[^>]*>", "", text).replace("%", " persen ").casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def cell_text(value: object) -> str:
    """A cell value as the text a user typed (whole floats without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"<[^>]*>", "", str(value)).strip()


# --- reading files ---------------------------------------------------------------------------


def read_tables(path: Path) -> list[Table]:
    """Every table of a CSV file (one) or an XLSX workbook (one per non-empty sheet)."""
    if not path.is_file():
        raise InvalidInput(f"Berkas '{path}' tidak ada; periksa nama dan foldernya.", value=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        _require_bounded(path, suffix)
    if suffix == ".csv":
        return [t for t in [_table(path.name, None, _csv_rows(path))] if t is not None]
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_tables(path)
    raise InvalidInput(
        f"Berkas '{path.name}' bukan CSV atau XLSX; simpan tabelnya sebagai .csv atau .xlsx lalu impor ulang.",
        value=path.name,
    )


def _require_bounded(path: Path, suffix: str) -> None:
    """Refuse a file whose reading would take more memory than any real table needs."""
    size = path.stat().st_size
    if suffix == ".csv" and size > safezip.MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"Berkas '{path.name}' berukuran {format_size(size)}, melebihi batas impor "
            f"{format_size(safezip.MAX_IMPORT_BYTES)}; periksa bahwa ini tabel yang benar.",
            value=path.name,
        )
    if suffix != ".csv":
        try:
            safezip.survey(path, safezip.MAX_IMPORT_INFLATED_BYTES)
        except safezip.UnsafeZip as exc:
            if not exc.bomb:
                return  # not a zip at all: openpyxl names it as no workbook
            raise InvalidInput(
                f"Berkas '{path.name}' tidak dapat diimpor: {exc.reason}. Buka di Excel/LibreOffice, "
                "simpan ulang sebagai .xlsx, lalu impor ulang.",
                value=path.name,
            ) from exc


def _csv_rows(path: Path) -> list[list[Cell]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[Cell(r, c, v) for c, v in enumerate(values, 1)] for r, values in enumerate(reader, 1)]


def _xlsx_tables(path: Path) -> list[Table]:
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            f"Berkas '{path.name}' bukan buku kerja XLSX yang sah ({exc}); buka di Excel/LibreOffice lalu "
            "simpan ulang sebagai .xlsx.",
            value=path.name,
        ) from exc
    try:
        tables = []
        for sheet in values.worksheets:
            raw = formulas[sheet.title]
            rows = []
            for value_row, formula_row in zip(sheet.iter_rows(), raw.iter_rows(), strict=False):
                cells = []
                for cell, source in zip(value_row, formula_row, strict=False):
                    if not hasattr(cell, "column"):  # an EmptyCell of a read-only sheet
                        continue
                    written = source.value
                    formula = cell.value is None and isinstance(written, str) and written.startswith("=")
                    percent = "%" in str(getattr(cell, "number_format", "") or "")
                    cells.append(Cell(cell.row, cell.column, cell.value, formula, percent))
                rows.append(_pad(cells))
            table = _table(path.name, sheet.title, rows)
            if table is not None:
                tables.append(table)
        return tables
    finally:
        values.close()
        formulas.close()


def _require_short_cells(source: str, sheet: str | None, rows: list[list[Cell]]) -> None:
    for row in rows:
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > safezip.MAX_CELL_CHARS:
                where = f"{source}:{sheet}!{cell.ref}" if sheet else f"{source} sel {cell.ref}"
                raise InvalidInput(
                    f"Sel {where} berisi {len(cell.value)} karakter, melebihi batas {safezip.MAX_CELL_CHARS}; "
                    "persingkat isinya lalu impor ulang.",
                    value=where,
                )


def _pad(cells: list[Cell]) -> list[Cell]:
    """Cells of one row in column order, gaps filled with empty cells."""
    if not cells:
        return []
    by_column = {c.column: c for c in cells}
    row = cells[0].row
    return [by_column.get(n, Cell(row, n, None)) for n in range(1, max(by_column) + 1)]


def _table(source: str, sheet: str | None, rows: list[list[Cell]]) -> Table | None:
    _require_short_cells(source, sheet, rows)
    filled = [r for r in rows if any(c.text or c.formula for c in r)]
    if not filled:
        return None
    header, body = filled[0], filled[1:]
    columns: dict[str, int] = {}
    for cell in header:
        name = normalise_header(cell.text)
        if name and name not in columns:
            columns[name] = cell.column
    return Table(source, sheet, header[0].row, columns, tuple(tuple(r) for r in body))


# --- values ----------------------------------------------------------------------------------

_RUPIAH_PREFIX = re.compile(r"^rp\.?\s*", re.IGNORECASE)
_RUPIAH_SUFFIX = re.compile(r",(-|0+)$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^\d+$")
_DASHES = {"-", "–", "—"}


def parse_rupiah(cell: Cell) -> int:
    """A whole, non-negative rupiah amount; BadValue saying why otherwise."""
    value = cell.value
    if cell.formula:
        raise BadValue("rumus tanpa hasil tersimpan; buka berkas di Excel/LibreOffice, simpan, lalu impor ulang")
    if value is None:
        return 0
    if isinstance(value, bool | datetime | date | time):
        raise BadValue("bukan angka rupiah; tulis angka bulat seperti 2.701.548.000")
    if isinstance(value, int | float):
        return _whole(value)
    text = " ".join(str(value).split())
    if text in _DASHES or not text:
        return 0
    bare = _RUPIAH_PREFIX.sub("", text)
    if bare.startswith(("-", "(")) and any(ch.isdigit() for ch in bare):
        raise BadValue("jumlah negatif; pagu dan realisasi tidak boleh kurang dari nol")
    digits = _RUPIAH_SUFFIX.sub("", bare).replace(" ", "")
    if _GROUPED.match(digits) or _PLAIN.match(digits):
        return int(digits.replace(".", ""))
    if re.match(r"^[\d.]+,\d+$", digits):
        raise BadValue("bukan rupiah bulat; tulis tanpa sen, misalnya 2.701.548.000")
    raise BadValue(
        "bukan angka rupiah; tulis angka bulat seperti 2.701.548.000 atau Rp 2.701.548.000 (titik pemisah ribuan)"
    )


def _whole(value: int | float) -> int:
    if value < 0:
        raise BadValue("jumlah negatif; pagu dan realisasi tidak boleh kurang dari nol")
    if isinstance(value, float) and not value.is_integer():
        raise BadValue("bukan rupiah bulat; tulis tanpa sen")
    return int(value)


_OUTPUT_CODE = re.compile(r"^\d{4}(\.[A-Z0-9]{3}){1,3}$")


def parse_output_code(cell: Cell) -> str:
    """A DIPA output code such as 3357.001 (or 6409.EBA.994); BadValue saying why otherwise."""
    text = cell.text.upper()
    if _OUTPUT_CODE.match(text):
        return text
    if not text:
        raise BadValue("kode output wajib diisi, misalnya 3357.001")
    if isinstance(cell.value, int | float):
        raise BadValue(
            "kode output terbaca sebagai angka (nol di belakang hilang); format selnya sebagai teks, "
            "misalnya '3357.010'"
        )
    raise BadValue(
        "kode output tidak dikenal; tulis empat angka kegiatan, titik, tiga karakter output, misalnya 3357.001"
    )


def is_total_row(table: Table, row: Sequence[Cell], label_column: str) -> bool:
    """A row with no code whose label starts with JUMLAH or TOTAL (the table's declared total)."""
    code, label = table.cell(row, "kode"), table.cell(row, label_column)
    words = ("jumlah", "total")
    return not (code and code.text) and any(
        c is not None and c.text.casefold().startswith(words) for c in (label, *row[:2])
    )


@dataclass(frozen=True)
class CodedRow:
    """A validated row of a table keyed by output code: its cells, code, uraian and amounts."""

    cells: tuple[Cell, ...]
    code: str
    description: str
    amounts: Mapping[str, int]


def coded_rows(
    table: Table, amount_columns: Sequence[str], problems: list[Problem]
) -> tuple[list[CodedRow], dict[str, int]]:
    """The rows of a kode/uraian/amounts table, and the amounts of its JUMLAH row (if any).

    Every problem is appended to ``problems``; a row with a problem is left out.
    """
    problems.extend(table.missing(("kode", "uraian", *amount_columns)))
    rows: list[CodedRow] = []
    declared: dict[str, int] = {}
    codes: set[str] = set()
    for row in table.rows:
        found = len(problems)
        amounts: dict[str, int] = {}
        for name in amount_columns:
            cell = table.cell(row, name)
            if cell is not None:
                try:
                    amounts[name] = parse_rupiah(cell)
                except BadValue as exc:
                    problems.append(table.problem(cell, name, str(exc)))
        if is_total_row(table, row, "uraian"):
            declared.update(amounts)
            continue
        code_cell, description = table.cell(row, "kode"), table.cell(row, "uraian")
        code = ""
        if code_cell is not None:
            try:
                code = parse_output_code(code_cell)
            except BadValue as exc:
                problems.append(table.problem(code_cell, "kode", str(exc)))
        if code and code in codes:
            problems.append(
                table.problem(code_cell, "kode", f"output {code} muncul dua kali; setiap output hanya sekali")
            )
        codes.add(code)
        if description is not None and not description.text:
            problems.append(table.problem(description, "uraian", "uraian output wajib diisi"))
        if len(problems) == found and code and description is not None and len(amounts) == len(amount_columns):
            rows.append(CodedRow(row, code, " ".join(description.text.split()), amounts))
    if not table.rows:
        problems.append(table.problem(None, "kode", "tabel tidak memiliki baris data", table.header_row))
    return rows, declared
