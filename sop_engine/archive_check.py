"""Checking a case's archive bundle with nothing but this package: no database, no config.

:func:`verify_archive` proves that

- no member changed, went missing or was added since the manifest was written (sha256 and size
  of each member, no unlisted or duplicated names, ``manifest.json`` against the sha256 in the
  zip comment, the archive's fingerprint or *sidik arsip*);
- every audit event of ``audit.json`` is intact: its hash recomputes from its content and its
  ``prev_hash`` (:func:`sop_engine.chain.chain_hash`); the events run in increasing ``seq``;
  where two are adjacent in the office chain (``seq`` n and n + 1) the second links to the
  first; the excerpt starts with the case's ``case.started``;
- every document is the one the audit trail recorded when its step was completed (same id,
  step, round and sha256), every document the trail records is in the archive, and
  ``kasus.json`` lists the same documents;
- ``kasus.json`` agrees with the excerpt replayed (:mod:`sop_engine.replay`): the case's status
  and each step's status, round, and who completed it when.

A case-only excerpt cannot prove more. The case's events are a subsequence of the office's
chain, interleaved with other cases' events, so the excerpt cannot show that no later event of
the case was left out, nor stop someone who rewrites the whole bundle and recomputes every
hash. For that, compare the fingerprint with the one printed when the archive was made (kept
elsewhere, e.g. by the Inspektorat), or check against the office's database: ``sop audit
verify --head SEQ:HASH`` with the chain head recorded in the manifest, and ``sop audit log
--case CASE``. The building side, which shares these rules, is :mod:`sop_engine.archive`.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sop_engine import replay
from sop_engine.chain import chain_hash

FORMAT, VERSION = "sop-engine/arsip-kasus", 1
MANIFEST, CASE_JSON, AUDIT_JSON, AUDIT_CSV, README = (
    "manifest.json",
    "kasus.json",
    "audit.json",
    "audit.csv",
    "BACA-SAYA.txt",
)
#: The trail for machines (RFC 4180, UTC, canonical JSON) and as a workbook, beside the people's
#: ``audit.csv``; archives made before them lack them (the manifest lists what each holds).
AUDIT_MACHINE_CSV, AUDIT_XLSX = "audit-mesin.csv", "audit.xlsx"
COMMENT_PREFIX = "sha256 manifest.json: "
#: The keys of an audit event that its hash covers (see :func:`sop_engine.chain.chain_hash`).
PAYLOAD_KEYS = ("office", "seq", "recorded_at", "stated_at", "actor", "role", "action", "case", "step", "details")
CHUNK = 1024 * 1024

#: A fault found: (member of the archive, problem in Indonesian).
Fault = tuple[str, str]


@dataclass(frozen=True)
class ArchiveCheck:
    """The outcome of verifying an archive; ``member`` and ``problem`` name the first fault."""

    ok: bool
    path: Path
    case: str | None = None
    documents: int = 0
    events: int = 0
    manifest_sha256: str | None = None
    member: str | None = None
    problem: str | None = None


def events_fault(case_id: str, events: Any) -> Fault | None:
    """The first audit event of the excerpt that does not hold (what is checked: module docstring)."""
    if not isinstance(events, list) or not events:
        return AUDIT_JSON, "tidak memuat satu pun peristiwa audit."
    previous: dict[str, Any] | None = None
    for index, event in enumerate(events, 1):
        if not isinstance(event, dict) or any(k not in event for k in (*PAYLOAD_KEYS, "prev_hash", "hash")):
            return (
                AUDIT_JSON,
                f"peristiwa ke-{index} tidak lengkap (harus memuat {', '.join(PAYLOAD_KEYS)}, prev_hash, hash).",
            )
        seq = event["seq"]
        if not isinstance(seq, int) or not isinstance(event["prev_hash"], str):
            return AUDIT_JSON, f"peristiwa ke-{index}: seq atau prev_hash tidak sah."
        if chain_hash(event["prev_hash"], {key: event[key] for key in PAYLOAD_KEYS}) != event["hash"]:
            return AUDIT_JSON, f"peristiwa #{seq}: hash tidak cocok dengan isinya (isi peristiwa telah diubah)."
        if event["case"] != case_id:
            return AUDIT_JSON, f"peristiwa #{seq} milik kasus '{event['case']}', bukan {case_id}."
        if previous is None and event["action"] != "case.started":
            return (
                AUDIT_JSON,
                f"peristiwa pertama (#{seq}) adalah {event['action']}, bukan case.started (awalnya hilang).",
            )
        if previous is not None:
            if seq <= previous["seq"]:
                return AUDIT_JSON, f"peristiwa #{seq} sesudah #{previous['seq']}: urutan tidak naik (ada yang ditukar)."
            if seq == previous["seq"] + 1 and event["prev_hash"] != previous["hash"]:
                return AUDIT_JSON, f"peristiwa #{seq} tidak menyambung ke #{previous['seq']} (prev_hash berbeda)."
            if event["office"] != previous["office"]:
                return AUDIT_JSON, f"peristiwa #{seq} berasal dari rantai kantor lain."
        previous = event
    return None


def documents_fault(documents: Sequence[tuple[str, Mapping[str, Any]]], events: list[dict[str, Any]]) -> Fault | None:
    """A document that differs from what the audit trail recorded, or a recorded one that is missing."""
    recorded: dict[Any, tuple[dict[str, Any], Mapping[str, Any]]] = {}
    for event in events:
        details = event["details"]
        files = details.get("files") if isinstance(details, dict) else None
        for entry in files if isinstance(files, list) else []:
            if isinstance(entry, dict):
                recorded.setdefault(entry.get("id"), (event, entry))
    for name, doc in documents:
        if doc["id"] not in recorded:
            return name, f"tidak tercatat di jejak audit (tidak ada peristiwa yang melampirkan dokumen {doc['id']})."
        event, entry = recorded.pop(doc["id"])
        seq = event["seq"]
        if entry.get("sha256") != doc["sha256"]:
            return (
                name,
                f"sha256 {doc['sha256']} berbeda dengan yang tercatat di audit.json #{seq} ({entry.get('sha256')}).",
            )
        if (event["step"], event["details"].get("round")) != (doc["step"], doc["round"]):
            return name, (
                f"tercatat di audit.json #{seq} sebagai langkah {event['step']} putaran "
                f"{event['details'].get('round')}, bukan langkah {doc['step']} putaran {doc['round']}."
            )
    for event, entry in recorded.values():
        return MANIFEST, (
            f"dokumen '{entry.get('filename')}' (id {entry.get('id')}) yang dilampirkan pada audit.json "
            f"#{event['seq']} tidak ada di arsip."
        )
    return None


class _Refused(Exception):
    """The first fault of an archive being verified."""

    def __init__(self, member: str, message: str) -> None:
        super().__init__(f"{member}: {message}")
        self.member = member


def verify_archive(path: str | Path) -> ArchiveCheck:
    """Check an archive with nothing but this package (no database, no config).

    The first fault is reported with the member it concerns, e.g. ``dokumen/langkah-06-putaran-2-
    lakip.docx: isi berubah (sha256 … ≠ …)``. What this can and cannot prove: module docstring.
    """
    where = Path(path)
    try:
        return _verify(where)
    except _Refused as refused:
        return ArchiveCheck(False, where, member=refused.member, problem=str(refused))


def _verify(path: Path) -> ArchiveCheck:
    if not path.is_file():
        raise _Refused(str(path), "berkas arsip tidak ditemukan; periksa nama dan foldernya.")
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _Refused(path.name, "bukan berkas ZIP yang utuh; salin ulang arsip dari sumbernya.") from exc
    with bundle:
        names = bundle.namelist()
        for name in names:
            if names.count(name) > 1:
                raise _Refused(name, "muncul lebih dari sekali di arsip (ada berkas yang disisipkan).")
        fingerprint = _fingerprint(bundle.comment)
        digest, _ = _digest(bundle, MANIFEST, names)
        if digest != fingerprint:
            raise _Refused(MANIFEST, f"isi berubah (sha256 {digest} ≠ {fingerprint} pada komentar arsip).")
        manifest = _json_member(bundle, MANIFEST)
        case_id, listed, documents = _listing(manifest)
        for name in names:
            if name != MANIFEST and name not in listed:
                raise _Refused(name, "tidak tercantum di manifest.json (berkas tambahan, bukan bagian arsip asli).")
        for name, (sha256, size) in listed.items():
            digest, actual_size = _digest(bundle, name, names)
            if digest != sha256:
                raise _Refused(name, f"isi berubah (sha256 {digest} ≠ {sha256} di manifest.json).")
            if actual_size != size:
                raise _Refused(name, f"ukuran {actual_size} bait, padahal manifest.json mencatat {size} bait.")
        trail = _json_member(bundle, AUDIT_JSON)
        events = trail.get("events") if isinstance(trail, dict) else None
        fault = events_fault(case_id, events)
        if fault is None and isinstance(events, list):
            fault = documents_fault(documents, events)
        if fault:
            raise _Refused(*fault)
        case_json = _json_member(bundle, CASE_JSON)
        _check_case_json(case_json, case_id, documents)
        _check_case_against_trail(case_json, case_id, events if isinstance(events, list) else [])
    count = len(events) if isinstance(events, list) else 0
    return ArchiveCheck(True, path, case_id, len(documents), count, fingerprint)


def _fingerprint(comment: bytes) -> str:
    match = re.search(re.escape(COMMENT_PREFIX) + r"([0-9a-f]{64})", comment.decode("utf-8", "replace"))
    if match is None:
        raise _Refused(
            MANIFEST,
            "sidiknya (sha256) tidak ada di komentar arsip; arsip ini bukan arsip kasus buatan sop-engine "
            "atau telah dikemas ulang. Periksa berkas ZIP yang asli.",
        )
    return match.group(1)


def _digest(bundle: zipfile.ZipFile, name: str, names: list[str]) -> tuple[str, int]:
    if name not in names:
        raise _Refused(name, "tercantum di manifest.json tetapi tidak ada di arsip (berkas dihapus).")
    digest, size = hashlib.sha256(), 0
    try:
        with bundle.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise _Refused(name, f"rusak dan tidak dapat dibaca ({exc}).") from exc
    return digest.hexdigest(), size


def _json_member(bundle: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(bundle.read(name).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Refused(name, f"bukan JSON yang sah ({exc}).") from exc


def _listing(manifest: Any) -> tuple[str, dict[str, tuple[str, int]], list[tuple[str, Mapping[str, Any]]]]:
    """The case id, every listed member's (sha256, size), and the documents, from a checked manifest."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise _Refused(MANIFEST, f"bukan manifest arsip {FORMAT} versi {VERSION}.")
    case = manifest.get("case")
    case_id = case.get("id") if isinstance(case, dict) else None
    documents, members = manifest.get("documents"), manifest.get("members")
    if not isinstance(case_id, str) or not isinstance(documents, list) or not isinstance(members, list):
        raise _Refused(MANIFEST, "tidak memuat case.id, documents dan members.")
    listed: dict[str, tuple[str, int]] = {}
    shapes = {"path": str, "sha256": str, "size": int}
    doc_shapes = {**shapes, "id": str, "step": int, "round": int}
    for entry, shape in [(m, shapes) for m in members] + [(d, doc_shapes) for d in documents]:
        if not isinstance(entry, dict) or any(not isinstance(entry.get(k), t) for k, t in shape.items()):
            raise _Refused(MANIFEST, f"entri {entry!r} tidak lengkap ({', '.join(shape)}).")
        if entry["path"] in listed or entry["path"] == MANIFEST:
            raise _Refused(MANIFEST, f"{entry['path']} tercantum lebih dari sekali.")
        listed[entry["path"]] = (entry["sha256"], entry["size"])
    for required in (README, CASE_JSON, AUDIT_JSON, AUDIT_CSV):
        if required not in listed:
            raise _Refused(MANIFEST, f"tidak mencantumkan {required}.")
    return case_id, listed, [(d["path"], d) for d in documents]


