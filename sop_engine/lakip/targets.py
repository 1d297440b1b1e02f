"""The targets of a year: Perjanjian Kinerja indicators with their polarity, and the DIPA outputs.

Each is a table (a CSV file, or a sheet of an XLSX workbook; one workbook may carry both):

**Indicators** — columns ``indikator``, ``target``, ``polaritas`` (required), and ``kode``,
``sasaran``, ``satuan``, ``realisasi``, ``kode_output``, ``keterangan``, ``perjanjian``
(optional). A blank ``sasaran`` repeats the one above, as the merged cells of a PK table do.
``kode_output`` names the DIPA output the indicator measures (its efficiency is achievement minus
that output's absorption). ``perjanjian`` says which signed Perjanjian Kinerja the indicator
belongs to: ``ketua`` (the head's PK; also kepala, pimpinan), ``sekretaris`` (the secretary's PK),
or ``kegiatan`` (an indicator of a kegiatan/output of the RKA, in no PK; also output, rka). A
blank ``perjanjian`` repeats the one above; without any (no column, or blank from the top), an
indicator with a ``kode_output`` is a kegiatan indicator and any other is in the head's PK.

    polaritas   target, realisasi
    tinggi      6,0%  90  1.000   (higher is better; also: higher)
    rendah      0,0%              (lower is better; also: lower)
    tepat       100               (exact; also: exact)
    rentang     80 - 90, 80 s.d. 90  (range; also: range)
    opini       WTP, WDP, TW, TMP (BPK opinion; also: opinion)
    predikat    AA, A, BB, B, CC, C, D (evaluation grade; also: grade, nilai)

Numbers are Indonesian: decimal comma, dot for thousands ("6.5" is refused as ambiguous).

**DIPA outputs** — columns ``kode``, ``uraian``, ``pagu`` (required), ``program`` and ``kegiatan``
(optional, e.g. "076.01.01 Program Dukungan ..." and "3355 Pelaksanaan ...": a leading code is
split off). The kegiatan code is the part of the output code before its first dot. A JUMLAH
row is kept as the declared total and checked by the analysis (read in :mod:`.dipa`).

**Other years** — ``realisasi_2019`` and ``renstra_2024`` columns of the indicator table (earlier
realisations, Renstra targets) and a table ``tahun``, ``capaian``, ``serapan`` of the capaian
earlier LKj stated: see :mod:`.targets_years`.

A file is refused as a whole, with every problem listed (:class:`ImportRefused`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sop_engine.lakip.analysis import ORDINAL_SCALES, Polarity, Target
from sop_engine.lakip.dipa import OutputRow, read_outputs
from sop_engine.lakip.spreadsheets import read_tables
from sop_engine.lakip.tables import BadValue, Cell, ImportRefused, Problem, Table
from sop_engine.lakip.targets_years import YearFigure, YearValues, check_columns, indicator_years, read_years
from sop_engine.lakip.values import parse_output_code

__all__ = ["OutputRow", "YearFigure"]

INDICATOR_ALIASES = {
    "indikator": ("indikator", "indikator_kinerja"),
    "sasaran": ("sasaran", "sasaran_strategis"),
    "polaritas": ("polaritas", "polarity", "arah"),
    "kode_output": ("kode_output", "output"),
    "perjanjian": ("perjanjian", "perjanjian_kinerja", "pk", "penanda_tangan"),
}
OUTPUT_ALIASES = {"kode": ("kode", "kode_output"), "pagu": ("pagu", "pagu_rp")}
INDICATOR_REQUIRED = ("indikator", "target", "polaritas")
OUTPUT_REQUIRED = ("kode", "uraian", "pagu")

POLARITY_WORDS = {
    "tinggi": Polarity.HIGHER,
    "higher": Polarity.HIGHER,
    "rendah": Polarity.LOWER,
    "lower": Polarity.LOWER,
    "tepat": Polarity.EXACT,
    "exact": Polarity.EXACT,
    "rentang": Polarity.RANGE,
    "range": Polarity.RANGE,
    "opini": Polarity.OPINION,
    "opinion": Polarity.OPINION,
    "predikat": Polarity.GRADE,
    "grade": Polarity.GRADE,
    "nilai": Polarity.GRADE,
}
#: The word each polarity is stored and shown as.
POLARITY_NAMES = {p: next(w for w, q in POLARITY_WORDS.items() if q is p) for p in Polarity}

#: Which Perjanjian Kinerja an indicator belongs to, as stored: the head's, the secretary's, or none
#: (an indicator of a kegiatan/output of the RKA).
HEAD, SECRETARY, ACTIVITY = "ketua", "sekretaris", "kegiatan"
AGREEMENT_WORDS = {
    "ketua": HEAD,
    "kepala": HEAD,
    "pimpinan": HEAD,
    "sekretaris": SECRETARY,
    "kegiatan": ACTIVITY,
    "output": ACTIVITY,
    "rka": ACTIVITY,
}


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as read from the file (values as text, already validated)."""

    position: int
    code: str | None
    sasaran: str
    indicator: str
    unit: str | None
    polarity: Polarity
    target: str
    realisation: str | None
    output_code: str | None
    note: str | None
    #: ketua, sekretaris (the signed PK it belongs to) or kegiatan (in no PK): see AGREEMENT_WORDS.
    agreement: str = HEAD
    #: (year, realisation) of earlier years and (year, target) of the Renstra period (targets_years).
    earlier: YearValues = ()
    renstra: YearValues = ()


