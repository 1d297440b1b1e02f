"""The audit trail replayed against the state tables: does what the tables say agree with what happened?

The hash chain proves the trail itself was not altered; it says nothing about the tables that
``sop case show`` reads. Someone with write access to the database could mark a step completed
by another person, make ``staf1`` a sekretaris, or swap an artefact's hash without touching the
trail. :mod:`sop_engine.replay` rebuilds, from the events alone, what the cases, their steps,
their documents, the people's roles, the returns of work and the workbook's sending and return
(steps 3-4) must be; :func:`compare_database` names every row that disagrees.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_engine.db.models import Artefact, AuditEvent, Case, CaseStep, Person, PersonRole, StepReturn
from sop_engine.db.models_performance import WorkbookImportDivision, WorkbookSend
from sop_engine.replay import (
    REPLAYED_ACTIONS,
    CaseState,
    Event,
    FileState,
    PersonState,
    Replayed,
    ReturnState,
    StepState,
    WorkbookDivisionState,
    WorkbookSentState,
    replay,
)

_K = TypeVar("_K", bound=Hashable)
_S = TypeVar("_S")

#: Rows fetched at a time from the trail and the larger tables (case_steps, artefacts).
BATCH = 500


class _Case(NamedTuple):
    """A row of ``cases`` as the comparison reads it."""

    code: str
    status: str
    state: str
    started_by: str


class _Step(NamedTuple):
    """A row of ``case_steps`` as the comparison reads it."""

    no: int
    status: str
    round: int
    activated_at: datetime | None
    completed_by: str | None
    completed_at: datetime | None
    note: str | None
    answer: str | None


class _File(NamedTuple):
    """A row of ``artefacts`` as the comparison reads it."""

    id: str
    case_id: int
    step_no: int
    round: int
    sha256: str
    size: int
    uploaded_by: str


_STEP_COLUMNS = (
    CaseStep.no,
    CaseStep.status,
    CaseStep.round,
    CaseStep.activated_at,
    CaseStep.completed_by,
    CaseStep.completed_at,
    CaseStep.note,
    CaseStep.answer,
)
_FILE_COLUMNS = (
    Artefact.id,
    Artefact.case_id,
    Artefact.step_no,
    Artefact.round,
    Artefact.sha256,
    Artefact.size,
    Artefact.uploaded_by,
)

#: How the fields of the listed rows are named in a mismatch.
_LABELS = {
    "from_step": "dari langkah",
    "to_step": "ke langkah",
    "round": "putaran",
    "by": "oleh",
    "reason": "alasan",
    "stated_at": "pada",
    "division": "subbagian",
    "file": "berkas",
    "sha256": "sha256",
    "returned": "kembali",
    "at": "pada",
}


def events_of(session: Session, office_id: int) -> Iterator[Event]:
    """The office's replayed events, in chain order, with only the columns the replay reads, streamed in batches."""
    query = (
        select(
            AuditEvent.seq,
            AuditEvent.action,
            AuditEvent.actor,
            AuditEvent.stated_at,
            AuditEvent.case_code,
            AuditEvent.step_no,
            AuditEvent.details,
        )
        .where(AuditEvent.office_id == office_id, AuditEvent.action.in_(REPLAYED_ACTIONS))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    with session.execute(query) as rows:
        for r in rows:
            yield Event(r.seq, r.action, r.actor, r.stated_at, r.case_code, r.step_no, json.loads(r.details))


def compare_database(session: Session, office_id: int) -> list[str]:
    """Every row of cases, case_steps, artefacts, people and person_roles that the trail disagrees with.

    The trail is replayed as it streams; the tables are read as plain rows in the order they are
    named (cases by code, documents by id, people by username), never as ORM objects.
    """
    expected = replay(events_of(session, office_id))
    found, codes = _compare_cases(session, office_id, expected.cases)
    found += _compare_files(session, office_id, codes, expected.files)
    found += _compare_people(session, office_id, expected.people)
    return found + _compare_listed(session, office_id, expected)


def _compare_cases(
    session: Session, office_id: int, expected: Mapping[str, CaseState]
) -> tuple[list[str], dict[int, str]]:
    """The mismatches of the office's cases and their steps, and the code of each case id."""
    query = (
        select(Case.id, Case.code, Case.status, Case.state, Case.started_by, *_STEP_COLUMNS)
        .outerjoin(CaseStep, CaseStep.case_id == Case.id)
        .where(Case.office_id == office_id)
        .order_by(Case.code, CaseStep.no)
        .execution_options(yield_per=BATCH)
    )
    found: list[str] = []
    codes: dict[int, str] = {}
    with session.execute(query) as rows:
        for (case_id, *case), group in itertools.groupby(rows, key=lambda r: tuple(r[:5])):
            stored = _Case._make(case)
            codes[case_id] = stored.code
            steps = [_Step._make(r[5:]) for r in group if r.no is not None]
            found += _compare_case(stored, steps, expected.get(stored.code))
    for code in sorted(set(expected) - set(codes.values())):
        found.append(f"kasus {code}: dimulai menurut jejak audit, tetapi tidak ada di tabel cases")
    return found, codes


def _compare_files(
    session: Session, office_id: int, codes: Mapping[int, str], expected: Mapping[str, FileState]
) -> list[str]:
    """The mismatches of the office's documents (``artefacts``), by id."""
    query = (
        select(*_FILE_COLUMNS)
        .where(Artefact.office_id == office_id)
        .order_by(Artefact.id)
        .execution_options(yield_per=BATCH)
    )
    found: list[str] = []
    stored: set[str] = set()
    with session.execute(query) as rows:
        for row in map(_File._make, rows):
            stored.add(row.id)
            found += _compare_file(row, codes.get(row.case_id, "?"), expected.get(row.id))
    for missing in sorted(set(expected) - stored):
        found.append(f"dokumen {missing}: dilampirkan menurut jejak audit, tetapi tidak ada di tabel artefacts")
    return found


def _compare_people(session: Session, office_id: int, expected: Mapping[str, PersonState]) -> list[str]:
    """The mismatches of the office's people and their roles, by username."""
    rows = session.execute(
        select(Person.username, Person.active, Person.name, PersonRole.role)
        .outerjoin(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.office_id == office_id)
        .order_by(Person.username, PersonRole.role)
    )
    found: list[str] = []
    stored: set[str] = set()
    for (username, active, name), roles in itertools.groupby(rows, key=lambda r: tuple(r[:3])):
        stored.add(username)
        held = frozenset(r.role for r in roles if r.role is not None)
        found += _compare_person(username, held, active, name, expected.get(username))
    for username in sorted(set(expected) - stored):
        found.append(f"pegawai {username}: ditambahkan menurut jejak audit, tetapi tidak ada di tabel people")
    return found


def _compare_listed(session: Session, office_id: int, expected: Replayed) -> list[str]:
    """The rows of step_returns, workbook_sends and workbook_import_divisions, in the order they were written."""
    returns = session.execute(
        select(
            Case.code,
            StepReturn.from_step,
            StepReturn.to_step,
            StepReturn.round,
            StepReturn.returned_by,
            StepReturn.reason,
            StepReturn.stated_at,
        )
        .join(Case, StepReturn.case_id == Case.id)
        .where(Case.office_id == office_id)
        .order_by(StepReturn.id)
    )
    sent = session.execute(
        select(
            Case.code,
            WorkbookSend.division,
            WorkbookSend.filename,
            WorkbookSend.sha256,
            WorkbookSend.sent_by,
            WorkbookSend.sent_at,
        )
        .join(Case, WorkbookSend.case_id == Case.id)
        .where(WorkbookSend.office_id == office_id)
        .order_by(WorkbookSend.id)
    )
    divisions = session.execute(
        select(
            WorkbookImportDivision.year,
            WorkbookImportDivision.division,
            WorkbookImportDivision.returned,
            WorkbookImportDivision.imported_by,
            WorkbookImportDivision.imported_at,
        )
        .where(WorkbookImportDivision.office_id == office_id)
        .order_by(WorkbookImportDivision.id)
    )
    stored_returns = _grouped(
        (r.code, ReturnState(r.from_step, r.to_step, r.round, r.returned_by, r.reason, r.stated_at)) for r in returns
    )
    stored_sent = _grouped(
        (r.code, WorkbookSentState(r.division, r.filename, r.sha256, r.sent_by, r.sent_at)) for r in sent
    )
    stored_divisions = _grouped(
        (r.year, WorkbookDivisionState(r.division, r.returned, r.imported_by, r.imported_at)) for r in divisions
    )
    found = _compare_lists("pengembalian kasus", "step_returns", stored_returns, expected.returns)
    found += _compare_lists("pengiriman buku kerja kasus", "workbook_sends", stored_sent, expected.workbook_sent)
    return found + _compare_lists(
        "impor buku kerja tahun", "workbook_import_divisions", stored_divisions, expected.workbook_divisions
    )


def _grouped(rows: Iterable[tuple[_K, _S]]) -> dict[_K, list[_S]]:
    out: dict[_K, list[_S]] = {}
    for key, row in rows:
        out.setdefault(key, []).append(row)
    return out


def _compare_lists(
    what: str, table: str, stored: Mapping[_K, Sequence[Any]], recorded: Mapping[_K, Sequence[Any]]
) -> list[str]:
    """Rows kept in the order of the chain against the replayed ones, position by position within each key."""
    found: list[str] = []
    for key in sorted(set(stored) | set(recorded), key=str):
        rows, expected = stored.get(key, ()), recorded.get(key, ())
        for n, (row, should) in enumerate(zip(rows, expected, strict=False), start=1):
            for name in (f.name for f in fields(row)):
                found += _differs(
                    f"{what} {key}, baris ke-{n}", _LABELS[name], getattr(row, name), getattr(should, name)
                )
        for n in range(len(expected) + 1, len(rows) + 1):
            found.append(f"{what} {key}, baris ke-{n}: ada di tabel {table}, tetapi tidak tercatat di jejak audit")
        for n in range(len(rows) + 1, len(expected) + 1):
            found.append(f"{what} {key}, baris ke-{n}: tercatat di jejak audit, tetapi tidak ada di tabel {table}")
    return found


def _differs(where: str, name: str, stored: object, recorded: object) -> list[str]:
    if stored == recorded:
        return []
    return [f"{where}: {name} di tabel '{_text(stored)}', menurut jejak audit '{_text(recorded)}'"]


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(str(v) for v in value)) or "-"
    return "-" if value is None else str(value)


