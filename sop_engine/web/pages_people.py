"""Orang: the admin's list of the office's people and the form that adds one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sop_engine import access, people
from sop_engine.accounts import LoginSession
from sop_engine.definitions import ROLE_LABELS, ROLES
from sop_engine.errors import SopError
from sop_engine.people import NewPerson
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.pages_forms import field, posted_form
from sop_engine.web.rendering import render
from sop_engine.web.statuses import refusal_status

router = APIRouter(include_in_schema=False)

#: The text fields of the add form (the roles are the checkboxes ``peran``).
TEXT_FIELDS = ("username", "name", "nip", "supervisor", "email", "phone")
NOTICES = {"ditambahkan": "Pegawai telah ditambahkan. Setel kata sandinya dengan `sop people set-password`."}
_WHAT = "Halaman Orang"


@router.get("/orang")
def people_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
    return _page(request, notice=NOTICES.get(request.query_params.get("pesan", ""), ""))


@router.post("/orang")
async def add_submit(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    with await posted_form(request, session) as form:
        access.require(session.identity, access.MANAGES_PEOPLE, _WHAT)
        typed = {name: field(form, name).strip() for name in TEXT_FIELDS}
        roles = tuple(form.fields.get("peran", []))
        new = NewPerson(
            username=typed["username"],
            name=typed["name"],
            roles=roles,
            nip=typed["nip"] or None,
            email=typed["email"] or None,
            phone=typed["phone"] or None,
            supervisor=typed["supervisor"] or None,
        )
        try:
            await run_in_threadpool(people.add_person, context_of(request), new, session.identity.username)
        except SopError as exc:
            status = refusal_status(exc)
            if status is None:
                raise
            return await run_in_threadpool(_page, request, status, "", exc.message, typed, roles)
    return RedirectResponse("/orang?pesan=ditambahkan", status_code=303)


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
        "roles": [(role, ROLE_LABELS.get(role, role)) for role in ROLES],
        "typed": typed or dict.fromkeys(TEXT_FIELDS, ""),
        "typed_roles": roles,
        "notice": notice,
        "error": error,
    }
    return render(request, "orang.html", values, status=status)
