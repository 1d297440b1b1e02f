"""The rows of one case as its actions read and write them: plain objects and Core statements.

A step action reads its case with one query (the case, its pinned definition's hash and every
step row) and writes back only what changed, each UPDATE guarded by the row's version as the
ORM's optimistic locking would (a lost race raises ``StaleDataError``, which
:func:`sop_engine.cases._action` turns into a Conflict). No ORM object is built on this path:
it is the hot path of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import CTE, BindParameter, Connection, Update, bindparam, func, insert, or_, select, update
from sqlalchemy import case as case_when
from sqlalchemy.orm.exc import StaleDataError

from sop_engine.artefacts import ArtefactRecord
from sop_engine.db.direct import Direct
from sop_engine.db.models import Artefact, AuditHead, Case, CaseStep, Office, WorkflowDefinition
from sop_engine.db.queries import table
from sop_engine.db.statuses import CaseStatus, StepStatus

_cases = table(Case)
_steps = table(CaseStep)
_artefacts = table(Artefact)

#: The columns of a step row an action may change, in :meth:`StepRow.values` order.
_STEP_FIELDS = ("status", "round", "activated_at", "due_at", "completed_at", "completed_by", "note", "answer")


@dataclass(slots=True)
class StepRow:
    """One ``case_steps`` row; ``loaded`` keeps its values as read (None: not written yet)."""

    id: int | None
    no: int
    status: StepStatus
    round: int = 0
    activated_at: datetime | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    note: str | None = None
    answer: str | None = None
    version: int = 1
    loaded: tuple[Any, ...] | None = None

    def values(self) -> tuple[Any, ...]:
        """The columns an action may change, in ``_STEP_FIELDS`` order."""
        return (
            self.status,
            self.round,
            self.activated_at,
            self.due_at,
            self.completed_at,
            self.completed_by,
            self.note,
            self.answer,
        )

    def columns(self) -> dict[str, Any]:
        return dict(zip(_STEP_FIELDS, self.values(), strict=True))

    @property
    def changed(self) -> bool:
        return self.loaded != self.values()


@dataclass(slots=True)
class CaseRow:
    """One ``cases`` row with its steps in order (``steps[no - 1]``), its documents and its definition's hash."""

    id: int
    office_id: int
    code: str
    workflow: str
    definition_id: int
    definition_hash: str
    year: int
    status: CaseStatus
    state: str
    started_at: datetime
    started_by: str
    finished_at: datetime | None = None
    cancel_reason: str | None = None
    version: int = 1
    #: The office's ``people_version`` as read with the case (see :mod:`sop_engine.directory`).
    people_version: int = 0
    #: The case whose ``jalankan`` step started this one (None: started by a person; :mod:`sop_engine.case_links`).
    parent_case_id: int | None = None
    #: The office's audit head (seq, hash) as read with the case, unlocked (see :func:`sop_engine.audit.append`).
    audit_head: tuple[int, str] | None = None
    steps: list[StepRow] = field(default_factory=list)
    #: The documents of the case by step, each step's in the order they were recorded (as ``Case.artefacts``).
    documents: list[ArtefactRecord] = field(default_factory=list)
    #: The case's number within its workflow and year, for a ``kasus = "bebas"`` workflow (None: yearly;
    #: written when the case is inserted, not read back).
    serial: int | None = None


