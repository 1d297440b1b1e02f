"""``pg_dump`` and ``pg_restore`` of a PostgreSQL install, for :mod:`sop_engine.backup`.

The dump is taken in the snapshot of a REPEATABLE READ transaction that stays open while it
runs (``pg_dump --snapshot``): the caller reads the audit head and the list of documents in the
same snapshot, so the backup's manifest describes exactly what the dump holds, while writers go on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from sop_engine.errors import ConfigError


def _program(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: on PATH, else the newest Debian/Ubuntu PostgreSQL's."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise ConfigError(
            f"Program {name} (klien PostgreSQL) tidak ditemukan; pasang paket postgresql-client.", value=name
        )
    return str(candidates[-1])


def _environment(url: URL) -> dict[str, str]:
    """The libpq variables that point the client programs at ``url``'s database (the password never on argv)."""
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password}
    return {**os.environ, "PGDATABASE": str(url.database)} | {k: str(v) for k, v in values.items() if v is not None}


def _run(command: list[str], url: URL) -> None:
    done = subprocess.run(command, env=_environment(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(
            f"{Path(command[0]).name} gagal (kode {done.returncode}): {done.stderr.strip()[-500:]}",
            value=done.returncode,
        )


@contextmanager
def dumped(engine: Engine, target: Path) -> Iterator[Connection]:
    """Dump the database of ``engine`` to ``target`` (custom format); yields a connection in the dump's snapshot."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        command = [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, f"--snapshot={snapshot}", f"--file={target}"], engine.url)
        yield conn


def restore(engine: Engine, dump: Path) -> None:
    """Load the custom-format ``dump`` into the (empty) database of ``engine``."""
    engine.dispose()
    command = [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run([*command, f"--dbname={engine.url.database}", str(dump)], engine.url)


def table_count(engine: Engine) -> int:
    """How many tables the database's public schema has (0: empty)."""
    with engine.connect() as conn:
        query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        return int(conn.execute(text(query)).scalar_one())
