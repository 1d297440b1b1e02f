"""The audit half of the JSON API: the trail with its filters, and the check of its hash chain.

For the Inspektorat and the office's leaders (:data:`sop_engine.access.READS_AUDIT`); others get
403. The events are the documents ``sop audit log --json`` prints, the check is the document of
``sop audit verify --json``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from sop_engine import access, audit, views
from sop_engine.identity import Identity
from sop_engine.textrules import LINE_PATTERN
from sop_engine.views.fields import Doc
from sop_engine.web.api_common import AuthenticatedRoute, Caller, documented, operation_id
from sop_engine.web.api_models import model_of
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


class EventList(TypedDict):
    """The events that match the filters, in chain order."""

    events: Annotated[list[views.EventJson], Doc("Tiap peristiwa seperti pada `sop audit log --json`.")]


EventListOut = model_of(EventList)
VerifyOut = model_of(views.VerifyJson)


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
    return JSONResponse(EventList(events=[views.event_json(event, ctx.tz) for event in events]))


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
    return JSONResponse(views.verify_json(result))
