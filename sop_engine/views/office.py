"""The JSON of the office and its set-up: people, API tokens, who holds a token, SOP revisions and
definitions, the working calendar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, TypedDict

from sop_engine import policy
from sop_engine.critical_path import budget_label
from sop_engine.formatting import iso_local
from sop_engine.views.fields import Day, Doc, Instant

if TYPE_CHECKING:  # records only (see views/cases.py)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sop_engine.api_tokens import TokenRecord
    from sop_engine.calendar import Holiday
    from sop_engine.definitions import WorkflowDef
    from sop_engine.durations import Duration
    from sop_engine.identity import Identity
    from sop_engine.people import PersonRecord
    from sop_engine.workflows import RevisionRecord


class PersonJson(TypedDict):
    """A person as ``sop people list --json`` prints them."""

    username: Annotated[str, Doc("Nama pengguna.")]
    name: Annotated[str, Doc("Nama lengkap.")]
    nip: Annotated[str | None, Doc("NIP.")]
    roles: Annotated[list[str], Doc("Peran.")]
    email: Annotated[str | None, Doc("Alamat email.")]
    phone: Annotated[str | None, Doc("Nomor telepon.")]
    supervisor: Annotated[str | None, Doc("Nama pengguna atasan (rantai eskalasi).")]
    active: Annotated[bool, Doc("Akun aktif.")]


class TokenJson(TypedDict):
    """An API token as ``sop people token list --json`` prints it (never its value)."""

    prefix: Annotated[str, Doc("Awalan token.")]
    label: Annotated[str | None, Doc("Keterangan token.")]
    created_at: Annotated[Instant, Doc("Dibuat.")]
    last_used_at: Annotated[Instant | None, Doc("Terakhir dipakai.")]
    expires_at: Annotated[Instant | None, Doc("Berlaku sampai.")]
    revoked_at: Annotated[Instant | None, Doc("Dicabut.")]


class MeJson(TypedDict):
    """The holder of an API token."""

    username: Annotated[str, Doc("Nama pengguna.")]
    name: Annotated[str, Doc("Nama lengkap.")]
    roles: Annotated[list[str], Doc("Peran.")]


class RevisionJson(TypedDict):
    """A stored SOP revision as ``sop workflows list --json`` prints it."""

    name: Annotated[str, Doc("Nama SOP.")]
    title: Annotated[str, Doc("Judul SOP.")]
    sha256: Annotated[str, Doc("Hash sha256 definisinya.")]
    revision: Annotated[Day, Doc("Tanggal revisi.")]
    loaded_at: Annotated[Instant, Doc("Didaftarkan.")]
    cases: Annotated[int, Doc("Jumlah kasus yang memakainya.")]
    current: Annotated[bool, Doc("Berlaku untuk kasus baru.")]


class SopHeaderJson(TypedDict):
    """The header of an SOP document."""

    nomor: Annotated[str, Doc("Nomor SOP.")]
    nama: Annotated[str, Doc("Nama SOP.")]
    instansi: Annotated[str, Doc("Instansi.")]
    tanggal_pembuatan: Annotated[Day, Doc("Tanggal pembuatan.")]
    tanggal_revisi: Annotated[Day | None, Doc("Tanggal revisi.")]
    tanggal_pengesahan: Annotated[Day, Doc("Tanggal pengesahan.")]
    disahkan_oleh: Annotated[str, Doc("Yang mengesahkan.")]


class WorkflowStepJson(TypedDict):
    """One step of an SOP definition."""

    no: Annotated[int, Doc("Nomor langkah.")]
    name: Annotated[str, Doc("Uraian prosedur.")]
    role: Annotated[str, Doc("Peran pelaksana.")]
    budget: Annotated[str, Doc("Waktu kerja yang disediakan.")]
    output: Annotated[str, Doc("Keluaran.")]
    file_rule: Annotated[str, Doc("Aturan berkas saat menyelesaikan langkah.")]
    file_kinds: Annotated[list[str], Doc("Jenis berkas yang diterima.")]
    returns_to: Annotated[list[int], Doc("Langkah tujuan pengembalian.")]
    actors: Annotated[list[str], Doc("Peran yang memaraf langkah ini berurutan (pelaksana); yang pertama melampirkan.")]
    kind: Annotated[str, Doc("'proses' atau 'keputusan'.")]
    question: Annotated[str | None, Doc("Pertanyaan keputusan; null untuk langkah proses.")]
    if_yes: Annotated[int | None, Doc("Langkah sesudah jawaban Ya; null untuk langkah proses.")]
    if_no: Annotated[int | None, Doc("Langkah sesudah jawaban Tidak; null untuk langkah proses.")]
    after: Annotated[list[int] | None, Doc("Langkah yang harus selesai lebih dulu (setelah); null: bawaan.")]
    runs: Annotated[str | None, Doc("SOP yang dijalankan sebagai langkah ini (jalankan); null bila tidak.")]


class WorkflowJson(TypedDict):
    """An SOP definition as ``sop workflows show --json`` prints it."""

    name: Annotated[str, Doc("Nama SOP.")]
    title: Annotated[str, Doc("Judul SOP.")]
    sha256: Annotated[str, Doc("Hash sha256 definisinya.")]
    sop: Annotated[SopHeaderJson, Doc("Kepala dokumen SOP.")]
    kasus: Annotated[str, Doc("'tahunan' (satu kasus per tahun) atau 'bebas' (banyak, bernomor ID-TAHUN-NOMOR).")]
    dimulai_oleh: Annotated[list[str], Doc("Peran yang boleh memulai kasus.")]
    tenggat: Annotated[str | None, Doc("Bulan-tanggal tenggat dalam tahun kasus (MM-DD); null bila tanpa tenggat.")]
    steps: Annotated[list[WorkflowStepJson], Doc("Langkah-langkahnya.")]


#: ``sop calendar due --json`` (declared by call: "from" is a Python keyword).
DueJson = TypedDict(
    "DueJson",
    {
        "from": Annotated[Instant, Doc("Mulai.")],
        "budget": Annotated[str, Doc("Durasi kerja.")],
        "working_seconds": Annotated[int, Doc("Durasi dalam detik kerja.")],
        "due_at": Annotated[Instant, Doc("Tenggat.")],
    },
)


class HolidayJson(TypedDict):
    """A day the office is closed, as ``sop calendar holidays --json`` prints it."""

    date: Annotated[Day, Doc("Tanggal.")]
    name: Annotated[str, Doc("Nama hari libur.")]
    kind: Annotated[str, Doc("libur nasional, cuti bersama atau libur kantor.")]


def person_json(p: PersonRecord) -> PersonJson:
    return {
        "username": p.username,
        "name": p.name,
        "nip": p.nip,
        "roles": list(p.roles),
        "email": p.email,
        "phone": p.phone,
        "supervisor": p.supervisor,
        "active": p.active,
    }


def token_json(token: TokenRecord, tz: ZoneInfo) -> TokenJson:
    """One API token (never its value), instants with the office offset."""
    return {
        "prefix": token.prefix,
        "label": token.label,
        "created_at": iso_local(token.created_at, tz),
        "last_used_at": iso_local(token.last_used_at, tz),
        "expires_at": iso_local(token.expires_at, tz),
        "revoked_at": iso_local(token.revoked_at, tz),
    }


def me_json(identity: Identity) -> MeJson:
    """Who holds the API token (``GET /api/v1/me``)."""
    return {"username": identity.username, "name": identity.name, "roles": list(identity.roles)}


def revision_json(r: RevisionRecord, tz: ZoneInfo) -> RevisionJson:
    return {
        "name": r.name,
        "title": r.title,
        "sha256": r.content_hash,
        "revision": r.revision.isoformat(),
        "loaded_at": iso_local(r.loaded_at, tz),
        "cases": r.cases,
        "current": r.current,
    }


def workflow_json(definition: WorkflowDef, budgets: Mapping[int, str] | None = None) -> WorkflowJson:
    """An SOP definition: its header and its steps; ``budgets`` each step's budget as the office reads it
    (:func:`sop_engine.workflows.budget_labels`), else as the definition alone says it."""
    h = definition.header
    budgets = budgets or {}
    return {
        "name": definition.name,
        "title": definition.title,
        "sha256": definition.content_hash,
        "sop": {
            "nomor": h.nomor,
            "nama": h.nama,
            "instansi": h.instansi,
            "tanggal_pembuatan": h.tanggal_pembuatan.isoformat(),
            "tanggal_revisi": h.tanggal_revisi.isoformat() if h.tanggal_revisi else None,
            "tanggal_pengesahan": h.tanggal_pengesahan.isoformat(),
            "disahkan_oleh": h.disahkan_oleh,
        },
        "kasus": definition.cases.value,
        "dimulai_oleh": list(policy.start_roles(definition)),
        "tenggat": None if definition.deadline is None else "{:02d}-{:02d}".format(*definition.deadline),
        "steps": [
            {
                "no": s.no,
                "name": s.name,
                "role": s.role,
                "budget": budgets.get(s.no) or budget_label(s),
                "output": s.output,
                "file_rule": s.file_rule.value,
                "file_kinds": list(s.file_kinds),
                "returns_to": list(s.returns_to),
                "actors": list(s.actors),
                "kind": s.kind.value,
                "question": s.question or None,
                "if_yes": s.if_yes,
                "if_no": s.if_no,
                "after": None if s.after is None else list(s.after),
                "runs": s.runs,
            }
            for s in definition.steps
        ],
    }


def due_json(start: datetime, budget: Duration, working_seconds: int, due: datetime, tz: ZoneInfo) -> DueJson:
    """A deadline counted in working time from ``start``."""
    return {
        "from": iso_local(start, tz),
        "budget": str(budget),
        "working_seconds": working_seconds,
        "due_at": iso_local(due, tz),
    }


def holiday_json(h: Holiday) -> HolidayJson:
    return {"date": h.date.isoformat(), "name": h.name, "kind": h.source}
