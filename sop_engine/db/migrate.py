"""Create or upgrade the schema with Alembic, from code (no alembic.ini needed).

Every command checks the schema revision (:func:`require_current`) without importing Alembic:
the revision is read from Alembic's version table with one query, and the newest revision from
the ``revision`` lines of the migration scripts. Alembic itself is loaded only to upgrade.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from sop_engine.errors import ConfigError
from sop_engine.remedies import Hint, Remedy

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: Alembic's table of the schema revision a database is at (its default name).
VERSION_TABLE = "alembic_version"
# `revision = "0008"` and `down_revision = "0007"` (or None, or a tuple of a merge), annotated or not.
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|[^\n]*)", re.MULTILINE)


def alembic_config() -> Config:
    """The Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest schema."""
    from alembic import command

    config = alembic_config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database at ``engine`` back to schema ``revision`` (tests and emergencies)."""
    from alembic import command

    config = alembic_config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextlib.contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the migrations; on SQLite with foreign keys off, checked after the commit.

    A migration that rebuilds a table (SQLite cannot drop a constraint) drops the old one, which
    with foreign keys on deletes the rows that reference it (``ON DELETE CASCADE``). SQLite ignores
    the pragma inside a transaction, so it is set on the connection before the transaction begins.
    """
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
        if raw is not None and raw.execute("PRAGMA foreign_key_check").fetchall():
            raise RuntimeError("the migrated database breaks a foreign key (PRAGMA foreign_key_check)")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None if it was never initialised."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ", ".join(sorted(revisions)) or None


def require_current(engine: Engine) -> None:
    """ConfigError unless the database is at the schema this code needs (say how to get there)."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise ConfigError(
            "Basis data belum disiapkan (belum berskema).",
            value=None,
            hint=Hint(Remedy.INIT_DATABASE),
        )
    raise ConfigError(
        f"Basis data berskema {current}, sedangkan versi sop-engine ini memerlukan skema {head}; "
        "memperbaruinya tidak menghapus data yang ada.",
        value=current,
        hint=Hint(Remedy.UPGRADE_DATABASE),
        needed=head,
    )


@functools.cache
def head_revision() -> str | None:
    """The newest schema revision this code knows: the one no migration script revises."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(source))
        for down in _DOWN_REVISION.findall(source):
            revised.update(re.findall(r"[\"']([^\"']+)[\"']", down))
    heads = sorted(revisions - revised)
    return ", ".join(heads) or None
