"""Jinja2 pages: one autoescaping environment, the Indonesian filters, and ``render``.

Autoescaping is on for every template and undefined names are errors, so user text (a note, a
reason, a file name) is always shown as text and a template typo fails a test instead of
rendering blank.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context as TemplateContext

from sop_engine import workflows
from sop_engine.config_calendar import CalendarSettings
from sop_engine.context import Context
from sop_engine.definitions import WorkflowDef
from sop_engine.durations import format_working_seconds
from sop_engine.errors import SopError
from sop_engine.formatting import format_instant, format_instant_short, format_rupiah, format_size
from sop_engine.logins import LoginSession
from sop_engine.policy import Permission, may_start, roles_for
from sop_engine.roles import DEFAULT_ROLES
from sop_engine.views.labels import ANSWER_LABELS, STATUS_LABELS
from sop_engine.web.auth import context_of

TEMPLATES = Path(__file__).with_name("templates")

#: The navigation: (path, label, the permissions whose roles see it; empty = everyone logged in).
NAVIGATION: tuple[tuple[str, str, tuple[Permission, ...]], ...] = (
    ("/tugas", "Tugas Saya", (Permission.WORK_ON_STEPS,)),
    ("/kasus", "Kasus", (Permission.WORK_ON_STEPS, Permission.READ_ALL_CASES)),
    ("/kasus/baru", "Mulai kasus", (Permission.START_CASE,)),  # shown by the SOPs' dimulai_oleh (see startable)
    ("/surat", "Register Surat", (Permission.WRITE_LETTERS, Permission.READ_ALL_CASES)),
    ("/audit", "Jejak Audit", (Permission.READ_AUDIT,)),
    ("/evaluasi", "Evaluasi SOP", (Permission.READ_AUDIT,)),
    ("/orang", "Orang", (Permission.MANAGE_PEOPLE,)),
    ("/pengawas", "Pengawasan", (Permission.READ_OFFICES,)),
)


@pass_context
def working_time_text(context: TemplateContext, seconds: int) -> str:
    """Working time people read, in the office's working days as the CLI and the notifications write
    it: "2 hari 3 jam", "45 menit", "terlambat 1 hari 1 jam 5 menit" (the ``waktu_kerja`` filter)."""
    request: Request | None = context.get("request")
    settings = context_of(request).settings.calendar if request is not None else None
    per_day = settings.jam_kerja_per_hari if settings is not None else CalendarSettings().jam_kerja_per_hari
    text = format_working_seconds(abs(seconds), per_day)
    return f"terlambat {text}" if seconds < 0 else text


@pass_context
def _role_label(context: TemplateContext, role: str) -> str:
    """The office's name of ``role`` (config.toml's ``[peran]``), for the ``peran`` filter."""
    request: Request | None = context.get("request")
    roles = context_of(request).settings.roles if request is not None else DEFAULT_ROLES
    return str(roles.label(role))


def _environment() -> Environment:
    # The templates ship with the package: each is read and compiled once per process (auto_reload off:
    # no stat of the template and its parents at every render).
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, auto_reload=False)
    env.filters["peran"] = _role_label
    env.filters["status"] = lambda status: STATUS_LABELS.get(status, status)
    env.filters["jawaban"] = lambda answer: ANSWER_LABELS.get(answer, answer)
    env.filters["ukuran"] = format_size
    env.filters["rupiah"] = format_rupiah
    env.filters["waktu_kerja"] = working_time_text
    return env


ENVIRONMENT = _environment()


#: The start page: in the menu of whoever may start a case of some SOP (its ``dimulai_oleh``).
START_PATH = "/kasus/baru"


def startable(ctx: Context, roles: tuple[str, ...]) -> list[WorkflowDef]:
    """The SOPs in the workflows folder a person holding ``roles`` may start, by id."""
    definitions = workflows.on_disk(ctx).values()
    return sorted((d for d in definitions if may_start(roles, d)), key=lambda d: d.name)


def _navigation(ctx: Context, identity: Any) -> list[tuple[str, str]]:
    """The menu entries ``identity`` may open: by permission, the start page by the SOPs' ``dimulai_oleh``
    (by the START_CASE grant when the workflows folder cannot be read, so that an error page renders)."""
    if identity is None:
        return []
    shown = []
    for path, label, permissions in NAVIGATION:
        allowed = not permissions or any(identity.has(*roles_for(p, ctx.settings.roles)) for p in permissions)
        if path == START_PATH:
            with suppress(SopError):
                allowed = bool(startable(ctx, identity.roles))
        if allowed:
            shown.append((path, label))
    return shown


def current_nav(path: str) -> str | None:
    """The menu entry a page belongs to: the longest one whose path is the page's or a folder of it."""
    found = [p for p, _, _ in NAVIGATION if path == p or path.startswith(p.rstrip("/") + "/")]
    return max(found, key=len, default=None)


def render(request: Request, template: str, values: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a page with the common values: the office, the user, the CSRF token, the navigation."""
    ctx = context_of(request)  # the office of the person asking
    session: LoginSession | None = getattr(request.state, "login_session", None)
    identity = session.identity if session else None

    def waktu(at: datetime | None) -> str:
        return format_instant(at, ctx.tz) if at else "-"

    def waktu_pendek(at: datetime | None) -> str:
        return format_instant_short(at, ctx.tz) if at else "-"

    common = {
        "request": request,
        "office_name": ctx.settings.office.name,
        "user": identity,
        "csrf_token": session.csrf_token if session else "",
        "navigation": _navigation(ctx, identity),
        "current_nav": current_nav(request.url.path),
        "waktu": waktu,
        "waktu_pendek": waktu_pendek,
        "now": ctx.clock.now(),
    }
    html = ENVIRONMENT.get_template(template).render({**common, **values})
    return HTMLResponse(html, status_code=status)
