"""Shared fixtures: settings on a temporary folder, a fixed clock, and both database backends.

PostgreSQL: if ``SOP_TEST_POSTGRES_URL`` is set, that server is used; otherwise the tests start a
throw-away cluster from the Debian binaries (``apt-get install postgresql``). Without one the
PostgreSQL tests skip with a reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sop_engine.clock import FixedClock
from sop_engine.config import DatabaseSettings, Settings, StorageSettings, load_settings
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.session import Database
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.install import initialise

ROOT = Path(__file__).resolve().parent.parent
START = datetime.fromisoformat("2021-01-11T08:00:00+07:00")


def need(reason: str) -> None:
    """Skip for ``reason``, or fail under CI, where every real component must be installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server to create test databases on."""
    given = os.environ.get("SOP_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bindir = _pg_bindir()
    if bindir is None:
        need("PostgreSQL is not installed (apt-get install postgresql)")
        return
    folder = Path(tempfile.mkdtemp(prefix="sop-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A migrated template database; each test copies it (fast) instead of migrating again."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS sop_template"))
        conn.execute(text("CREATE DATABASE sop_template"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/sop_template"
    db = Database(url)
    migrate.upgrade(db.engine)
    db.dispose()
    return "sop_template"


def _postgres_database(postgres_url: str, template: str) -> str:
    name = f"sop_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/" + name


# --- settings and contexts ----------------------------------------------------------------


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def make_settings(tmp_path: Path, url: str | None = None) -> Settings:
    """The project's config.toml, with the database and artefact store moved into ``tmp_path``."""
    base = load_settings(ROOT / "config.toml", env={})
    notifications = dataclasses.replace(
        base.notifications, log=dataclasses.replace(base.notifications.log, path=tmp_path / "notifications.log")
    )
    return dataclasses.replace(
        base,
        database=DatabaseSettings(url=url or f"sqlite:///{tmp_path / 'sop.db'}"),
        storage=StorageSettings(artefacts_dir=tmp_path / "artefacts", max_upload_bytes=base.storage.max_upload_bytes),
        notifications=notifications,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    """Settings on a fresh database of the parametrised backend."""
    if backend == "postgresql":
        url = _postgres_database(request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_template"))
        return make_settings(tmp_path, url)
    return make_settings(tmp_path)


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock) -> Iterator[Context]:
    """An initialised install with the demo people, on the fixed clock."""
    context = Context.open(settings, clock=clock)
    initialise(context, DEMO_PEOPLE)
    yield context
    context.db.dispose()
