"""The other years of a targets file: earlier realisations, Renstra targets, earlier capaian.

The indicator table of a targets file (:mod:`sop_engine.lakip.targets`) may carry, beside the
target and realisation of the year reported on:

- ``realisasi_2019`` (header "Realisasi 2019"): the indicator's realisation in an earlier year,
  written as its ``realisasi`` is. A year not before the year imported is refused (that year's
  realisation goes in ``realisasi``).
- ``renstra_2024`` (also "Target Renstra 2024"): the indicator's target for that year of the
  Renstra period, written as its ``target`` is. The last year given is the Renstra's final target.

A blank cell means no value. A file may also hold a table of the office's capaian in earlier
years as its LKj stated them: columns ``tahun`` and ``capaian`` (required, e.g. 2019 and 96%)
and ``serapan`` (optional, the budget absorption); the years must be before the year imported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sop_engine.lakip.analysis import Polarity
from sop_engine.lakip.tables import BadValue, Cell, Problem, Table

_EARLIER = re.compile(r"^realisasi_(\d{4})$")
_RENSTRA = re.compile(r"^(?:target_)?renstra_(\d{4})$")
YEARS_REQUIRED = ("tahun", "capaian")

#: (year, value as written) pairs, oldest first.
YearValues = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class YearFigure:
    """The capaian (and absorption) an office's LKj of an earlier year stated."""

    year: int
    achievement_pct: Decimal
    absorption_pct: Decimal | None = None


def year_columns(table: Table, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(year, column name) of the columns of ``table`` matching ``pattern``, by year."""
    found = [(int(m.group(1)), name) for name in table.columns if (m := pattern.match(name))]
    return sorted(found)


def check_columns(table: Table, year: int | None, problems: list[Problem]) -> None:
    """A problem for a ``realisasi_YYYY`` column of the year imported or later."""
    for found, name in year_columns(table, _EARLIER):
        if year is not None and found >= year:
            problems.append(
                table.problem(
                    None,
                    name,
                    f"kolom realisasi_{found} hanya untuk tahun sebelum {year}; realisasi tahun {year} ditulis di "
                    "kolom realisasi",
                    table.header_row,
                )
            )


def indicator_years(
    table: Table, row: Sequence[Cell], polarity: Polarity, year: int | None, problems: list[Problem]
) -> tuple[YearValues, YearValues]:
    """The earlier realisations and the Renstra targets of one indicator row (validated)."""
    from sop_engine.lakip import targets  # the parsers; targets imports this module

    earlier = [(found, name) for found, name in year_columns(table, _EARLIER) if year is None or found < year]
    values: list[YearValues] = []
    for columns, parse in ((earlier, targets.parse_realised), (year_columns(table, _RENSTRA), targets.parse_target)):
        kept = []
        for found, name in columns:
            cell = table.cell(row, name)
            text = "" if cell is None else targets.value_text(cell).strip()
            if not text:
                continue
            try:
                parse(text, polarity)
            except BadValue as exc:
                problems.append(table.problem(cell, name, str(exc)))
                continue
            kept.append((found, text.upper() if polarity in (Polarity.OPINION, Polarity.GRADE) else text))
        values.append(tuple(kept))
    return values[0], values[1]


def read_years(table: Table, year: int | None, problems: list[Problem]) -> tuple[YearFigure, ...]:
    """The table of earlier capaian (``tahun``, ``capaian``, ``serapan``)."""
    from sop_engine.lakip import targets

    problems.extend(table.missing(YEARS_REQUIRED))
    figures: list[YearFigure] = []
    seen: set[int] = set()
    for row in table.rows:
        before = len(problems)
        found = _year(table, row, year, seen, problems)
        numbers: list[Decimal | None] = []
        for name in ("capaian", "serapan"):
            cell = table.cell(row, name)
            text = "" if cell is None else targets.value_text(cell).strip()
            if not text:
                if name == "capaian":
                    problems.append(table.problem(cell, name, "capaian tahun itu wajib diisi, misalnya 96%"))
                numbers.append(None)
                continue
            try:
                numbers.append(targets.parse_number(text))
            except BadValue as exc:
                problems.append(table.problem(cell, name, str(exc)))
        if len(problems) == before and found is not None and numbers[0] is not None:
            figures.append(YearFigure(found, numbers[0], numbers[1]))
    return tuple(sorted(figures, key=lambda f: f.year))


def _year(table: Table, row: Sequence[Cell], year: int | None, seen: set[int], problems: list[Problem]) -> int | None:
    cell = table.cell(row, "tahun")
    text = "" if cell is None else cell.text.strip()
    if not re.fullmatch(r"\d{4}", text):
        problems.append(table.problem(cell, "tahun", "tulis tahun empat angka, misalnya 2019"))
        return None
    found = int(text)
    if year is not None and found >= year:
        problems.append(table.problem(cell, "tahun", f"capaian tahun sebelumnya harus tahun sebelum {year}"))
        return None
    if found in seen:
        problems.append(table.problem(cell, "tahun", f"tahun {found} sudah ada di tabel ini; tulis sekali saja"))
        return None
    seen.add(found)
    return found
