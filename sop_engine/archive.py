"""The archive bundle of a case (SOP step 11): one .zip that proves itself on any machine.

:func:`build_archive` writes every document of the case (read through the artefact store, so
each file's hash is re-checked) under ``dokumen/langkah-06-putaran-2-<name>``, ``kasus.json``
(the case), ``audit.json`` and ``audit.csv`` (the case's audit events with their hashes),
``BACA-SAYA.txt`` (what this is and how to check it, in Indonesian) and ``manifest.json``
(path, sha256 and size of every other member; step, round, kind, original name, uploader and
time of every document; the case, the office and the office's audit chain head). The zip
comment carries the sha256 of ``manifest.json``, the archive's fingerprint (*sidik arsip*).
Before anything is written the same checks as :func:`verify_archive` run on what was read, so
a broken trail is refused at the source; the bundle goes to a temporary file that is renamed,
so a failed build leaves nothing behind. Checking (:mod:`sop_engine.archive_check`) needs no
database and no config.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sop_engine import artefacts, audit, cases, views
from sop_engine.archive_check import (
    AUDIT_CSV,
    AUDIT_JSON,
    AUDIT_MACHINE_CSV,
    AUDIT_XLSX,
    CASE_JSON,
    COMMENT_PREFIX,
    FORMAT,
    MANIFEST,
    README,
    VERSION,
    ArchiveCheck,
    documents_fault,
    events_fault,
    verify_archive,
)
from sop_engine.artefacts import ArtefactRecord
from sop_engine.audit import AuditRecord
from sop_engine.cases import CaseRecord
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.errors import Conflict, IntegrityError, InvalidInput
from sop_engine.formatting import format_date, format_instant, format_size, iso_local
from sop_engine.remedies import Hint, Remedy
from sop_engine.views import audit_export
from sop_engine.views.labels import STATUS_LABELS

__all__ = ["ArchiveCheck", "ArchiveRecord", "build_archive", "verify_archive"]

#: How often the case is re-read when an action on it lands while the archive is being read.
SNAPSHOT_ATTEMPTS = 3


@dataclass(frozen=True)
class ArchiveRecord:
    """An archive that was written."""

    path: Path
    case: str
    created_at: datetime
    documents: int
    events: int
    size: int
    manifest_sha256: str


@dataclass(frozen=True)
class _Snapshot:
    """A consistent reading of one case: no event of the case was added while it was read."""

    case: CaseRecord
    documents: list[ArtefactRecord]
    events: list[AuditRecord]
    office_id: int
    satker: str
    office_name: str
    chain_head: tuple[int, str]


# --- building ------------------------------------------------------------------------------


def build_archive(ctx: Context, case_code: str, out_path: Path) -> ArchiveRecord:
    """Write the archive of ``case_code`` to ``out_path`` (temp file, fsync, rename).

    Raises IntegrityError, leaving no file, when a stored document no longer matches its hash,
    the office's audit chain does not verify, or a document is missing from the audit trail.
    """
    out = Path(out_path)
    if out.is_dir():
        raise InvalidInput(f"'{out}' adalah folder; tulis nama berkas arsip, misalnya {out / 'arsip.zip'}.", value=out)
    snap = _snapshot(ctx, case_code)
    events = [_event_json(snap.office_id, e) for e in snap.events]
    placed = _place_documents(snap.documents)
    documents = [(name, {"id": d.id, "step": d.step, "round": d.round, "sha256": d.sha256}) for name, d in placed]
    fault = events_fault(snap.case.id, events) or documents_fault(documents, events)
    if fault:
        raise IntegrityError(
            f"Kasus {snap.case.id} tidak dapat diarsipkan ({fault[0]}: {fault[1]}) Arsip tidak dibuat; laporkan "
            "ke Inspektorat.",
            value=snap.case.id,
            hint=Hint(Remedy.VERIFY_AUDIT),
        )
    created_at = ctx.clock.now()
    members = {
        README: _readme(ctx, snap, placed, created_at, out.name).encode("utf-8"),
        CASE_JSON: _json_bytes(views.case_json(snap.case, ctx.tz)),
        AUDIT_JSON: _json_bytes({"case": snap.case.id, "office": snap.office_id, "events": events}),
        AUDIT_CSV: audit_export.people_csv(snap.events, ctx.tz),
        AUDIT_XLSX: audit_export.people_xlsx(snap.events, ctx.tz),
        AUDIT_MACHINE_CSV: audit.csv_file(snap.events, ctx.tz),
    }
    manifest = _json_bytes(_manifest(ctx, snap, placed, members, created_at))
    fingerprint = hashlib.sha256(manifest).hexdigest()
    stamp = created_at.astimezone(ctx.tz).timetuple()[:6]
    store = artefacts.store_for(ctx)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as bundle:
                ordered = [(README, members[README]), (MANIFEST, manifest)]
                for name, data in ordered + [(n, d) for n, d in members.items() if n != README]:
                    _write_member(bundle, name, data, stamp)
                for name, doc in placed:
                    _write_member(bundle, name, _read_document(store, name, doc), stamp)
                bundle.comment = f"sop-engine arsip kasus {snap.case.id}; {COMMENT_PREFIX}{fingerprint}".encode()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return ArchiveRecord(out, snap.case.id, created_at, len(placed), len(events), out.stat().st_size, fingerprint)


def _snapshot(ctx: Context, code: str) -> _Snapshot:
    for _ in range(SNAPSHOT_ATTEMPTS):
        before = audit.list_events(ctx, code)
        case = cases.get_case(ctx, code)
        documents = artefacts.list_artefacts(ctx, code)
        with ctx.db.read() as session:
            office = ctx.office(session)
            office_id, satker, office_name = office.id, office.code, office.name
        chain = audit.verify(ctx)
        if not chain.ok:
            raise IntegrityError(
                f"Jejak audit kantor tidak utuh: {chain.problem} Arsip tidak dibuat; laporkan ke Inspektorat.",
                value=chain.first_bad_seq,
                hint=Hint(Remedy.VERIFY_AUDIT),
            )
        if audit.list_events(ctx, code) == before:
            return _Snapshot(case, documents, before, office_id, satker, office_name, (chain.head_seq, chain.head_hash))
    raise Conflict(
        f"Kasus {code} terus berubah selama arsip disusun; buat arsip lagi setelah tindakan pada kasus ini selesai.",
        value=code,
    )


def _event_json(office_id: int, event: AuditRecord) -> dict[str, Any]:
    """An event exactly as its hash was computed, plus ``prev_hash`` and ``hash``."""
    plain = {key: getattr(event, key) for key in ("seq", "actor", "role", "action", "case", "step")}
    instants = {"recorded_at": to_utc(event.recorded_at).isoformat(), "stated_at": to_utc(event.stated_at).isoformat()}
    extra = {"details": dict(event.details), "prev_hash": event.prev_hash, "hash": event.hash}
    return {"office": office_id, **plain, **instants, **extra}


def _place_documents(documents: Iterable[ArtefactRecord]) -> list[tuple[str, ArtefactRecord]]:
    """Each document's member name, e.g. ``dokumen/langkah-06-putaran-2-lakip.docx`` (unique)."""
    placed: list[tuple[str, ArtefactRecord]] = []
    taken: set[str] = set()
    for doc in sorted(documents, key=lambda d: (d.step, d.round, d.uploaded_at)):
        prefix = f"dokumen/langkah-{doc.step:02d}-putaran-{doc.round}-"
        name = prefix + _safe_filename(doc.filename)
        if name in taken:
            name = f"{prefix}{doc.id}-{_safe_filename(doc.filename)}"
        taken.add(name)
        placed.append((name, doc))
    return placed


