"""Steps 2-4 of the LAKIP SOP: the data-collection workbook, who received it, and its import.

The service over the pure .xlsx modules (:mod:`sop_engine.lakip.workbook_write`,
:mod:`sop_engine.lakip.workbook_read`). :func:`generate_workbook` writes the workbook of a year
from its stored targets. :func:`record_sent` (step 3) keeps which divisions a case's workbook went
to in ``workbook_sends``; :func:`import_workbooks` (step 4) validates every filled cell of every
file first and refuses the whole set, listing every error, or stores all of it in one transaction,
with a ``workbook_import_divisions`` row for each division it found returned or still missing.
:func:`workbook_status` reads those two tables; each action's audit event stays the evidence
(:mod:`sop_engine.reconcile` names a row that disagrees with it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sop_engine import audit, textrules, workflows
from sop_engine.context import Context
from sop_engine.db.models_performance import BudgetOutput, BudgetRealisation, WorkbookImportDivision, WorkbookSend
from sop_engine.db.queries import find_case
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.formatting import format_date, format_instant
from sop_engine.lakip import store
from sop_engine.lakip.service import apply_realisations, check_year, list_targets
from sop_engine.lakip.tables import ImportRefused, Problem
from sop_engine.lakip.workbook_read import Filled, Planned, read_workbook
from sop_engine.lakip.workbook_write import DEFAULT_DIVISIONS, chosen_divisions, write_workbook
from sop_engine.remedies import Field, Hint, Remedy

SENT, IMPORTED = "lakip.workbook_sent", "lakip.workbook_imported"
#: The SOP whose step gives the workbooks' return deadline: step 4, the import of the returned workbooks.
WORKFLOW, RETURN_STEP = "lakip", 4


@dataclass(frozen=True)
class WorkbookImport:
    """What an accepted workbook import stored, and which divisions have not returned theirs."""

    year: int
    files: tuple[str, ...]
    divisions: tuple[str, ...]
    indicators: int
    outputs: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class WorkbookSent:
    """Step 3: the divisions a case's workbook was sent to."""

    case: str
    divisions: tuple[str, ...]
    sha256: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class DivisionStatus:
    division: str
    sent_at: datetime | None
    returned_at: datetime | None


def generate_workbook(
    ctx: Context,
    year: int,
    out_path: Path,
    divisions: Sequence[str] | None = None,
    *,
    deadline: date | datetime | None = None,
    return_to: str = "Subbagian Program dan Data (penyusun LKj)",
) -> Path:
    """Write the data-collection workbook of ``year`` to ``out_path``; the return deadline is
    ``deadline`` (a day, or a moment), else the SOP's time for step 4 counted in working time
    from now (:func:`return_deadline`)."""
    check_year(year)
    targets = list_targets(ctx, year)
    if not targets.indicators and not targets.outputs:
        raise NotFound(
            f"Belum ada target tahun {year}; impor dulu indikator dan output DIPA, lalu buat ulang buku kerja.",
            value=year,
            hint=Hint(Remedy.IMPORT_TARGETS, year=year),
        )
    chosen = chosen_divisions(divisions or DEFAULT_DIVISIONS)
    if isinstance(deadline, datetime):
        due = format_instant(deadline, ctx.tz)
    else:
        due = format_date(deadline) if deadline else format_instant(return_deadline(ctx), ctx.tz)
    office = f"{ctx.settings.office.satker} {ctx.settings.office.name}"
    return write_workbook(
        out_path, year, chosen, targets.indicators, targets.outputs, due=due, return_to=return_to, office=office
    )


def return_deadline(ctx: Context) -> datetime:
    """When the filled workbooks are due: now plus the time the LAKIP SOP gives step 4 (its
    *waktu*, e.g. "3 jam"), counted in the office's working time."""
    try:
        step = workflows.show(ctx, WORKFLOW).step(RETURN_STEP)
    except NotFound as exc:
        raise NotFound(
            f"{exc.message} Batas pengembalian buku kerja diambil dari waktu langkah {RETURN_STEP} SOP itu; "
            "sebutkan batas pengembalian sendiri.",
            exc.value,
        ) from exc
    return ctx.calendar.add(ctx.clock.now(), workflows.budget_seconds(ctx, step))


# --- step 4: import ----------------------------------------------------------------------------


def import_workbooks(ctx: Context, year: int, paths: Sequence[Path], by: str) -> WorkbookImport:
    """Store the realisations of the filled workbooks, all in one transaction, or none of them."""
    check_year(year)
    if not paths:
        raise InvalidInput("Sebutkan sedikitnya satu buku kerja .xlsx yang sudah diisi.", value="")
    filled = _read_all(ctx, year, paths)
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        actor, role = store.actor(session, office.id, by)
        now = ctx.clock.now()
        values = filled.of("indikator")
        amounts = filled.of("output")
        apply_realisations(session, office.id, year, values, actor, now)
        _store_amounts(session, office.id, year, amounts, actor, now)
        for path in paths:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            rows = sum(where.startswith(f"{path.name}:") for _, where in filled.values.values())
            store.record_import(
                session, office.id, year, "workbook", store.Source("workbook", path.name, digest, actor, now), rows
            )
        returned = filled.returned | _returned_before(session, office.id, year)
        record = WorkbookImport(
            year=year,
            files=tuple(p.name for p in paths),
            divisions=tuple(d for d in filled.expected if d in filled.returned),
            indicators=len(values),
            outputs=len(amounts),
            missing=tuple(d for d in filled.expected if d not in returned),
        )
        _record_divisions(session, office.id, record, actor, now)
        audit.append(
            session,
            office.id,
            actor=actor,
            role=role,
            action=IMPORTED,
            recorded_at=now,
            details={**vars(record), "values": values, "amounts": amounts},
        )
        return record


