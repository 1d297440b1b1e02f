"""Backups of a whole install: a consistent online snapshot, restored into an empty install and verified.

A backup is one .zip holding the database: ``database.sqlite3``, a snapshot taken with SQLite's
online backup API (consistent while writers run: it copies the pages of one read transaction), or
``database.pgdump``, ``pg_dump``'s custom format of one snapshot (:mod:`sop_engine.pgdump`); every
document kept as a file in the store (``documents/<sha256>``, re-hashed as it is read; the small
ones, and all of them with ``[storage] backend = "database"``, travel inside the database as rows
of ``artefact_blobs``) and ``manifest.json``: the format
version, when, the office, the schema revision, the audit chain head (``seq:hash``) read from the
snapshot itself, and the sha256 and size of every other member.

:func:`verify_backup` checks an archive offline against its manifest (hashes and sizes only; the
audit chain inside the snapshot is verified on restore). :func:`restore_backup` refuses a
database that is not empty, copies the snapshot in, puts the documents into the store (as files,
or as rows with ``backend = "database"``), reads every document of every case back (its hash
re-checked), and verifies the audit chain against the head the manifest recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

from sop_engine import audit, pgdump, store
from sop_engine.chain import VerifyResult
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.errors import ConfigError, IntegrityError, InvalidInput

FORMAT = "sop-engine-backup"
VERSION = 1
MANIFEST = "manifest.json"
#: The database member of a backup, by backend.
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DOCUMENTS = "documents/"


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` records."""

    created_at: str
    backend: str
    office: str
    schema: str | None
    audit_head: str
    members: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "office": self.office,
            "schema": self.schema,
            "backend": self.backend,
            "audit_head": self.audit_head,
            "members": self.members,
        }

    @property
    def documents(self) -> int:
        return sum(1 for name in self.members if name.startswith(DOCUMENTS))


@dataclass(frozen=True)
class BackupRecord:
    """A backup just written."""

    path: Path
    size: int
    manifest: Manifest


@dataclass(frozen=True)
class BackupCheck:
    """The outcome of :func:`verify_backup`: ``ok``, or the first ``problem`` found."""

    ok: bool
    problem: str | None = None
    manifest: Manifest | None = None


@dataclass(frozen=True)
class RestoreRecord:
    """A restored install, its audit verification against the recorded head, and its documents read back."""

    manifest: Manifest
    verify: VerifyResult
    #: How many distinct documents the restored cases refer to, and the problem of each one unreadable.
    documents_read: int = 0
    unreadable: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.verify.ok and not self.unreadable


def _sqlite_file(ctx: Context) -> Path:
    """The database file of this SQLite install; ConfigError for one in memory."""
    url = ctx.db.engine.url
    if not url.database or url.database == ":memory:":
        raise ConfigError("Basis data SQLite di memori tidak dapat dicadangkan.", value=url.database)
    return Path(url.database)


@contextmanager
def _snapshot(ctx: Context, target: Path) -> Iterator[Connection]:
    """Write the snapshot of this install's database to ``target``; yields a connection that reads that snapshot."""
    if ctx.db.is_postgresql:
        with pgdump.dumped(ctx.db.engine, target) as conn:
            yield conn
        return
    with closing(sqlite3.connect(_sqlite_file(ctx))) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)  # all pages in one step: one read transaction, consistent while writers run
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return store.sha256_to_end(handle)


