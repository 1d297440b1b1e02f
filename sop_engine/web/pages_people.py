"""Orang: the admin's list of the office's people, the form that adds one, and each person's account page.

The account page ``/orang/{username}`` holds the forms of what the command line does to an
account: set or reset the password, deactivate or activate, change the roles, list, issue and
revoke API tokens. Each form posts under ``/orang/{username}/...`` with the session's CSRF token
and calls one service with the logged-in admin as the actor (the service checks the role again
and writes the audit event). Success answers 303 with a notice from :data:`PERSON_NOTICES`; a
refusal re-renders the page with the service's message and status. A new token's value is shown
once, in the answer to the form that made it, and is never put in an address or stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sop_engine import access, accounts, api_tokens, passwords, people
from sop_engine.api_tokens import TokenStatus
from sop_engine.context import Context
from sop_engine.errors import InvalidInput, SopError
from sop_engine.logins import LoginSession
from sop_engine.people import NewPerson
from sop_engine.views.labels import TOKEN_STATUS_LABELS
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.errors import page_text
from sop_engine.web.form_data import ParsedForm
from sop_engine.web.pages_forms import field, posted_form, whole_number
from sop_engine.web.rendering import render
from sop_engine.web.statuses import refusal_status

router = APIRouter(include_in_schema=False)

T = TypeVar("T")

#: The text fields of the add form (the roles are the checkboxes ``peran``).
TEXT_FIELDS = ("username", "name", "nip", "supervisor", "email", "phone")
NOTICES = {
    "ditambahkan": "Pegawai telah ditambahkan. Ia belum dapat masuk: klik namanya di daftar untuk menyetel "
    "kata sandinya."
}
#: The notices of the account page, by the key its forms redirect with.
PERSON_NOTICES = {
    "sandi": "Kata sandi telah disetel. Semua sesi orang ini telah diakhiri dan semua token API-nya dicabut; "
    "sampaikan kata sandi baru kepadanya secara langsung.",
    "dinonaktifkan": "Akun telah dinonaktifkan: sesinya diakhiri, token API-nya dicabut, dan ia tidak dapat "
    "masuk lagi.",
    "diaktifkan": "Akun aktif kembali dan dapat masuk dengan kata sandinya. Token API yang lama tetap dicabut.",
    "peran": "Peran telah diubah; berlaku mulai permintaan berikutnya orang ini.",
    "dicabut": "Token API telah dicabut; aplikasi yang memakainya harus memakai token baru.",
}
_WHAT = "Halaman Orang"
PASSWORD_MISMATCH = "Kata sandi dan ulangannya tidak sama; ketik kata sandi yang sama di kedua isian lalu kirim ulang."
NO_PREFIX = "Token yang akan dicabut tidak disebut; pilih tombol Cabut pada baris token itu."


@dataclass(frozen=True)
class Refusal:
    """A service's refusal as a page shows it."""

    status: int
    message: str


@dataclass(frozen=True)
class Typed:
    """What the admin typed into the account page's forms, kept when one is refused (never a password)."""

    roles: tuple[str, ...] | None = None
    label: str = ""
    days: str = ""


async def _attempt(action: Callable[[], T]) -> T | Refusal:
    """The result of a service call (run in the thread pool), or its refusal; faults propagate."""
    try:
        return await run_in_threadpool(action)
    except SopError as exc:
        status = refusal_status(exc)
        if status is None:
            raise
        return Refusal(status, page_text(exc))


# --- the list and adding a person ----------------------------------------------------------


@router.get("/orang")
def people_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
    return _page(request, notice=NOTICES.get(request.query_params.get("pesan", ""), ""))


@router.post("/orang")
async def add_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
        typed = {name: field(form, name).strip() for name in TEXT_FIELDS}
        roles = _roles(form)
        new = NewPerson(
            username=typed["username"],
            name=typed["name"],
            roles=roles,
            nip=typed["nip"] or None,
            email=typed["email"] or None,
            phone=typed["phone"] or None,
            supervisor=typed["supervisor"] or None,
        )
        outcome = await _attempt(lambda: people.add_person(context_of(request), new, session.identity.username))
    if isinstance(outcome, Refusal):
        return await run_in_threadpool(_page, request, outcome.status, "", outcome.message, typed, roles)
    return RedirectResponse("/orang?pesan=ditambahkan", status_code=303)


def _roles(form: ParsedForm) -> tuple[str, ...]:
    """The ticked role checkboxes (``peran``) of a form."""
    return tuple(form.fields.get("peran", []))


def _page(
    request: Request,
    status: int = 200,
    notice: str = "",
    error: str = "",
    typed: dict[str, str] | None = None,
    roles: tuple[str, ...] = (),
) -> HTMLResponse:
    everyone = people.list_people(context_of(request))
    values = {
        "people": everyone,
        "names": {person.username: person.name for person in everyone},
        "roles": _role_choices(request),
        "typed": typed or dict.fromkeys(TEXT_FIELDS, ""),
        "checked_roles": roles,
        "notice": notice,
        "error": error,
    }
    return render(request, "orang.html", values, status=status)


def _role_choices(request: Request) -> list[tuple[str, str]]:
    roles = context_of(request).settings.roles
    return [(role, roles.label(role)) for role in roles.ids]