def _safe_filename(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in base).strip(" .")
    return cleaned or "dokumen"


def _read_document(store: artefacts.ArtefactStore, name: str, doc: ArtefactRecord) -> bytes:
    try:
        return store.read(doc.sha256)
    except IntegrityError as exc:
        raise IntegrityError(
            f"Dokumen langkah {doc.step} putaran {doc.round} '{doc.filename}' (id {doc.id}, {name}): "
            f"{exc.message} Arsip tidak dibuat.",
            value=doc.id,
        ) from exc


def _write_member(bundle: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=(stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5]))
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(
    ctx: Context,
    snap: _Snapshot,
    placed: list[tuple[str, ArtefactRecord]],
    members: Mapping[str, bytes],
    created_at: datetime,
) -> dict[str, Any]:
    case, tz = snap.case, ctx.tz
    names = {s.no: s.name for s in case.steps}
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": iso_local(created_at, tz),
        "office": {"satker": snap.satker, "name": snap.office_name},
        "case": {
            "id": case.id,
            "workflow": case.workflow,
            "title": case.title,
            "year": case.year,
            "status": case.status,
            "started_at": iso_local(case.started_at, tz),
            "started_by": case.started_by,
            "finished_at": iso_local(case.finished_at, tz),
            "revision": case.revision.isoformat(),
            "definition_sha256": case.definition_hash,
        },
        "office_chain_head": {"seq": snap.chain_head[0], "hash": snap.chain_head[1]},
        "documents": [
            {"path": name, "step_name": names.get(d.step), **views.artefact_json(d, tz)} for name, d in placed
        ],
        "members": [{"path": name, "sha256": _sha256(data), "size": len(data)} for name, data in members.items()],
    }


