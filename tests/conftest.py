"""Shared fixtures: settings on a temporary folder, a fixed clock, and both database backends.

PostgreSQL: if ``SOP_TEST_POSTGRES_URL`` is set, that server is used; otherwise the tests start a
throw-away cluster from the Debian binaries (``apt-get install postgresql``). Without one the
PostgreSQL tests skip with a reason, except under ``CI=true``, where they fail.

Speed (each claim still runs on a real, migrated database):

- ``ctx`` copies a database that was migrated with Alembic and initialised with the demo people
  once per session (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL),
  built with the same settings and the same clock instant the test's own ``initialise`` would
  have used, so the rows are identical. ``settings`` alone still gives a database that was never
  initialised (blank on SQLite, migrated on PostgreSQL) for the tests of ``sop init``.
- Argon2 runs at minimal cost (:data:`tests.helpers.TEST_HASHER`); ``tests/test_password_cost.py``
  checks the production parameters.
- Markers (``browser``, ``office``, ``postgres``, ``slow``) let ``make test-fast`` leave out the
  slow parts; ``make test`` runs everything.
- Under pytest-xdist each worker starts its own PostgreSQL cluster, and every database name
  carries the worker id.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, make_url, text

from sop_engine import passwords
from sop_engine.clock import FixedClock
from sop_engine.config import DatabaseSettings, Settings, StorageSettings, load_settings
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.session import Database
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.install import initialise
from tests.helpers import TEST_HASHER, need, run_cli
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
START = datetime.fromisoformat("2021-01-11T08:00:00+07:00")

#: This process's pytest-xdist worker ("gw0", ...), or "main" without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


# --- cheap password hashing ------------------------------------------------------------------


#: ``passwords``' own hasher, before any test swaps it (tests/test_password_cost.py).
PRODUCTION_HASHER = passwords._hasher


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at minimal cost in every test (the production parameters are tested once); the
    dummy hash an unknown login is verified against is made by the same hasher."""
    monkeypatch.setattr(passwords, "_hasher", TEST_HASHER)


# --- the real command line --------------------------------------------------------------------


@pytest.fixture
def sop(settings: Settings, clock: FixedClock):
    """``sop(*args)`` runs the real ``sop ARGS`` in-process on ``settings`` and ``clock``; returns a Run."""
    return lambda *args: run_cli(list(args), settings, clock)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return candidates[-1].parent if candidates else None


def _memory_folder() -> str | None:
    """A folder in memory (tmpfs) for the throw-away cluster if the machine has one: copying a
    database there takes milliseconds instead of most of a second on a busy disk."""
    shm = Path("/dev/shm")
    roomy = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= 2 * 1024**3
    return str(shm) if roomy else None  # a container's 64 MB /dev/shm would fill: use the disk then


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server to create test databases on (one cluster per xdist worker)."""
    given = os.environ.get("SOP_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bindir = _pg_bindir()
    if bindir is None:
        need("PostgreSQL is not installed (apt-get install postgresql)")
        return
    folder = Path(tempfile.mkdtemp(prefix="sop-pg-", dir=_memory_folder()))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
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


def _on(postgres_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``postgres_url``."""
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def _create_database(postgres_url: str, name: str, template: str | None = None) -> None:
    """(Re)create database ``name``, as a copy of ``template`` if given."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}{_force(conn)}"))
        # PostgreSQL 15 copies a template faster file by file than through the WAL (its default)
        strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
        conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}{strategy}" if template else "")))
    admin.dispose()


def _drop_database(postgres_url: str, url: str) -> None:
    """Drop a test's database (ending any connection left open), so the cluster stays small."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database}{_force(conn)}"))
    admin.dispose()


def _force(conn: Connection) -> str:
    """``WITH (FORCE)``: end the connections to a database being dropped (PostgreSQL 13 and newer)."""
    return " WITH (FORCE)" if conn.dialect.server_version_info >= (13,) else ""


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A migrated template database; each test copies it (fast) instead of migrating again."""
    name = f"sop_template_{WORKER}"
    _create_database(postgres_url, name)
    db = Database(_on(postgres_url, name))
    migrate.upgrade(db.engine)
    db.dispose()
    return name


def _postgres_database(postgres_url: str, template: str) -> str:
    name = f"sop_test_{WORKER}_{os.getpid()}_{next(_counter)}"
    _create_database(postgres_url, name, template)
    return _on(postgres_url, name)


# --- initialised templates ----------------------------------------------------------------------


def _template_key(settings: Settings, clock: FixedClock) -> str:
    """What ``initialise`` writes depends on: every setting but where files go, and the clock's instant."""
    placeless = dataclasses.replace(
        settings,
        path=None,
        database=DatabaseSettings(url=""),
        storage=dataclasses.replace(settings.storage, artefacts_dir=Path()),
        notifications=dataclasses.replace(
            settings.notifications, log=dataclasses.replace(settings.notifications.log, path=Path())
        ),
    )
    return f"{clock.now().isoformat()} {placeless!r}"


#: How a template is made: ``initialise(ctx, DEMO_PEOPLE)`` (the ``ctx`` fixture), or these ``sop`` arguments.
INITIALISE: tuple[str, ...] = ()
INIT_DEMO = ("init", "--demo")