# --- one person's account ------------------------------------------------------------------


@router.get("/orang/{username}")
def person_page(request: Request, username: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
    notice = PERSON_NOTICES.get(request.query_params.get("pesan", ""), "")
    return _person_page(request, session, username, notice=notice)


@router.post("/orang/{username}/sandi")
async def password_submit(
    request: Request, username: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    def set_password(ctx: Context, form: ParsedForm, by: str) -> None:
        password = field(form, "sandi")
        if password != field(form, "ulangi"):
            raise InvalidInput(PASSWORD_MISMATCH, value="(disembunyikan)")
        passwords.set_password(ctx, username, password, by=by)

    return await _act(request, session, username, "sandi", set_password)


def _state_route(word: str, active: bool, notice: str) -> None:
    """The route ``/orang/{username}/<word>`` that deactivates or activates the account."""

    async def submit(request: Request, username: str, session: LoginSession = Depends(auth.page_session)) -> Response:
        return await _act(
            request, session, username, notice, lambda ctx, _, by: people.set_active(ctx, username, active, by)
        )

    router.post(f"/orang/{{username}}/{word}", name=f"account_{word}")(submit)


_state_route("nonaktifkan", False, "dinonaktifkan")
_state_route("aktifkan", True, "diaktifkan")


@router.post("/orang/{username}/peran")
async def roles_submit(request: Request, username: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    return await _act(
        request,
        session,
        username,
        "peran",
        lambda ctx, form, by: people.set_roles(ctx, username, _roles(form), by),
        keep=lambda form: Typed(roles=_roles(form)),
    )


@router.post("/orang/{username}/token/cabut")
async def revoke_submit(
    request: Request, username: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    def revoke(ctx: Context, form: ParsedForm, by: str) -> int:
        prefix = field(form, "awalan").strip()
        if not prefix:
            raise InvalidInput(NO_PREFIX, value="")
        return api_tokens.revoke_tokens(ctx, username, by=by, prefix=prefix)

    return await _act(request, session, username, "dicabut", revoke)


@router.post("/orang/{username}/token/cabut-semua")
async def revoke_all_submit(
    request: Request, username: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    return await _act(
        request, session, username, "dicabut", lambda ctx, _, by: api_tokens.revoke_tokens(ctx, username, by=by)
    )


@router.post("/orang/{username}/token")
async def issue_submit(request: Request, username: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    """A new token: its value is in this answer only (not cached, never in an address)."""
    with await posted_form(request, session) as form:
        access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
        typed = Typed(label=field(form, "label"), days=field(form, "masa_berlaku").strip())

    def issue() -> str:
        days = whole_number(typed.days, "Masa berlaku", "90") if typed.days else None
        return api_tokens.issue_token(
            context_of(request), username, typed.label or None, by=session.identity.username, expires_days=days
        )

    outcome = await _attempt(issue)
    if isinstance(outcome, Refusal):
        return await run_in_threadpool(_person_page, request, session, username, refusal=outcome, typed=typed)
    page = await run_in_threadpool(_person_page, request, session, username, new_token=outcome)
    page.headers["Cache-Control"] = "no-store"
    return page


async def _act(
    request: Request,
    session: LoginSession,
    username: str,
    done: str,
    action: Callable[[Context, ParsedForm, str], object],
    keep: Callable[[ParsedForm], Typed] = lambda form: Typed(),
) -> Response:
    """Read the form (CSRF checked), require the admin, run ``action`` (one service call, given the
    form and the actor); redirect with the notice ``done``, or show the refusal and what was typed."""
    with await posted_form(request, session) as form:
        access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
        outcome = await _attempt(lambda: action(context_of(request), form, session.identity.username))
        typed = keep(form)
    if isinstance(outcome, Refusal):
        return await run_in_threadpool(_person_page, request, session, username, refusal=outcome, typed=typed)
    return RedirectResponse(f"/orang/{quote(username, safe='')}?pesan={done}", status_code=303)


def _person_page(
    request: Request,
    session: LoginSession,
    username: str,
    *,
    notice: str = "",
    refusal: Refusal | None = None,
    typed: Typed | None = None,
    new_token: str = "",
) -> HTMLResponse:
    ctx = context_of(request)
    account = accounts.account_of(ctx, username)
    now = ctx.clock.now()
    typed = typed or Typed()
    tokens = [(token, api_tokens.token_status(token, now)) for token in account.tokens]
    values = {
        "person": account.person,
        "has_password": account.has_password,
        "tokens": [(token, status, TOKEN_STATUS_LABELS[status]) for token, status in tokens],
        "live_tokens": sum(status is TokenStatus.LIVE for _, status in tokens),
        "is_self": account.person.username == session.identity.username,
        "roles": _role_choices(request),
        "checked_roles": account.person.roles if typed.roles is None else typed.roles,
        "typed": typed,
        "min_password": passwords.MIN_PASSWORD_LENGTH,
        "max_token_days": api_tokens.MAX_TOKEN_DAYS,
        "new_token": new_token,
        "notice": notice,
        "error": refusal.message if refusal else "",
    }
    return render(request, "orang_detail.html", values, status=refusal.status if refusal else 200)
