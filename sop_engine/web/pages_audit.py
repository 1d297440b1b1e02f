"""Jejak Audit: the filtered trail, its CSV download and the verification of the hash chain.

The page shows the newest events first, :data:`SHOWN_EVENTS` per page (a link leads to the
older ones, keeping the filters); the CSV carries every event the filters match, in chain order,
hashes included.
The verify form takes the chain head recorded at an earlier verification (``SEQ:HASH``, as
``sop audit verify --head`` does): only that proves the newest events were not cut off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from sop_engine import access, audit, textrules
from sop_engine.audit import AuditFilter, VerifyResult
from sop_engine.context import Context
from sop_engine.definitions import ROLE_LABELS
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_instant_short
from sop_engine.identity import Identity
from sop_engine.logins import LoginSession
from sop_engine.views.labels import ACTION_LABELS, DETAIL_LABELS
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.errors import page_text
from sop_engine.web.pages_forms import field, posted_form
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)

#: Events per page; the next page holds the events before the oldest one shown (``?sebelum=SEQ``).
SHOWN_EVENTS = 500
BEFORE = "sebelum"
#: A longer detail value (a note, a reason) is cut to this many characters; the whole value is its title.
VALUE_CHARS = 160
#: A detail value of at most this many characters (an instant, a number) is kept on one line.
COMPACT_CHARS = 24
#: A hash is shown by its first characters; the whole hash is its title.
HASH_CHARS = 12

#: The filter fields of the page: query parameter -> AuditFilter.from_text keyword.
FILTER_FIELDS = {"kasus": "case", "pelaku": "actor", "aksi": "action", "dari": "since", "sampai": "until"}

#: The details people look for first come first; the others follow in the order stored.
_DETAIL_ORDER = tuple(DETAIL_LABELS)
_SKIPPED_DETAILS = ("state_before", "state_after", "definition_sha256")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_HASH = re.compile(r"[0-9a-f]{32,}")
_WHAT = "Jejak Audit"
#: The verify form's field for the chain head recorded earlier (SEQ:HASH).
HEAD_FIELD = "kepala_dicatat"


@router.get("/audit")
def audit_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    return _page(request, session.identity, _typed_filters(request))


@router.get("/audit.csv")
def audit_csv(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    ctx = context_of(request)
    where = AuditFilter.from_text(**{FILTER_FIELDS[k]: v for k, v in _typed_filters(request).items()})
    return Response(
        audit.csv_file(audit.list_events(ctx, where=where), ctx.tz),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="jejak-audit.csv"', "Cache-Control": "private, no-store"},
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
        "actions": [(action, ACTION_LABELS.get(action, action)) for action in actions],
        "actors": audit.known_actors(ctx),
        "case_codes": [case.id for case in access.visible_cases(ctx, identity).items],
        "csv_query": urlencode({k: v for k, v in typed.items() if v.strip()}),
        "filtered": any(v.strip() for v in typed.values()),
        "verified": verification.result,
        "verification": verification,
    }
    return render(request, "audit.html", values, status=status)


def _seq(text: str) -> int | None:
    """The event number of the ``sebelum`` parameter (None when not given)."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        shown = textrules.scrub_line(text[:40])
        raise InvalidInput(f"Nomor peristiwa '{shown}' tidak sah; pakai tautan halaman pada Jejak Audit.", value=shown)
    return int(text)


@dataclass(frozen=True)
class Detail:
    """One detail of an event as the page shows it: "tenggat: Kam 21/01/2021 11.45"."""

    label: str
    text: str
    #: The whole value when ``text`` is shortened (a hash, a long note), else "".
    full: str = ""

    @property
    def compact(self) -> bool:
        """Short enough to keep on one line (an instant, a number), so it does not break mid-value."""
        return len(self.text) <= COMPACT_CHARS


def event_details(details: Mapping[str, Any], tz: ZoneInfo) -> tuple[Detail, ...]:
    """The details of an event in Indonesian: labelled, instants in office time, long values shortened."""
    found = []
    for key in _ordered(k for k in details if k not in _SKIPPED_DETAILS and details[k] not in (None, [], "", {})):
        full = _value_text(key, details[key], tz, short=False)
        text = _value_text(key, details[key], tz, short=True)
        if len(text) > VALUE_CHARS:
            text = text[: VALUE_CHARS - 1].rstrip() + "…"
        found.append(Detail(DETAIL_LABELS.get(key, key), text, full if text != full else ""))
    return tuple(found)


def _ordered(keys: Iterable[str]) -> list[str]:
    """``keys`` with the known ones first, in the order of :data:`DETAIL_LABELS` (the sort is stable)."""
    return sorted(keys, key=lambda key: _DETAIL_ORDER.index(key) if key in _DETAIL_ORDER else len(_DETAIL_ORDER))


def _value_text(key: str, value: Any, tz: ZoneInfo, *, short: bool) -> str:
    """A detail value as people read it; ``short`` cuts hashes to their first characters."""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Mapping):
        inner = (f"{DETAIL_LABELS.get(k, k)}: {_value_text(k, value[k], tz, short=short)}" for k in _ordered(value))
        return "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        if all(isinstance(item, Mapping) and "filename" in item for item in value):
            return ", ".join(str(item["filename"]) for item in value)
        if key == "roles":
            return ", ".join(ROLE_LABELS.get(str(role), str(role)) for role in value)
        return ", ".join(_value_text(key, item, tz, short=short) for item in value)
    text = str(value)
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return format_instant_short(datetime.fromisoformat(value), tz)
    if short and isinstance(value, str) and _HASH.fullmatch(value):
        return text[:HASH_CHARS] + "…"
    return text
