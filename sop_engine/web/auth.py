"""Who is asking: the session cookie for pages, the Bearer token for the API, and the CSRF check.

Pages use a session cookie (HttpOnly, SameSite=Lax, Secure when ``base_url`` is https) and a
CSRF token per session, carried in a hidden field of every form. The login form, before any
session exists, uses a double-submit token: a random cookie whose value the form repeats. The API
takes only ``Authorization: Bearer <token>`` (never the cookie), so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from sop_engine import api_tokens, logins
from sop_engine.context import Context
from sop_engine.identity import Identity
from sop_engine.logins import LoginSession
from sop_engine.web import reading

T = TypeVar("T")
#: A credential look-up: the holder of a value (or None), and whether its last use is due to be written.
LookUp = Callable[[Context, str], tuple[T | None, bool]]

SESSION_COOKIE = "sop_sesi"
LOGIN_CSRF_COOKIE = "sop_csrf_masuk"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """A page was asked for without a live session: the browser is sent to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.login_url = "/masuk?lanjut=" + quote(next_path, safe="/")


class Unauthenticated(Exception):
    """An API request without a valid Bearer token (401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfRejected(Exception):
    """A form came without the token of the session that showed it (403)."""

    message = (
        "Formulir ditolak karena token keamanannya (CSRF) tidak cocok atau tidak ada. "
        "Muat ulang halaman lalu kirim formulir dari halaman itu."
    )


def context_of(request: Request) -> Context:
    """The context of the office of the person asking (set once they are known), else the install's."""
    ctx: Context = getattr(request.state, "office_ctx", None) or request.app.state.ctx
    return ctx


def _enter_office(request: Request, identity: Identity) -> None:
    """From here on the request reads and writes the office of ``identity`` only (a central install),
    in a context built from the office's settings as they were when the identity was read."""
    if identity.office_id:
        request.state.office_ctx = request.app.state.ctx.for_office_at(identity.office_id, identity.settings_version)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def secure_cookies(ctx: Context) -> bool:
    return ctx.settings.base_url.startswith("https://")


def current_session(request: Request) -> LoginSession | None:
    """The live login session of this browser, if any (looked up once per request)."""
    if not hasattr(request.state, "login_session"):
        cookie = request.cookies.get(SESSION_COOKIE, "")
        request.state.login_session = logins.session_of(context_of(request), cookie) if cookie else None
        if request.state.login_session is not None:
            _enter_office(request, request.state.login_session.identity)
    found: LoginSession | None = request.state.login_session
    return found


async def page_session(request: Request) -> LoginSession:
    """Dependency of every page behind the login: the session, or a redirect to /masuk."""
    if not hasattr(request.state, "login_session"):
        cookie, ctx = request.cookies.get(SESSION_COOKIE, ""), context_of(request)
        found = await credential(ctx, logins.look_up_session, logins.touch_session, cookie) if cookie else None
        request.state.login_session = found
        if found is not None:
            _enter_office(request, found.identity)
    session: LoginSession | None = request.state.login_session
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return session


async def api_identity(request: Request) -> Identity:
    """Dependency of every API route: the holder of the Bearer token, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Token API tidak ada; kirim header 'Authorization: Bearer <token>'. Token dibuat admin di halaman "
            "Orang (akun pegawai) atau dengan `sop people token USER`."
        )
    identity = await credential(context_of(request), api_tokens.look_up_token, api_tokens.touch_token, token.strip())
    if identity is None:
        raise Unauthenticated(
            "Token API tidak dikenal, kedaluwarsa atau sudah dicabut; minta token baru kepada admin (halaman "
            "Orang, atau `sop people token USER`)."
        )
    _enter_office(request, identity)
    return identity


async def credential(ctx: Context, look_up: LookUp[T], touch: Callable[[Context, str], None], value: str) -> T | None:
    """Who holds ``value`` (a session id or a token) by ``look_up`` (see :mod:`.reading`), then ``touch``
    (a write, in a worker thread) if it is due."""
    found, stale = await reading.read(ctx, look_up, ctx, value)
    if stale:
        await run_in_threadpool(touch, ctx, value)
    return found


def check_csrf(session: LoginSession, submitted: str | None) -> None:
    """Raise CsrfRejected unless the form carries this session's token."""
    if not submitted or not hmac.compare_digest(submitted.encode(), session.csrf_token.encode()):
        raise CsrfRejected()


def login_csrf_token(request: Request) -> str:
    """The double-submit token of the login form (reused from the cookie when the browser has one)."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    return existing if existing and len(existing) >= 32 else secrets.token_urlsafe(32)


def check_login_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        raise CsrfRejected()


def set_login_csrf_cookie(response: Response, ctx: Context, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(ctx), path="/masuk"
    )


def set_session_cookie(response: Response, ctx: Context, session: LoginSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.session_id,
        max_age=ctx.settings.web.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(ctx),
        path="/",
    )


def clear_session_cookie(response: Response, ctx: Context) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(ctx))
