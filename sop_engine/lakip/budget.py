"""The budget realisation of a year, in the shape offices export from their finance application.

A CSV file or an XLSX sheet with the columns ``kode``, ``uraian``, ``pagu``, ``realisasi``
(``Pagu (Rp.)`` and ``Realisasi (Rp.)`` are read as the same; any other column is ignored). Amounts
are whole rupiah: ``2.701.548.000``, ``Rp 2.701.548.000``, ``Rp2.701.548.000,-`` and ``2701548000``
are the same, ``-`` or an empty cell is 0. A row without a code whose label starts with JUMLAH or
TOTAL is the file's declared total: it is kept and checked by the analysis, not added up.

A file with any problem — a text in a number cell, a negative amount, a fraction of a rupiah, a
missing column, an output code twice — is refused as a whole with every problem listed
(:class:`ImportRefused`), so nothing of it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sop_engine.lakip.spreadsheets import read_tables
from sop_engine.lakip.tables import ImportRefused, Problem, Table
from sop_engine.lakip.values import coded_rows

ALIASES = {
    "kode": ("kode", "kode_output"),
    "pagu": ("pagu", "pagu_rp"),
    "realisasi": ("realisasi", "realisasi_rp"),
}
REQUIRED = ("kode", "uraian", "pagu", "realisasi")


@dataclass(frozen=True)
class RealisationRow:
    """One output's pagu and realisation as the finance application reports them."""

    position: int
    code: str
    description: str
    pagu: int
    realisation: int


@dataclass(frozen=True)
class BudgetFile:
    """The rows of a realisation file, and the totals its JUMLAH row declares (if it has one)."""

    rows: tuple[RealisationRow, ...]
    declared_pagu: int | None = None
    declared_realisation: int | None = None

    @property
    def pagu(self) -> int:
        return sum(r.pagu for r in self.rows)

    @property
    def realisation(self) -> int:
        return sum(r.realisation for r in self.rows)


def read_budget(path: Path) -> BudgetFile:
    """The realisation rows of ``path``; ImportRefused listing every problem of the file."""
    tables = [t.with_aliases(ALIASES) for t in read_tables(path)]
    table = _choose(tables)
    if table is None:
        raise ImportRefused(path.name, [Problem(None, ", ".join(REQUIRED), "", "berkas kosong: tidak ada baris judul")])
    problems: list[Problem] = []
    rows, declared = coded_rows(table, ("pagu", "realisasi"), problems)
    if problems:
        raise ImportRefused(path.name, problems)
    return BudgetFile(
        rows=tuple(
            RealisationRow(n, r.code, r.description, r.amounts["pagu"], r.amounts["realisasi"])
            for n, r in enumerate(rows, 1)
        ),
        declared_pagu=declared.get("pagu"),
        declared_realisation=declared.get("realisasi"),
    )


def _choose(tables: list[Table]) -> Table | None:
    """The first table with every required column, else the one closest to it (for its problems)."""
    if not tables:
        return None
    return max(tables, key=lambda t: (sum(name in t.columns for name in REQUIRED), -tables.index(t)))
