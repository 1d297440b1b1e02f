"""The other years in the draft LKj: the multi-year capaian table and the comparison sentences.

As in the LKj the offices send, the capaian of each sasaran shows per indicator the realisation of
the year before, the target and realisation of the year reported on, its capaian, the Renstra
target of the final year of the period and the capaian towards it; under each sasaran's table a
sentence per indicator compares the years. The office's capaian in earlier years (computed from
their stored data or as their LKj stated it) gives the sentences of section 3.2. Values come only
from the imports (:mod:`sop_engine.lakip.targets_years`); a missing one is "-".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sop_engine.lakip.analysis import ORDINAL_SCALES, IndicatorResult, achievement, format_pct
from sop_engine.lakip.records import AnalysisRecord
from sop_engine.lakip.tables import BadValue
from sop_engine.lakip.targets import id_decimal, parse_number, parse_target

NBSP = "\u00a0"


def renstra_year(record: AnalysisRecord) -> int | None:
    """The final year of the Renstra period: the last year any indicator has a Renstra target for."""
    years = [y for r in record.indicators for y, _ in r.indicator.renstra]
    return max(years) if years else None


def _pct(value: Decimal | None) -> str:
    return format_pct(value).replace(" ", NBSP)


def _earlier(r: IndicatorResult, year: int) -> str | None:
    return dict(r.indicator.earlier).get(year)


def _towards_renstra(r: IndicatorResult, final: int | None) -> tuple[str | None, str]:
    """The Renstra target of ``final`` and the capaian of this year's realisation towards it."""
    text = None if final is None else dict(r.indicator.renstra).get(final)
    if text is None:
        return None, "-"
    target = parse_target(text, r.indicator.target.polarity)
    reached = achievement(target, r.indicator.realised)
    if reached.pct is None and reached.met is not None:
        return text, "tercapai" if reached.met else "belum tercapai"
    return text, _pct(reached.pct)


def year_cells(record: AnalysisRecord, r: IndicatorResult) -> dict[str, Any]:
    """The multi-year cells of one indicator: ``lalu``, ``renstra`` and ``progres``."""
    renstra, progress = _towards_renstra(r, renstra_year(record))
    return {"lalu": _earlier(r, record.year - 1) or "-", "renstra": renstra or "-", "progres": progress}


def _change(before: str, now: str, ordinal: bool) -> str:
    """ "naik 0,9 poin", "turun 2", "sama", or for ordinals "sama" / "berubah dari WDP"."""
    if ordinal:
        return "sama" if before == now else f"berubah dari {before}"
    try:
        diff = parse_number(now) - parse_number(before)
    except BadValue:
        return "tidak dapat dibandingkan"
    if diff == 0:
        return "sama"
    unit = " poin" if now.strip().endswith("%") else ""
    return f"{'naik' if diff > 0 else 'turun'} {id_decimal(abs(diff))}{unit}"


def sentence(record: AnalysisRecord, r: IndicatorResult) -> str | None:
    """The comparison sentence of one indicator, or None when it has no other year to compare with."""
    i, year = r.indicator, record.year
    before = _earlier(r, year - 1)
    final = renstra_year(record)
    renstra, progress = _towards_renstra(r, final)
    if before is None and renstra is None:
        return None
    parts = []
    now = i.realised_text
    if before is not None:
        if now is None:
            parts.append(f"realisasi tahun {year - 1} {before}; realisasi tahun {year} belum ada")
        else:
            change = _change(before, now, i.target.polarity in ORDINAL_SCALES)
            parts.append(f"realisasi tahun {year} {now} dibandingkan {before} pada tahun {year - 1} ({change})")
    if renstra is not None:
        parts.append(f"terhadap target akhir Renstra tahun {final} ({renstra}) capaiannya {progress}")
    return f"{i.name}: " + "; ".join(parts) + "."


def group_sentences(record: AnalysisRecord, results: list[IndicatorResult]) -> list[str]:
    """The comparison sentences of a sasaran's indicators that have another year."""
    return [s for r in results if (s := sentence(record, r)) is not None]


def comparison_sentences(record: AnalysisRecord) -> list[str]:
    """Section 3.2: this year's mean capaian and absorption against each earlier year's."""
    now = record.summary
    out = []
    for past in record.history:
        parts = [_compare("capaian kinerja", past.year, past.achievement_pct, record.year, now.achievement_pct)]
        parts.append(_compare("penyerapan anggaran", past.year, past.absorption_pct, record.year, now.absorption_pct))
        found = [p for p in parts if p]
        if found:
            out.append(" ".join(found))
    return out


def _compare(what: str, before_year: int, before: Decimal | None, year: int, now: Decimal | None) -> str:
    if before is None or now is None:
        return ""
    diff = now - before
    points = format_pct(abs(diff)).removesuffix(" %")
    change = "tidak berubah" if diff == 0 else f"{'naik' if diff > 0 else 'turun'} {points} poin"
    return (
        f"Dibandingkan {what} tahun {before_year} sebesar {_pct(before)}, {what} tahun {year} sebesar "
        f"{_pct(now)} ({change})."
    )


def has_other_years(record: AnalysisRecord) -> bool:
    """Whether anything of an earlier year is known (else the draft says there is none)."""
    return bool(record.history) or any(r.indicator.earlier for r in record.indicators)
