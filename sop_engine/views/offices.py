"""The JSON of the offices of a central install: ``sop offices list --json`` and the pengawas's
progress of each office's LAKIP case (``sop offices list --tahun``, ``GET /api/v1/offices``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict
from zoneinfo import ZoneInfo

from sop_engine.db.statuses import CaseStatus
from sop_engine.formatting import iso_local
from sop_engine.views.fields import Doc, Instant

if TYPE_CHECKING:  # records only (see views/cases.py)
    from sop_engine.offices import OfficeProgress, OfficeRecord


class OfficeJson(TypedDict):
    """An office as ``sop offices list --json`` prints it."""

    satker: Annotated[str, Doc("Kode satker.")]
    name: Annotated[str, Doc("Nama kantor.")]
    zone: Annotated[str, Doc("Zona waktu kantor: WIB, WITA atau WIT.")]
    address: Annotated[str, Doc("Alamat pada kop surat.")]
    phone: Annotated[str, Doc("Telepon pada kop surat.")]
    website: Annotated[str, Doc("Situs web pada kop surat.")]
    parent: Annotated[str | None, Doc("Kode satker kantor induk (pengawasnya membaca kantor ini).")]
    people: Annotated[int, Doc("Jumlah pegawai.")]
    email: Annotated[str, Doc("Alamat pos-el pada kop surat (kosong bila tidak ada).")]
    logo_sha256: Annotated[str | None, Doc("SHA-256 logo kop kantor; null bila tanpa logo.")]
    from_config: Annotated[bool, Doc("Pengaturannya dari config.toml (kantor instalasi tunggal), bukan basis data.")]


class ProgressJson(TypedDict):
    """One office's LAKIP case of the year, as its pengawas reads it."""

    satker: Annotated[str, Doc("Kode satker.")]
    name: Annotated[str, Doc("Nama kantor.")]
    zone: Annotated[str, Doc("Zona waktu kantor.")]
    case: Annotated[str | None, Doc("Kode kasus LAKIP tahun itu; null bila belum dimulai.")]
    status: Annotated[CaseStatus | None, Doc("Status kasus.")]
    step: Annotated[int | None, Doc("Nomor langkah yang sedang berjalan.")]
    step_name: Annotated[str | None, Doc("Uraian langkah yang sedang berjalan.")]
    role: Annotated[str | None, Doc("Peran yang mengerjakan langkah itu.")]
    due_at: Annotated[Instant | None, Doc("Tenggat langkah itu (waktu kantor tersebut).")]
    late_seconds: Annotated[int, Doc("Detik kerja lewat tenggat menurut kalender kantor itu (0 bila tepat waktu).")]
    late: Annotated[str, Doc("Keterlambatan dalam waktu kerja, misalnya 'terlambat 1 jam 5 menit'; kosong bila tidak.")]


def office_json(office: OfficeRecord) -> OfficeJson:
    """One office of ``sop offices list --json``."""
    return {
        "satker": office.satker,
        "name": office.name,
        "zone": office.zone,
        "address": office.address,
        "phone": office.phone,
        "website": office.website,
        "parent": office.parent,
        "people": office.people,
        "email": office.email,
        "logo_sha256": office.logo_sha256,
        "from_config": office.from_config,
    }


def progress_json(progress: OfficeProgress) -> ProgressJson:
    """One office's LAKIP progress; instants in the office's own zone."""
    case, step, tz = progress.case, progress.step, ZoneInfo(progress.timezone)
    return {
        "satker": progress.satker,
        "name": progress.name,
        "zone": progress.zone,
        "case": case.id if case else None,
        "status": case.status if case else None,
        "step": step.no if step else None,
        "step_name": step.name if step else None,
        "role": step.role if step else None,
        "due_at": iso_local(step.due_at, tz) if step else None,
        "late_seconds": progress.late_seconds,
        "late": late_text(progress.late_seconds),
    }


def late_text(seconds: int) -> str:
    """How late, in working hours and minutes ("terlambat 1 jam 5 menit"); empty when not late."""
    if seconds <= 0:
        return ""
    hours, minutes = divmod(seconds // 60, 60)
    spelled = [f"{hours} jam"] * bool(hours) + [f"{minutes} menit"] * bool(minutes or not hours)
    return "terlambat " + " ".join(spelled)