def _read_all(ctx: Context, year: int, paths: Sequence[Path]) -> Filled:
    """The valid values of all ``paths``; ImportRefused listing every problem of the set, if any."""
    targets = list_targets(ctx, year)
    planned = Planned.of(year, targets.indicators, targets.outputs)
    filled, problems = Filled(), list[Problem]()
    for path in paths:
        read_workbook(path, planned, filled, problems)
    if problems:
        raise ImportRefused(", ".join(p.name for p in paths), problems)
    if not filled.values:
        raise InvalidInput(
            f"Tidak ada sel kuning yang terisi di {', '.join(p.name for p in paths)}; isi realisasinya lalu "
            "impor ulang.",
            value=", ".join(p.name for p in paths),
        )
    return filled


def _store_amounts(
    session: Session, office_id: int, year: int, amounts: Mapping[str, int], by: str, at: datetime
) -> None:
    """Replace the budget realisation of each output in ``amounts`` (its DIPA row gives pagu and uraian)."""
    dipa = {o.code: o for o in store.rows(session, BudgetOutput, office_id, year)}
    for code, amount in amounts.items():
        plan = dipa[code]
        session.execute(
            delete(BudgetRealisation).where(
                BudgetRealisation.office_id == office_id,
                BudgetRealisation.year == year,
                BudgetRealisation.code == code,
            )
        )
        session.add(
            BudgetRealisation(
                office_id=office_id,
                year=year,
                imported_by=by,
                imported_at=at,
                position=plan.position,
                code=code,
                description=plan.description,
                pagu=plan.pagu,
                realisation=amount,
            )
        )


def _record_divisions(session: Session, office_id: int, record: WorkbookImport, by: str, at: datetime) -> None:
    """A row for each division the import returned, then for each still missing (in that order)."""
    for division, returned in [*((d, True) for d in record.divisions), *((d, False) for d in record.missing)]:
        session.add(
            WorkbookImportDivision(
                office_id=office_id,
                year=record.year,
                imported_by=by,
                imported_at=at,
                division=division,
                returned=returned,
            )
        )


def _imported_divisions(session: Session, office_id: int, year: int) -> list[WorkbookImportDivision]:
    """The rows of every import of ``year``, in the order they were written."""
    return list(
        session.scalars(
            select(WorkbookImportDivision)
            .where(WorkbookImportDivision.office_id == office_id, WorkbookImportDivision.year == year)
            .order_by(WorkbookImportDivision.id)
        )
    )


def _returned_before(session: Session, office_id: int, year: int) -> set[str]:
    return {row.division for row in _imported_divisions(session, office_id, year) if row.returned}


# --- step 3: sent to whom, and what came back -------------------------------------------------


def record_sent(ctx: Context, case: str, divisions: Sequence[str], by: str, file: Path | None = None) -> WorkbookSent:
    """Record that the case's workbook (``file``, if given) went to ``divisions``: a row each, one audit event."""
    names = tuple(
        dict.fromkeys(" ".join(textrules.line(d, "Nama subbagian", 100).split()) for d in divisions if d.strip())
    )
    if not names:
        raise InvalidInput("Sebutkan sedikitnya satu subbagian.", value="", field=Field.DIVISION)
    digest = None
    if file is not None:
        if not file.is_file():
            raise InvalidInput(f"Berkas '{file}' tidak ada; periksa nama dan foldernya.", value=str(file))
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        found = find_case(session, office.id, case)
        actor, role = store.actor(session, office.id, by)
        now = ctx.clock.now()
        for name in names:
            session.add(
                WorkbookSend(
                    office_id=office.id,
                    case_id=found.id,
                    division=name,
                    filename=file.name if file else None,
                    sha256=digest,
                    sent_by=actor,
                    sent_at=now,
                )
            )
        details: dict[str, object] = {"divisions": list(names)} | (
            {"file": file.name, "sha256": digest} if file else {}
        )
        audit.append(
            session, office.id, actor=actor, role=role, action=SENT, recorded_at=now, case=found.code, details=details
        )
        return WorkbookSent(found.code, names, digest, actor, now)


def workbook_status(ctx: Context, case: str) -> tuple[int, tuple[DivisionStatus, ...]]:
    """The year the case reports on, and per division when the workbook was first sent and last came back."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        found = find_case(session, office.id, case)
        year = found.year - 1
        sent: dict[str, datetime] = {}
        for row in session.scalars(
            select(WorkbookSend).where(WorkbookSend.case_id == found.id).order_by(WorkbookSend.id)
        ):
            sent.setdefault(row.division, row.sent_at)
        returned: dict[str, datetime] = {}
        expected: list[str] = []
        for imported in _imported_divisions(session, office.id, year):
            expected.append(imported.division)
            if imported.returned:
                returned[imported.division] = imported.imported_at
    order = list(dict.fromkeys([*sent, *expected] or DEFAULT_DIVISIONS))
    return year, tuple(DivisionStatus(d, sent.get(d), returned.get(d)) for d in order)
