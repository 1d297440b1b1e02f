"""Sending a stored document to a browser or a program: its media type and download headers.

A document is streamed in small chunks, never held whole: its hash is re-checked in a first
chunked pass before the answer starts (an altered file answers 500 with the Indonesian
IntegrityError), and again while it is sent (see :class:`sop_engine.artefacts.VerifiedFile`).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response
from fastapi.responses import StreamingResponse

from sop_engine import artefacts
from sop_engine.artefacts import ArtefactRecord
from sop_engine.context import Context

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
