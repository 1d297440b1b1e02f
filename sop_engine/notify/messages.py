"""Rendering a notification into the words a person reads (Bahasa Indonesia).

Templates live in the office-editable ``notifications/`` folder: for each kind (``reminder``,
``due``, ``escalation``, ``digest``) a ``.subject.j2``, a ``.txt.j2`` and an ``.html.j2``. They
are rendered with ``StrictUndefined``, so a missing value is an error, never a blank. Every
value a template needs is computed here; templates hold no business rules.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from sop_engine.context import Context
from sop_engine.durations import format_working_seconds
from sop_engine.errors import ConfigError
from sop_engine.formatting import format_instant


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, with the addresses each channel needs."""

    username: str
    name: str
    email: str | None
    phone: str | None
    chat_id: str | None


@dataclass(frozen=True)
class Message:
    """A rendered notification, ready for any channel."""

    notification_id: int
    kind: str
    level: int
    subject: str
    text: str
    html: str
    message_id: str
    to: Recipient
    cc: tuple[Recipient, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


def environment(folder: Path) -> Environment:
    """The Jinja2 environment of the templates folder (HTML escaped, undefined values refused)."""
    if not folder.is_dir():
        raise ConfigError(
            f"Folder templat notifikasi '{folder}' tidak ada; periksa [notifications] templates_dir di config.toml.",
            value=str(folder),
        )
    return Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(env: Environment, kind: str, values: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``kind`` with ``values``; ConfigError names a broken template."""
    try:
        subject = env.get_template(f"{kind}.subject.j2").render(values).strip()
        text = env.get_template(f"{kind}.txt.j2").render(values)
        html = env.get_template(f"{kind}.html.j2").render(values)
    except TemplateError as exc:
        raise ConfigError(
            f"Templat notifikasi '{kind}' tidak dapat dibuat: {exc}. Periksa berkas {kind}.*.j2 di folder "
            f"{_folder(env)}.",
            value=kind,
        ) from exc
    return " ".join(subject.split()), text, html


def warm_up(env: Environment, kinds: Iterable[str]) -> None:
    """Compile the templates of ``kinds`` now, so that the first message due does not wait for it.

    A template that cannot be loaded is left for the message that needs it to report.
    """
    for kind in kinds:
        for part in ("subject", "txt", "html"):
            with contextlib.suppress(TemplateError):
                env.get_template(f"{kind}.{part}.j2")


def _folder(env: Environment) -> str:
    loader = env.loader
    return ", ".join(str(p) for p in loader.searchpath) if isinstance(loader, FileSystemLoader) else "templat"


@functools.lru_cache(maxsize=1024)
def _minute(at: datetime, tz: ZoneInfo) -> str:
    return format_instant(at, tz)


def instant(at: datetime, tz: ZoneInfo) -> str:
    """:func:`format_instant`, remembered by the minute it shows (a batch shares its moments)."""
    return _minute(at.replace(second=0, microsecond=0), tz)


def common_values(ctx: Context, recipient: Recipient, now: datetime) -> dict[str, Any]:
    """What every template may use: the office, the person, the moment, the web address."""
    return {
        "office": ctx.settings.office.name,
        "recipient": recipient,
        "now": instant(now, ctx.tz),
        "base_url": ctx.settings.base_url,
    }


def step_values(
    ctx: Context,
    *,
    case: str,
    title: str,
    year: int,
    step_no: int,
    step_name: str,
    role: str,
    output: str,
    file_required: bool,
    budget: str,
    activated_at: datetime,
    due_at: datetime,
    now: datetime,
    level: int,
    cc_names: list[str],
    chain: tuple[str, ...] = (),
    paraf: int = 0,
) -> dict[str, Any]:
    """The values of a reminder, due notice or escalation about one step; ``role`` is the one whose turn it
    is, at position ``paraf`` of the step's paraf ``chain`` (its roles in order; empty: one actor)."""
    late_seconds = max(0, ctx.calendar.working_seconds_between(due_at, now)) if now > due_at else 0
    left_seconds = max(0, ctx.calendar.working_seconds_between(now, due_at)) if now < due_at else 0
    per_day = ctx.calendar.jam_kerja_per_hari
    return {
        "case": case,
        "title": title,
        "year": year,
        "step_no": step_no,
        "step_name": step_name,
        "role": role,
        "role_label": ctx.settings.roles.label(role),
        "output": output,
        "file_required": file_required,
        "budget": budget,
        "activated_at": instant(activated_at, ctx.tz),
        "due_at": instant(due_at, ctx.tz),
        "late": late_seconds > 0,
        "late_text": format_working_seconds(late_seconds, per_day),
        "left_text": format_working_seconds(left_seconds, per_day),
        "level": level,
        "cc_names": cc_names,
        "link": f"{ctx.settings.base_url}/kasus/{case}",
        # A later actor of a paraf chain confirms the document the first one attached:
        "paraf": paraf,
        "paraf_no": paraf + 1,
        "paraf_of": max(len(chain), 1),
        "first_role_label": ctx.settings.roles.label(chain[0] if chain else role),
    }
