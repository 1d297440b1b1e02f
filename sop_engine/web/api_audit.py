"""The audit half of the JSON API: the trail with its filters, and the check of its hash chain.

For the Inspektorat and the office's leaders (:data:`sop_engine.access.READS_AUDIT`); others get
403. The events are the documents ``sop audit log --json`` prints, the check is the document of
``sop audit verify --json``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict

from sop_engine import access, audit
from sop_engine.identity import Identity
from sop_engine.textrules import LINE_PATTERN
from sop_engine.web.api_common import AuthenticatedRoute, Caller, documented, operation_id
from sop_engine.web.auth import context_of

router = APIRouter(route_class=AuthenticatedRoute, tags=["audit"], generate_unique_id_function=operation_id)


def _filter(description: str, example: str, format: str | None = None) -> Any:
    extra = {"format": format} if format else None
    return Query(
        max_length=100, pattern=LINE_PATTERN, description=description, examples=[example], json_schema_extra=extra
    )


CaseFilter = Annotated[str | None, _filter("Hanya peristiwa kasus ini.", "lakip-2021")]
ActorFilter = Annotated[str | None, _filter("Hanya peristiwa oleh pengguna ini (persis).", "kasubag")]
ActionFilter = Annotated[str | None, _filter("Hanya tindakan ini (persis).", "step.completed")]
SinceFilter = Annotated[
    str | None,
    _filter("Sejak tanggal ini, termasuk (YYYY-MM-DD, waktu kantor, menurut waktu kejadian).", "2021-01-11", "date"),
]
UntilFilter = Annotated[str | None, _filter("Sampai tanggal ini, termasuk (YYYY-MM-DD).", "2021-01-31", "date")]
Limit = Annotated[int | None, Query(ge=1, le=1_000_000, description="Hanya sejumlah ini peristiwa terakhir.")]
Head = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=LINE_PATTERN,
        description="Kepala rantai yang dicatat sebelumnya (NOMOR:HASH); rantai harus masih memuatnya.",
    ),
]


class EventOut(BaseModel):
    """One event as ``sop audit log --json`` prints it."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    recorded_at: AwareDatetime
    stated_at: AwareDatetime
    actor: str
    role: str
    action: str
    case: str | None
    step: int | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class EventListOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventOut]


class VerifyOut(BaseModel):
    """The outcome of ``sop audit verify --json``."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    events: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    #: Rows of the state tables that disagree with the trail (the chain itself may be intact).
    mismatches: list[str]


@router.get(
    "/audit",
    summary="Jejak audit",
    description="Peristiwa dalam urutan rantai yang cocok dengan semua saringan yang diisi, seperti "
    "`sop audit log --json`. Untuk peran inspektorat, ketua dan sekretaris.",
    responses=documented(EventListOut, 200, 403),
)
def audit_log(
    request: Request,
    identity: Annotated[Identity, Caller],
    case: CaseFilter = None,
    actor: ActorFilter = None,
    action: ActionFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    limit: Limit = None,
) -> JSONResponse:
    """The events in chain order that match every filter given."""
    access.require(identity, access.READS_AUDIT, "Membaca jejak audit")
    ctx = context_of(request)
    where = audit.AuditFilter.from_text(case=case, actor=actor, action=action, since=since, until=until)
    events = audit.list_events(ctx, where=where, limit=limit)
    return JSONResponse({"events": [event.to_json(ctx.tz) for event in events]})


@router.get(
    "/audit/verify",
    summary="Periksa keutuhan rantai hash",
    description="Telusuri rantai dari peristiwa pertama, seperti `sop audit verify --json`: `ok` palsu disertai "
    "peristiwa pertama yang rusak dan masalahnya. Untuk peran inspektorat, ketua dan sekretaris.",
    responses=documented(VerifyOut, 200, 403),
)
def audit_verify(request: Request, identity: Annotated[Identity, Caller], head: Head = None) -> JSONResponse:
    """Walk the chain from the first event; ``ok`` is false with the first bad event and the problem."""
    access.require(identity, access.READS_AUDIT, "Memeriksa jejak audit")
    result = audit.verify(context_of(request), audit.parse_anchor(head) if head else None)
    return JSONResponse(result.to_json())
