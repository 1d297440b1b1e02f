"""Throw-away sop-engine installs for the figures: config, demo database, copies, processes.

An :class:`Install` is a folder with its own config.toml (absolute paths to this repository's
workflows and notification templates), database and artefact store, prepared with the real
``sop init --demo``. Databases are built once and copied (:meth:`Install.copy_from`) so that
each repetition starts from the same state.
"""

from __future__ import annotations

import compileall
import contextlib
import io
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sop_engine
from sop_engine import Engine
from sop_engine.cli import main as sop_main
from sop_engine.clock import Clock
from sop_engine.demo import minimal_pdf

ROOT = Path(__file__).resolve().parent.parent
#: The demo person who does each LAKIP step, and the steps that take a document (workflows/lakip.toml).
DOERS = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf2", 5: "kasubag", 6: "staf1", 7: "kasubag"}
DOERS |= {8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf2"}
#: The later actors of LAKIP's paraf chains (lakip.toml step 8: kasubag_program, then sekretaris).
PARAF: dict[int, tuple[str, ...]] = {8: ("sekretaris",)}
WITH_FILE = frozenset({1, 2, 4, 5, 6, 7, 9, 10})
PYTHON = sys.executable
SOP = str(Path(sys.executable).with_name("sop"))


@dataclass
class Install:
    """A sop-engine install in ``folder`` on ``database_url`` (SQLite in the folder by default)."""

    folder: Path
    database_url: str = ""

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.sqlite_file}"
        text = (ROOT / "config.toml").read_text(encoding="utf-8")
        text = re.sub(r'(?m)^url = "[^"]*"', f'url = "{self.database_url}"', text, count=1)
        text = re.sub(r'(?m)^dir = "workflows"', f'dir = "{ROOT / "workflows"}"', text, count=1)
        text = re.sub(r'(?m)^templates_dir = "[^"]*"', f'templates_dir = "{ROOT / "notifications"}"', text)
        self.config.write_text(text, encoding="utf-8")

    @property
    def config(self) -> Path:
        return self.folder / "config.toml"

    @property
    def sqlite_file(self) -> Path:
        return self.folder / "sop.db"

    def sop(self, *args: str) -> str:
        """Run ``sop ARGS`` in this process on this install (for building data); its stdout."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = sop_main(["--config", str(self.config), *args])
        if code != 0:
            raise RuntimeError(f"sop {' '.join(args)} failed ({code}):\n{out.getvalue()}")
        return out.getvalue()

    def init_demo(self) -> Install:
        self.sop("init", "--demo")
        return self

    def engine(self, clock: Clock | None = None) -> Engine:
        return Engine.open(self.config, clock=clock)

    def with_case(self, done: int, year: int = 2021) -> str:
        """Start ``lakip-YEAR`` and complete its first ``done`` steps (documents where required); its code."""
        documents = pdfs(self.folder / "documents", done, f"lakip-{year}")
        with self.engine() as engine:
            code = engine.start_case("lakip", year=year, by="sekretaris").id
            for no, document in enumerate(documents, start=1):
                engine.complete_step(code, no, by=DOERS[no], files=[document] if no in WITH_FILE else [])
                for user in PARAF.get(no, ()):
                    engine.complete_step(code, no, by=user)
        return code

    def copy_from(self, other: Install) -> Install:
        """This install's SQLite database becomes a copy of ``other``'s (artefact store emptied)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(other.sqlite_file, self.sqlite_file)
        shutil.rmtree(self.folder / "var", ignore_errors=True)
        return self


def checkpoint(path: Path) -> None:
    """Everything of a SQLite database into its main file, so that copying the file copies it all."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def pdfs(folder: Path, count: int, prefix: str) -> list[Path]:
    """``count`` small PDFs with distinct contents (the store keeps one copy per content)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{prefix}-{n}.pdf"
        path.write_bytes(minimal_pdf(f"{prefix} {n} {time.time_ns()}"))
        paths.append(path)
    return paths


def compile_package() -> None:
    """Write the bytecode of every sop_engine module, as installing a package does.

    The processes measured would otherwise compile each module of an editable install at every
    start when the environment sets PYTHONDONTWRITEBYTECODE (SQLAlchemy, the reference, comes
    with its bytecode from pip).
    """
    compileall.compile_dir(Path(sop_engine.__file__).parent, quiet=1)


@dataclass(frozen=True)
class Timed:
    """A child process's wall time and CPU time (user + system), in seconds."""

    wall: float
    cpu: float
    stdout: bytes


def timed_process(args: list[str], cwd: Path | None = None) -> Timed:
    """Run ``args`` to completion; its wall and CPU time (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, done.stdout)


class Stopwatch:
    """Accumulates the wall and CPU time (of this whole process) of the blocks it times."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self.count = 0

    @contextlib.contextmanager
    def timing(self, count: int = 1):  # type: ignore[no-untyped-def]
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu
            self.count += count

    def rate(self) -> float:
        """Timed items per wall-clock second."""
        return self.count / self.wall if self.wall else 0.0

    def cpu_ms(self) -> float:
        """CPU milliseconds per timed item."""
        return 1000 * self.cpu / self.count if self.count else 0.0

    def wall_ms(self) -> float:
        """Wall-clock milliseconds per timed item."""
        return 1000 * self.wall / self.count if self.count else 0.0
