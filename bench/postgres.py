"""A PostgreSQL server for the PostgreSQL figures, found or started the way the tests do.

``SOP_TEST_POSTGRES_URL`` names an existing server; otherwise a throw-away cluster is started
from the Debian binaries with the tests' own helpers (tests/conftest.py: where the binaries
are, a free port), as the ``postgres`` user when run as root. Unlike the tests' cluster, this
one keeps ``fsync`` on and its data on disk (the temp folder, like the SQLite figures): its
commits are durable, like SQLite's with ``synchronous=FULL``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.harness import NotMeasured


class Server:
    """A PostgreSQL server: :meth:`start` it, :meth:`create` databases on it, :meth:`stop` it."""

    def __init__(self) -> None:
        self.url = os.environ.get("SOP_TEST_POSTGRES_URL", "")
        self._folder: Path | None = None
        self._run_as: list[str] = []
        self._bindir: Path | None = None

    def start(self) -> None:
        if self.url:
            return
        from tests.conftest import _pg_bindir
        from tests.servers import free_port

        bindir = _pg_bindir()
        if bindir is None:
            raise NotMeasured("no PostgreSQL here (apt-get install postgresql, or set SOP_TEST_POSTGRES_URL)")
        self._bindir, self._folder = bindir, Path(tempfile.mkdtemp(prefix="sop-bench-pg-"))
        if os.geteuid() == 0:  # initdb refuses root
            user = pwd.getpwnam("postgres")
            os.chown(self._folder, user.pw_uid, user.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        data, port = self._folder / "data", free_port()
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")
        options = f"-p {port} -k {self._folder} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self._folder / "log"), "-w", "start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        assert self._bindir is not None
        subprocess.run([*self._run_as, str(self._bindir / program), *args], check=True, capture_output=True)

    def create(self, name: str, template: str | None = None) -> str:
        """(Re)create database ``name`` (a copy of ``template`` if given); its URL."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
        admin.dispose()
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self._folder is None:
            return
        data = self._folder / "data"
        subprocess.run(
            [*self._run_as, str(self._bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None