def _check_case_json(data: Any, case_id: str, documents: list[tuple[str, Mapping[str, Any]]]) -> None:
    if not isinstance(data, dict) or data.get("id") != case_id:
        raise _Refused(CASE_JSON, f"bukan data kasus {case_id} yang dicantumkan manifest.json.")
    steps = data.get("steps")
    recorded = sorted(
        (a.get("id"), a.get("sha256"))
        for s in (steps if isinstance(steps, list) else ())
        if isinstance(s, dict)
        for a in (s.get("artefacts") or ())
        if isinstance(a, dict)
    )
    if recorded != sorted((d["id"], d["sha256"]) for _, d in documents):
        raise _Refused(CASE_JSON, "daftar dokumennya berbeda dengan manifest.json.")


def _check_case_against_trail(data: dict[str, Any], case_id: str, events: list[dict[str, Any]]) -> None:
    """``kasus.json`` says what the audit excerpt says happened: status, and each step's status,
    round and who completed it when (a case table edited before archiving shows here)."""
    try:
        replayed = replay.replay(
            replay.Event(
                e["seq"],
                e["action"],
                e["actor"],
                datetime.fromisoformat(e["stated_at"]),
                e["case"],
                e["step"],
                e["details"] if isinstance(e["details"], dict) else {},
            )
            for e in events
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _Refused(AUDIT_JSON, f"peristiwanya tidak dapat diputar ulang ({exc}).") from exc
    expected = replayed.cases.get(case_id)
    if expected is None:
        raise _Refused(AUDIT_JSON, f"tidak memuat dimulainya kasus {case_id}.")
    if data.get("status") != expected.status:
        raise _Refused(CASE_JSON, f"status '{data.get('status')}', padahal menurut audit.json '{expected.status}'.")
    for step in data.get("steps") or ():
        if not isinstance(step, dict) or not isinstance(step.get("no"), int):
            raise _Refused(CASE_JSON, f"langkah {step!r} tidak lengkap.")
        should = expected.steps.get(step["no"], replay.StepState())
        shown: list[tuple[str, object, object]] = [
            ("status", step.get("status"), should.status),
            ("putaran", step.get("round"), should.round),
        ]
        if should.status == "done":
            completed = step.get("completed_at")
            at = datetime.fromisoformat(completed) if isinstance(completed, str) else None
            shown += [("diselesaikan oleh", step.get("completed_by"), should.completed_by)]
            shown += [("diselesaikan pada", at, should.completed_at)]
            if "answer" in step:  # kasus.json of an archive made before the answer had a field of its own has none
                shown += [("jawaban", step["answer"], should.answer)]
        for what, stored, recorded in shown:
            if stored != recorded:
                raise _Refused(
                    CASE_JSON,
                    f"langkah {step['no']}: {what} '{stored}', padahal menurut audit.json '{recorded}' "
                    "(data kasus diubah di luar sop-engine sebelum diarsipkan).",
                )
