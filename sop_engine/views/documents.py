"""The JSON of what a case produces on paper: register numbers, generated letters, archive bundles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from sop_engine.db.statuses import LetterStatus
from sop_engine.formatting import iso_local
from sop_engine.views.cases import CaseJson, case_json
from sop_engine.views.fields import Day, Doc, Instant

if TYPE_CHECKING:  # records only (see views/cases.py)
    from zoneinfo import ZoneInfo

    from sop_engine.archive import ArchiveRecord
    from sop_engine.archive_check import ArchiveCheck
    from sop_engine.documents import Generated
    from sop_engine.letters import LetterRecord


class LetterJson(TypedDict):
    """A number of the letter register, as ``sop letters ... --json`` prints it."""

    number: Annotated[str, Doc("Nomor surat lengkap.")]
    year: Annotated[int, Doc("Tahun register.")]
    seq: Annotated[int, Doc("Nomor urut dalam tahun itu.")]
    date: Annotated[Day, Doc("Tanggal surat.")]
    subject: Annotated[str, Doc("Perihal.")]
    case: Annotated[str | None, Doc("Kode kasus.")]
    step: Annotated[int | None, Doc("Nomor langkah.")]
    status: Annotated[LetterStatus, Doc("issued atau cancelled.")]
    issued_by: Annotated[str, Doc("Nama pengguna yang mengambil nomor.")]
    issued_at: Annotated[Instant, Doc("Waktu nomor diambil.")]
    cancelled_by: Annotated[str | None, Doc("Nama pengguna yang membatalkan.")]
    cancelled_at: Annotated[Instant | None, Doc("Waktu dibatalkan.")]
    cancel_reason: Annotated[str | None, Doc("Alasan pembatalan.")]


class GeneratedJson(TypedDict):
    """A generated letter (``sop surat ... --json``): the file, its number, the case it completed."""

    path: Annotated[str, Doc("Berkas .docx yang ditulis.")]
    letter: Annotated[LetterJson | None, Doc("Nomor surat yang dipakai.")]
    case: Annotated[CaseJson | None, Doc("Kasus, bila dokumen ini dilampirkan untuk menyelesaikan langkahnya.")]


class ArchiveJson(TypedDict):
    """An archive written by ``sop archive create --json``."""

    path: Annotated[str, Doc("Berkas .zip.")]
    case: Annotated[str, Doc("Kode kasus.")]
    created_at: Annotated[Instant, Doc("Dibuat.")]
    documents: Annotated[int, Doc("Jumlah dokumen.")]
    events: Annotated[int, Doc("Jumlah peristiwa audit.")]
    size: Annotated[int, Doc("Ukuran dalam bait.")]
    manifest_sha256: Annotated[str, Doc("Sidik arsip: sha256 manifest.json.")]


class ArchiveCheckJson(TypedDict):
    """The outcome of ``sop archive verify --json``."""

    ok: Annotated[bool, Doc("Arsip utuh.")]
    path: Annotated[str, Doc("Berkas .zip.")]
    case: Annotated[str | None, Doc("Kode kasus.")]
    documents: Annotated[int, Doc("Jumlah dokumen.")]
    events: Annotated[int, Doc("Jumlah peristiwa audit.")]
    manifest_sha256: Annotated[str | None, Doc("Sidik arsip.")]
    member: Annotated[str | None, Doc("Berkas arsip pertama yang bermasalah.")]
    problem: Annotated[str | None, Doc("Masalahnya.")]


def letter_json(letter: LetterRecord, tz: ZoneInfo) -> LetterJson:
    """One number of the register, instants with the office offset."""
    return {
        "number": letter.number,
        "year": letter.year,
        "seq": letter.seq,
        "date": letter.letter_date.isoformat(),
        "subject": letter.subject,
        "case": letter.case,
        "step": letter.step,
        "status": letter.status,
        "issued_by": letter.issued_by,
        "issued_at": iso_local(letter.issued_at, tz),
        "cancelled_by": letter.cancelled_by,
        "cancelled_at": iso_local(letter.cancelled_at, tz),
        "cancel_reason": letter.cancel_reason,
    }


def generated_json(generated: Generated, tz: ZoneInfo) -> GeneratedJson:
    return {
        "path": str(generated.path),
        "letter": letter_json(generated.letter, tz) if generated.letter else None,
        "case": case_json(generated.case, tz) if generated.case else None,
    }


def archive_json(record: ArchiveRecord, tz: ZoneInfo) -> ArchiveJson:
    return {
        "path": str(record.path),
        "case": record.case,
        "created_at": iso_local(record.created_at, tz),
        "documents": record.documents,
        "events": record.events,
        "size": record.size,
        "manifest_sha256": record.manifest_sha256,
    }


def archive_check_json(check: ArchiveCheck) -> ArchiveCheckJson:
    return {
        "ok": check.ok,
        "path": str(check.path),
        "case": check.case,
        "documents": check.documents,
        "events": check.events,
        "manifest_sha256": check.manifest_sha256,
        "member": check.member,
        "problem": check.problem,
    }
