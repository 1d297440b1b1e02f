"""Jejak Audit: the filtered trail, its CSV download and the verification of the hash chain.

The page shows the newest events first and at most :data:`SHOWN_EVENTS` of them (the latest in
the chain); the CSV carries every event the filters match, in chain order, hashes included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from sop_engine import access, audit
from sop_engine.accounts import Identity, LoginSession
from sop_engine.audit import ACTION_LABELS, AuditFilter, VerifyResult
from sop_engine.errors import InvalidInput
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.pages_forms import posted_form
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)

SHOWN_EVENTS = 500
SUMMARY_CHARS = 240

#: The filter fields of the page: query parameter -> AuditFilter.from_text keyword.
FILTER_FIELDS = {"kasus": "case", "pelaku": "actor", "aksi": "action", "dari": "since", "sampai": "until"}

#: Indonesian names of the detail keys people meet most.
DETAIL_LABELS = {
    "note": "catatan",
    "reason": "alasan",
    "to": "ke langkah",
    "round": "putaran",
    "due_at": "tenggat",
    "late": "terlambat",
    "files": "berkas",
    "year": "tahun",
    "first_due_at": "tenggat pertama",
}
_SKIPPED_DETAILS = ("state_before", "state_after", "definition_sha256")
_WHAT = "Jejak Audit"


@router.get("/audit")
def audit_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    return _page(request, session.identity, _typed_filters(request))


@router.get("/audit.csv")
def audit_csv(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    ctx = context_of(request)
    where = AuditFilter.from_text(**{FILTER_FIELDS[k]: v for k, v in _typed_filters(request).items()})
    text = audit.csv_text(audit.list_events(ctx, where=where), ctx.tz)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="jejak-audit.csv"', "Cache-Control": "private, no-store"},
    )


@router.post("/audit/verifikasi")
async def verify_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session):
        access.require(session.identity, access.READS_AUDIT, _WHAT)
        result = await run_in_threadpool(audit.verify, context_of(request))
        return await run_in_threadpool(_page, request, session.identity, {}, result)


def _typed_filters(request: Request) -> dict[str, str]:
    """The filter fields as typed (unknown parameters ignored)."""
    return {name: request.query_params.get(name, "") for name in FILTER_FIELDS}


def _page(
    request: Request, identity: Identity, typed: Mapping[str, str], verified: VerifyResult | None = None
) -> HTMLResponse:
    ctx = context_of(request)
    error, status, rows, more = "", 200, [], False
    try:
        where = AuditFilter.from_text(**{FILTER_FIELDS[k]: v for k, v in typed.items()})
    except InvalidInput as exc:
        error, status = exc.message, 422
    else:
        latest = audit.list_events(ctx, where=where, limit=SHOWN_EVENTS + 1)
        more = len(latest) > SHOWN_EVENTS
        rows = [
            (event, ACTION_LABELS.get(event.action, event.action), summary(event.details))
            for event in reversed(latest[-SHOWN_EVENTS:])
        ]
    actions = audit.known_actions(ctx)
    values: dict[str, Any] = {
        "typed": {name: typed.get(name, "") for name in FILTER_FIELDS},
        "rows": rows,
        "more": more,
        "shown": SHOWN_EVENTS,
        "error": error,
        "actions": [(action, ACTION_LABELS.get(action, action)) for action in actions],
        "actors": audit.known_actors(ctx),
        "case_codes": [case.id for case in access.visible_cases(ctx, identity)],
        "csv_query": urlencode({k: v for k, v in typed.items() if v.strip()}),
        "filtered": any(v.strip() for v in typed.values()),
        "verified": verified,
    }
    return render(request, "audit.html", values, status=status)


def summary(details: Mapping[str, Any]) -> str:
    """A one-line reading of an event's details: "alasan: ..., ke langkah: 6" (shortened)."""
    parts = []
    for key, value in details.items():
        if key in _SKIPPED_DETAILS or value is None or value == [] or value == "":
            continue
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {_detail_text(value)}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _detail_text(value: Any) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list) and all(isinstance(item, Mapping) and "filename" in item for item in value):
        return ", ".join(str(item["filename"]) for item in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)
