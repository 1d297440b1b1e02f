"""Consistency findings of step 5: the numbers of an LKj checked against each other.

The seed's own report shows why: its Ihtisar Eksekutif says Rp 2.497.528.462 was spent, its
budget table adds up to Rp 2.531.268.927. Each check here is pure and returns findings with an
Indonesian message that names both numbers and what to do, plus the numbers themselves:

- declared totals against the recomputed ones (the JUMLAH row of the realisation file or of the
  DIPA; a figure given in the narrative, such as the Ihtisar Eksekutif's realisation);
- outliers: absorption under 1 %, realisation above the pagu, realisation without a pagu;
- the realisation file against the DIPA (an output missing on either side, a different pagu);
- indicators without a realisation;
- implausible indicators: an achievement above a bound (a 1.666,67 % is a typing error, not a
  success), a "higher is better" indicator with a target of 0 (met whatever happens).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sop_engine.formatting import format_rupiah
from sop_engine.lakip.analysis import HUNDRED, Absorption, BudgetAnalysis, IndicatorResult, Polarity, format_pct
from sop_engine.remedies import Hint, Remedy
from sop_engine.views.labels import BUDGET_FIELD_LABELS, COMPUTED_TOTAL_LABELS, DECLARED_SOURCE_LABELS


@dataclass(frozen=True)
class Finding:
    """One inconsistency or outlier; ``details`` holds the numbers (JSON-ready), ``hint`` the follow-up."""

    kind: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
    hint: Hint | None = None


@dataclass(frozen=True)
class Declared:
    """Totals somebody wrote down: in the file's JUMLAH row ("file") or in the narrative ("narrative")."""

    source: str
    pagu: int | None = None
    realisation: int | None = None


@dataclass(frozen=True)
class PlannedOutput:
    """A DIPA output as planned: code, uraian, pagu."""

    code: str
    description: str
    pagu: int


@dataclass(frozen=True)
class Thresholds:
    """Where absorption becomes an outlier (percent of the pagu)."""

    low: Decimal = Decimal(1)
    high: Decimal = HUNDRED
    #: An indicator's achievement above this (percent) is implausible (``[lakip] capaian_maksimum``).
    achievement_high: Decimal = Decimal(200)


def declared_totals(declared: Declared, total: Absorption) -> list[Finding]:
    """A finding for each declared total that differs from the recomputed one."""
    found = []
    for name, stated, computed in (
        ("pagu", declared.pagu, total.pagu),
        ("realisasi", declared.realisation, total.realisation),
    ):
        if stated is None or stated == computed:
            continue
        where = DECLARED_SOURCE_LABELS.get(declared.source, declared.source)
        compared = COMPUTED_TOTAL_LABELS.get(declared.source, "jumlah tabel")
        found.append(
            Finding(
                kind="declared_total_mismatch",
                message=(
                    f"Jumlah {BUDGET_FIELD_LABELS[name]} pada {where} ({format_rupiah(stated)}) tidak sama dengan "
                    f"{compared} ({format_rupiah(computed)}); selisih "
                    f"{format_rupiah(abs(stated - computed))}. Periksa dan samakan kedua angka itu."
                ),
                details={
                    "source": declared.source,
                    "field": name,
                    "declared": stated,
                    "computed": computed,
                    "difference": stated - computed,
                },
            )
        )
    return found


def outliers(outputs: Iterable[Absorption], thresholds: Thresholds = Thresholds()) -> list[Finding]:
    """Outputs absorbed under ``thresholds.low`` %, above ``thresholds.high`` %, or spent without a pagu."""
    found = []
    for out in outputs:
        numbers = {"code": out.code, "pagu": out.pagu, "realisasi": out.realisation, "absorption_pct": _float(out.pct)}
        label = f"Output {out.code} ({_short(out.name)})"
        amounts = f"realisasi {format_rupiah(out.realisation)} dari pagu {format_rupiah(out.pagu)}"
        if out.pagu == 0:
            if out.realisation > 0:
                found.append(
                    Finding(
                        "realisation_without_pagu",
                        f"{label}: realisasi {format_rupiah(out.realisation)} tanpa pagu (pagu Rp 0). "
                        "Periksa kode output atau revisi DIPA.",
                        numbers,
                    )
                )
        elif out.realisation * HUNDRED < out.pagu * thresholds.low:
            found.append(
                Finding(
                    "low_absorption",
                    f"{label}: penyerapan {format_pct(out.pct)} ({amounts}), di bawah {format_pct(thresholds.low)}. "
                    "Jelaskan di LKj mengapa anggaran output ini hampir tidak terserap.",
                    numbers,
                )
            )
        elif out.realisation * HUNDRED > out.pagu * thresholds.high:
            found.append(
                Finding(
                    "high_absorption",
                    f"{label}: penyerapan {format_pct(out.pct)} ({amounts}), di atas {format_pct(thresholds.high)}. "
                    "Periksa angka realisasi; belanja melebihi pagu harus dijelaskan.",
                    numbers,
                )
            )
    return found


