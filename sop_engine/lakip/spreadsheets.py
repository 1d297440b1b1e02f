"""Reading the tables of a CSV file or an XLSX workbook, bounded before anything is parsed.

A CSV file (comma, semicolon or tab separated; UTF-8, else Windows-1252, as Excel saves it) holds
one :class:`~sop_engine.lakip.tables.Table`; an XLSX workbook one per non-empty sheet. The header is
the first non-empty row. A file too large, a zip bomb or a cell too long is refused before its
rows are read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped, unused-ignore]

from sop_engine import safezip
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_size
from sop_engine.lakip.tables import Cell, Table, normalise_header


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