@dataclass(frozen=True)
class TargetFile:
    """What a targets file held: indicators, outputs, or both (None: the file had no such table)."""

    indicators: tuple[IndicatorRow, ...] | None
    outputs: tuple[OutputRow, ...] | None
    declared_pagu: int | None = None
    #: The capaian of earlier years as their LKj stated it (None: the file had no such table).
    years: tuple[YearFigure, ...] | None = None


# --- values ----------------------------------------------------------------------------------

_ID_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_RANGE = re.compile(r"^(.+?)\s*(?:s\.?\s?d\.?|s/d|sampai(?: dengan)?|–|—|-)\s*(.+)$", re.IGNORECASE)


def id_decimal(value: Decimal) -> str:
    """A Decimal in Indonesian notation without trailing zeros: 6.50 → "6,5"; 90.0 → "90"."""
    return format(value.normalize(), "f").replace(".", ",")


def value_text(cell: Cell) -> str:
    """A cell as text in Indonesian notation (an XLSX percentage cell 0,9 becomes "90%")."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
        return f"{id_decimal(number * 100)}%" if cell.percent else id_decimal(number)
    return cell.text


def parse_number(text: str) -> Decimal:
    """ "6,0%" → 6.0; "1.000" → 1000; BadValue for text or an ambiguous "6.5"."""
    bare = text.strip().removesuffix("%").strip().replace(" ", "")
    if _ID_NUMBER.match(bare):
        try:
            return Decimal(bare.replace(".", "").replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
            raise BadValue("bukan angka") from exc
    if re.match(r"^-?\d+\.\d+$", bare):
        raise BadValue(f"desimal ditulis dengan koma: tulis {bare.replace('.', ',')} (titik adalah pemisah ribuan)")
    raise BadValue("bukan angka; tulis misalnya 90, 6,0% atau 1.000")


def parse_target(text: str, polarity: Polarity) -> Target:
    """The target written as ``text`` for ``polarity``; BadValue saying why it cannot be read."""
    if polarity in ORDINAL_SCALES:
        return Target(polarity, level=parse_level(text, polarity))
    if polarity is Polarity.RANGE:
        match = _RANGE.match(text.strip())
        if not match:
            raise BadValue("target rentang ditulis dua angka, misalnya 80 - 90 atau 80 s.d. 90")
        low, high = parse_number(match.group(1)), parse_number(match.group(2))
        if low < 0 or low > high:
            raise BadValue("batas bawah rentang harus 0 atau lebih dan tidak melebihi batas atasnya")
        return Target(polarity, value=low, high=high)
    value = parse_number(text)
    if value < 0:
        raise BadValue("target tidak boleh negatif")
    return Target(polarity, value=value)


def parse_level(text: str, polarity: Polarity) -> str:
    """An opinion or grade, upper-cased; BadValue listing the scale otherwise."""
    scale = ORDINAL_SCALES[polarity]
    level = text.strip().upper()
    if level not in scale:
        kind = "opini BPK" if polarity is Polarity.OPINION else "predikat"
        raise BadValue(f"bukan {kind} yang dikenal; tulis salah satu dari {', '.join(scale)}")
    return level


def parse_realised(text: str, polarity: Polarity) -> Decimal | str:
    """A realisation: a level for ordinal polarities, a number otherwise."""
    return parse_level(text, polarity) if polarity in ORDINAL_SCALES else parse_number(text)


def parse_polarity(text: str) -> Polarity:
    word = text.strip().casefold()
    if word in POLARITY_WORDS:
        return POLARITY_WORDS[word]
    raise BadValue(
        "polaritas tidak dikenal; tulis tinggi, rendah, tepat, rentang, opini atau predikat "
        "(atau higher, lower, exact, range, opinion, grade)"
    )


# --- tables ----------------------------------------------------------------------------------


def read_targets(path: Path, year: int | None = None) -> TargetFile:
    """The indicator, output and earlier-capaian tables of ``path`` (for ``year``); ImportRefused listing
    every problem."""
    tables = read_tables(path)
    problems: list[Problem] = []
    indicators: tuple[IndicatorRow, ...] | None = None
    outputs: tuple[OutputRow, ...] | None = None
    declared: int | None = None
    years: tuple[YearFigure, ...] | None = None
    for raw in tables:
        if raw.with_aliases(INDICATOR_ALIASES).has("indikator"):
            if indicators is not None:
                problems.append(
                    raw.problem(None, "indikator", "tabel indikator kedua; satu berkas memuat satu saja", 1)
                )
                continue
            indicators = _indicators(raw.with_aliases(INDICATOR_ALIASES), year, problems)
        elif raw.with_aliases(OUTPUT_ALIASES).has("kode", "pagu"):
            if outputs is not None:
                problems.append(raw.problem(None, "kode", "tabel output DIPA kedua; satu berkas memuat satu saja", 1))
                continue
            outputs, declared = read_outputs(raw.with_aliases(OUTPUT_ALIASES), problems)
        elif raw.has("tahun", "capaian") and years is None:
            years = read_years(raw, year, problems)
    if indicators is None and outputs is None and years is None and not problems:
        first = tables[0] if tables else None
        problems.append(
            Problem(
                row=None if first is None else first.header_row,
                column="indikator / kode, pagu",
                value=", ".join(first.columns) if first else "",
                reason="tidak ada tabel indikator (kolom indikator, target, polaritas) atau tabel output DIPA "
                "(kolom kode, uraian, pagu)",
                sheet=None if first is None else first.sheet,
            )
        )
    if problems:
        raise ImportRefused(path.name, problems)
    return TargetFile(indicators, outputs, declared, years)


def _indicators(table: Table, year: int | None, problems: list[Problem]) -> tuple[IndicatorRow, ...]:
    problems.extend(table.missing(INDICATOR_REQUIRED))
    check_columns(table, year, problems)
    rows: list[IndicatorRow] = []
    sasaran, codes, agreement = "", set[str](), ""
    for row in table.rows:
        agreement = _agreement_of(table, row, problems) or agreement
        sasaran = _text(table, row, "sasaran") or sasaran
        found = _indicator(table, row, len(rows) + 1, sasaran, codes, problems)
        if found is not None:
            earlier, renstra = indicator_years(table, row, found.polarity, year, problems)
            agreement_of = agreement or (ACTIVITY if found.output_code else HEAD)
            rows.append(replace(found, agreement=agreement_of, earlier=earlier, renstra=renstra))
    if not table.rows:
        problems.append(table.problem(None, "indikator", "tabel indikator tidak memiliki baris data", table.header_row))
    return tuple(rows)


def _indicator(
    table: Table, row: tuple[Cell, ...], position: int, sasaran: str, codes: set[str], problems: list[Problem]
) -> IndicatorRow | None:
    """One indicator row, or None after appending its problems."""
    before = len(problems)
    name, code = _text(table, row, "indikator"), _text(table, row, "kode") or None
    if not name:
        problems.append(table.problem(table.cell(row, "indikator"), "indikator", "nama indikator wajib diisi"))
    if code is not None and code in codes:
        problems.append(
            table.problem(
                table.cell(row, "kode"), "kode", f"kode indikator {code} sudah dipakai; setiap kode hanya sekali"
            )
        )
    codes.add(code or "")
    polarity = _polarity_of(table, row, problems)
    output_code = _output_link(table, row, problems)
    target, realisation = _value(table, row, "target"), _value(table, row, "realisasi") or None
    if polarity is not None:
        _validate(table, row, "target", lambda: parse_target(target, polarity), problems)
        realised = realisation
        if realised is not None:
            _validate(table, row, "realisasi", lambda: parse_realised(realised, polarity), problems)
    if len(problems) > before or polarity is None:
        return None
    if polarity in ORDINAL_SCALES:
        target, realisation = target.upper(), realisation.upper() if realisation else None
    return IndicatorRow(
        position=position,
        code=code,
        sasaran=sasaran,
        indicator=" ".join(name.split()),
        unit=_text(table, row, "satuan") or None,
        polarity=polarity,
        target=target,
        realisation=realisation,
        output_code=output_code,
        note=_text(table, row, "keterangan") or None,
    )


def _text(table: Table, row: tuple[Cell, ...], name: str) -> str:
    cell = table.cell(row, name)
    return "" if cell is None else " ".join(cell.text.split())


def _value(table: Table, row: tuple[Cell, ...], name: str) -> str:
    """A target or realisation as text; XLSX numbers in Indonesian notation."""
    cell = table.cell(row, name)
    return "" if cell is None else value_text(cell).strip()


def _validate(
    table: Table, row: tuple[Cell, ...], name: str, parse: Callable[[], object], problems: list[Problem]
) -> None:
    try:
        parse()
    except BadValue as exc:
        problems.append(table.problem(table.cell(row, name), name, str(exc), row[0].row))


def _polarity_of(table: Table, row: tuple[Cell, ...], problems: list[Problem]) -> Polarity | None:
    cell = table.cell(row, "polaritas")
    if cell is None:
        return None
    try:
        return parse_polarity(cell.text)
    except BadValue as exc:
        problems.append(table.problem(cell, "polaritas", str(exc)))
        return None


def _agreement_of(table: Table, row: tuple[Cell, ...], problems: list[Problem]) -> str:
    """The PK the row names (ketua, sekretaris, kegiatan), or "" for a blank cell or a bad word."""
    cell = table.cell(row, "perjanjian")
    if cell is None or not cell.text:
        return ""
    word = cell.text.strip().casefold()
    if word not in AGREEMENT_WORDS:
        problems.append(
            table.problem(cell, "perjanjian", "tulis ketua, sekretaris atau kegiatan (indikator kegiatan/output RKA)")
        )
        return ""
    return AGREEMENT_WORDS[word]


def _output_link(table: Table, row: tuple[Cell, ...], problems: list[Problem]) -> str | None:
    cell = table.cell(row, "kode_output")
    if cell is None or not cell.text:
        return None
    try:
        return parse_output_code(cell)
    except BadValue as exc:
        problems.append(table.problem(cell, "kode_output", str(exc)))
        return None
