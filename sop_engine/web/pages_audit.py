"""Jejak Audit: the filtered trail, its CSV download and the verification of the hash chain.

The page shows the newest events first, :data:`SHOWN_EVENTS` per page (a link leads to the
older ones, keeping the filters); the CSV carries every event the filters match, in chain order,
hashes included.
The verify form takes the chain head recorded at an earlier verification (``SEQ:HASH``, as
``sop audit verify --head`` does): only that proves the newest events were not cut off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from sop_engine import access, audit, textrules
from sop_engine.audit import AuditFilter, VerifyResult
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.identity import Identity
from sop_engine.logins import LoginSession
from sop_engine.views import audit_export
from sop_engine.views.audit_text import event_details
from sop_engine.views.labels import ACTION_GROUPS, ACTION_LABELS
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.errors import page_text
from sop_engine.web.pages_forms import field, posted_form
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)

#: Events per page; the next page holds the events before the oldest one shown (``?sebelum=SEQ``).
SHOWN_EVENTS = 500
BEFORE = "sebelum"

#: The filter fields of the page: query parameter -> AuditFilter.from_text keyword.
FILTER_FIELDS = {"kasus": "case", "pelaku": "actor", "aksi": "action", "dari": "since", "sampai": "until"}

_WHAT = "Jejak Audit"
#: The verify form's field for the chain head recorded earlier (SEQ:HASH).
HEAD_FIELD = "kepala_dicatat"


@router.get("/audit")
def audit_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    return _page(request, session.identity, _typed_filters(request))


#: The downloads of the filtered trail: path -> (format of views.audit_export.FORMATS, file name).
DOWNLOADS = {
    "/audit.csv": ("csv", "jejak-audit.csv"),
    "/audit.xlsx": ("xlsx", "jejak-audit.xlsx"),
    "/audit-mesin.csv": ("csv-rfc", "jejak-audit-mesin.csv"),
}


@router.get("/audit.csv")
@router.get("/audit.xlsx")
@router.get("/audit-mesin.csv")
def audit_download(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    ctx = context_of(request)
    name, filename = DOWNLOADS[request.scope["route"].path]
    chosen = audit_export.FORMATS[name]
    where = AuditFilter.from_text(**{FILTER_FIELDS[k]: v for k, v in _typed_filters(request).items()})
    return Response(
        chosen.write(audit.list_events(ctx, where=where), ctx.tz),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@router.post("/audit/verifikasi")
async def verify_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        access.require(session.identity, access.READS_AUDIT, _WHAT)
        verification = await run_in_threadpool(verify_against, context_of(request), field(form, HEAD_FIELD))
        return await run_in_threadpool(_page, request, session.identity, {}, verification)


@dataclass(frozen=True)
class Verification:
    """What the verify form asked and what it got: the recorded head as typed, then the result or why not."""

    typed_head: str = ""
    #: The recorded head the chain was checked against, as (seq, hash).
    recorded: tuple[int, str] | None = None
    result: VerifyResult | None = None
    #: Why the typed head was refused (then nothing was verified).
    head_error: str = ""


def verify_against(ctx: Context, typed_head: str) -> Verification:
    """Verify the chain, against the recorded head if one was typed; a malformed head is refused unverified."""
    typed = typed_head.strip()
    if not typed:
        return Verification(result=audit.verify(ctx))
    try:
        recorded = audit.parse_anchor(typed)
    except InvalidInput as exc:
        return Verification(typed, head_error=page_text(exc))
    return Verification(typed, recorded, audit.verify(ctx, recorded))


def _typed_filters(request: Request) -> dict[str, str]:
    """The filter fields as typed (unknown parameters ignored)."""
    return {name: request.query_params.get(name, "") for name in FILTER_FIELDS}


def _page(
    request: Request, identity: Identity, typed: Mapping[str, str], verification: Verification | None = None
) -> HTMLResponse:
    ctx = context_of(request)
    error, status, rows, older = "", 200, [], ""
    before = request.query_params.get(BEFORE, "")
    try:
        where = AuditFilter.from_text(**{FILTER_FIELDS[k]: v for k, v in typed.items()})
        latest = audit.list_events(ctx, where=where, limit=SHOWN_EVENTS + 1, before=_seq(before))
    except InvalidInput as exc:
        error, status = page_text(exc), 422
    else:
        rows = [
            (event, ACTION_LABELS.get(event.action, event.action), event_details(event.details, ctx.tz))
            for event in reversed(latest[-SHOWN_EVENTS:])
        ]
        if len(latest) > SHOWN_EVENTS:
            older = urlencode({**{k: v for k, v in typed.items() if v.strip()}, BEFORE: rows[-1][0].seq})
    verification = verification or Verification()
    if verification.head_error:
        status = 422
    actions = audit.known_actions(ctx)
    values: dict[str, Any] = {
        "typed": {name: typed.get(name, "") for name in FILTER_FIELDS},
        "rows": rows,
        "older_query": older,
        "later_page": bool(before) and not error,
        "shown": SHOWN_EVENTS,
        "error": error,
        "action_groups": action_choices(actions),
        "actors": audit.known_actors(ctx),
        "case_codes": [case.id for case in access.visible_case_lines(ctx, identity).items],
        "csv_query": urlencode({k: v for k, v in typed.items() if v.strip()}),
        "filtered": any(v.strip() for v in typed.values()),
        "verified": verification.result,
        "verification": verification,
    }
    return render(request, "audit.html", values, status=status)


def action_choices(actions: Iterable[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices grouped (:data:`ACTION_GROUPS`), each an action and its Indonesian label, by label."""
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name, _ in ACTION_GROUPS}
    for action in actions:
        name = next((n for n, prefixes in ACTION_GROUPS if action.startswith(prefixes)), ACTION_GROUPS[-1][0])
        groups[name].append((action, ACTION_LABELS.get(action, action)))
    return [(name, sorted(choices, key=lambda c: c[1])) for name, choices in groups.items() if choices]


def _seq(text: str) -> int | None:
    """The event number of the ``sebelum`` parameter (None when not given)."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        shown = textrules.scrub_line(text[:40])
        raise InvalidInput(f"Nomor peristiwa '{shown}' tidak sah; pakai tautan halaman pada Jejak Audit.", value=shown)
    return int(text)
