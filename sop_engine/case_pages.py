"""Reading cases a page at a time: the cursor, the page query, and the cases waiting on someone.

Case lists are keyset-paginated, never by offset: a page is "the next ``limit`` cases after this
one" in the order newest year first, then case code. A page costs the same whatever its place
and however many cases the office has, and a case started between two pages neither repeats a
case nor pushes one out. The cursor is the last case's year and code (``2020.lakip-2020``);
front ends hand it back as they got it.

Both queries read an index: ``ix_cases_office_year_code`` gives the order of a page, the partial
``ix_case_steps_active`` the few active steps among every step ever done. The rows are read
without the ORM (:func:`parts`: two queries for a page's steps and documents);
:mod:`sop_engine.cases` builds the records from them. The queries of every request (the office with
its definitions, one case with its steps and documents, the cases waiting on someone) go on the
driver's cursor (:mod:`sop_engine.db.direct_reads`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    literal,
    literal_column,
    or_,
    select,
    true,
)

from sop_engine import textrules, workflows
from sop_engine.case_records import STEP_COLUMNS, StepValues
from sop_engine.context import Context
from sop_engine.db.direct_reads import DirectQuery
from sop_engine.db.models import Artefact, Case, CaseStep, Office, WorkflowDefinition
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import WorkflowDef
from sop_engine.errors import InvalidInput
from sop_engine.machine import step_of
from sop_engine.paging import DEFAULT_LIMIT, MAX_LIMIT
from sop_engine.remedies import Hint, Remedy

#: The tables read as rows: a page builds its records without ORM objects.
CASES, DOCUMENTS = Case.__table__, Artefact.__table__

#: The cases again, inside the query of the active steps; ``status = 'active'`` written out, so
#: that the planner matches the partial index.
_STEPS, _PINNED = CaseStep.__table__, CASES.alias("pinned")
_ACTIVE: ColumnElement[str] = literal_column(f"'{StepStatus.ACTIVE.value}'")

#: Cases per page unless a front end asks for another number, and the most it may ask for.


def check_limit(limit: int) -> int:
    """``limit`` if it is a page size a reader may ask for (1 to :data:`MAX_LIMIT`)."""
    if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"Jumlah per halaman {limit} tidak sah; isikan bilangan bulat 1 sampai {MAX_LIMIT}.", value=limit
        )
    return limit


def cursor_of(year: int, code: str) -> str:
    """The cursor of the page that follows the case ``code`` of ``year``."""
    return f"{year}.{code}"


def parse_cursor(cursor: str) -> tuple[int, str]:
    """The (year, code) a cursor names; InvalidInput for anything :func:`cursor_of` did not write."""
    year, dot, code = cursor.partition(".")
    if not (
        dot and year.isascii() and year.isdigit() and len(year) <= 4 and 0 < len(code) <= 64 and code.isprintable()
    ):
        shown = textrules.scrub_line(cursor[:80])
        raise InvalidInput(
            f"Penanda halaman '{shown}' tidak dikenali; pakai penanda halaman berikutnya persis seperti "
            "yang diberikan daftar kasus, atau mulai lagi dari halaman pertama.",
            value=shown,
            hint=Hint(Remedy.LIST_CASES),
        )
    return int(year), code


def page_query(office_id: int, definitions: Collection[int] | None, after: str | None, limit: int) -> Select[Any]:
    """The rows of the office's cases after the cursor ``after`` (from the first without it), at most ``limit``.

    ``definitions``: only cases pinned to these definition rows (None: every case).
    """
    query = select(CASES).where(Case.office_id == office_id)
    if definitions is not None:
        query = query.where(Case.definition_id.in_(sorted(definitions)))
    if after is not None:
        year, code = parse_cursor(after)
        query = query.where(Case.year <= year, or_(Case.year < year, Case.code > code))
    return query.order_by(Case.year.desc(), Case.code).limit(limit)


def waiting_query(office_id: int, steps: Mapping[int, Collection[int]]) -> Select[Any]:
    """The rows of the office's cases with an active step among ``steps`` (definition row id -> step numbers).

    Driven by the active steps (the partial index), not by the cases: the cost follows the work
    in progress, not the history. Newest year first, then code. Built once per office and steps
    (the same for every request of a person's Tugas Saya).
    """
    return _waiting(office_id, _steps_key(steps)).statement


def waiting_rows(connection: Connection, office_id: int, steps: Mapping[int, Collection[int]]) -> list[Any]:
    """The rows of :func:`waiting_query`, read on the driver's cursor."""
    return _waiting(office_id, _steps_key(steps)).all(connection, {})


_StepsKey = tuple[tuple[int, tuple[int, ...]], ...]


def _steps_key(steps: Mapping[int, Collection[int]]) -> _StepsKey:
    return tuple((row_id, tuple(sorted(nos))) for row_id, nos in sorted(steps.items()))


@functools.lru_cache(maxsize=256)
def _waiting(office_id: int, steps: _StepsKey) -> DirectQuery:
    # The step numbers as literals, one bound value each: an IN list bound at run time cannot go direct.
    pairs = [
        and_(_PINNED.c.definition_id == row_id, _STEPS.c.no.in_([literal(no) for no in nos])) for row_id, nos in steps
    ]
    active = (
        select(_STEPS.c.case_id)
        .join(_PINNED, _PINNED.c.id == _STEPS.c.case_id)
        .where(_STEPS.c.status == _ACTIVE, or_(*pairs))
    )
    return DirectQuery(
        select(CASES).where(Case.office_id == office_id, Case.id.in_(active)).order_by(Case.year.desc(), Case.code)
    )


#: The steps and the documents of the cases whose ids are bound to ``ids`` (built once: a statement
#: built per call costs more than it takes to run).
_CASE_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_STEP_ROWS = (
    select(CaseStep.case_id, *STEP_COLUMNS)
    .where(CaseStep.case_id.in_(_CASE_IDS))
    .order_by(CaseStep.case_id, CaseStep.no)
)
_DOCUMENT_ROWS = select(DOCUMENTS).where(Artefact.case_id.in_(_CASE_IDS)).order_by(Artefact.recorded_at)
#: The same for one case (bound to ``id``), on the driver's cursor: reading one case is every API call's.
_ONE_CASE_STEPS = DirectQuery(select(*STEP_COLUMNS).where(CaseStep.case_id == bindparam("id")).order_by(CaseStep.no))
_ONE_CASE_DOCUMENTS = DirectQuery(
    select(DOCUMENTS).where(Artefact.case_id == bindparam("id")).order_by(Artefact.recorded_at)
)

_OFFICES, _DEFINITIONS = Office.__table__, WorkflowDefinition.__table__

#: The id of the office whose satker code is bound to ``office``, beside each stored definition's
#: id and content hash (one row with no definition when there is none; no row without the office).
OFFICE_DEFINITIONS = (
    select(_OFFICES.c.id.label("office_id"), _DEFINITIONS.c.id, _DEFINITIONS.c.content_hash)
    .select_from(_OFFICES)
    .outerjoin(_DEFINITIONS, true())
    .where(_OFFICES.c.code == bindparam("office"))
)
_OFFICE_DEFINITIONS = DirectQuery(OFFICE_DEFINITIONS)

#: The row of one case of the office whose satker code is bound to ``office`` and the content hash
#: of the definition it is pinned to: the office and the definition in the same query as the case.
ONE_CASE = (
    select(CASES, _DEFINITIONS.c.content_hash)
    .join(_OFFICES, _OFFICES.c.id == CASES.c.office_id)
    .join(_DEFINITIONS, _DEFINITIONS.c.id == CASES.c.definition_id)
    .where(_OFFICES.c.code == bindparam("office"), CASES.c.code == bindparam("code"))
)
_ONE_CASE = DirectQuery(ONE_CASE)


def office_definitions(connection: Connection, satker: str) -> list[Any]:
    """The rows of :data:`OFFICE_DEFINITIONS` for the office ``satker`` (none: there is no such office)."""
    return _OFFICE_DEFINITIONS.all(connection, {"office": satker})


def one_case(connection: Connection, satker: str, code: str) -> Any | None:
    """The row of :data:`ONE_CASE` for the case ``code`` of the office ``satker``, None if there is none."""
    return _ONE_CASE.first(connection, {"office": satker, "code": code})


def parts(
    connection: Connection, case_ids: Sequence[int]
) -> tuple[dict[int, list[StepValues]], dict[int, list[Row[Any]]]]:
    """The steps (in step order) and the document rows (oldest first) of these cases, by case id.

    Two queries for any number of cases, read as rows, without building ORM objects.
    """
    steps: dict[int, list[StepValues]] = {case_id: [] for case_id in case_ids}
    documents: dict[int, list[Row[Any]]] = {case_id: [] for case_id in case_ids}
    if len(case_ids) == 1:  # one case (the API's, a case page's): no IN list, so on the driver's cursor
        one = {"id": case_ids[0]}
        steps[case_ids[0]] = [tuple(values) for values in _ONE_CASE_STEPS.all(connection, one)]
        documents[case_ids[0]] = _ONE_CASE_DOCUMENTS.all(connection, one)
    elif case_ids:
        ids = {"ids": sorted(case_ids)}
        for case_id, *values in connection.execute(_STEP_ROWS, ids):
            steps[case_id].append(tuple(values))  # the columns of StepValues
        for row in connection.execute(_DOCUMENT_ROWS, ids):
            documents[row.case_id].append(row)
    return steps, documents


# --- a list's lines: the cases without their steps -----------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """A case as the *Kasus* list shows it: read from its row alone, no step or document read."""

    id: str
    title: str
    year: int
    status: CaseStatus
    #: The active step's number, None once the case is done or cancelled.
    current_step: int | None
    #: How many steps its workflow has.
    steps: int


@dataclass(frozen=True)
class LinePage:
    """One page of :func:`lines` and the cursor of the next page (None on the last page)."""

    items: tuple[CaseLine, ...]
    next: str | None


def lines(
    ctx: Context,
    *,
    limit: int = DEFAULT_LIMIT,
    after: str | None = None,
    visible: Callable[[WorkflowDef], bool] | None = None,
) -> LinePage:
    """A page of the office's cases as lines, in the order and with the cursor of ``cases.list_cases``.

    Two statements whatever the page holds: the office with the stored definitions, then the
    page's case rows. ``visible`` keeps the cases whose workflow it accepts (in the query).
    """
    check_limit(limit)
    with ctx.db.read_rows() as conn:
        found = office_definitions(conn, ctx.settings.office.satker)
        if not found:
            raise ctx.no_office()
        definitions = {row.id: workflows.pinned(conn, row.content_hash) for row in found if row.id is not None}
        shown = None if visible is None else [row_id for row_id, d in definitions.items() if visible(d)]
        rows = conn.execute(page_query(found[0].office_id, shown, after, limit + 1)).all()
    items = tuple(_line(row, definitions[row.definition_id]) for row in rows[:limit])
    last = items[-1] if len(rows) > limit else None
    return LinePage(items, cursor_of(last.year, last.id) if last else None)


def _line(row: Row[Any], definition: WorkflowDef) -> CaseLine:
    return CaseLine(
        id=row.code,
        title=definition.title,
        year=row.year,
        status=row.status,
        current_step=step_of(row.state),
        steps=len(definition.steps),
    )