def against_dipa(lines: Sequence[Absorption], planned: Sequence[PlannedOutput], year: int) -> list[Finding]:
    """Outputs on one side only, and pagu that differ between the realisation file and the DIPA."""
    if not planned:
        return []
    found = []
    dipa = {p.code: p for p in planned}
    spent = {x.code for x in lines}
    for line in lines:
        plan = dipa.get(line.code)
        if plan is None:
            found.append(
                Finding(
                    "output_not_in_dipa",
                    f"Output {line.code} ({_short(line.name)}) ada di berkas realisasi tetapi tidak ada di DIPA "
                    f"tahun {year}. Periksa kode output, atau impor DIPA yang memuatnya.",
                    {"code": line.code},
                    hint=Hint(Remedy.IMPORT_TARGETS, year=year),
                )
            )
        elif plan.pagu != line.pagu:
            found.append(
                Finding(
                    "pagu_differs_from_dipa",
                    f"Output {line.code} ({_short(line.name)}): pagu di berkas realisasi {format_rupiah(line.pagu)} "
                    f"berbeda dengan pagu DIPA {format_rupiah(plan.pagu)}; selisih "
                    f"{format_rupiah(abs(line.pagu - plan.pagu))}. Gunakan pagu DIPA revisi terakhir di kedua berkas.",
                    {"code": line.code, "pagu": line.pagu, "pagu_dipa": plan.pagu},
                )
            )
    for plan in planned:
        if plan.code not in spent:
            found.append(
                Finding(
                    "output_without_realisation",
                    f"Output {plan.code} ({_short(plan.description)}) dengan pagu DIPA {format_rupiah(plan.pagu)} "
                    "tidak ada di berkas realisasi. Tambahkan barisnya (realisasi 0 bila memang tidak terserap).",
                    {"code": plan.code, "pagu_dipa": plan.pagu},
                )
            )
    return found


def indicator_gaps(results: Iterable[IndicatorResult], known_outputs: set[str] | None) -> list[Finding]:
    """Indicators without a realisation, and links to an output that the budget does not have."""
    found = []
    for result in results:
        indicator = result.indicator
        if result.achievement.met is None:
            found.append(
                Finding(
                    "indicator_without_realisation",
                    f"Indikator '{_short(indicator.name)}' (target {indicator.target_text}) belum memiliki realisasi. "
                    "Isi kolom realisasi lalu impor ulang.",
                    {"indicator": indicator.name, "code": indicator.code},
                )
            )
        if known_outputs is not None and indicator.output_code and indicator.output_code not in known_outputs:
            found.append(
                Finding(
                    "indicator_output_unknown",
                    f"Indikator '{_short(indicator.name)}' merujuk output {indicator.output_code}, yang tidak ada di "
                    "tabel anggaran; efisiensinya tidak dapat dihitung. Periksa kolom kode_output.",
                    {"indicator": indicator.name, "code": indicator.code, "output_code": indicator.output_code},
                )
            )
    return found


def implausible(results: Iterable[IndicatorResult], thresholds: Thresholds = Thresholds()) -> list[Finding]:
    """Achievements above the plausible bound, and "higher is better" indicators with a target of 0."""
    found = []
    for result in results:
        indicator, pct = result.indicator, result.achievement.pct
        if pct is not None and pct > thresholds.achievement_high:
            found.append(
                Finding(
                    "achievement_implausible",
                    f"Capaian indikator '{_short(indicator.name)}' {format_pct(pct)} (target {indicator.target_text}, "
                    f"realisasi {indicator.realised_text}) melebihi batas wajar "
                    f"{format_pct(thresholds.achievement_high)}. "
                    "Periksa target dan realisasinya (satuan, koma desimal).",
                    {"indicator": indicator.name, "code": indicator.code, "achievement_pct": _float(pct)},
                )
            )
        target = indicator.target
        if target.polarity is Polarity.HIGHER and target.value == 0:
            found.append(
                Finding(
                    "target_zero",
                    f"Indikator '{_short(indicator.name)}' bertarget 0 dengan polaritas tinggi: berapa pun "
                    "realisasinya tercapai, jadi capaiannya tidak bermakna. Periksa target di Perjanjian Kinerja "
                    "atau polaritasnya.",
                    {"indicator": indicator.name, "code": indicator.code},
                )
            )
    return found


def check(
    year: int,
    budget: BudgetAnalysis | None,
    results: Sequence[IndicatorResult],
    planned: Sequence[PlannedOutput] = (),
    declared: Sequence[Declared] = (),
    thresholds: Thresholds = Thresholds(),
) -> tuple[Finding, ...]:
    """Every consistency finding of one year, in a stable order."""
    found: list[Finding] = []
    planned_total = sum(p.pagu for p in planned)
    for statement in declared:
        if statement.source == "dipa":
            found.extend(declared_totals(statement, Absorption("", "DIPA", planned_total, 0, None)))
        elif budget is not None:
            found.extend(declared_totals(statement, budget.total))
    if budget is not None:
        found.extend(outliers(budget.outputs, thresholds))
        found.extend(against_dipa(budget.outputs, planned, year))
    found.extend(indicator_gaps(results, None if budget is None else {o.code for o in budget.outputs}))
    found.extend(implausible(results, thresholds))
    return tuple(found)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
