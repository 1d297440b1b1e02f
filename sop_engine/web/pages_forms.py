"""What every page form post shares: reading the body within limits, the CSRF check, refusals.

A form is read by :func:`posted_form` (streamed, files to temp files, limits from
``[storage]``), and its CSRF token is checked before the route does anything else. A service's
refusal that the page shows to the person who caused it (invalid input, not allowed, not found,
conflict) gets its status from :func:`sop_engine.web.statuses.refusal_status`; anything else goes to the app's handler.
"""

from __future__ import annotations

import re

from fastapi import Request

from sop_engine.errors import InvalidInput
from sop_engine.logins import LoginSession
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.form_data import ParsedForm
from sop_engine.web.uploads import FORM_OVERHEAD_BYTES, receive_form, upload_dir

_DIGITS = re.compile(r"[0-9]{1,9}")


async def posted_form(request: Request, session: LoginSession, files: int = 0) -> ParsedForm:
    """The posted form, after its CSRF token was checked; use it in a ``with`` block (temp files).

    ``files`` is how many files the form may carry; the body may hold that many files of the
    upload limit plus the text fields.
    """
    ctx = context_of(request)
    limit = ctx.settings.storage.max_upload_bytes
    form = await receive_form(
        request,
        upload_dir(ctx),
        max_file_bytes=limit,
        max_body_bytes=limit * files + FORM_OVERHEAD_BYTES,
    )
    try:
        auth.check_csrf(session, form.get(auth.CSRF_FIELD))
        if files == 0 and form.files:
            form.cleanup()
            form.files.clear()
    except BaseException:
        form.cleanup()
        raise
    return form


def field(form: ParsedForm, name: str) -> str:
    """A text field's value, or "" when the form lacks it."""
    return form.get(name) or ""


def whole_number(text: str, label: str, example: str) -> int:
    """``text`` as an integer, or InvalidInput naming the value."""
    cleaned = text.strip()
    if not _DIGITS.fullmatch(cleaned):
        raise InvalidInput(f"{label} '{text}' bukan bilangan bulat; isikan angka, misalnya {example}.", value=text)
    return int(cleaned)
