"""*Register Surat*: the office's outgoing letter numbers of a year, taking one, cancelling one.

The page of ``sop letters list|issue|cancel``: the register of ``?tahun=`` (this year by
default), cancelled numbers included with who cancelled them and why. Taking and cancelling a
number are form posts to :func:`sop_engine.letters.issue` and :func:`sop_engine.letters.cancel`,
which decide who may (the letter-writing roles); a refusal re-renders the page with the
service's message and what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sop_engine import access, letters
from sop_engine.errors import SopError
from sop_engine.formatting import format_date
from sop_engine.logins import LoginSession
from sop_engine.policy import Permission, roles_for
from sop_engine.views.labels import LETTER_STATUS_LABELS
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.document_actions import day
from sop_engine.web.errors import page_text
from sop_engine.web.pages_forms import field, posted_form, whole_number
from sop_engine.web.rendering import render
from sop_engine.web.statuses import refusal_status

router = APIRouter(include_in_schema=False)

#: Who may open the register: those who write letters, and the readers of everything (inspektorat).
READS_LETTERS = (*roles_for(Permission.WRITE_LETTERS), *access.READS_EVERYTHING)
NOTICES = {
    "diambil": "Nomor surat telah diambil dan tercatat di register.",
    "dibatalkan": "Nomor surat telah dibatalkan; nomor itu tetap tercatat dan tidak dipakai lagi.",
}


@router.get("/surat")
def register_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, READS_LETTERS, "Register surat")
    year_text = request.query_params.get("tahun", "")
    notice = NOTICES.get(request.query_params.get("pesan", ""), "")
    try:
        year = whole_number(year_text, "Tahun", "2021") if year_text else _this_year(request)
    except SopError as exc:
        return _page(request, _this_year(request), status=422, error=page_text(exc))
    return _page(request, year, notice=notice)


@router.post("/surat/ambil")
async def issue_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        typed = {name: field(form, name) for name in ("tahun", "perihal", "kasus", "tanggal", "klasifikasi")}
        ctx = context_of(request)

        def issue(by: str) -> int:
            year = whole_number(typed["tahun"], "Tahun", "2021")
            letter_date = day(typed["tanggal"], ctx) if typed["tanggal"] else None
            letters.issue(
                ctx,
                year,
                typed["perihal"],
                by,
                case=typed["kasus"] or None,
                letter_date=letter_date,
                klasifikasi=typed["klasifikasi"] or None,
            )
            return year

        return await _act(request, session, issue, typed, "diambil")


@router.post("/surat/batal")
async def cancel_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        typed = {name: field(form, name) for name in ("tahun", "nomor", "alasan")}
        ctx = context_of(request)

        def cancel(by: str) -> int:
            return letters.cancel(ctx, typed["nomor"], by, typed["alasan"]).year

        return await _act(request, session, cancel, typed, "dibatalkan")


async def _act(
    request: Request, session: LoginSession, action: Callable[[str], int], typed: dict[str, str], done: str
) -> Response:
    """Run ``action`` as the logged-in person; back to the year's register, or the refusal shown."""
    access.require(session.identity, READS_LETTERS, "Register surat")
    try:
        year = await run_in_threadpool(action, session.identity.username)
    except SopError as exc:
        status = refusal_status(exc)
        if status is None:
            raise
        shown = typed["tahun"] if typed["tahun"].isdigit() else str(_this_year(request))
        return await run_in_threadpool(_page, request, int(shown), status=status, error=page_text(exc), typed=typed)
    return RedirectResponse(f"/surat?{urlencode({'tahun': year, 'pesan': done})}", status_code=303)


def _this_year(request: Request) -> int:
    ctx = context_of(request)
    return ctx.clock.now().astimezone(ctx.tz).year


def _page(
    request: Request,
    year: int,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    ctx = context_of(request)
    session: LoginSession | None = getattr(request.state, "login_session", None)
    items = letters.list_letters(ctx, year)
    values: dict[str, Any] = {
        "year": year,
        "letters": items,
        "labels": LETTER_STATUS_LABELS,
        "tanggal": format_date,
        "notice": notice,
        "error": error,
        "typed": {
            "tahun": str(year),
            "perihal": "",
            "kasus": "",
            "tanggal": "",
            "nomor": "",
            "alasan": "",
            "klasifikasi": "",
        }
        | (typed or {}),
        "may_write": session is not None and session.identity.has(*roles_for(Permission.WRITE_LETTERS)),
    }
    return render(request, "surat.html", values, status=status)
