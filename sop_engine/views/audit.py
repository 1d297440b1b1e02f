"""The JSON of the audit trail: one event (``sop audit log --json``) and a check of the chain
(``sop audit verify --json``), the API's answers alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from sop_engine.formatting import iso_local
from sop_engine.views.fields import Doc, Instant

if TYPE_CHECKING:  # records only (see views/cases.py)
    from zoneinfo import ZoneInfo

    from sop_engine.audit import AuditRecord
    from sop_engine.chain import VerifyResult


class EventJson(TypedDict):
    """One event as ``sop audit log --json`` prints it."""

    seq: Annotated[int, Doc("Nomor urut dalam rantai kantor.")]
    recorded_at: Annotated[Instant, Doc("Waktu dicatat.")]
    stated_at: Annotated[Instant, Doc("Waktu kejadian menurut pelaku (bila dicatat belakangan).")]
    actor: Annotated[str, Doc("Nama pengguna pelaku, atau 'sistem' / 'penjadwal'.")]
    role: Annotated[str, Doc("Peran pelaku saat bertindak.")]
    action: Annotated[str, Doc("Tindakan, misalnya 'step.completed'.")]
    case: Annotated[str | None, Doc("Kode kasus, bila tindakannya tentang kasus.")]
    step: Annotated[int | None, Doc("Nomor langkah, bila tindakannya tentang langkah.")]
    details: Annotated[dict[str, Any], Doc("Rincian tindakan: sebelum/sesudah, alasan, hash berkas.")]
    prev_hash: Annotated[str, Doc("Hash peristiwa sebelumnya.")]
    hash: Annotated[str, Doc("sha256(prev_hash || JSON kanonik peristiwa ini).")]


class VerifyJson(TypedDict):
    """The outcome of ``sop audit verify --json``."""

    ok: Annotated[bool, Doc("Rantai utuh dan tabel sesuai dengan jejak audit.")]
    events: Annotated[int, Doc("Jumlah peristiwa yang diperiksa.")]
    head_seq: Annotated[int, Doc("Nomor kepala rantai yang tercatat.")]
    head_hash: Annotated[str, Doc("Hash kepala rantai yang tercatat.")]
    first_bad_seq: Annotated[int | None, Doc("Peristiwa pertama yang rusak.")]
    problem: Annotated[str | None, Doc("Apa yang rusak, dalam kata-kata.")]
    mismatches: Annotated[
        list[str], Doc("Isian tabel yang tidak sesuai dengan jejak audit (rantainya sendiri bisa tetap utuh).")
    ]


def event_json(e: AuditRecord, tz: ZoneInfo) -> EventJson:
    """The ``sop audit log --json`` shape of one event, instants with the office offset."""
    return {
        "seq": e.seq,
        "recorded_at": iso_local(e.recorded_at, tz),
        "stated_at": iso_local(e.stated_at, tz),
        "actor": e.actor,
        "role": e.role,
        "action": e.action,
        "case": e.case,
        "step": e.step,
        "details": dict(e.details),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def verify_json(result: VerifyResult) -> VerifyJson:
    """The ``sop audit verify --json`` document (also the API's)."""
    return {
        "ok": result.ok,
        "events": result.events,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "first_bad_seq": result.first_bad_seq,
        "problem": result.problem,
        "mismatches": list(result.mismatches),
    }
