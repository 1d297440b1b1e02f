"""Documents attached to steps: what a file is, whether a step accepts it, and the records of those kept.

The bytes are kept by the content-addressed store of :mod:`sop_engine.store` (small documents, or
all with ``[storage] backend = "database"``, in the database with their step, larger ones in
``<artefacts_dir>/ab/cd/<sha256>``); the database
keeps the metadata (kind, original filename, size, sha256, uploader, time, case and step). A
file's type is decided by its content, never by its name, and must agree with the name's
extension; every read re-checks the hash.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select

from sop_engine import safezip
from sop_engine.context import Context
from sop_engine.db.models import Artefact
from sop_engine.db.queries import find_case
from sop_engine.definitions import StepDef
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.formatting import format_size
from sop_engine.remedies import Hint, Remedy
from sop_engine.store import ArtefactStore as ArtefactStore
from sop_engine.store import VerifiedFile as VerifiedFile
from sop_engine.store import sha256_to_end
from sop_engine.store import store_for as store_for
from sop_engine.views.labels import FILE_KIND_LABELS

#: File kinds by extension (lower case, without the dot).
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
    "ods": "ods",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
}


@dataclass(frozen=True)
class ArtefactRecord:
    """A stored document as the services hand it out."""

    id: str
    case: str
    step: int
    round: int
    kind: str
    file_kind: str
    filename: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class IncomingFile:
    """A file offered for a step: where its bytes are and the name the user gave it."""

    path: Path
    filename: str

    @classmethod
    def from_path(cls, path: str | Path) -> IncomingFile:
        return cls(Path(path), Path(path).name)


@dataclass(frozen=True)
class CheckedFile:
    """An incoming file that passed the checks: its kind, hash and size are known."""

    incoming: IncomingFile
    file_kind: str
    sha256: str
    size: int


@dataclass(frozen=True)
class InspectedFile:
    """An incoming file read once, before any transaction opens: its kind by content, hash and size.

    ``problem`` holds why it cannot be used whatever the step (missing, empty, too large); it is
    raised by :func:`accept` in the order the checks are documented.
    """

    incoming: IncomingFile
    size: int
    file_kind: str = "unknown"
    sha256: str = ""
    problem: InvalidInput | None = None


def sniff_kind(path: Path) -> str:
    """The file's kind from its content: pdf, docx, xlsx, odt, ods, jpeg, png, or what it really is."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith(b"#!"):
        return "script"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    return "unknown"


def _sniff_zip(path: Path) -> str:
    """The kind of a zip container, reading its directory and at most 256 bytes of one member."""
    try:
        names = safezip.survey(path).names
        if "mimetype" in names:
            mimetype = safezip.read_head(path, "mimetype").decode("ascii", "replace").strip()
            return {
                "application/vnd.oasis.opendocument.text": "odt",
                "application/vnd.oasis.opendocument.spreadsheet": "ods",
            }.get(mimetype, "zip")
    except safezip.UnsafeZip as exc:
        return "bomb" if exc.bomb else "unknown"
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return "zip"


def inspect_file(incoming: IncomingFile, max_bytes: int) -> InspectedFile:
    """Read ``incoming`` once: size, kind by content and sha256 (no database, no transaction)."""
    name = incoming.filename
    if not incoming.path.is_file():
        shown = str(incoming.path) if incoming.path.name == name else name  # never reveal a server's temp path
        missing = InvalidInput(f"Berkas '{shown}' tidak ditemukan; periksa nama dan foldernya.", value=shown)
        return InspectedFile(incoming, 0, problem=missing)
    size = incoming.path.stat().st_size
    if size > max_bytes:
        problem = InvalidInput(
            f"Berkas '{name}' berukuran {format_size(size)}, melebihi batas {format_size(max_bytes)}. "
            "Perkecil berkasnya (misalnya simpan ulang PDF dengan kualitas lebih rendah).",
            value=name,
            size=size,
            limit=max_bytes,
        )
        return InspectedFile(incoming, size, problem=problem)
    if size == 0:
        empty = InvalidInput(f"Berkas '{name}' kosong (0 bait); lampirkan dokumen yang berisi.", value=name)
        return InspectedFile(incoming, 0, problem=empty)
    return InspectedFile(incoming, size, sniff_kind(incoming.path), _sha256_of(incoming.path))


