"""The values of the office's tables: rupiah amounts and DIPA output codes, and the rows they make.

Amounts are whole rupiah: ``2.701.548.000``, ``Rp 2.701.548.000``, ``Rp2.701.548.000,-`` and
``2701548000`` are the same; ``-`` or an empty cell is 0; a negative amount, a fraction of a
rupiah or a text is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sop_engine.lakip.tables import BadValue, Cell, Problem, Table

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
