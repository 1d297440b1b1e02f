"""The tables an office hands in, and the refusal of a bad file as a whole.

Targets, DIPA outputs and budget realisations all arrive as a table with a header row
(:mod:`~sop_engine.lakip.spreadsheets` reads them from CSV and XLSX files). Header names are matched
without case, spacing or punctuation ("Pagu (Rp.)" is ``pagu_rp``). Readers collect every problem —
sheet, row, column, cell, value, why — and raise one :class:`ImportRefused` that lists them all,
so nothing of a bad file is stored and the user fixes it in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from sop_engine.errors import InvalidInput

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