def accept(inspected: InspectedFile, step: StepDef) -> CheckedFile:
    """Check an inspected file against what ``step`` accepts: its name's kind and its content's kind."""
    if inspected.problem is not None:
        raise inspected.problem
    name = inspected.incoming.filename
    allowed = ", ".join(step.file_kinds)
    extension = Path(name).suffix.lower().lstrip(".") if Path(name).stem else ""
    by_name = EXTENSIONS.get(extension)
    if by_name is None or by_name not in step.file_kinds:
        given = f"berjenis '.{extension}'" if extension else "tidak berakhiran jenis berkas (misalnya .pdf)"
        raise InvalidInput(
            f"Berkas '{name}' {given}, tidak diterima untuk langkah {step.no}; jenis yang diterima: {allowed}.",
            value=name,
            allowed=allowed,
        )
    by_content = inspected.file_kind
    if by_content != by_name:
        raise InvalidInput(
            f"Berkas '{name}' bernama .{extension} tetapi isinya {FILE_KIND_LABELS.get(by_content, by_content)}, "
            f"bukan {FILE_KIND_LABELS[by_name]}. Lampirkan {FILE_KIND_LABELS[by_name]} yang asli.",
            value=name,
            detected=by_content,
        )
    return CheckedFile(inspected.incoming, by_content, inspected.sha256, inspected.size)


def check_file(incoming: IncomingFile, step: StepDef, max_bytes: int) -> CheckedFile:
    """Check that a file exists, is within the size limit and is a kind the step accepts.

    The kind is read from the content and must match the file name's extension.
    """
    return accept(inspect_file(incoming, max_bytes), step)


def _sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_to_end(handle)


def new_artefact_id() -> str:
    """A short random identifier for an attached document (12 hex characters)."""
    return secrets.token_hex(6)


def record_of(artefact: Artefact | Row[Any], case_code: str) -> ArtefactRecord:
    """The record of a document: from its ORM object, or from its row read without the ORM."""
    return ArtefactRecord(
        id=artefact.id,
        case=case_code,
        step=artefact.step_no,
        round=artefact.round,
        kind=artefact.kind,
        file_kind=artefact.file_kind,
        filename=artefact.filename,
        size=artefact.size,
        sha256=artefact.sha256,
        uploaded_by=artefact.uploaded_by,
        uploaded_at=artefact.uploaded_at,
    )


def list_artefacts(ctx: Context, case_code: str) -> list[ArtefactRecord]:
    """The documents of one case, oldest first."""
    with ctx.db.read() as session:
        case = find_case(session, ctx.office(session).id, case_code)
        return [record_of(a, case.code) for a in case.artefacts]


def get_artefact(ctx: Context, case_code: str, artefact_id: str, destination: Path) -> ArtefactRecord:
    """Write one document's bytes to ``destination`` after re-checking its hash."""
    with ctx.db.read() as session:
        case = find_case(session, ctx.office(session).id, case_code)
        artefact = session.scalar(select(Artefact).where(Artefact.case_id == case.id, Artefact.id == artefact_id))
        if artefact is None:
            known = ", ".join(a.id for a in case.artefacts) or "belum ada"
            raise NotFound(
                f"Dokumen '{artefact_id}' tidak ada di kasus {case.code}; dokumen yang ada: {known}.",
                value=artefact_id,
                hint=Hint(Remedy.LIST_ARTEFACTS, case=case.code),
            )
        record = record_of(artefact, case.code)
    data = store_for(ctx).read(record.sha256)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)
    return record
