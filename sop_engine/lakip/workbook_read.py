"""A filled data-collection workbook (step 4) read back and checked, cell by cell (no database).

:func:`read_workbook` validates every filled input cell of one file, as the hidden sheet ``_sop``
of :mod:`sop_engine.lakip.workbook_write` lists them, against the stored targets
(:class:`Planned`), collecting its values and every problem; the service
(:mod:`sop_engine.lakip.workbook`) then refuses the whole set or stores all of it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped, unused-ignore]

from sop_engine import safezip
from sop_engine.lakip.analysis import Polarity
from sop_engine.lakip.tables import BadValue, Cell, Problem
from sop_engine.lakip.targets import IndicatorRow, OutputRow, parse_realised, value_text
from sop_engine.lakip.values import parse_rupiah
from sop_engine.lakip.workbook_write import INPUT_COLUMN, META_SHEET


@dataclass(frozen=True)
class WorkbookProblem(Problem):
    """A problem of one file of a workbook set (the file is named first)."""

    file: str = ""

    def describe(self) -> str:
        return f"berkas '{self.file}', {super().describe()}"


@dataclass(frozen=True)
class Planned:
    """What the stored targets of ``year`` accept: each indicator's polarity, the DIPA output codes."""

    year: int
    polarity: dict[str, Polarity]
    outputs: set[str]

    @classmethod
    def of(cls, year: int, indicators: Sequence[IndicatorRow], outputs: Sequence[OutputRow]) -> Planned:
        return cls(year, {ind.code or ind.indicator: ind.polarity for ind in indicators}, {o.code for o in outputs})


@dataclass(frozen=True)
class Filled:
    """The valid values of the files: (kind, key) -> (value, where it was written)."""

    values: dict[tuple[str, str], tuple[Any, str]] = field(default_factory=dict)
    returned: set[str] = field(default_factory=set)
    expected: list[str] = field(default_factory=list)

    def of(self, kind: str) -> dict[str, Any]:
        return {key: value for (k, key), (value, _) in self.values.items() if k == kind}


def read_workbook(path: Path, planned: Planned, filled: Filled, problems: list[Problem]) -> None:
    """Validate every input cell of ``path``, adding its values to ``filled`` and its errors to ``problems``."""
    problem = _Report(path.name, problems)
    book = _open(path, problem)
    meta = None if book is None else _input_rows(book, planned.year, problem)
    if book is None or meta is None:
        return
    absent: set[str] = set()
    for title, division, kind, row in meta:
        if division not in filled.expected:
            filled.expected.append(str(division))
        if title not in book.sheetnames:
            if title not in absent:
                absent.add(title)
                problem(
                    title,
                    None,
                    title,
                    f"lembar subbagian '{division}' tidak ada; jangan menghapus atau mengganti "
                    "nama lembar, isi ulang buku kerja baru buatan sop-engine",
                    "lembar",
                )
            continue
        if kind in ("indikator", "output") and _read_cell(book[title], int(row), str(kind), planned, filled, problem):
            filled.returned.add(str(division))


@dataclass(frozen=True)
class _Report:
    """Adds a problem of one file (named in it) to the problems of the whole set."""

    file: str
    problems: list[Problem]

    def __call__(
        self, sheet: str | None, cell: str | None, value: object, reason: str, column: str = "realisasi"
    ) -> None:
        row = int(re.sub(r"\D", "", cell)) if cell else None
        self.problems.append(
            WorkbookProblem(row, column, "" if value is None else str(value), reason, sheet, cell, self.file)
        )


def _open(path: Path, problem: _Report) -> Any:
    """The workbook at ``path``; None, with the problem reported, when it is no workbook of ours."""
    try:
        safezip.survey(path, safezip.MAX_IMPORT_INFLATED_BYTES)
    except safezip.UnsafeZip as exc:
        if exc.bomb:  # (not a zip at all: openpyxl below names it as no workbook)
            problem(
                None,
                None,
                path.name,
                f"tidak dapat dibuka: {exc.reason}; kirim buku kerja .xlsx buatan sop-engine yang sudah diisi",
                "berkas",
            )
            return None
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        problem(
            None,
            None,
            path.name,
            f"bukan buku kerja XLSX yang sah ({type(exc).__name__}); kirim buku kerja .xlsx "
            "buatan sop-engine yang sudah diisi",
            "berkas",
        )
        return None
    if META_SHEET not in book.sheetnames:
        problem(
            None,
            None,
            path.name,
            "bukan buku kerja pengumpulan data (lembar tersembunyi _sop tidak ada); isi "
            "buku kerja pengumpulan data buatan sop-engine",
            "berkas",
        )
        return None
    return book