_c, _s, _a, _o = _cases.c, _steps.c, _artefacts.c, table(Office).c
_CASE_COLUMNS = (
    _c.id,
    _c.office_id,
    _c.code,
    _c.workflow,
    _c.definition_id,
    table(WorkflowDefinition).c.content_hash,
    _c.year,
    _c.status,
    _c.state,
    _c.started_at,
    _c.started_by,
    _c.finished_at,
    _c.cancel_reason,
    _c.version,
    _o.people_version,
    _c.parent_case_id,
)
_HEAD_COLUMNS = (table(AuditHead).c.seq, table(AuditHead).c.hash)
_STEP_COLUMNS = (
    _s.id,
    _s.no,
    _s.status,
    _s.round,
    _s.activated_at,
    _s.due_at,
    _s.completed_at,
    _s.completed_by,
    _s.note,
    _s.answer,
    _s.version,
)
_DOCUMENT_COLUMNS = (
    _a.id,
    _a.step_no,
    _a.round,
    _a.kind,
    _a.file_kind,
    _a.filename,
    _a.size,
    _a.sha256,
    _a.uploaded_by,
    _a.uploaded_at,
)
#: The case, its office's people version and audit head, its steps and their documents (a row per step and document).
_LOAD = Direct(
    select(
        *_CASE_COLUMNS,
        *(c.label(f"head_{c.name}") for c in _HEAD_COLUMNS),
        *(c.label(f"step_{c.name}") for c in _STEP_COLUMNS),
        *(c.label(f"document_{c.name}") for c in _DOCUMENT_COLUMNS),
    )
    .select_from(_cases)
    .join(table(Office), _o.id == _c.office_id)
    .join(table(WorkflowDefinition), table(WorkflowDefinition).c.id == _c.definition_id)
    .outerjoin(table(AuditHead), table(AuditHead).c.office_id == _c.office_id)
    .join(_steps, _s.case_id == _c.id)
    .outerjoin(_artefacts, (_a.case_id == _c.id) & (_a.step_no == _s.no))
    .where(_o.code == bindparam("office"), _c.code == bindparam("code"))
    .order_by(_s.no, _a.recorded_at)
)
_HEAD_AT = len(_CASE_COLUMNS)
_STEPS_AT = _HEAD_AT + len(_HEAD_COLUMNS)
_DOCUMENTS_AT = _STEPS_AT + len(_STEP_COLUMNS)


def load(conn: Connection, office_code: str, code: str) -> CaseRow | None:
    """The case ``code`` of the office with satker ``office_code``, its steps and documents; None if there is none."""
    rows = _LOAD.rows(conn, {"office": office_code, "code": code})
    if not rows:
        return None
    case = CaseRow(*rows[0][:_HEAD_AT])
    head_seq, head_hash = rows[0][_HEAD_AT:_STEPS_AT]
    case.audit_head = None if head_seq is None else (head_seq, head_hash)
    for row in rows:
        if not case.steps or case.steps[-1].id != row[_STEPS_AT]:
            step = StepRow(*row[_STEPS_AT:_DOCUMENTS_AT])
            step.loaded = step.values()
            case.steps.append(step)
        if row[_DOCUMENTS_AT] is not None:
            case.documents.append(ArtefactRecord(row[_DOCUMENTS_AT], case.code, *row[_DOCUMENTS_AT + 1 :]))
    return case


#: The UPDATEs of :func:`save`: the SET clause is the columns named in the parameters.
_UPDATE_CASE = update(_cases).where(_c.id == bindparam("b_id"), _c.version == bindparam("b_version"))
_STEP_SETS = (*_STEP_FIELDS, "version")
_CASE_SETS = ("status", "state", "finished_at", "cancel_reason", "version")
_CASE_VALUES = {name: bindparam(name, type_=_c[name].type) for name in _CASE_SETS}
_SAVE_CASE = Direct(_UPDATE_CASE.values(_CASE_VALUES))
_SAVE_STEP = Direct(
    update(_steps)
    .where(_s.id == bindparam("b_id"), _s.version == bindparam("b_version"))
    .values({name: bindparam(name, type_=_s[name].type) for name in _STEP_SETS})
)


@cache
def _update_steps(count: int) -> Update:
    """One UPDATE of ``count`` step rows, each guarded by its version: row i takes the ``s{i}_*`` values."""
    ids: list[BindParameter[Any]] = [bindparam(f"s{i}_id") for i in range(count)]

    def value(column: str) -> Any:
        chosen = [(_s.id == ids[i], bindparam(f"s{i}_{column}", type_=_s[column].type)) for i in range(count)]
        return case_when(*chosen, else_=_s[column])

    guards = [(_s.id == ids[i]) & (_s.version == bindparam(f"s{i}_b_version")) for i in range(count)]
    return update(_steps).where(or_(*guards)).values({column: value(column) for column in _STEP_SETS})


def _all_steps_moved(count: int) -> Any:
    """The condition that the steps' UPDATE of ``count`` rows (a CTE it counts) matched every one of them."""
    changed = _update_steps(count).returning(_s.id).cte("changed_steps")
    return select(func.count()).select_from(changed).scalar_subquery() == count


