"""The rows behind the LAKIP services: reading one year, replacing an import, who may import.

Only :mod:`sop_engine.lakip.service` calls these, always inside its own transaction; they turn
ORM rows into the plain records of :mod:`analysis` and :mod:`targets`, so no ORM object leaves
the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sop_engine import policy
from sop_engine.context import Context
from sop_engine.db.models import Office
from sop_engine.db.models_performance import (
    BudgetOutput,
    BudgetRealisation,
    PerformanceImport,
    PerformanceIndicator,
    PerformanceYear,
)
from sop_engine.lakip import analysis
from sop_engine.lakip.analysis import Polarity
from sop_engine.lakip.consistency import Declared, PlannedOutput
from sop_engine.lakip.targets import IndicatorRow, OutputRow, parse_realised, parse_target
from sop_engine.lakip.targets_years import YearFigure, YearValues
from sop_engine.policy import Permission

Model = type[PerformanceIndicator] | type[BudgetOutput] | type[BudgetRealisation]


@dataclass(frozen=True)
class Source:
    """The latest accepted import of one kind that an analysis rests on."""

    kind: str
    filename: str
    sha256: str
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True)
class YearData:
    """Everything stored for one office and year, as plain records."""

    indicators: tuple[analysis.Indicator, ...]
    lines: tuple[analysis.BudgetLine, ...]
    planned: tuple[PlannedOutput, ...]
    declared: tuple[Declared, ...]
    sources: tuple[Source, ...]

    @property
    def empty(self) -> bool:
        return not (self.indicators or self.lines or self.planned)


def locked_office(session: Session, ctx: Context) -> Office:
    """This install's office, locked so two imports of one office queue (PostgreSQL; SQLite locks on BEGIN)."""
    office = ctx.office(session)
    session.execute(select(Office.id).where(Office.id == office.id).with_for_update())
    return office


def actor(session: Session, office_id: int, by: str) -> tuple[str, str]:
    """(username, role) of whoever imports; NotAllowed for a role that may not."""
    found = policy.resolve(session, office_id, by, Permission.IMPORT_DATA)
    return found.username, found.role


def rows(session: Session, model: Any, office_id: int, year: int) -> list[Any]:
    """The office's rows of ``year`` in ``model``, in file order."""
    query = select(model).where(model.office_id == office_id, model.year == year).order_by(model.position)
    return list(session.scalars(query))


def indicator_rows(session: Session, office_id: int, year: int) -> list[PerformanceIndicator]:
    return rows(session, PerformanceIndicator, office_id, year)


def replace(session: Session, model: Model, office_id: int, year: int) -> int:
    """Delete the office's rows of ``year`` in ``model``; returns how many there were."""
    count = len(rows(session, model, office_id, year))
    session.execute(delete(model).where(model.office_id == office_id, model.year == year))
    session.flush()
    return count


def replace_indicators(
    session: Session, office_id: int, year: int, new_rows: Sequence[IndicatorRow], by: str, now: datetime
) -> int:
    """Replace the indicators; a realisation recorded earlier is kept where the file gives none.

    Returns how many realisations were kept (matched by code, else by name, same polarity).
    """
    old = {analysis.indicator_key(r.code, r.indicator): r for r in indicator_rows(session, office_id, year)}
    kept_values = {k: (r.polarity, r.realisation, r.realisation_by, r.realisation_at) for k, r in old.items()}
    replace(session, PerformanceIndicator, office_id, year)
    kept = 0
    for row in new_rows:
        new = PerformanceIndicator(office_id=office_id, year=year, imported_by=by, imported_at=now, **vars(row))
        new.polarity = row.polarity.value
        new.earlier, new.renstra = _json_years(row.earlier), _json_years(row.renstra)
        polarity, realisation, realised_by, realised_at = kept_values.get(
            analysis.indicator_key(row.code, row.indicator), ("", None, None, None)
        )
        if row.realisation is not None:
            new.realisation_by, new.realisation_at = by, now
        elif realisation is not None and polarity == new.polarity:
            new.realisation, new.realisation_by, new.realisation_at = realisation, realised_by, realised_at
            kept += 1
        session.add(new)
    return kept


def add_outputs(
    session: Session, office_id: int, year: int, outputs: Sequence[OutputRow], by: str, now: datetime
) -> None:
    for out in outputs:
        session.add(BudgetOutput(office_id=office_id, year=year, imported_by=by, imported_at=now, **vars(out)))


def record_import(
    session: Session,
    office_id: int,
    year: int,
    kind: str,
    source: Source,
    count: int,
    declared_pagu: int | None = None,
    declared_realisation: int | None = None,
) -> None:
    """Remember an accepted import: file, hash, row count, the totals its JUMLAH row declared."""
    session.add(
        PerformanceImport(
            office_id=office_id,
            year=year,
            kind=kind,
            filename=source.filename,
            sha256=source.sha256,
            rows=count,
            declared_pagu=declared_pagu,
            declared_realisation=declared_realisation,
            imported_by=source.imported_by,
            imported_at=source.imported_at,
        )
    )


