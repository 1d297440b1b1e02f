"""Whether this install can answer requests now: the checks behind ``GET /readyz``.

Each check is cheap enough to run on every probe of a load balancer: the database answers one
query, its schema revision is the one this version needs (read from Alembic's version table, as
every command checks it), and the document store takes an anonymous temporary file (with
``[storage] backend = "database"``: a row of ``artefact_blobs``, rolled back). A check that fails
says why in English, for the log; the probe's answer names only the check.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.exc import SQLAlchemyError

from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.models import ArtefactBlob
from sop_engine.db.queries import table


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed, and why not."""

    name: str
    ok: bool
    problem: str = ""


def readiness(ctx: Context) -> tuple[Check, ...]:
    """The database reachable, its schema current, the document store writable (in that order)."""
    database = _database(ctx)
    schema = _schema(ctx) if database.ok else Check("schema", False, "not checked: the database is unreachable")
    if not ctx.settings.storage.in_database:
        return database, schema, _storage(ctx.settings.storage.artefacts_dir)
    unchecked = Check("storage", False, "not checked: the database is unreachable")
    return database, schema, _database_storage(ctx) if database.ok else unchecked


def _database(ctx: Context) -> Check:
    try:
        with ctx.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return Check("database", False, _first_line(exc))
    return Check("database", True)


def _schema(ctx: Context) -> Check:
    try:
        current, needed = migrate.current_revision(ctx.db.engine), migrate.head_revision()
    except SQLAlchemyError as exc:
        return Check("schema", False, _first_line(exc))
    if current != needed:
        return Check("schema", False, f"the database is at schema {current or 'none'}, this version needs {needed}")
    return Check("schema", True)


def _storage(folder: Path) -> Check:
    """The store's folder exists (made if missing, as the first upload would) and takes a file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"ready")
            probe.flush()
    except OSError as exc:
        return Check("storage", False, f"{folder}: {exc.strerror or type(exc).__name__}")
    return Check("storage", True)


def _database_storage(ctx: Context) -> Check:
    """The database takes a document's row (inserted under a name no hash has, then rolled back)."""
    probe = {"sha256": f"probe-{secrets.token_hex(8)}", "size": 5, "content": b"ready"}
    try:
        with ctx.db.engine.connect() as connection, connection.begin() as transaction:
            connection.execute(insert(table(ArtefactBlob)), probe)
            transaction.rollback()
    except SQLAlchemyError as exc:
        return Check("storage", False, _first_line(exc))
    return Check("storage", True)


def _first_line(exc: Exception) -> str:
    shown = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {shown[0]}" if shown else type(exc).__name__
