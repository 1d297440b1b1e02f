"""The case pages: the list, starting a case, one case with its forms, and its documents.

Every action is a form post: read within limits, CSRF checked, the case checked visible, then
one service call with the logged-in person as the actor. Success answers 303 to the case page
with a fixed message; a refusal re-renders the case page with the service's message, its status
and what the person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sop_engine import access, backdating, case_decisions, cases, policy
from sop_engine.artefacts import IncomingFile
from sop_engine.definitions import WorkflowDef
from sop_engine.errors import SopError
from sop_engine.logins import LoginSession
from sop_engine.policy import Permission
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.downloads import document_response
from sop_engine.web.errors import page_text
from sop_engine.web.pages_caseview import NOTICES, Typed, case_values
from sop_engine.web.pages_forms import field, posted_form, whole_number
from sop_engine.web.rendering import render, startable
from sop_engine.web.statuses import refusal_status
from sop_engine.web.uploads import MAX_FILES

router = APIRouter(include_in_schema=False)

#: The query parameter of the case list's cursor: the page after this case.
AFTER = "setelah"
#: Who may open the list of cases and a case page (the case itself decides further: access.may_see_workflow).


def reads_cases(request: Request) -> tuple[str, ...]:
    """The roles that read case pages: the office's step roles (config.toml's ``[peran]``) and the inspektorat."""
    return (*policy.roles_for(Permission.WORK_ON_STEPS, context_of(request).settings.roles), *access.READS_EVERYTHING)


# --- the list and starting a case ----------------------------------------------------------


@router.get("/kasus")
def case_list(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, reads_cases(request), "Daftar kasus")
    after = request.query_params.get(AFTER) or None
    page = access.visible_case_lines(context_of(request), session.identity, after=after)
    years = [(year, list(group)) for year, group in groupby(page.items, key=lambda case: case.year)]
    following = f"/kasus?{urlencode({AFTER: page.next})}" if page.next else ""
    return render(request, "kasus_list.html", {"years": years, "next_page": following, "later_page": bool(after)})


@router.get("/kasus/baru")
def start_form(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    return _start_page(request, session)


@router.post("/kasus/baru")
async def start_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        _startable(request, session)
        ctx = context_of(request)
        workflow, year_text = field(form, "workflow"), field(form, "tahun")
        try:
            year = whole_number(year_text, "Tahun", "2021")
            case = await run_in_threadpool(cases.start_case, ctx, workflow, year, session.identity.username)
        except SopError as exc:
            status = refusal_status(exc)
            if status is None:
                raise
            typed = {"workflow": workflow, "tahun": year_text}
            return await run_in_threadpool(_start_page, request, session, status, page_text(exc), typed)
    return _to_case(case.id, "dimulai")


def _startable(request: Request, session: LoginSession) -> list[WorkflowDef]:
    """The SOPs this person may start (``dimulai_oleh``, else the START_CASE roles); the refusal if none."""
    choices = startable(context_of(request), session.identity.roles)
    if not choices:
        access.require(session.identity, access.STARTS_CASES, "Memulai kasus")
    return choices


def _start_page(
    request: Request, session: LoginSession, status: int = 200, error: str = "", typed: dict[str, str] | None = None
) -> HTMLResponse:
    ctx = context_of(request)
    choices = _startable(request, session)
    this_year = str(ctx.clock.now().astimezone(ctx.tz).year)
    values = typed or {"workflow": choices[0].name if choices else "", "tahun": this_year}
    return render(request, "kasus_baru.html", {"choices": choices, "typed": values, "error": error}, status=status)


# --- one case ------------------------------------------------------------------------------


@router.get("/kasus/{code}")
def case_page(request: Request, code: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    notice = NOTICES.get(request.query_params.get("pesan", ""), "")
    return render_case_page(request, session, code, notice=notice)


def render_case_page(
    request: Request, session: LoginSession, code: str, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    """The case page, with ``extra`` values (``notice``, ``error``, ``typed``, ``problems``, ``doc_typed``)."""
    ctx = context_of(request)
    access.require(session.identity, reads_cases(request), "Halaman kasus")
    case = access.visible_case(ctx, session.identity, code)
    values = case_values(ctx, session.identity, case, ctx.clock.now())
    blank = {"notice": "", "error": "", "typed": Typed(), "problems": []}
    values.update(blank | extra | {"entered_late": backdating.entered_late(ctx, code)})
    return render(request, "kasus.html", values, status=status)


@router.post("/kasus/{code}/langkah/{no}/selesai")
async def complete_submit(
    request: Request, code: str, no: int, session: LoginSession = Depends(auth.page_session)
) -> Response:
    with await posted_form(request, session, files=MAX_FILES) as form:
        note = field(form, "catatan")
        files = [
            IncomingFile(received.path, received.filename) for received in form.files if received.field == "berkas"
        ]
        return await _act(
            request,
            session,
            code,
            lambda by: cases.complete_step(context_of(request), code, no, by, files=files, note=note),
            Typed(catatan=note),
            lambda done: "diparaf" if no in done.active_steps else "selesai",  # a paraf chain goes on
        )


@router.post("/kasus/{code}/langkah/{no}/kembalikan")
async def return_submit(
    request: Request, code: str, no: int, session: LoginSession = Depends(auth.page_session)
) -> Response:
    with await posted_form(request, session) as form:
        target, reason = field(form, "ke"), field(form, "alasan")

        def act(by: str) -> object:
            to = whole_number(target, "Langkah tujuan", "6")
            return cases.return_step(context_of(request), code, no, to, by, reason)

        return await _act(request, session, code, act, Typed(alasan=reason, ke=target), "dikembalikan")


@router.post("/kasus/{code}/langkah/{no}/jawab")
async def answer_submit(
    request: Request, code: str, no: int, session: LoginSession = Depends(auth.page_session)
) -> Response:
    with await posted_form(request, session) as form:
        answer, note = field(form, "jawaban"), field(form, "catatan")

        def act(by: str) -> object:
            yes = case_decisions.parse_answer(answer)
            return case_decisions.answer_decision(context_of(request), code, no, by, yes, note)

        return await _act(request, session, code, act, Typed(catatan=note), "dijawab")


@router.post("/kasus/{code}/batalkan")
async def cancel_submit(request: Request, code: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        reason = field(form, "alasan")
        return await _act(
            request,
            session,
            code,
            lambda by: cases.cancel_case(context_of(request), code, by, reason),
            Typed(alasan_batal=reason),
            "dibatalkan",
        )


async def _act(
    request: Request,
    session: LoginSession,
    code: str,
    action: Callable[[str], Any],
    typed: Typed,
    done: str | Callable[[Any], str],
) -> Response:
    """Run ``action`` (a service call, given the actor) on a visible case; redirect with the notice ``done``
    (or ``done`` of the action's result), or show the refusal."""
    ctx = context_of(request)
    await run_in_threadpool(access.require_visible, ctx, session.identity, code)
    try:
        result = await run_in_threadpool(action, session.identity.username)
    except SopError as exc:
        status = refusal_status(exc)
        if status is None:
            raise
        return await run_in_threadpool(
            render_case_page, request, session, code, status=status, error=page_text(exc), typed=typed
        )
    return _to_case(code, done if isinstance(done, str) else done(result))


def _to_case(code: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/kasus/{quote(code, safe='')}?pesan={notice}", status_code=303)


# --- documents -----------------------------------------------------------------------------


@router.get("/kasus/{code}/dokumen/{artefact_id}")
def document(
    request: Request, code: str, artefact_id: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    ctx = context_of(request)
    return document_response(ctx, access.visible_artefact(ctx, session.identity, code, artefact_id))