def create_backup(ctx: Context, output: Path) -> BackupRecord:
    """Write a backup of this install to ``output`` (written beside it under a temporary name, then renamed)."""
    backend, output = ctx.db.engine.dialect.name, output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        snapshot = Path(work) / DATABASE[backend]
        with _snapshot(ctx, snapshot) as conn:
            head, schema, files = _snapshot_facts(conn, ctx.settings.office.satker)
        members = {DATABASE[backend]: {"sha256": _file_sha256(snapshot), "size": snapshot.stat().st_size}}
        partial = Path(work) / "backup.zip"
        documents = store.store_for(ctx)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(snapshot, DATABASE[backend])
            for sha256 in files:
                verified = documents.open_verified(sha256)
                with archive.open(DOCUMENTS + sha256, "w", force_zip64=True) as member:
                    for chunk in verified.chunks():
                        member.write(chunk)
                members[DOCUMENTS + sha256] = {"sha256": sha256, "size": verified.size}
            satker = ctx.settings.office.satker
            manifest = Manifest(ctx.clock.now().isoformat(), backend, satker, schema, head, members)
            archive.writestr(MANIFEST, json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2))
        os.replace(partial, output)
    return BackupRecord(output, output.stat().st_size, manifest)


def _snapshot_facts(db: Connection, satker: str) -> tuple[str, str | None, list[str]]:
    """The office's audit head ``seq:hash``, the schema revision and the documents kept as files, read by ``db``."""
    office = db.execute(text("SELECT id FROM offices WHERE code = :code"), {"code": satker}).scalar()
    if office is None:
        raise ConfigError(f"Kantor dengan kode satker '{satker}' belum ada di basis data.", value=satker)
    row = db.execute(text("SELECT seq, hash FROM audit_heads WHERE office_id = :id"), {"id": office}).first()
    seq, digest = (row[0], row[1]) if row else (0, audit.GENESIS)
    revisions = sorted(db.execute(text(f"SELECT version_num FROM {migrate.VERSION_TABLE}")).scalars())
    files = db.execute(
        text(
            "SELECT DISTINCT sha256 FROM artefacts WHERE sha256 NOT IN (SELECT sha256 FROM artefact_blobs) "
            "ORDER BY sha256"
        )
    ).scalars()
    return f"{seq}:{digest}", ", ".join(revisions) or None, list(files)


def verify_backup(path: Path) -> BackupCheck:
    """Check the archive at ``path`` against its manifest: every member present, no other, hashes and sizes equal."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            names = set(archive.namelist()) - {MANIFEST}
            if names != set(manifest.members):
                extra, missing = sorted(names - set(manifest.members)), sorted(set(manifest.members) - names)
                return BackupCheck(False, f"isi arsip tidak sesuai manifest (lebih: {extra}, kurang: {missing}).")
            for name, expected in sorted(manifest.members.items()):
                problem = _member_problem(archive, name, expected)
                if problem:
                    return BackupCheck(False, problem, manifest)
    except zipfile.BadZipFile:
        return BackupCheck(
            False, "bukan arsip .zip (rusak, terpotong atau berkas lain); pakai berkas cadangan yang utuh."
        )
    except OSError as exc:
        return BackupCheck(False, f"berkas tidak dapat dibaca ({exc.strerror or type(exc).__name__}).")
    except InvalidInput as exc:
        return BackupCheck(False, exc.message)
    return BackupCheck(True, None, manifest)


def _member_problem(archive: zipfile.ZipFile, name: str, expected: dict[str, Any]) -> str | None:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as member:
        while chunk := member.read(store.CHUNK):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
        actual, wanted = digest.hexdigest(), expected.get("sha256")
        return f"anggota {name} berubah: sha256 {actual} ({size} bait), seharusnya {wanted} ({expected.get('size')})."
    return None


def _read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST))
        if data["format"] != FORMAT or data["version"] != VERSION or data["backend"] not in DATABASE:
            raise ValueError(data["format"])
        fields = ("created_at", "backend", "office", "schema", "audit_head", "members")
        return Manifest(*(data[name] for name in fields))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"{MANIFEST} tidak ada atau bukan manifest cadangan sop-engine versi {VERSION}.") from exc


def restore_backup(ctx: Context, path: Path) -> RestoreRecord:
    """Restore the backup at ``path`` into this empty install, then verify its audit chain against the recorded head."""
    check = verify_backup(path)
    if not check.ok or check.manifest is None:
        raise IntegrityError(f"Cadangan {path} tidak utuh: {check.problem}", value=str(path))
    manifest = check.manifest
    _require_fitting(ctx, manifest)
    _require_empty(ctx)
    ctx.db.dispose()
    documents = store.store_for(ctx)
    near = None if documents.in_database else documents.root
    with zipfile.ZipFile(path) as archive:
        with _extracted(archive, DATABASE[manifest.backend], near) as snapshot:
            _load(ctx, snapshot)
        if manifest.schema != migrate.head_revision():
            migrate.upgrade(ctx.db.engine)
        for name, member in manifest.members.items():
            if name.startswith(DOCUMENTS):
                with _extracted(archive, name, near) as document, ctx.db.engine.begin() as conn:
                    documents.keep(conn, document, member["sha256"], member["size"])
    verified = audit.verify(ctx, audit.parse_anchor(manifest.audit_head))
    read, unreadable = _read_back(ctx, documents)
    return RestoreRecord(manifest, verified, read, unreadable)


def _read_back(ctx: Context, documents: store.ArtefactStore) -> tuple[int, tuple[str, ...]]:
    """Read every document the restored cases refer to once (its hash re-checked): how many, and each failure."""
    with ctx.db.engine.connect() as conn:
        hashes = list(conn.execute(text("SELECT DISTINCT sha256 FROM artefacts ORDER BY sha256")).scalars())
    problems: list[str] = []
    for sha256 in hashes:
        try:
            documents.open_verified(sha256).close()
        except IntegrityError as exc:
            problems.append(exc.message)
    return len(hashes), tuple(problems)


def _require_fitting(ctx: Context, manifest: Manifest) -> None:
    """ConfigError unless the backup is of this install's office and database backend."""
    if manifest.office != ctx.settings.office.satker:
        raise ConfigError(
            f"Cadangan ini milik kantor '{manifest.office}', sedangkan instalasi ini kantor "
            f"'{ctx.settings.office.satker}'; pulihkan dengan konfigurasi kantor yang sama.",
            value=manifest.office,
        )
    backend = ctx.db.engine.dialect.name
    if manifest.backend != backend:
        raise ConfigError(
            f"Cadangan ini dari basis data {manifest.backend}, sedangkan instalasi ini memakai {backend}.",
            value=manifest.backend,
        )


