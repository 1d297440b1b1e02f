"""Who may see what: the read rules the web pages and the API apply on the server for every request.

The roles behind each rule come from one table, :mod:`sop_engine.policy`; the services check
the write rules themselves (only the step's role completes or returns it, only the roles of
``Permission.START_CASE`` start a case). Reading follows the need to know:

- a case is visible to the people who hold one of the roles of its workflow's steps, and to the
  inspektorat, who reads everything and changes nothing;
- the audit trail is for the inspektorat and the office's leaders (ketua, sekretaris);
- people are managed by the admin, who does not take part in SOP work and so does not see cases
  or their documents;
- the pengawas of an office reads the LAKIP progress of the offices under it and nothing else.

Every rule applies within one office: the context a service is called with is the office of the
person asking (:meth:`sop_engine.context.Context.for_office_id`), and every query of the services
is scoped to that office's rows, so another office's case, document, audit trail, people and
notifications are answered as if they did not exist.

A case someone may not see is answered as if it did not exist (404), so that its code leaks
nothing either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sop_engine import artefacts, case_pages, cases, offices
from sop_engine.artefacts import ArtefactRecord
from sop_engine.case_pages import LinePage
from sop_engine.case_records import by_hand
from sop_engine.cases import CasePage, CaseRecord, StepRecord
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.definitions import WorkflowDef
from sop_engine.errors import NotAllowed, NotFound
from sop_engine.identity import Identity
from sop_engine.offices import OfficeProgress
from sop_engine.paging import DEFAULT_LIMIT
from sop_engine.policy import Permission, roles_for

READS_EVERYTHING = roles_for(Permission.READ_ALL_CASES)
READS_AUDIT = roles_for(Permission.READ_AUDIT)
MANAGES_PEOPLE = roles_for(Permission.MANAGE_PEOPLE)
STARTS_CASES = roles_for(Permission.START_CASE)
READS_OFFICES = roles_for(Permission.READ_OFFICES)


@dataclass(frozen=True)
class Task:
    """An active step the person may act on."""

    case: CaseRecord
    step: StepRecord
    #: Negative when the step is late.
    working_seconds_left: int


def may_see_workflow(identity: Identity, definition: WorkflowDef) -> bool:
    """Whether the person may see the cases pinned to ``definition``: a reader of every case, or a step's role."""
    return identity.has(*READS_EVERYTHING) or any(identity.has(*step.actors) for step in definition.steps)


def may_act_on(identity: Identity, step: StepRecord) -> bool:
    return step.status == StepStatus.ACTIVE and identity.has(step.role)


def visible_cases(
    ctx: Context, identity: Identity, *, limit: int = DEFAULT_LIMIT, after: str | None = None
) -> CasePage:
    """A page of the cases this person may see, newest year first (``after``: the cursor of the page before)."""
    return cases.list_cases(ctx, limit=limit, after=after, visible=_seen_by(identity))


def visible_case_lines(ctx: Context, identity: Identity, *, after: str | None = None) -> LinePage:
    """A page of the cases this person may see as lines (no steps read), in the order of :func:`visible_cases`."""
    return case_pages.lines(ctx, after=after, visible=_seen_by(identity))


def visible_case(ctx: Context, identity: Identity, code: str) -> CaseRecord:
    """One case, or NotFound if it does not exist or the person may not see it."""
    try:
        return cases.get_case(ctx, code, visible=_seen_by(identity))
    except NotFound:
        raise _unseen(code) from None


def require_visible(ctx: Context, identity: Identity, code: str) -> None:
    """NotFound unless the case exists and the person may see it; reads its workflow, not the case."""
    definition = cases.pinned_workflow(ctx, code)
    if definition is None or not may_see_workflow(identity, definition):
        raise _unseen(code)


def _seen_by(identity: Identity) -> Callable[[WorkflowDef], bool]:
    return partial(may_see_workflow, identity)


def _unseen(code: str) -> NotFound:
    return NotFound(
        f"Kasus '{code}' tidak ditemukan atau bukan bagian tugas Anda; buka daftar kasus untuk memilih.", value=code
    )


def visible_artefact(ctx: Context, identity: Identity, code: str, artefact_id: str) -> ArtefactRecord:
    """A document's record, if the person may see its case (NotFound otherwise)."""
    require_visible(ctx, identity, code)
    for artefact in artefacts.list_artefacts(ctx, code):
        if artefact.id == artefact_id:
            return artefact
    raise NotFound(f"Dokumen '{artefact_id}' tidak ada pada kasus {code}.", value=artefact_id)


def my_tasks(ctx: Context, identity: Identity, now: datetime) -> list[Task]:
    """The active steps of running cases that this person's roles may complete, most urgent first.

    Read from the active steps of the person's roles: the cost follows their work, not the history.
    A ``jalankan`` step is no task: it completes by itself when its linked case is done.
    """
    tasks = []
    for case in cases.waiting_on(ctx, lambda step: by_hand(step) and identity.has(*step.actors)):
        for step in case.steps:
            if may_act_on(identity, step) and by_hand(step) and step.due_at is not None:
                tasks.append(Task(case, step, ctx.calendar.working_seconds_between(now, step.due_at)))
    return sorted(tasks, key=lambda task: task.working_seconds_left)


def require(identity: Identity, roles: tuple[str, ...], what: str) -> None:
    """NotAllowed unless the person holds one of ``roles``; ``what`` says what was attempted."""
    if not identity.has(*roles):
        held = ", ".join(identity.roles) or "tanpa peran"
        raise NotAllowed(
            f"{what} hanya untuk peran {', '.join(roles)}; akun '{identity.username}' berperan {held}.",
            value=identity.username,
        )


def supervised_progress(ctx: Context, identity: Identity, year: int) -> tuple[OfficeProgress, ...]:
    """The LAKIP case of ``year`` of each office under the pengawas's office; NotAllowed for anyone else."""
    require(identity, READS_OFFICES, "Halaman Pengawasan")
    return offices.lakip_progress(ctx, offices.offices_under(ctx), year)