def _compare_case(case: _Case, steps: Sequence[_Step], expected: CaseState | None) -> list[str]:
    where = f"kasus {case.code}"
    if expected is None:
        return [f"{where}: ada di tabel cases, tetapi tidak pernah dimulai menurut jejak audit"]
    found = _differs(where, "status", case.status, expected.status)
    found += _differs(where, "posisi", case.state, expected.state)
    found += _differs(where, "dimulai oleh", case.started_by, expected.started_by)
    for row in steps:
        step = expected.steps.get(row.no, StepState())
        at = f"{where} langkah {row.no}"
        found += _differs(at, "status", row.status, step.status)
        found += _differs(at, "putaran", row.round, step.round)
        if row.status != "waiting":
            found += _differs(at, "diaktifkan", row.activated_at, step.activated_at)
        if row.status == "done":
            found += _differs(at, "diselesaikan oleh", row.completed_by, step.completed_by)
            found += _differs(at, "diselesaikan pada", row.completed_at, step.completed_at)
            found += _differs(at, "catatan", row.note, step.note)
            found += _differs(at, "jawaban", row.answer, step.answer)
    return found


def _compare_file(artefact: _File, code: str, expected: FileState | None) -> list[str]:
    where = f"dokumen {artefact.id} ({code} langkah {artefact.step_no})"
    if expected is None:
        return [f"{where}: ada di tabel artefacts, tetapi tidak pernah dilampirkan menurut jejak audit"]
    found = _differs(where, "kasus", code, expected.case)
    found += _differs(where, "langkah", artefact.step_no, expected.step)
    found += _differs(where, "putaran", artefact.round, expected.round)
    found += _differs(where, "sha256", artefact.sha256, expected.sha256)
    found += _differs(where, "ukuran", artefact.size, expected.size)
    found += _differs(where, "diunggah oleh", artefact.uploaded_by, expected.uploaded_by)
    return found


def _compare_person(
    username: str, roles: frozenset[str], active: bool, name: str, expected: PersonState | None
) -> list[str]:
    where = f"pegawai {username}"
    if expected is None:
        return [f"{where}: ada di tabel people, tetapi tidak pernah ditambahkan menurut jejak audit"]
    found = _differs(where, "peran", roles, expected.roles)
    found += _differs(where, "aktif", active, expected.active)
    return found + _differs(where, "nama", name, expected.name)
