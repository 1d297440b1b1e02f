"""Sending a stored document to a browser or a program: its media type and download headers.

The HTML preview of the draft LKj is the one file shown in the browser instead (``inline``), under
its own narrow Content-Security-Policy (:data:`PREVIEW_POLICY`).

A document is streamed in small chunks, never held whole: its hash is re-checked in a first
chunked pass before the answer starts (an altered file answers 500 with the Indonesian
IntegrityError), and again while it is sent (see :class:`sop_engine.artefacts.VerifiedFile`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from sop_engine import archive, artefacts
from sop_engine.artefacts import ArtefactRecord
from sop_engine.context import Context
from sop_engine.lakip import draft, service
from sop_engine.web.uploads import upload_dir

#: Content types of the stored file kinds.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
ZIP_TYPE = "application/zip"

#: The Content-Security-Policy of a generated HTML preview shown in the browser: its own ``<style>``
#: and ``data:`` images (a logo) only; no script, fetch, form, frame or base URL, and sandboxed, so
#: the page runs as an opaque origin without the site's cookies even if a value slipped into it.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; sandbox"
)


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII fallback name and the real name per RFC 5987."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename) or "dokumen"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def document_response(ctx: Context, record: ArtefactRecord) -> Response:
    """The document streamed as a private download under its stored name, its hash re-checked first."""
    verified = artefacts.store_for(ctx).open_verified(record.sha256)
    return StreamingResponse(
        verified.chunks(),
        media_type=MEDIA_TYPES.get(record.file_kind, "application/octet-stream"),
        headers={
            "Content-Length": str(verified.size),
            "Content-Disposition": attachment(record.filename),
            "Cache-Control": "private, no-store",
        },
    )


def generated_download(
    ctx: Context,
    build: Callable[[Path], tuple[Path, Mapping[str, str]]],
    media_type: str,
    disposition: Literal["attachment", "inline"] = "attachment",
) -> FileResponse:
    """A file ``build`` writes into a fresh temp folder (returning it and extra headers), sent as a
    private download (or, ``inline``, to be shown in the browser); the folder is removed once sent,
    or at once when ``build`` fails."""
    parent = upload_dir(ctx)
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="unduhan-", dir=parent))
    try:
        path, headers = build(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=media_type,
        filename=path.name,
        content_disposition_type=disposition,
        headers={"Cache-Control": "private, no-store", **headers},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def archive_download_response(ctx: Context, code: str) -> FileResponse:
    """The archive of case ``code`` (``sop archive create``), its fingerprint in ``X-Sidik-Arsip``."""

    def build(folder: Path) -> tuple[Path, Mapping[str, str]]:
        record = archive.build_archive(ctx, code, folder / f"arsip-{code}.zip")
        return record.path, {"X-Sidik-Arsip": record.manifest_sha256}

    return generated_download(ctx, build, ZIP_TYPE)


def draft_download_response(ctx: Context, code: str, preview: bool) -> FileResponse:
    """The draft LKj of LAKIP case ``code`` (``sop lakip draft``), not attached: the .docx as a download,
    or its HTML preview shown in the browser under :data:`PREVIEW_POLICY`."""

    def build(folder: Path) -> tuple[Path, Mapping[str, str]]:
        year = service.report_year(ctx, code)
        docx_path = folder / f"draf-lkj-{year}.docx"
        html_path = folder / f"draf-lkj-{year}.html" if preview else None
        record = draft.draft_lkj(ctx, year, docx_path, case=code, html_path=html_path)
        return (record.html_path or record.path), {"Content-Security-Policy": PREVIEW_POLICY} if preview else {}

    if preview:
        return generated_download(ctx, build, "text/html; charset=utf-8", "inline")
    return generated_download(ctx, build, MEDIA_TYPES["docx"])
