"""The document store: the bytes of attached documents, content-addressed, committed with their step.

A document up to ``[storage] inline_max_kb`` is kept as a row of ``artefact_blobs``, written in the
step's own transaction: the step, its documents and its audit event become durable together, in
one commit (one fsync of the database journal). A larger one is kept in the folder
``<artefacts_dir>/ab/cd/<sha256>``: written to a temporary file while hashing, fsynced, renamed,
and the folder fsynced too, all before the transaction commits, so a committed step never points
at bytes a crash could lose; a crash before the commit leaves at most an orphan file (harmless:
content-addressed) or a half file under its temporary name (removed by ``sop serve`` at start-up).

With ``[storage] backend = "database"`` every document, whatever its size, is kept as a row (the
folder is not written): web nodes and workers that share the database share the documents too.

Reading looks in the folder, then in the database, and re-checks the hash either way (so an
install moved from one backend to the other still reads the documents kept the old way).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import CTE, Connection, Executable, bindparam, select

from sop_engine.context import Context
from sop_engine.db.direct import Direct
from sop_engine.db.models import ArtefactBlob
from sop_engine.db.queries import rows_of, table
from sop_engine.db.session import Database
from sop_engine.errors import IntegrityError, InvalidInput
from sop_engine.leftovers import STALE_AFTER, Swept, remove_stale

CHUNK = 1024 * 1024

#: How a document kept in the database is named in messages (where a file's path would be).
IN_DATABASE = "di basis data"


def sha256_to_end(handle: BinaryIO) -> str:
    """The sha256 of what is left in ``handle``, read in chunks (never whole)."""
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class VerifiedFile:
    """A stored document whose hash was just re-checked, open at its start; :meth:`chunks` sends it and closes it.

    The chunks are hashed again as they are read, and the last one is given out only if that
    hash still agrees: a file altered after the check ends in an IntegrityError before its last
    bytes, so a download of it is cut short instead of looking complete.
    """

    #: The size of the chunks given out (small: many downloads may run at once).
    CHUNK = 64 * 1024

    def __init__(self, handle: BinaryIO, where: Path | str, sha256: str, size: int) -> None:
        self.handle = handle
        self.where = where
        self.sha256 = sha256
        self.size = size

    def chunks(self) -> Iterator[bytes]:
        """The bytes in chunks of at most :data:`CHUNK`, the last one held back until the hash agrees."""
        with self.handle:
            digest = hashlib.sha256()
            held = b""
            while chunk := self.handle.read(self.CHUNK):
                digest.update(chunk)
                if held:
                    yield held
                held = chunk
            _require_unchanged(self.where, self.sha256, digest.hexdigest())
            if held:
                yield held

    def close(self) -> None:
        """Close the document without sending it."""
        self.handle.close()


def _missing(path: Path, sha256: str) -> IntegrityError:
    return IntegrityError(
        f"Berkas dengan sha256 {sha256} hilang dari penyimpanan ({path}). Pulihkan dari cadangan.", value=sha256
    )


def _require_unchanged(where: Path | str, sha256: str, actual: str) -> None:
    if actual != sha256:
        raise IntegrityError(
            f"Berkas tersimpan {where} telah berubah: sha256 sekarang {actual}, seharusnya {sha256}. "
            "Jangan gunakan berkas ini; pulihkan dari cadangan dan laporkan ke Inspektorat.",
            value=sha256,
            actual=actual,
        )


def _changed_while_storing(source: Path) -> InvalidInput:
    return InvalidInput(f"Berkas '{source.name}' berubah saat sedang disimpan; lampirkan ulang.", value=source.name)


_blobs = table(ArtefactBlob)
_FETCH = select(_blobs.c.content).where(_blobs.c.sha256 == bindparam("sha256"))


@functools.cache
def _keep(dialect: str) -> Direct:
    """INSERT of a row, or nothing if the same bytes are kept already (content-addressed), built once
    per dialect (SQLAlchemy's PostgreSQL dialect is imported only where it is used: it is slow to load)."""
    insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
    values = {c.name: bindparam(c.name, type_=c.type) for c in _blobs.c}
    return Direct(cast(Executable, insert(_blobs).values(values).on_conflict_do_nothing(index_elements=["sha256"])))


def _row_of(source: Path, sha256: str) -> dict[str, Any]:
    """The row of ``artefact_blobs`` holding ``source``'s bytes; InvalidInput if they no longer hash to ``sha256``."""
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _changed_while_storing(source)
    return {"sha256": sha256, "size": len(data), "content": data}


def keep_rows(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows of ``artefact_blobs`` (from :meth:`ArtefactStore.blob_row`) that are not there yet."""
    _keep(conn.dialect.name).executemany(conn, rows)


@functools.cache
def keep_rows_cte(count: int) -> CTE:
    """PostgreSQL: the INSERT of :func:`keep_rows` for ``count`` rows (row i takes the ``k{i}_*`` values) as a
    CTE, to be sent with the statement that records the documents (one round trip)."""
    from sqlalchemy.dialects import postgresql  # PostgreSQL only: not loaded on SQLite

    names = [c.name for c in _blobs.c]
    kept = postgresql.insert(_blobs).from_select(names, rows_of(_blobs.c, names, "k", count))
    return kept.on_conflict_do_nothing(index_elements=["sha256"]).cte("kept_blobs")


class ArtefactStore:
    """The content-addressed documents: small ones (all, with ``in_database``) in the database, the rest in ``root``."""

    #: How a file being copied in is named, beside its final place, until it is renamed.
    PARTIAL_PREFIX = ".incoming-"

    def __init__(
        self, root: Path, db: Database | None = None, inline_max_bytes: int = 0, in_database: bool = False
    ) -> None:
        self.root = root
        self.db = db
        self.inline_max_bytes = inline_max_bytes if db is not None else 0
        #: Every document as a row, whatever its size (``[storage] backend = "database"``).
        self.in_database = in_database and db is not None

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def keep(self, conn: Connection, source: Path, sha256: str, size: int) -> None:
        """Store ``source`` under its hash for the transaction of ``conn``: as a row if it is small (or the
        backend is the database), else as a file (durable before the transaction commits)."""
        row = self.blob_row(source, sha256, size)
        if row is not None:
            keep_rows(conn, [row])

    def blob_row(self, source: Path, sha256: str, size: int) -> dict[str, Any] | None:
        """``source``'s row of ``artefact_blobs`` if it is kept in the database (its bytes checked against
        ``sha256``), for the caller to insert (:func:`keep_rows`); else None, after copying it into the
        folder (durable before the transaction commits)."""
        if self.in_database or size <= self.inline_max_bytes:
            return _row_of(source, sha256)
        self.put(source, sha256)
        return None

    def put_row(self, conn: Connection, source: Path, expected_sha256: str) -> None:
        """Insert ``source``'s bytes as a row of ``artefact_blobs`` (none if the same bytes are there already)."""
        keep_rows(conn, [_row_of(source, expected_sha256)])

    def put(self, source: Path, expected_sha256: str) -> None:
        """Copy ``source`` into the folder under its hash (temp file, fsync, rename, fsync of the folder)."""
        target = self.path_for(expected_sha256)
        if not target.parent.is_dir():
            _make_folders(target.parent)
        digest = hashlib.sha256()
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=self.PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != expected_sha256:
                raise _changed_while_storing(source)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)

    def sweep_partials(self, now: datetime, older_than: timedelta = STALE_AFTER) -> Swept:
        """Remove the partial files of :meth:`put` not written since ``now - older_than`` (a killed process's)."""
        return remove_stale(self.root.glob(f"*/*/{self.PARTIAL_PREFIX}*"), now, older_than)

    def read(self, sha256: str) -> bytes:
        """The stored bytes, after re-checking that they still hash to ``sha256`` (whole in memory)."""
        path = self.path_for(sha256)
        if path.is_file():
            data = path.read_bytes()
            _require_unchanged(path, sha256, hashlib.sha256(data).hexdigest())
            return data
        data = self._row(sha256, path)
        _require_unchanged(IN_DATABASE, sha256, hashlib.sha256(data).hexdigest())
        return data

    def open_verified(self, sha256: str) -> VerifiedFile:
        """The stored document, open at its start, after one chunked pass re-checked that it hashes to ``sha256``.

        For sending a document without holding it in memory: an altered or missing file raises
        IntegrityError here, before anything is sent.
        """
        path = self.path_for(sha256)
        if not path.is_file():
            data = self._row(sha256, path)
            _require_unchanged(IN_DATABASE, sha256, hashlib.sha256(data).hexdigest())
            return VerifiedFile(io.BytesIO(data), IN_DATABASE, sha256, len(data))
        handle = path.open("rb")
        try:
            _require_unchanged(path, sha256, sha256_to_end(handle))
            handle.seek(0)
            return VerifiedFile(handle, path, sha256, os.fstat(handle.fileno()).st_size)
        except BaseException:
            handle.close()
            raise

    def _row(self, sha256: str, path: Path) -> bytes:
        """The bytes kept in the database under ``sha256``; IntegrityError (naming ``path``) if there are none."""
        data = None
        if self.db is not None:
            with self.db.read() as session:
                data = session.connection().scalar(_FETCH, {"sha256": sha256})
        if data is None:
            raise _missing(path, sha256)
        return bytes(data)


def _make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each made durable in the folder that holds it."""
    missing = [folder, *(p for p in folder.parents if not p.is_dir())]
    folder.mkdir(parents=True, exist_ok=True)
    for made in reversed(missing):
        _fsync_folder(made.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` (a rename or a new file) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_for(ctx: Context) -> ArtefactStore:
    """This install's store: its folder, its database and which documents go in the database."""
    storage = ctx.settings.storage
    return ArtefactStore(storage.artefacts_dir, ctx.db, storage.inline_max_bytes, storage.in_database)
