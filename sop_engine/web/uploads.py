"""Receiving form posts and file uploads, streamed to disk while hashing.

Starlette's ``request.form()`` spools files in memory-or-disk objects with no limit on the body
as a whole and no hash; step documents need both. :func:`receive_form` feeds the request body to
python-multipart's push parser chunk by chunk (:mod:`~sop_engine.web.multipart`), writes each
file part to a temp file in ``temp_dir`` while hashing it, and stops with :class:`UploadTooLarge`
as soon as a limit is crossed, so the body is never held in memory. The user's file name is
cleaned and kept as metadata only; the bytes live under a random temp name.

The temp files belong to the returned :class:`ParsedForm`: call ``cleanup()`` or use it in a
``with`` block. When receiving fails, every temp file already written is deleted before the
error propagates. A client that goes away mid-post (tab closed, network lost) is one log line,
not a traceback: its temp files are deleted and the post ends as :class:`UploadRejected`. A
process killed mid-upload cannot clean up: :func:`sweep_stale_uploads` (run when ``sop serve``
starts) removes what it left. The form and its refusals are defined in :mod:`~sop_engine.web.form_data`.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from sop_engine.context import Context
from sop_engine.leftovers import STALE_AFTER, Swept, remove_stale
from sop_engine.web.form_data import (
    FormLimits,
    ParsedForm,
    UploadRejected,
    UploadTooLarge,
    add_field,
    decode_name,
    too_many_fields,
)
from sop_engine.web.multipart import TEMP_PREFIX, receive_multipart

log = logging.getLogger(__name__)

_FORM_TYPES = "multipart/form-data atau application/x-www-form-urlencoded"
_DIGITS = re.compile(r"[0-9]+")


#: Files one step completion may carry.
MAX_FILES = 10
#: Room for the form's text fields and the multipart framing on top of the files.
FORM_OVERHEAD_BYTES = 1024 * 1024


def upload_dir(ctx: Context) -> Path:
    """Where uploads wait while they are checked: beside the artefact store, on the same disk."""
    return ctx.settings.storage.artefacts_dir.parent / "tmp-uploads"


def sweep_stale_uploads(temp_dir: Path, now: datetime, older_than: timedelta = STALE_AFTER) -> Swept:
    """Remove the upload temp files in ``temp_dir`` not written since ``now - older_than`` (a killed process's)."""
    return remove_stale(temp_dir.glob(TEMP_PREFIX + "*"), now, older_than)


async def receive_form(
    request: Request,
    temp_dir: Path,
    *,
    max_file_bytes: int,
    max_body_bytes: int,
    max_fields: int = 100,
    max_field_bytes: int = 64 * 1024,
) -> ParsedForm:
    """Read a form post: ``multipart/form-data`` (files go to temp files in ``temp_dir``) or urlencoded.

    ``max_fields`` counts every part of a multipart body, files included. Raises
    :class:`UploadTooLarge` when the declared or actual body exceeds ``max_body_bytes`` or a file
    exceeds ``max_file_bytes``, and :class:`UploadRejected` for anything that is not a readable form.
    """
    limits = FormLimits(max_file_bytes, max_body_bytes, max_fields, max_field_bytes)
    content_type = request.headers.get("content-type")
    kind, options = parse_options_header(content_type)
    if kind not in (b"multipart/form-data", b"application/x-www-form-urlencoded"):
        raise UploadRejected(_wrong_type_message(content_type))
    _check_declared_length(request, limits.body_bytes)
    try:
        if kind == b"multipart/form-data":
            return await receive_multipart(request, temp_dir, options.get(b"boundary"), limits)
        return await _receive_urlencoded(request, limits)
    except ClientDisconnect:  # the temp files are already deleted (receive_multipart)
        log.info("client disconnected during a form post to %s; its temp files were removed", request.url.path)
        raise UploadRejected(
            "Koneksi terputus sebelum kiriman formulir selesai diterima; kirim formulirnya lagi."
        ) from None


def _wrong_type_message(content_type: str | None) -> str:
    if not content_type:
        return f"Permintaan tidak menyebut jenis isinya (Content-Type); kirim formulir ({_FORM_TYPES})."
    return f"Jenis isi '{content_type}' tidak dapat diterima; yang diharapkan formulir ({_FORM_TYPES})."


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not _DIGITS.fullmatch(declared.strip()):
        raise UploadRejected(f"Content-Length '{declared}' bukan jumlah bait yang sah; kirim ulang formulirnya.")
    if int(declared) > limit:
        raise UploadTooLarge(limit)


# --- application/x-www-form-urlencoded ----------------------------------------------------


async def _receive_urlencoded(request: Request, limits: FormLimits) -> ParsedForm:
    cap = min(limits.body_bytes, limits.fields * limits.field_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise UploadTooLarge(cap)
    form = ParsedForm()
    # latin-1 maps bytes to characters one to one, so each value encodes back to its exact
    # percent-decoded bytes, which add_field then decodes as UTF-8 (naming the field on failure).
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    if len(pairs) > limits.fields:
        raise too_many_fields(limits.fields)
    for name, value in pairs:
        add_field(form, decode_name(name.encode("latin-1")), value.encode("latin-1"), limits)
    return form