class InitialisedTemplates:
    """Databases migrated and initialised once per session, per backend, way and key (settings and clock)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}

    def sqlite_copy(self, settings: Settings, clock: FixedClock, how: tuple[str, ...] = INITIALISE) -> None:
        """Put a copy of the initialised SQLite template where ``settings`` keeps its database."""
        key = f"{how} {_template_key(settings, clock)}"
        if key not in self._sqlite:
            folder = self.folder / f"sqlite-{len(self._sqlite)}"
            folder.mkdir()
            source = folder / "sop.db"
            _make(dataclasses.replace(settings, database=DatabaseSettings(url=f"sqlite:///{source}")), clock, how)
            with sqlite3.connect(source) as conn:  # everything into the main file, so one file is the copy
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            self._sqlite[key] = source
        target = _sqlite_path(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite[key], target)

    def postgres_template(
        self, postgres_url: str, migrated: str, settings: Settings, clock: FixedClock, how: tuple[str, ...] = INITIALISE
    ) -> str:
        """The name of the initialised PostgreSQL template database for ``settings`` and ``clock``."""
        key = f"{how} {_template_key(settings, clock)}"
        if key not in self._postgres:
            name = f"sop_initialised_{WORKER}_{len(self._postgres)}"
            _create_database(postgres_url, name, migrated)
            _make(dataclasses.replace(settings, database=DatabaseSettings(url=_on(postgres_url, name))), clock, how)
            self._postgres[key] = name
        return self._postgres[key]


def _make(settings: Settings, clock: FixedClock, how: tuple[str, ...]) -> None:
    if how:
        run = run_cli(list(how), settings, clock)
        assert run.code == 0, f"sop {' '.join(how)} failed making a template:\n{run.out}\n{run.err}"
        return
    context = Context.open(settings, clock=clock)
    try:
        initialise(context, DEMO_PEOPLE)
    finally:
        context.db.dispose()


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database.url).database
    assert database, settings.database.url
    return Path(database)


@pytest.fixture(scope="session")
def initialised_templates(tmp_path_factory: pytest.TempPathFactory) -> InitialisedTemplates:
    return InitialisedTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def sop_init_demo(
    settings: Settings, backend: str, request: pytest.FixtureRequest, initialised_templates: InitialisedTemplates
) -> Callable[[FixedClock], None]:
    """``sop_init_demo(clock)`` leaves the database of ``settings`` as ``sop init --demo`` at ``clock`` does.

    A copy of what that command made once this session (for tests of other commands; the tests of
    ``sop init`` itself run it every time).
    """

    def install(clock: FixedClock) -> None:
        if backend != "postgresql":
            initialised_templates.sqlite_copy(settings, clock, INIT_DEMO)
            return
        url, migrated = request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_template")
        template = initialised_templates.postgres_template(url, migrated, settings, clock, INIT_DEMO)
        name = make_url(settings.database.url).database
        assert name, settings.database.url
        _create_database(url, name, template)

    return install


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


#: Where ``settings`` notes the key of the initialised template its PostgreSQL database was copied from.
_INITIALISED_AS = pytest.StashKey[str]()


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings on a fresh database of the parametrised backend (blank SQLite, migrated PostgreSQL).

    When the test also uses ``ctx``, the PostgreSQL database is copied from the initialised
    template straight away (``ctx`` would otherwise initialise it). It is dropped after the test.
    """
    if backend != "postgresql":
        yield make_settings(tmp_path)
        return
    url = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("postgres_template")
    if "ctx" in request.fixturenames:
        clock: FixedClock = request.getfixturevalue("clock")
        templates: InitialisedTemplates = request.getfixturevalue("initialised_templates")
        shape = make_settings(tmp_path, "postgresql+psycopg://unused/unused")
        template = templates.postgres_template(url, template, shape, clock)
        request.node.stash[_INITIALISED_AS] = _template_key(shape, clock)
    database = _postgres_database(url, template)
    yield make_settings(tmp_path, database)
    _drop_database(url, database)


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock, backend: str, request: pytest.FixtureRequest) -> Iterator[Context]:
    """An initialised install with the demo people, on the fixed clock.

    A copy of the session's initialised template when nothing touched the database since
    ``settings`` made it; otherwise ``initialise`` runs here, as ``sop init --demo`` would.
    """
    copied = False
    if backend == "postgresql":
        initialised_as = request.node.stash.get(_INITIALISED_AS, None)
        copied = initialised_as == _template_key(settings, clock)
        if initialised_as is not None and not copied:  # the clock moved since: start again from the migrated one
            url = request.getfixturevalue("postgres_url")
            name = make_url(settings.database.url).database
            assert name, settings.database.url
            _create_database(url, name, request.getfixturevalue("postgres_template"))
    elif not _sqlite_path(settings).exists():
        request.getfixturevalue("initialised_templates").sqlite_copy(settings, clock)
        copied = True
    context = Context.open(settings, clock=clock)
    if not copied:
        initialise(context, DEMO_PEOPLE)
    yield context
    context.db.dispose()