@cache
def _update_case_and_steps(count: int) -> Direct:
    """The steps' UPDATE as a CTE of the case's, which matches only if every step row did (PostgreSQL:
    one round trip instead of one per row and one for the case)."""
    return Direct(_UPDATE_CASE.where(_all_steps_moved(count)).values(_CASE_VALUES))


@cache
def moved_case(count: int) -> CTE:
    """PostgreSQL: the UPDATE of :func:`_update_case_and_steps` (RETURNING the case's id) as a CTE, for a
    statement that writes more with it only if the case moved (:func:`sop_engine.outbox.save_with_step`)."""
    moved = _UPDATE_CASE.where(_all_steps_moved(count)) if count else _UPDATE_CASE  # a paraf: the case row alone
    return moved.values(_CASE_VALUES).returning(_c.id).cte("moved_case")


def save(conn: Connection, case: CaseRow) -> None:
    """Write the case's state and every step that changed; StaleDataError if someone else wrote first.

    Each row is guarded by the version it was read with. On PostgreSQL it is one statement; on
    SQLite, where a statement costs no round trip, one for the steps and one for the case.
    """
    changed, values = _changes(case)
    if changed and conn.dialect.name == "postgresql":
        saved(case, changed, _update_case_and_steps(len(changed)).execute(conn, values | _steps_params(changed)))
        return
    if changed:
        rows = [_step_values(step, "b_id") for step in changed]
        _require_rows(_SAVE_STEP.executemany(conn, rows), len(changed), "case_steps")
    saved(case, changed, _SAVE_CASE.execute(conn, values))


def moved_case_params(case: CaseRow) -> tuple[list[StepRow], dict[str, Any]]:
    """The step rows :func:`save` writes and the parameters of :func:`moved_case` for them."""
    changed, values = _changes(case)
    return changed, values | _steps_params(changed)


def _changes(case: CaseRow) -> tuple[list[StepRow], dict[str, Any]]:
    """The step rows that changed and the parameters of the case's UPDATE."""
    changed = [step for step in case.steps if step.changed]
    values: dict[str, Any] = {
        "b_id": case.id,
        "b_version": case.version,
        "version": case.version + 1,
        "status": case.status,
        "state": case.state,
        "finished_at": case.finished_at,
        "cancel_reason": case.cancel_reason,
    }
    return changed, values


def _steps_params(changed: list[StepRow]) -> dict[str, Any]:
    """PostgreSQL: the parameters of the steps' UPDATE of :func:`moved_case` (row i the ``s{i}_*`` values)."""
    return {f"s{i}_{k}": v for i, step in enumerate(changed) for k, v in _step_values(step, "id").items()}


def saved(case: CaseRow, changed: list[StepRow], moved: int) -> None:
    """After the UPDATEs of :func:`save` (``moved``: the case rows they matched): StaleDataError if someone
    else wrote first, else the rows' versions and values as now stored."""
    _require_rows(moved, 1, "cases")
    for step in changed:
        step.version, step.loaded = step.version + 1, step.values()
    case.version += 1


def _step_values(step: StepRow, id_key: str) -> dict[str, Any]:
    """The parameters of a changed step row: its id (as ``id_key``), the version read, the new values."""
    return {id_key: step.id, "b_version": step.version, "version": step.version + 1, **step.columns()}


def _require_rows(matched: int, expected: int, table: str) -> None:
    if matched != expected:
        raise StaleDataError(f"UPDATE of {table} matched {matched} row(s) where {expected} were expected")


def insert_case(conn: Connection, case: CaseRow, recorded_at: datetime) -> None:
    """Insert a new case and its steps; sets ``case.id``."""
    result = conn.execute(
        insert(_cases).values(
            office_id=case.office_id,
            code=case.code,
            workflow=case.workflow,
            definition_id=case.definition_id,
            year=case.year,
            status=case.status,
            state=case.state,
            started_at=case.started_at,
            started_by=case.started_by,
            recorded_at=recorded_at,
            version=case.version,
            serial=case.serial,
        )
    )
    (case.id,) = result.inserted_primary_key or (0,)
    conn.execute(
        insert(_steps),
        [{"case_id": case.id, "no": step.no, "version": step.version, **step.columns()} for step in case.steps],
    )
    for step in case.steps:
        step.loaded = step.values()