def _input_rows(book: Any, year: int, problem: _Report) -> list[tuple[Any, ...]] | None:
    """The hidden sheet's rows (sheet, division, kind, row); None, reported, for a workbook of another year."""
    meta = list(book[META_SHEET].iter_rows(values_only=True))
    written = meta[0][1] if meta and len(meta[0]) > 1 else None
    if written != year:
        problem(
            None,
            None,
            written,
            f"buku kerja ini untuk tahun {written}, bukan {year}; impor sebagai tahun {written}",
            "tahun",
        )
        return None
    return meta[1:]


def _read_cell(ws: Any, row: int, kind: str, planned: Planned, filled: Filled, problem: _Report) -> bool:
    """Keep the value of the input cell of ``row`` in ``filled``; whether it held a valid one."""
    title, cell = ws.title, ws.cell(row, INPUT_COLUMN)
    if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
        return False
    where = f"{problem.file}:{title}!{cell.coordinate}"
    if isinstance(cell.value, str) and len(cell.value) > safezip.MAX_CELL_CHARS:
        problem(
            title,
            cell.coordinate,
            cell.value[:40] + "…",
            f"sel berisi {len(cell.value)} karakter, melebihi batas {safezip.MAX_CELL_CHARS}; isi angkanya saja",
        )
        return False
    try:
        key, value = _value(ws, row, kind, planned)
    except _CellError as exc:
        problem(title, exc.cell or cell.coordinate, exc.value if exc.cell else cell.value, exc.reason, exc.column)
        return False
    conflict = _conflict(filled.values, (kind, key), value, where)
    if conflict:
        problem(title, cell.coordinate, cell.value, conflict)
        return False
    return True


class _CellError(Exception):
    def __init__(self, reason: str, column: str = "realisasi", cell: str | None = None, value: object = None) -> None:
        super().__init__(reason)
        self.reason, self.column, self.cell, self.value = reason, column, cell, value


def _value(ws: Any, row: int, kind: str, planned: Planned) -> tuple[str, Any]:
    """The key and valid value of one filled input row; _CellError saying why not."""
    code, cell = ws.cell(row, 1).value, ws.cell(row, INPUT_COLUMN)
    polarity, year = planned.polarity, planned.year
    if kind == "output":
        key = str(code or "").strip()
        if key not in planned.outputs:
            raise _CellError(
                f"output '{key}' tidak ada di DIPA tahun {year}; buat ulang buku kerja", "kode", f"A{row}", key
            )
        try:
            return key, parse_rupiah(Cell(cell.row, cell.column, cell.value))
        except BadValue as exc:
            raise _CellError(str(exc), "realisasi anggaran") from exc
    key = str(code).strip() if code not in (None, "") else " ".join(str(ws.cell(row, 3).value).split())
    if key not in polarity:
        raise _CellError(
            f"kode indikator '{key}' tidak ada di target tahun {year}; buat ulang buku kerja setelah target diimpor",
            "kode",
            f"A{row}",
            key,
        )
    text = value_text(Cell(cell.row, cell.column, cell.value, percent="%" in str(cell.number_format))).strip()
    try:
        value = parse_realised(text, polarity[key])
    except BadValue as exc:
        raise _CellError(str(exc)) from exc
    if isinstance(value, str):
        return key, text.upper()
    if value < 0:
        raise _CellError("realisasi tidak boleh negatif; tulis 0 atau lebih")
    return key, text


def _conflict(
    found: dict[tuple[str, str], tuple[Any, str]], key: tuple[str, str], value: object, where: str
) -> str | None:
    """Keep ``value`` for ``key``; the error when another file gave a different value."""
    if key in found and found[key][0] != value:
        first, where_first = found[key]
        return f"berbeda dengan nilai '{first}' di {where_first}; isi satu indikator atau output di satu berkas saja"
    found[key] = (value, where)
    return None
