"""Steps 2-4 of the LAKIP SOP: the data-collection workbook, who received it, and its import.

:func:`generate_workbook` writes one .xlsx with a "Petunjuk" sheet and one protected sheet per
division, prefilled with the stored targets of the year; only the yellow realisation cells are
unlocked and they carry Excel data validation. A hidden sheet ``_sop`` records the year and,
per division sheet, which rows are input rows, so the import knows what to expect.
:func:`record_sent` (step 3) and :func:`workbook_status` keep no table of their own: sending and
returning are audit events. :func:`import_workbooks` (step 4) validates every filled cell of
every file first and refuses the whole set, listing every error, or stores all of it in one
transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.styles import Alignment, Font, PatternFill, Protection  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sop_engine import audit, safezip, textrules
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent
from sop_engine.db.models_performance import BudgetOutput, BudgetRealisation
from sop_engine.db.queries import find_case
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.formatting import format_date
from sop_engine.lakip import store
from sop_engine.lakip.analysis import ORDINAL_SCALES, Polarity
from sop_engine.lakip.service import apply_realisations, check_year, list_targets
from sop_engine.lakip.tables import BadValue, Cell, ImportRefused, Problem
from sop_engine.lakip.targets import POLARITY_NAMES, IndicatorRow, OutputRow, parse_realised, value_text
from sop_engine.lakip.values import parse_rupiah

DEFAULT_DIVISIONS = (
    "Subbagian Program dan Data",
    "Subbagian Teknis dan Hubungan Partisipasi Masyarakat",
    "Subbagian Hukum dan SDM",
    "Subbagian Keuangan, Umum dan Logistik",
)
#: Which division reports on the outputs of a kegiatan (by its four-digit code).
ACTIVITY_DIVISIONS = {"3357": 0, "3364": 1, "3363": 2, "3355": 3, "3356": 3, "3360": 3, "3361": 3}
#: Indicators linked to no output go by a word of their name; the rest to the first division.
INDICATOR_WORDS = (("opini bpk", 3), ("hukum", 2), ("pelanggaran", 2), ("partisipasi", 1), ("konflik", 1))
META_SHEET, INSTRUCTIONS_SHEET, INPUT_COLUMN = "_sop", "Petunjuk", 7
SENT, IMPORTED = "lakip.workbook_sent", "lakip.workbook_imported"
_HEADER_FILL, _INPUT_FILL = PatternFill("solid", fgColor="1F4E78"), PatternFill("solid", fgColor="FFF2CC")
_WIDTHS = {"A": 12, "B": 40, "C": 60, "D": 12, "E": 18, "F": 12, "G": 24}


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


@dataclass(frozen=True)
class WorkbookProblem(Problem):
    """A problem of one file of a workbook set (the file is named first)."""

    file: str = ""

    def describe(self) -> str:
        return f"berkas '{self.file}', {super().describe()}"


def sheet_name(division: str) -> str:
    """A sheet title (at most 31 characters, no []:*?/\\) for a division."""
    name = re.sub(r"^sub\s?bag(ian)?\s+", "", division.strip(), flags=re.IGNORECASE)
    name = name.replace("Hubungan Partisipasi Masyarakat", "Hupmas")
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:31].strip() or "Divisi"


def assign(
    divisions: Sequence[str], indicators: Sequence[IndicatorRow], outputs: Sequence[OutputRow]
) -> dict[str, tuple[list[IndicatorRow], list[OutputRow]]]:
    """The indicators and outputs of each division (see ACTIVITY_DIVISIONS and INDICATOR_WORDS)."""
    index = {d.casefold(): d for d in divisions}

    def division(default: int | None) -> str:
        name = DEFAULT_DIVISIONS[default] if default is not None else divisions[0]
        return index.get(name.casefold(), divisions[0])

    parts: dict[str, tuple[list[IndicatorRow], list[OutputRow]]] = {d: ([], []) for d in divisions}
    for out in outputs:
        parts[division(ACTIVITY_DIVISIONS.get(out.activity_code))][1].append(out)
    for ind in indicators:
        if ind.output_code:
            default = ACTIVITY_DIVISIONS.get(ind.output_code.split(".")[0])
        else:
            default = next((i for word, i in INDICATOR_WORDS if word in ind.indicator.casefold()), None)
        parts[division(default)][0].append(ind)
    return parts


def generate_workbook(
    ctx: Context,
    year: int,
    out_path: Path,
    divisions: Sequence[str] | None = None,
    *,
    deadline: date | None = None,
    return_to: str = "Subbagian Program dan Data (penyusun LKj)",
) -> Path:
    """Write the data-collection workbook of ``year`` to ``out_path`` (deadline: 3 working days)."""
    check_year(year)
    targets = list_targets(ctx, year)
    if not targets.indicators and not targets.outputs:
        raise NotFound(
            f"Belum ada target tahun {year}; impor dulu indikator dan output DIPA dengan "
            f"`sop lakip targets import BERKAS --year {year}`, lalu buat ulang buku kerja.",
            value=year,
        )
    chosen = tuple(dict.fromkeys(" ".join(d.split()) for d in (divisions or DEFAULT_DIVISIONS) if d.strip()))
    titles = [sheet_name(d) for d in chosen]
    if not chosen or len(set(t.casefold() for t in titles)) < len(titles):
        raise InvalidInput(
            f"Daftar divisi '{', '.join(chosen)}' kosong atau memuat dua nama yang sama; sebutkan setiap "
            "subbagian sekali.",
            value=", ".join(chosen),
        )
    due = deadline or _working_days_after(ctx, ctx.clock.now().astimezone(ctx.tz).date(), 3)
    book = openpyxl.Workbook()
    _instructions(book.active, year, chosen, due, return_to)
    meta = book.create_sheet(META_SHEET)
    meta.append(["tahun", year])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    for (division, (indicators, outputs)), title in zip(
        assign(chosen, targets.indicators, targets.outputs).items(), titles, strict=True
    ):
        _division_sheet(book.create_sheet(title), year, division, indicators, outputs, meta)
    book.move_sheet(meta, offset=len(book.worksheets) - 1 - book.index(meta))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    book.save(out_path)
    return out_path


def _working_days_after(ctx: Context, day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        count -= ctx.calendar.is_working_day(day)
    return day


def _instructions(ws: Any, year: int, divisions: Sequence[str], due: date, return_to: str) -> None:
    sheet = ws
    sheet.title = INSTRUCTIONS_SHEET
    lines = [
        f"Petunjuk Pengisian Data Kinerja dan Anggaran Tahun {year}",
        "",
        f"1. Buku kerja ini memuat satu lembar untuk setiap subbagian: {'; '.join(divisions)}.",
        "2. Isi hanya sel berwarna kuning di lembar subbagian Anda; sel lain dikunci.",
        f"3. Kolom 'Realisasi' (indikator): capaian tahun {year} dalam satuan di kolom Satuan. Persentase "
        "ditulis sebagai angka tanpa tanda %, misalnya 95,5. Opini BPK diisi WTP, WDP, TW atau TMP; "
        "predikat diisi AA, A, BB, B, CC, C atau D (pilih dari daftar).",
        f"4. Kolom 'Realisasi Anggaran (Rp)' (output DIPA): realisasi sampai 31 Desember {year} dalam rupiah "
        "penuh tanpa sen dan tanpa 'Rp', misalnya 20884000; tidak boleh negatif.",
        "5. Jangan menambah, menghapus, atau mengganti nama lembar, dan jangan mengubah baris.",
        f"6. Batas waktu pengembalian: {format_date(due)}.",
        f"7. Kirim kembali berkas ini dalam format .xlsx kepada {return_to}.",
        "8. Berkas yang memuat kesalahan ditolak seluruhnya beserta daftar kesalahannya; perbaiki lalu kirim ulang.",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _division_sheet(
    ws: Any,
    year: int,
    division: str,
    indicators: Sequence[IndicatorRow],
    outputs: Sequence[OutputRow],
    meta: Any,
) -> None:
    sheet = ws
    sheet.append([f"Pengumpulan Data Kinerja Tahun {year} — {division}"])
    sheet.append(["Isi sel berwarna kuning saja; lihat lembar Petunjuk."])
    sheet.append([])
    sheet["A1"].font = Font(bold=True, size=13)
    _header(sheet, ["Kode", "Sasaran", "Indikator", "Satuan", "Target", "Polaritas", "Realisasi"])
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    number.error, number.errorTitle = "Tulis angka 0 atau lebih (koma untuk desimal).", "Bukan angka"
    rupiah = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    rupiah.error, rupiah.errorTitle = "Tulis rupiah penuh, 0 atau lebih, tanpa sen.", "Bukan jumlah rupiah"
    lists = {
        p: DataValidation(type="list", formula1=f'"{",".join(scale)}"', allow_blank=True)
        for p, scale in ORDINAL_SCALES.items()
    }
    for v in (number, rupiah, *lists.values()):
        v.showErrorMessage = True
        sheet.add_data_validation(v)
    rows: list[list[object]] = []
    for ind in indicators:
        sheet.append([ind.code, ind.sasaran, ind.indicator, ind.unit, ind.target, POLARITY_NAMES[ind.polarity]])
        lists.get(ind.polarity, number).add(_input(sheet, sheet.max_row))
        rows.append([sheet.title, division, "indikator", sheet.max_row])
    sheet.append([])
    sheet.append(["Output DIPA dan realisasi anggaran"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    _header(sheet, ["Kode Output", "Kegiatan", "Uraian Output", "", "Pagu (Rp)", "", "Realisasi Anggaran (Rp)"])
    for out in outputs:
        sheet.append([out.code, out.activity_name or out.activity_code, out.description, None, out.pagu])
        sheet.cell(sheet.max_row, 5).number_format = "#,##0"
        rupiah.add(_input(sheet, sheet.max_row, "#,##0"))
        rows.append([sheet.title, division, "output", sheet.max_row])
    if not rows:
        rows.append([sheet.title, division, "kosong", 0])
    for row in rows:
        meta.append(row)
    for column, width in _WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A5"
    sheet.protection.sheet = True


def _header(sheet: Any, names: Sequence[str]) -> None:
    sheet.append(list(names))
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _input(sheet: Any, row: int, number_format: str = "General") -> str:
    cell = sheet.cell(row, INPUT_COLUMN)
    cell.fill, cell.protection, cell.number_format = _INPUT_FILL, Protection(locked=False), number_format
    for other in sheet[row][: INPUT_COLUMN - 1]:
        other.alignment = Alignment(wrap_text=True, vertical="top")
    return str(cell.coordinate)


# --- step 4: import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filled:
    """The valid values of the files: (kind, key) -> (value, where it was written)."""

    values: dict[tuple[str, str], tuple[Any, str]]
    returned: set[str]
    expected: list[str]

    def of(self, kind: str) -> dict[str, Any]:
        return {key: value for (k, key), (value, _) in self.values.items() if k == kind}


def import_workbooks(ctx: Context, year: int, paths: Sequence[Path], by: str) -> WorkbookImport:
    """Store the realisations of the filled workbooks, all in one transaction, or none of them."""
    check_year(year)
    if not paths:
        raise InvalidInput("Sebutkan sedikitnya satu buku kerja .xlsx yang sudah diisi.", value="")
    targets = list_targets(ctx, year)
    polarity = {ind.code or ind.indicator: ind.polarity for ind in targets.indicators}
    planned = {out.code for out in targets.outputs}
    filled, problems = _Filled({}, set(), []), list[Problem]()
    for path in paths:
        _read(path, year, polarity, planned, filled, problems)
    if problems:
        raise ImportRefused(", ".join(p.name for p in paths), problems)
    if not filled.values:
        raise InvalidInput(
            f"Tidak ada sel kuning yang terisi di {', '.join(p.name for p in paths)}; isi realisasinya lalu "
            "impor ulang.",
            value=", ".join(p.name for p in paths),
        )
    with ctx.db.write() as session:
        office = store.locked_office(session, ctx)
        actor, role = store.actor(session, office.id, by)
        now = ctx.clock.now()
        values = filled.of("indikator")
        amounts = filled.of("output")
        apply_realisations(session, office.id, year, values, actor, now)
        dipa = {o.code: o for o in store.rows(session, BudgetOutput, office.id, year)}
        for code, amount in amounts.items():
            plan = dipa[code]
            session.execute(
                delete(BudgetRealisation).where(
                    BudgetRealisation.office_id == office.id,
                    BudgetRealisation.year == year,
                    BudgetRealisation.code == code,
                )
            )
            session.add(
                BudgetRealisation(
                    office_id=office.id,
                    year=year,
                    imported_by=actor,
                    imported_at=now,
                    position=plan.position,
                    code=code,
                    description=plan.description,
                    pagu=plan.pagu,
                    realisation=amount,
                )
            )
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


def _returned_before(session: Session, office_id: int, year: int) -> set[str]:
    return {
        d
        for _, details in _events(session, office_id, IMPORTED)
        if details.get("year") == year
        for d in details["divisions"]
    }


def _events(
    session: Session, office_id: int, action: str, case: str | None = None
) -> list[tuple[datetime, dict[str, Any]]]:
    query = select(AuditEvent).where(AuditEvent.office_id == office_id, AuditEvent.action == action)
    if case is not None:
        query = query.where(AuditEvent.case_code == case)
    events = session.scalars(query.order_by(AuditEvent.seq))
    return [(e.recorded_at, json.loads(e.details)) for e in events]


def _read(
    path: Path, year: int, polarity: dict[str, Polarity], planned: set[str], filled: _Filled, problems: list[Problem]
) -> None:
    """Validate every input cell of ``path``, adding its values to ``filled`` and its errors to ``problems``."""

    def problem(sheet: str | None, cell: str | None, value: object, reason: str, column: str = "realisasi") -> None:
        row = int(re.sub(r"\D", "", cell)) if cell else None
        problems.append(
            WorkbookProblem(row, column, "" if value is None else str(value), reason, sheet, cell, path.name)
        )

    try:
        safezip.survey(path, safezip.MAX_IMPORT_INFLATED_BYTES)
    except safezip.UnsafeZip as exc:
        if exc.bomb:  # (not a zip at all: openpyxl below names it as no workbook)
            problem(
                None,
                None,
                path.name,
                f"tidak dapat dibuka: {exc.reason}; kirim berkas .xlsx hasil `sop lakip workbook generate` "
                "yang sudah diisi",
                "berkas",
            )
            return
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        problem(
            None,
            None,
            path.name,
            f"bukan buku kerja XLSX yang sah ({type(exc).__name__}); kirim berkas .xlsx hasil "
            "`sop lakip workbook generate` yang sudah diisi",
            "berkas",
        )
        return
    if META_SHEET not in book.sheetnames:
        problem(
            None,
            None,
            path.name,
            "bukan buku kerja pengumpulan data (lembar tersembunyi _sop tidak ada); isi "
            "buku kerja hasil `sop lakip workbook generate`",
            "berkas",
        )
        return
    meta = list(book[META_SHEET].iter_rows(values_only=True))
    written = meta[0][1] if meta and len(meta[0]) > 1 else None
    if written != year:
        problem(
            None,
            None,
            written,
            f"buku kerja ini untuk tahun {written}, bukan {year}; impor dengan --year {written}",
            "tahun",
        )
        return
    absent: set[str] = set()
    for title, division, kind, row in meta[1:]:
        if division not in filled.expected:
            filled.expected.append(str(division))
        if title not in book.sheetnames:
            if title not in absent:
                absent.add(title)
                problem(
                    title,
                    None,
                    title,
                    f"lembar subbagian '{division}' tidak ada; jangan menghapus atau mengganti "
                    "nama lembar, isi ulang buku kerja dari `sop lakip workbook generate`",
                    "lembar",
                )
            continue
        if kind not in ("indikator", "output"):
            continue
        ws = book[title]
        cell = ws.cell(int(row), INPUT_COLUMN)
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        where = f"{path.name}:{title}!{cell.coordinate}"
        if isinstance(cell.value, str) and len(cell.value) > safezip.MAX_CELL_CHARS:
            problem(
                title,
                cell.coordinate,
                cell.value[:40] + "…",
                f"sel berisi {len(cell.value)} karakter, melebihi batas {safezip.MAX_CELL_CHARS}; isi angkanya saja",
            )
            continue
        try:
            key, value = _value(ws, int(row), str(kind), polarity, planned, year)
        except _CellError as exc:
            problem(title, exc.cell or cell.coordinate, exc.value if exc.cell else cell.value, exc.reason, exc.column)
            continue
        conflict = _conflict(filled.values, (str(kind), key), value, where)
        if conflict:
            problem(title, cell.coordinate, cell.value, conflict)
            continue
        filled.returned.add(str(division))


class _CellError(Exception):
    def __init__(self, reason: str, column: str = "realisasi", cell: str | None = None, value: object = None) -> None:
        super().__init__(reason)
        self.reason, self.column, self.cell, self.value = reason, column, cell, value


def _value(
    ws: Any, row: int, kind: str, polarity: dict[str, Polarity], planned: set[str], year: int
) -> tuple[str, Any]:
    """The key and valid value of one filled input row; _CellError saying why not."""
    code, cell = ws.cell(row, 1).value, ws.cell(row, INPUT_COLUMN)
    if kind == "output":
        key = str(code or "").strip()
        if key not in planned:
            raise _CellError(
                f"output '{key}' tidak ada di DIPA tahun {year}; buat ulang buku kerja", "kode", f"A{row}", key
            )
        try:
            return key, parse_rupiah(Cell(cell.row, cell.column, cell.value))
        except BadValue as exc:
            raise _CellError(str(exc), "realisasi anggaran") from exc
    key = str(code).strip() if code not in (None, "") else " ".join(str(ws.cell(row, 3).value).split())
    if key not in polarity:
        raise _CellError(
            f"kode indikator '{key}' tidak ada di target tahun {year}; buat ulang buku kerja setelah target diimpor",
            "kode",
            f"A{row}",
            key,
        )
    text = value_text(Cell(cell.row, cell.column, cell.value, percent="%" in str(cell.number_format))).strip()
    try:
        value = parse_realised(text, polarity[key])
    except BadValue as exc:
        raise _CellError(str(exc)) from exc
    if isinstance(value, str):
        return key, text.upper()
    if value < 0:
        raise _CellError("realisasi tidak boleh negatif; tulis 0 atau lebih")
    return key, text


def _conflict(
    found: dict[tuple[str, str], tuple[Any, str]], key: tuple[str, str], value: object, where: str
) -> str | None:
    """Keep ``value`` for ``key``; the error when another file gave a different value."""
    if key in found and found[key][0] != value:
        first, where_first = found[key]
        return f"berbeda dengan nilai '{first}' di {where_first}; isi satu indikator atau output di satu berkas saja"
    found[key] = (value, where)
    return None


# --- step 3: sent to whom, and what came back -------------------------------------------------


def record_sent(ctx: Context, case: str, divisions: Sequence[str], by: str, file: Path | None = None) -> WorkbookSent:
    """Record that the case's workbook (``file``, if given) went to ``divisions``: one audit event."""
    names = tuple(
        dict.fromkeys(" ".join(textrules.line(d, "Nama subbagian", 100).split()) for d in divisions if d.strip())
    )
    if not names:
        raise InvalidInput("Sebutkan sedikitnya satu subbagian dengan --division.", value="")
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
        details: dict[str, object] = {"divisions": list(names)} | (
            {"file": file.name, "sha256": digest} if file else {}
        )
        audit.append(
            session, office.id, actor=actor, role=role, action=SENT, recorded_at=now, case=found.code, details=details
        )
        return WorkbookSent(found.code, names, digest, actor, now)


def workbook_status(ctx: Context, case: str) -> tuple[int, tuple[DivisionStatus, ...]]:
    """The year the case reports on, and per division when the workbook was sent and came back."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        found = find_case(session, office.id, case)
        year = found.year - 1
        sent: dict[str, datetime] = {}
        for at, details in _events(session, office.id, SENT, found.code):
            for d in details["divisions"]:
                sent.setdefault(str(d), at)
        returned: dict[str, datetime] = {}
        expected: list[str] = []
        for at, details in _events(session, office.id, IMPORTED):
            if details.get("year") == year:
                expected += [str(d) for d in [*details["divisions"], *details["missing"]]]
                for d in details["divisions"]:
                    returned[str(d)] = at
    order = list(dict.fromkeys([*sent, *expected] or DEFAULT_DIVISIONS))
    return year, tuple(DivisionStatus(d, sent.get(d), returned.get(d)) for d in order)
