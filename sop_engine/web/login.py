"""Logging in and out, and the front door that sends each person to their starting page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from sop_engine import logins, offices
from sop_engine.errors import NotAllowed
from sop_engine.logins import LoginSession
from sop_engine.policy import Permission, roles_for
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.errors import page_text
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)


def home_of(session: LoginSession) -> str:
    """Where a person starts: their tasks if they do SOP steps, else what their role is for."""
    identity = session.identity
    if identity.has(*roles_for(Permission.WORK_ON_STEPS)):
        return "/tugas"
    if identity.has(*roles_for(Permission.READ_ALL_CASES)):
        return "/audit"
    if identity.has(*roles_for(Permission.MANAGE_PEOPLE)):
        return "/orang"
    if identity.has(*roles_for(Permission.READ_OFFICES)):
        return "/pengawas"
    return "/kasus"


def safe_next(path: str | None) -> str | None:
    """Only a local path may follow the login (no open redirect to another site)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


@router.get("/")
def front_door(request: Request) -> Response:
    session = auth.current_session(request)
    return RedirectResponse(home_of(session) if session else "/masuk", status_code=303)


def _login_page(
    request: Request,
    status: int = 200,
    error: str = "",
    login_value: str = "",
    next_path: str | None = None,
    satker: str = "",
) -> Response:
    token = auth.login_csrf_token(request)
    many = offices.office_count(context_of(request)) > 1  # a central install asks which office
    response = render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "next_path": safe_next(next_path or request.query_params.get("lanjut")) or "",
            "error": error,
            "notice": "Anda telah keluar." if request.query_params.get("keluar") else "",
            "login_value": login_value,
            "satker": satker if many else None,
        },
        status=status,
    )
    auth.set_login_csrf_cookie(response, context_of(request), token)
    return response


@router.get("/masuk")
def login_form(request: Request) -> Response:
    session = auth.current_session(request)
    if session is not None:
        return RedirectResponse(home_of(session), status_code=303)
    return _login_page(request)


@router.post("/masuk")
async def login_submit(request: Request) -> Response:
    form = await request.form()
    auth.check_login_csrf(request, _text(form.get("csrf_token")))
    ctx = context_of(request)
    login_value, satker = _text(form.get("login"))[:64], _text(form.get("satker"))[:32]
    try:
        office = await run_in_threadpool(offices.login_office, ctx, satker)
        session = await run_in_threadpool(
            logins.login, office, login_value, _text(form.get("password")), auth.client_address(request)
        )
    except NotAllowed as exc:
        lanjut = _text(form.get("lanjut"))
        return _login_page(
            request, status=403, error=page_text(exc), login_value=login_value, next_path=lanjut, satker=satker
        )
    target = safe_next(_text(form.get("lanjut"))) or home_of(session)
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(response, ctx, session)
    return response


@router.post("/keluar")
async def logout(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    form = await request.form()
    auth.check_csrf(session, _text(form.get("csrf_token")))
    ctx = context_of(request)
    await run_in_threadpool(logins.logout, ctx, session.session_id)
    response = RedirectResponse("/masuk?keluar=1", status_code=303)
    auth.clear_session_cookie(response, ctx)
    return response


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
