"""The records the LAKIP services hand out, and the JSON of an analysis.

Plain frozen dataclasses, never ORM objects: front ends and document generators (the draft
LKj) read these. :meth:`AnalysisRecord.to_json` is the shape ``sop lakip analyse --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sop_engine.lakip import analysis
from sop_engine.lakip.analysis import Rules, Scale
from sop_engine.lakip.consistency import Finding
from sop_engine.lakip.store import Source
from sop_engine.lakip.targets import POLARITY_NAMES, IndicatorRow, OutputRow


@dataclass(frozen=True)
class TargetsImported:
    """What an accepted targets import stored (None: the file had no such table)."""

    year: int
    filename: str
    sha256: str
    indicators: int | None
    outputs: int | None
    pagu: int | None
    realisations_kept: int
    #: How many earlier years' capaian the file stated (None: no such table).
    years: int | None = None
    #: How many indicators carry earlier realisations or Renstra targets.
    with_other_years: int = 0


@dataclass(frozen=True)
class BudgetImported:
    """What an accepted budget realisation import stored."""

    year: int
    filename: str
    sha256: str
    rows: int
    pagu: int
    realisation: int
    absorption_pct: Decimal | None
    declared_pagu: int | None
    declared_realisation: int | None


@dataclass(frozen=True)
class TargetSet:
    """The stored targets of a year, for documents that prefill them (the data-collection workbook)."""

    year: int
    indicators: tuple[IndicatorRow, ...]
    outputs: tuple[OutputRow, ...]


@dataclass(frozen=True)
class AnalysisRecord:
    """Step 5 of one year: budget, indicators, findings, and the comparison with earlier years."""

    year: int
    office_code: str
    office_name: str
    budget: analysis.BudgetAnalysis | None
    budget_lines: tuple[analysis.BudgetLine, ...]
    indicators: tuple[analysis.IndicatorResult, ...]
    findings: tuple[Finding, ...]
    summary: analysis.YearSummary
    #: The category of the mean achievement (None without indicator percentages).
    category: str | None
    #: Mean achievement minus total absorption, in percentage points.
    efficiency: Decimal | None
    history: tuple[analysis.YearSummary, ...]
    sources: tuple[Source, ...]
    rules: Rules
    scale: Scale

    def to_json(self) -> dict[str, Any]:
        """The analysis as one JSON-ready document (keys English, amounts int, percentages float)."""
        names = {line.code: line for line in self.budget_lines}
        budget: dict[str, Any] | None = None
        if self.budget is not None:
            b = self.budget
            budget = {
                **_absorption(b.total, labelled=False),
                "outputs": [
                    {
                        **_absorption(o),
                        "kegiatan": names[o.code].activity_code,
                        "program": names[o.code].program_code,
                    }
                    for o in b.outputs
                ],
                "activities": [_absorption(a) for a in b.activities],
                "programs": [_absorption(p) for p in b.programs],
            }
        return {
            "year": self.year,
            "office": {"code": self.office_code, "name": self.office_name},
            "budget": budget,
            "indicators": [_indicator(r) for r in self.indicators],
            "summary": {
                "achievement_pct": _num(self.summary.achievement_pct),
                "category": self.category,
                "absorption_pct": _num(self.summary.absorption_pct),
                "efficiency_pct": _num(self.efficiency),
                "indicators": self.summary.indicators,
            },
            "comparison": [_year(y) for y in self.history],
            "findings": [{"kind": f.kind, "message": f.message, **f.details} for f in self.findings],
            "rules": {
                "scale": [{"category": label, "from_pct": _num(bound)} for bound, label in self.scale],
                "zero_target_met_pct": _num(self.rules.zero_target_met),
                "zero_target_missed_pct": _num(self.rules.zero_target_missed),
                "cap_pct": _num(self.rules.cap),
                "floor_pct": _num(self.rules.floor),
                "graded_exact": self.rules.graded_exact,
            },
            "sources": [
                {
                    "kind": s.kind,
                    "file": s.filename,
                    "sha256": s.sha256,
                    "by": s.imported_by,
                    "at": s.imported_at.isoformat(),
                }
                for s in self.sources
            ],
        }


def _absorption(a: analysis.Absorption, labelled: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"code": a.code or None, "uraian": a.name} if labelled else {}
    return data | {"pagu": a.pagu, "realisasi": a.realisation, "sisa": a.remaining, "absorption_pct": _num(a.pct)}


def _indicator(r: analysis.IndicatorResult) -> dict[str, Any]:
    i = r.indicator
    return {
        "code": i.code,
        "sasaran": i.sasaran,
        "indicator": i.name,
        "unit": i.unit,
        "polarity": i.target.polarity.value,
        "polaritas": POLARITY_NAMES[i.target.polarity],
        "target": i.target_text,
        "realisation": i.realised_text,
        "achievement_pct": _num(r.achievement.pct),
        "met": r.achievement.met,
        "rule": r.achievement.rule,
        "category": r.category,
        "output_code": i.output_code,
        "efficiency_pct": _num(r.efficiency),
        "previous": [{"year": y, "achievement_pct": _num(p)} for y, p in r.previous],
    }


def _year(y: analysis.YearSummary) -> dict[str, Any]:
    return {
        "year": y.year,
        "pagu": y.pagu,
        "realisasi": y.realisation,
        "absorption_pct": _num(y.absorption_pct),
        "achievement_pct": _num(y.achievement_pct),
        "indicators": y.indicators,
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
