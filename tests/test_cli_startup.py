"""``sop`` imports only what the command runs (what ``python -X importtime`` lists; no timing here).

``sop --help`` loads no service and not even SQLAlchemy; ``sop case show`` loads no document,
spreadsheet or web library, no Alembic and, once the install's holiday cache holds the years it
needs (the first command that needs a year computes it), not the ``holidays`` package either.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from tests.helpers import run_cli, sop_env, write_config

pytestmark = pytest.mark.slow

SOP = str(Path(sys.executable).with_name("sop"))
#: What a command that only reads a case has no use for.
HEAVY = (
    "docx",
    "docxtpl",
    "openpyxl",
    "lxml",
    "fastapi",
    "uvicorn",
    "starlette",
    "pydantic",
    "multipart",
    "jinja2",
    "argon2",
    "apscheduler",
    "holidays",
    "alembic",
)


def imported(args: list[str], settings: Settings | None = None) -> tuple[set[str], str]:
    """The top-level packages a fresh ``sop ARGS`` process imports, and its stdout."""
    modules, out = imported_modules(args, settings)
    return {name.split(".")[0] for name in modules}, out


def imported_modules(args: list[str], settings: Settings | None = None) -> tuple[set[str], str]:
    """The modules a fresh ``sop ARGS`` process imports, and its stdout."""
    env = sop_env(settings) if settings else None
    done = subprocess.run(
        [sys.executable, "-X", "importtime", SOP, *args], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return names, done.stdout


def test_sop_help_imports_no_service_and_no_sqlalchemy() -> None:
    names, out = imported(["--help"])
    assert "Mesin alur kerja SOP" in out
    assert not names & {*HEAVY, "sqlalchemy"}
    names, _ = imported(["case", "show", "--help"])
    assert not names & {*HEAVY, "sqlalchemy"}


def test_sop_case_show_imports_no_document_web_alembic_or_holidays_package(
    settings: Settings, clock: FixedClock, sop_init_demo, tmp_path: Path
) -> None:
    sop_init_demo(clock)
    assert run_cli(["case", "start", "lakip", "--year", "2021", "--by", "sekretaris"], settings, clock).code == 0
    config = str(write_config(tmp_path, settings))
    show = ["--config", config, "case", "show", "lakip-2021", "--json"]
    first, out = imported(show, settings)  # computes and keeps the years it needs up to today
    assert '"id": "lakip-2021"' in out
    assert not first & (set(HEAVY) - {"holidays"})
    modules, again = imported_modules(show, settings)
    names = {name.split(".")[0] for name in modules}
    assert '"id": "lakip-2021"' in again
    assert not names & set(HEAVY)
    assert "sop_engine" in names and "sqlalchemy" in names
    if settings.database.url.startswith("sqlite"):  # SQLAlchemy's PostgreSQL dialect is slow to load
        assert not {name for name in modules if name.startswith("sqlalchemy.dialects.postgresql")}


def test_the_console_script_collects_cycles_again_before_the_command_runs(tmp_path: Path) -> None:
    script = (
        "import gc, sys\n"
        "from sop_engine.cli import archive, entry_point\n"
        "archive.cmd_archive_verify = lambda args, ctx: print(gc.isenabled(), gc.get_freeze_count() > 0) or 0\n"
        f"sys.argv = ['sop', 'archive', 'verify', {str(tmp_path / 'kasus.zip')!r}]\n"
        "entry_point()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]