def _load(ctx: Context, snapshot: Path) -> None:
    """Copy the database ``snapshot`` into this install's (empty) database."""
    if ctx.db.is_postgresql:
        pgdump.restore(ctx.db.engine, snapshot)
        return
    with closing(sqlite3.connect(snapshot)) as source, closing(sqlite3.connect(_sqlite_file(ctx))) as into:
        source.backup(into)


def _require_empty(ctx: Context) -> None:
    """ConfigError unless this install's database has no tables (a SQLite file may be missing yet)."""
    if ctx.db.is_postgresql:
        tables, where = pgdump.table_count(ctx.db.engine), str(ctx.db.engine.url.database)
    else:
        target = _sqlite_file(ctx)
        if not target.exists():
            return
        with closing(sqlite3.connect(target)) as db:
            (tables,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        where = str(target)
    if tables:
        raise ConfigError(
            f"Basis data {where} tidak kosong ({tables} tabel); cadangan hanya dipulihkan ke instalasi kosong, "
            "agar tidak ada data yang tertimpa. Pakai basis data baru yang kosong.",
            value=where,
        )


@contextmanager
def _extracted(archive: zipfile.ZipFile, name: str, near: Path | None) -> Iterator[Path]:
    """Member ``name`` of ``archive`` as a temporary file in the folder ``near`` (the system's by default; removed
    afterwards)."""
    if near is not None:
        near.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=near, prefix=".restore-")
    try:
        with os.fdopen(fd, "wb") as out, archive.open(name) as member:
            while chunk := member.read(store.CHUNK):
                out.write(chunk)
        yield Path(temp)
    finally:
        Path(temp).unlink(missing_ok=True)


def created_at(record: Manifest) -> datetime:
    """When the backup was taken."""
    return datetime.fromisoformat(record.created_at)