def _readme(
    ctx: Context, snap: _Snapshot, placed: list[tuple[str, ArtefactRecord]], created_at: datetime, archive_name: str
) -> str:
    case, tz = snap.case, ctx.tz
    listing = "\n".join(
        f"  {name}\n      langkah {d.step} putaran {d.round}, {d.kind}; nama asli '{d.filename}', "
        f"{format_size(d.size)}, diunggah {d.uploaded_by} {format_instant(d.uploaded_at, tz)}\n      sha256 {d.sha256}"
        for name, d in placed
    )
    head_seq, head_hash = snap.chain_head
    text = f"""ARSIP KASUS {case.id}: {case.title}
{snap.office_name} (satker {snap.satker})

Arsip ini dibuat oleh sop-engine pada {format_instant(created_at, tz)}.
Status kasus: {STATUS_LABELS.get(case.status, case.status)}; dimulai {format_instant(case.started_at, tz)} oleh \
{case.started_by}. SOP revisi {format_date(case.revision)}, sha256 definisi {case.definition_hash}.

ISI ARSIP
  BACA-SAYA.txt   penjelasan ini
  manifest.json   daftar setiap berkas arsip dengan sha256 dan ukurannya; untuk dokumen juga
                  langkah, putaran, jenis, nama asli, pengunggah dan waktunya
  kasus.json      data kasus: langkah, putaran, tenggat, siapa yang menyelesaikan
  audit.json      jejak audit kasus ini: setiap peristiwa dengan prev_hash dan hash-nya
  audit.csv       jejak audit yang sama sebagai tabel untuk dibaca (pemisah titik koma, waktu
                  kantor; dibuka sebagai kolom oleh Excel/LibreOffice berbahasa Indonesia)
  audit.xlsx      tabel yang sama sebagai lembar kerja Excel
  audit-mesin.csv jejak audit untuk program (pemisah koma, waktu UTC, rincian JSON kanonik,
                  hash): cukup untuk menghitung ulang rantai hash
  dokumen/        {len(placed)} dokumen keluaran langkah SOP:
{listing or "  (belum ada dokumen)"}

CARA MEMERIKSA KEUTUHAN
1. Di komputer mana pun yang terpasang sop-engine (tanpa basis data, tanpa config.toml):
       sop archive verify {archive_name}
   Hasil "utuh" berarti: tidak ada berkas yang berubah, hilang atau ditambahkan sejak arsip
   dibuat; setiap peristiwa audit masih cocok dengan hash-nya dan urutannya benar; setiap
   dokumen sama dengan yang tercatat di jejak audit saat langkahnya diselesaikan.
   Bila ada masalah, perintah itu menyebut berkas pertama yang bermasalah.
2. Tanpa sop-engine: komentar berkas ZIP (unzip -z {archive_name}) memuat sha256 manifest.json,
   yaitu sidik arsip. Hitung sha256 tiap berkas (Linux: sha256sum NAMA; Windows:
   certutil -hashfile NAMA SHA256) lalu bandingkan dengan komentar dan dengan manifest.json.

BATAS PEMBUKTIAN
- Siapa pun yang mengubah isi arsip lalu menghitung ulang semua hash dapat membuat arsip yang
  tampak utuh. Karena itu cocokkan sidik arsip dengan yang dicetak saat arsip dibuat dan
  disimpan di tempat lain (misalnya catatan Inspektorat).
- audit.json hanya memuat peristiwa kasus ini, potongan dari rantai audit kantor. Potongan ini
  tidak dapat membuktikan bahwa tidak ada peristiwa kasus yang dihilangkan. Untuk itu, di kantor
  jalankan `sop audit verify --head {head_seq}:{head_hash}`
  (kepala rantai kantor saat arsip dibuat) dan bandingkan `sop audit log --case {case.id}`.
"""
    return text.replace("\n", "\r\n")  # Notepad on older Windows shows only CRLF line breaks
