"""The services of the performance and budget data: import, record realisations, analyse.

Each import reads and validates the whole file first (a bad file raises ``ImportRefused``
before anything is written), then in **one** write transaction replaces the office's rows of
that year and kind, records the import (file name, sha256, declared totals) and appends its
audit event. :func:`analyse` reads one year, and the office's earlier years for comparison, and
hands plain records to the pure :mod:`analysis` and :mod:`consistency` functions.

The year is the year reported on. A LAKIP case is named after the year it runs in:
``lakip-2021`` writes the LKj of 2020, so :func:`report_year` gives the case's year minus one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sop_engine import audit
from sop_engine.context import Context
from sop_engine.db.models_performance import BudgetOutput, BudgetRealisation
from sop_engine.db.queries import find_case
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.lakip import analysis, consistency, store
from sop_engine.lakip.analysis import DEFAULT_RULES, ORDINAL_SCALES, Polarity, Rules, Scale
from sop_engine.lakip.budget import read_budget
from sop_engine.lakip.consistency import Declared, Finding, Thresholds
from sop_engine.lakip.records import AnalysisRecord, BudgetImported, TargetSet, TargetsImported
from sop_engine.lakip.store import Source
from sop_engine.lakip.tables import BadValue, ImportRefused, Problem
from sop_engine.lakip.targets import parse_realised, read_targets
from sop_engine.lakip.targets_years import YearFigure
from sop_engine.policy import SYSTEM_ACTOR
from sop_engine.remedies import Hint, Remedy

__all__ = [
    "AnalysisRecord",
    "BudgetImported",
    "TargetSet",
    "TargetsImported",
    "analyse",
    "analysis_json",
    "apply_realisations",
    "check_year",
    "import_budget",
    "import_targets",
    "list_targets",
    "record_realisations",
    "report_year",
]

FIRST_YEAR, LAST_YEAR = 2000, 2100
DEFAULT_THRESHOLDS = Thresholds()


# --- imports ---------------------------------------------------------------------------------


def import_targets(ctx: Context, path: Path, year: int, by: str = SYSTEM_ACTOR) -> TargetsImported:
    """Store the indicators and/or DIPA outputs of ``path`` as the targets of ``year``."""
    check_year(year)
    parsed = read_targets(path, year)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        actor, role = store.actor(session, office.id, by)
        now, kept = ctx.clock.now(), 0
        source = Source("targets", path.name, digest, actor, now)
        if parsed.indicators is not None:
            kept = store.replace_indicators(session, office.id, year, parsed.indicators, actor, now)
            store.record_import(session, office.id, year, "indicators", source, len(parsed.indicators))
        if parsed.outputs is not None:
            store.replace(session, BudgetOutput, office.id, year)
            store.add_outputs(session, office.id, year, parsed.outputs, actor, now)
            store.record_import(
                session, office.id, year, "outputs", source, len(parsed.outputs), declared_pagu=parsed.declared_pagu
            )
        if parsed.years is not None:
            store.replace_years(session, office.id, parsed.years, actor, now)
            store.record_import(session, office.id, year, "years", source, len(parsed.years))
        record = TargetsImported(
            year=year,
            filename=path.name,
            sha256=digest,
            indicators=None if parsed.indicators is None else len(parsed.indicators),
            outputs=None if parsed.outputs is None else len(parsed.outputs),
            pagu=None if parsed.outputs is None else sum(o.pagu for o in parsed.outputs),
            realisations_kept=kept,
            years=None if parsed.years is None else len(parsed.years),
            with_other_years=sum(1 for i in parsed.indicators or () if i.earlier or i.renstra),
        )
        audit.append(
            session,
            office.id,
            actor=actor,
            role=role,
            action="lakip.targets_imported",
            recorded_at=now,
            details=_plain(record),
        )
        return record


def import_budget(ctx: Context, path: Path, year: int, by: str = SYSTEM_ACTOR) -> BudgetImported:
    """Store the budget realisation of ``path`` as that of ``year`` (replacing an earlier import)."""
    check_year(year)
    parsed = read_budget(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record = BudgetImported(
        year=year,
        filename=path.name,
        sha256=digest,
        rows=len(parsed.rows),
        pagu=parsed.pagu,
        realisation=parsed.realisation,
        absorption_pct=analysis.absorption_pct(parsed.pagu, parsed.realisation),
        declared_pagu=parsed.declared_pagu,
        declared_realisation=parsed.declared_realisation,
    )
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        actor, role = store.actor(session, office.id, by)
        now = ctx.clock.now()
        replaced = store.replace(session, BudgetRealisation, office.id, year)
        for row in parsed.rows:
            session.add(
                BudgetRealisation(office_id=office.id, year=year, imported_by=actor, imported_at=now, **vars(row))
            )
        store.record_import(
            session,
            office.id,
            year,
            "budget",
            Source("budget", path.name, digest, actor, now),
            len(parsed.rows),
            declared_pagu=parsed.declared_pagu,
            declared_realisation=parsed.declared_realisation,
        )
        audit.append(
            session,
            office.id,
            actor=actor,
            role=role,
            action="lakip.budget_imported",
            recorded_at=now,
            details={**_plain(record), "replaced": replaced},
        )
    return record


def record_realisations(ctx: Context, year: int, values: Mapping[str, str], by: str = SYSTEM_ACTOR) -> int:
    """Record indicator realisations (keyed by indicator code, else name) in one transaction."""
    check_year(year)
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        actor, role = store.actor(session, office.id, by)
        count = apply_realisations(session, office.id, year, values, actor, ctx.clock.now())
        audit.append(
            session,
            office.id,
            actor=actor,
            role=role,
            action="lakip.realisations_recorded",
            recorded_at=ctx.clock.now(),
            details={"year": year, "values": dict(values)},
        )
        return count


def apply_realisations(
    session: Session, office_id: int, year: int, values: Mapping[str, str], by: str, at: datetime
) -> int:
    """Set realisations inside the caller's transaction; ImportRefused, with nothing set, on any bad one.

    For the data-collection workbook import (step 4), which writes its own audit event.
    """
    rows = store.indicator_rows(session, office_id, year)
    by_key = {analysis.indicator_key(None, r.indicator): r for r in rows} | {
        analysis.indicator_key(r.code, r.indicator): r for r in rows if r.code
    }
    problems, changes = [], []
    for key, text in values.items():
        row = by_key.get(analysis.indicator_key(key, "")) or by_key.get(analysis.indicator_key(None, key))
        if row is None:
            problems.append(Problem(None, "indikator", key, f"indikator ini tidak ada di target tahun {year}"))
            continue
        polarity = Polarity(row.polarity)
        try:
            parse_realised(text, polarity)
        except BadValue as exc:
            problems.append(Problem(None, "realisasi", text, f"indikator '{row.indicator}': {exc}"))
            continue
        changes.append((row, text.strip().upper() if polarity in ORDINAL_SCALES else text.strip()))
    if problems:
        raise ImportRefused(f"realisasi indikator tahun {year}", problems)
    for row, text in changes:
        row.realisation, row.realisation_by, row.realisation_at = text, by, at
    return len(changes)


def list_targets(ctx: Context, year: int) -> TargetSet:
    """The stored indicators and DIPA outputs of ``year`` (empty when none were imported)."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        return TargetSet(
            year,
            tuple(store.indicator_record(r) for r in store.indicator_rows(session, office.id, year)),
            tuple(store.output_record(r) for r in store.rows(session, BudgetOutput, office.id, year)),
        )