def load_year(session: Session, office_id: int, year: int) -> YearData:
    """The indicators, budget lines (joined with the DIPA), plan, declared totals and sources of a year."""
    outputs: list[BudgetOutput] = rows(session, BudgetOutput, office_id, year)
    dipa = {o.code: o for o in outputs}
    lines = []
    for r in rows(session, BudgetRealisation, office_id, year):
        plan = dipa.get(r.code)
        lines.append(
            analysis.BudgetLine(
                code=r.code,
                description=r.description,
                pagu=r.pagu,
                realisation=r.realisation,
                activity_code=r.code.split(".")[0],
                activity_name=None if plan is None else plan.activity_name,
                program_code=None if plan is None else (plan.program_code or plan.program_name),
                program_name=None if plan is None else plan.program_name,
            )
        )
    latest: dict[str, PerformanceImport] = {}
    query = select(PerformanceImport).where(PerformanceImport.office_id == office_id, PerformanceImport.year == year)
    for imported in session.scalars(query.order_by(PerformanceImport.id)):
        latest[imported.kind] = imported
    declared = []
    if "budget" in latest:
        declared.append(Declared("file", latest["budget"].declared_pagu, latest["budget"].declared_realisation))
    if "outputs" in latest and outputs:
        declared.append(Declared("dipa", latest["outputs"].declared_pagu, None))
    return YearData(
        indicators=tuple(_indicator(r) for r in indicator_rows(session, office_id, year)),
        lines=tuple(lines),
        planned=tuple(PlannedOutput(o.code, o.description, o.pagu) for o in outputs),
        declared=tuple(declared),
        sources=tuple(Source(i.kind, i.filename, i.sha256, i.imported_by, i.imported_at) for i in latest.values()),
    )


def earlier_years(session: Session, office_id: int, year: int) -> list[int]:
    """The years before ``year`` for which the office has indicators or a budget realisation."""
    years: set[int] = set()
    for model in (PerformanceIndicator, BudgetRealisation):
        query = select(model.year).where(model.office_id == office_id, model.year < year).distinct()
        years.update(session.scalars(query))
    return sorted(years)


def _indicator(row: PerformanceIndicator) -> analysis.Indicator:
    polarity = Polarity(row.polarity)
    return analysis.Indicator(
        key=analysis.indicator_key(row.code, row.indicator),
        code=row.code,
        sasaran=row.sasaran,
        name=row.indicator,
        unit=row.unit,
        target=parse_target(row.target, polarity),
        target_text=row.target,
        realised=None if row.realisation is None else parse_realised(row.realisation, polarity),
        realised_text=row.realisation,
        output_code=row.output_code,
        agreement=row.agreement,
        earlier=_years(row.earlier),
        renstra=_years(row.renstra),
    )


def indicator_record(row: PerformanceIndicator) -> IndicatorRow:
    """A stored indicator as the record the targets reader produces."""
    return IndicatorRow(
        position=row.position,
        code=row.code,
        sasaran=row.sasaran,
        indicator=row.indicator,
        unit=row.unit,
        polarity=Polarity(row.polarity),
        target=row.target,
        realisation=row.realisation,
        output_code=row.output_code,
        note=row.note,
        agreement=row.agreement,
        earlier=_years(row.earlier),
        renstra=_years(row.renstra),
    )


def output_record(row: BudgetOutput) -> OutputRow:
    """A stored DIPA output as the record the targets reader produces."""
    return OutputRow(
        position=row.position,
        code=row.code,
        description=row.description,
        pagu=row.pagu,
        activity_code=row.activity_code,
        activity_name=row.activity_name,
        program_code=row.program_code,
        program_name=row.program_name,
    )


def _json_years(values: YearValues) -> list[list[int | str]] | None:
    return [[year, text] for year, text in values] or None


def _years(stored: list[list[int | str]] | None) -> YearValues:
    return tuple((int(year), str(text)) for year, text in stored or ())


def replace_years(session: Session, office_id: int, figures: Sequence[YearFigure], by: str, now: datetime) -> None:
    """Store the capaian of earlier years a file stated, replacing what was stored for those years."""
    years = [f.year for f in figures]
    stated = PerformanceYear.office_id == office_id, PerformanceYear.year.in_(years)
    session.execute(delete(PerformanceYear).where(*stated))
    session.flush()
    for f in figures:
        session.add(
            PerformanceYear(
                office_id=office_id,
                year=f.year,
                achievement_pct=f.achievement_pct,
                absorption_pct=f.absorption_pct,
                imported_by=by,
                imported_at=now,
            )
        )


def stated_years(session: Session, office_id: int, year: int) -> tuple[YearFigure, ...]:
    """The capaian of the years before ``year`` as their LKj stated them, oldest first."""
    query = select(PerformanceYear).where(PerformanceYear.office_id == office_id, PerformanceYear.year < year)
    found = session.scalars(query.order_by(PerformanceYear.year))
    return tuple(YearFigure(r.year, r.achievement_pct, r.absorption_pct) for r in found)
