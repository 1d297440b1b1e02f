"""The audit trail replayed against the state tables: does what the tables say agree with what happened?

The hash chain proves the trail itself was not altered; it says nothing about the tables that
``sop case show`` reads. Someone with write access to the database could mark a step completed
by another person, make ``staf1`` a sekretaris, or swap an artefact's hash without touching the
trail. :mod:`sop_engine.replay` rebuilds, from the events alone, what the cases, their steps,
their documents, the people's roles, the returns of work and the workbook's sending and return
(steps 3-4) must be; :func:`compare_database` names every row that disagrees.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sop_engine.db.models import Artefact, AuditEvent, Case, Person, StepReturn
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


def events_of(session: Session, office_id: int) -> list[Event]:
    """The office's replayed events, in chain order, with only the columns the replay reads."""
    rows = session.execute(
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
    )
    return [Event(r.seq, r.action, r.actor, r.stated_at, r.case_code, r.step_no, json.loads(r.details)) for r in rows]


def compare_database(session: Session, office_id: int) -> list[str]:
    """Every row of cases, case_steps, artefacts, people and person_roles that the trail disagrees with."""
    expected = replay(events_of(session, office_id))
    found: list[str] = []
    cases = session.scalars(
        select(Case).where(Case.office_id == office_id).options(selectinload(Case.steps)).order_by(Case.code)
    ).all()
    for case in cases:
        found += _compare_case(case, expected.cases.get(case.code))
    for code in sorted(set(expected.cases) - {c.code for c in cases}):
        found.append(f"kasus {code}: dimulai menurut jejak audit, tetapi tidak ada di tabel cases")
    stored = session.scalars(select(Artefact).where(Artefact.office_id == office_id).order_by(Artefact.id)).all()
    codes = {c.id: c.code for c in cases}
    for artefact in stored:
        found += _compare_file(artefact, codes.get(artefact.case_id, "?"), expected.files.get(artefact.id))
    for missing in sorted(set(expected.files) - {a.id for a in stored}):
        found.append(f"dokumen {missing}: dilampirkan menurut jejak audit, tetapi tidak ada di tabel artefacts")
    people = session.scalars(select(Person).where(Person.office_id == office_id).order_by(Person.username)).all()
    for person in people:
        found += _compare_person(person, expected.people.get(person.username))
    for username in sorted(set(expected.people) - {p.username for p in people}):
        found.append(f"pegawai {username}: ditambahkan menurut jejak audit, tetapi tidak ada di tabel people")
    return found + _compare_listed(session, office_id, expected)


def _compare_listed(session: Session, office_id: int, expected: Replayed) -> list[str]:
    """The rows of step_returns, workbook_sends and workbook_import_divisions, in the order they were written."""
    returns = session.execute(
        select(Case.code, StepReturn)
        .join(Case, StepReturn.case_id == Case.id)
        .where(Case.office_id == office_id)
        .order_by(StepReturn.id)
    )
    sent = session.execute(
        select(Case.code, WorkbookSend)
        .join(Case, WorkbookSend.case_id == Case.id)
        .where(WorkbookSend.office_id == office_id)
        .order_by(WorkbookSend.id)
    )
    divisions = session.scalars(
        select(WorkbookImportDivision)
        .where(WorkbookImportDivision.office_id == office_id)
        .order_by(WorkbookImportDivision.id)
    )
    stored_returns = _grouped(
        (c, ReturnState(r.from_step, r.to_step, r.round, r.returned_by, r.reason, r.stated_at)) for c, r in returns
    )
    stored_sent = _grouped(
        (c, WorkbookSentState(r.division, r.filename, r.sha256, r.sent_by, r.sent_at)) for c, r in sent
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


def _compare_case(case: Case, expected: CaseState | None) -> list[str]:
    where = f"kasus {case.code}"
    if expected is None:
        return [f"{where}: ada di tabel cases, tetapi tidak pernah dimulai menurut jejak audit"]
    found = _differs(where, "status", case.status, expected.status)
    found += _differs(where, "posisi", case.state, expected.state)
    found += _differs(where, "dimulai oleh", case.started_by, expected.started_by)
    for row in case.steps:
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
    return found


def _compare_file(artefact: Artefact, code: str, expected: FileState | None) -> list[str]:
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


def _compare_person(person: Person, expected: PersonState | None) -> list[str]:
    where = f"pegawai {person.username}"
    if expected is None:
        return [f"{where}: ada di tabel people, tetapi tidak pernah ditambahkan menurut jejak audit"]
    found = _differs(where, "peran", frozenset(person.role_names), expected.roles)
    found += _differs(where, "aktif", person.active, expected.active)
    return found + _differs(where, "nama", person.name, expected.name)