def check_year(year: int) -> int:
    """``year`` if it is a plausible budget year; InvalidInput otherwise."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"Tahun {year} tidak masuk akal; tulis tahun anggaran, misalnya 2020.", value=year)
    return year


def report_year(ctx: Context, case_or_year: str, year: int | None = None) -> int:
    """The year ``sop lakip analyse CASE_OR_YEAR`` reports on: a year as given, a case's year minus one.

    ``year`` (``--year``) overrides; a case named must still exist and be a LAKIP case.
    """
    text = case_or_year.strip()
    if text.isdigit():
        return check_year(year if year is not None else int(text))
    with ctx.db.read() as session:
        case = find_case(session, ctx.office(session).id, text)
        if case.workflow != "lakip":
            raise InvalidInput(
                f"Kasus '{text}' adalah kasus {case.workflow}, bukan LAKIP; sebutkan kasus LAKIP atau tahunnya.",
                value=text,
            )
        return check_year(year if year is not None else case.year - 1)


# --- analysis --------------------------------------------------------------------------------


def analyse(
    ctx: Context,
    year: int,
    declared_realisation: int | None = None,
    declared_pagu: int | None = None,
    *,
    rules: Rules = DEFAULT_RULES,
    scale: Scale | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> AnalysisRecord:
    """Step 5 for ``year``: achievement, absorption, efficiency, comparison and findings.

    ``declared_realisation`` / ``declared_pagu`` are figures given in the narrative (e.g. the
    Ihtisar Eksekutif); each that differs from the table gives a finding naming both numbers.
    """
    check_year(year)
    scale = analysis.validate_scale(scale or ctx.settings.category_scale)
    if thresholds is DEFAULT_THRESHOLDS:
        thresholds = replace(thresholds, achievement_high=ctx.settings.achievement_plausible_max)
    with ctx.db.read() as session:
        office = ctx.office(session)
        current = store.load_year(session, office.id, year)
        if current.empty:
            raise NotFound(
                f"Belum ada target maupun realisasi anggaran tahun {year} untuk kantor {office.code}; impor "
                "keduanya dulu.",
                value=year,
                hint=Hint(Remedy.IMPORT_TARGETS_AND_BUDGET, year=year),
            )
        earlier = {y: store.load_year(session, office.id, y) for y in store.earlier_years(session, office.id, year)}
        stated = store.stated_years(session, office.id, year)
        office_code, office_name = office.code, office.name
    budget, results = _compute(current, rules, scale)
    past = {y: _compute(data, rules, scale) for y, data in earlier.items()}
    results = analysis.with_previous(results, {y: r for y, (_, r) in past.items()})
    declared = [*current.declared, Declared("narrative", declared_pagu, declared_realisation)]
    summary = analysis.summarise(year, budget, results)
    return AnalysisRecord(
        year=year,
        office_code=office_code,
        office_name=office_name,
        budget=budget,
        budget_lines=current.lines,
        indicators=results,
        findings=_missing(current, year)
        + consistency.check(year, budget, results, current.planned, declared, thresholds),
        summary=summary,
        category=None if summary.achievement_pct is None else analysis.category(summary.achievement_pct, scale),
        efficiency=analysis.efficiency(summary.achievement_pct, summary.absorption_pct),
        history=_history({y: analysis.summarise(y, b, r) for y, (b, r) in past.items()}, stated),
        sources=tuple(
            Source(s.kind, s.filename, s.sha256, s.imported_by, s.imported_at.astimezone(ctx.tz))
            for s in current.sources
        ),
        rules=rules,
        scale=scale,
    )


def _history(
    computed: Mapping[int, analysis.YearSummary], stated: Sequence[YearFigure]
) -> tuple[analysis.YearSummary, ...]:
    """The earlier years: computed from their stored data, and where that gives no capaian (or there is
    none), the capaian and absorption their LKj stated."""
    years = dict(computed)
    for f in stated:
        known = years.get(f.year) or analysis.YearSummary(f.year, None, None, None, None, 0)
        years[f.year] = replace(
            known,
            achievement_pct=known.achievement_pct if known.achievement_pct is not None else f.achievement_pct,
            absorption_pct=known.absorption_pct if known.absorption_pct is not None else f.absorption_pct,
        )
    return tuple(years[y] for y in sorted(years))


def _compute(
    data: store.YearData, rules: Rules, scale: Scale
) -> tuple[analysis.BudgetAnalysis | None, tuple[analysis.IndicatorResult, ...]]:
    budget = analysis.analyse_budget(data.lines) if data.lines else None
    absorbed = {} if budget is None else {o.code: o.pct for o in budget.outputs}
    return budget, tuple(analysis.assess(i, rules, scale, absorbed) for i in data.indicators)


def _missing(data: store.YearData, year: int) -> tuple[Finding, ...]:
    found = []
    if not data.lines:
        found.append(
            Finding(
                "no_budget",
                f"Realisasi anggaran tahun {year} belum diimpor.",
                hint=Hint(Remedy.IMPORT_BUDGET, year=year),
            )
        )
    if not data.indicators:
        found.append(
            Finding(
                "no_indicators",
                f"Indikator Perjanjian Kinerja tahun {year} belum diimpor.",
                hint=Hint(Remedy.IMPORT_TARGETS, year=year),
            )
        )
    return tuple(found)


def analysis_json(record: AnalysisRecord) -> dict[str, Any]:
    """The analysis as one JSON-ready document (see :meth:`AnalysisRecord.to_json`)."""
    return record.to_json()


def _plain(record: TargetsImported | BudgetImported) -> dict[str, Any]:
    """A record as audit details: Decimals as text, everything else as is."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in vars(record).items()}
