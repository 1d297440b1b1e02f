"""Durable step completion: ``Engine.complete_step`` against raw single-row commits and SpiffWorkflow.

Each repetition starts from a copy of a freshly initialised demo database, starts cases (not
timed) and completes their 11 steps through :class:`sop_engine.Engine` (8 of them with a small
PDF, as workflows/lakip.toml requires), timing only the completions: wall-clock steps per second
and CPU milliseconds per step of this process. The references, in the same repetition:

- raw commits: as many single-row ``INSERT`` + ``COMMIT`` transactions on the same database
  (SQLite: the same file, WAL, ``synchronous=FULL``; PostgreSQL: the same server and database);
- SpiffWorkflow 3.2.0 running the same 11-step process (bench/lakip.bpmn), serialised to a file
  durably after every step (:mod:`bench.spiff`).

The three alternate case by case (a case through the engine, as many raw commits, the same case
through SpiffWorkflow, then the next case), so that the machine's load, which moves a lot on a
shared machine, weighs on the engine and its references alike.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Lab, Metric, Ratio
from bench.install import DOERS, PARAF, WITH_FILE, Install, Stopwatch, checkpoint, pdfs
from bench.postgres import Server
from bench.spiff import SpiffProcess


@dataclass
class StepCompletion:
    """The step-completion figure on one backend (``sqlite`` or ``postgresql``)."""

    backend: str
    name: str = ""
    title: str = ""
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = (
        Metric("engine_rate", "Engine.complete_step", "steps/s"),
        Metric("engine_cpu", "Engine.complete_step CPU", "ms/step"),
        Metric("raw_rate", "raw single-row commits, same database", "commits/s"),
        Metric("raw_cpu", "raw single-row commits CPU", "ms/commit"),
        Metric("spiff_rate", "SpiffWorkflow 3.2.0, saved after every step", "steps/s"),
        Metric("spiff_cpu", "SpiffWorkflow 3.2.0 CPU", "ms/step"),
    )
    ratios: tuple[Ratio, ...] = (
        Ratio("engine rate / raw commit rate", "engine_rate", "raw_rate", ">= 0.5"),
        Ratio("engine CPU / SpiffWorkflow CPU per step", "engine_cpu", "spiff_cpu", "<= 2"),
    )

    def __post_init__(self) -> None:
        self.name = f"steps-{self.backend}"
        where = "SQLite (WAL, synchronous FULL)" if self.backend == "sqlite" else "PostgreSQL (fsync on)"
        self.title = f"Step completion on {where}, 11 steps, 8 with a PDF"
        self._server: Server | None = None
        self._template: Install | None = None
        self._repetition = 0

    def prepare(self, lab: Lab) -> None:
        self._spiff = SpiffProcess()
        self._cases = lab.scale(10, 2)
        folder = lab.folder / self.name
        if self.backend == "sqlite":
            self._template = Install(folder / "template").init_demo()
            checkpoint(self._template.sqlite_file)
        else:
            self._server = Server()
            self._server.start()
            self._template = Install(folder / "template", self._server.create("bench_steps_template")).init_demo()
        self._documents = pdfs(folder / "documents", self._cases * 11, "langkah")
        self.notes.append(
            f"{self._cases} cases x 11 steps per repetition, the engine and its references taking turns case by "
            "case; each repetition on a fresh copy"
        )

    def measure(self, lab: Lab) -> dict[str, float]:
        self._repetition += 1
        install = self._fresh_install(lab)
        engine, raw, spiff = Stopwatch(), Stopwatch(), Stopwatch()
        documents = iter(self._documents)
        with install.engine() as sop, _RawCommits(install) as commits:
            for number in range(self._cases):
                case = sop.start_case("lakip", year=2000 + number, by="sekretaris").id
                for no in range(1, 12):
                    files = [next(documents)] if no in WITH_FILE else []
                    with engine.timing():
                        sop.complete_step(case, no, by=DOERS[no], files=files)
                    for user in PARAF.get(no, ()):
                        sop.complete_step(case, no, by=user)
                commits.run(11, raw)
                self._spiff.run_case(install.folder / "spiff", number, self._documents, spiff)
        return {
            "engine_rate": engine.rate(),
            "engine_cpu": engine.cpu_ms(),
            "raw_rate": raw.rate(),
            "raw_cpu": raw.cpu_ms(),
            "spiff_rate": spiff.rate(),
            "spiff_cpu": spiff.cpu_ms(),
        }

    def _fresh_install(self, lab: Lab) -> Install:
        assert self._template is not None
        folder = lab.folder / self.name / f"run-{self._repetition}"
        if self._server is None:
            return Install(folder).copy_from(self._template)
        return Install(folder, self._server.create(f"bench_steps_{self._repetition}", "bench_steps_template"))

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()


class _RawCommits:
    """Single-row ``INSERT`` + ``COMMIT`` transactions on the install's database, with the driver alone."""

    ROW = ("lakip-2000", 1, "2021-01-11T08:00:00+00:00", '{"by": "sekretaris", "files": []}')

    def __init__(self, install: Install) -> None:
        self.install = install
        self.done = 0

    def __enter__(self) -> _RawCommits:
        if self.install.database_url.startswith("sqlite"):
            self.conn: Any = sqlite3.connect(self.install.sqlite_file, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.begin, mark = "BEGIN IMMEDIATE", "?"
        else:
            import psycopg

            url = self.install.database_url.replace("postgresql+psycopg", "postgresql")
            self.conn = psycopg.connect(url, autocommit=True)
            self.begin, mark = "BEGIN", "%s"
        self.conn.execute(
            "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, case_code TEXT, step INTEGER, at TEXT, data TEXT)"
        )
        self.insert = f"INSERT INTO bench_raw (id, case_code, step, at, data) VALUES ({', '.join([mark] * 5)})"
        return self

    def run(self, count: int, watch: Stopwatch) -> None:
        """``count`` commits, each timed by ``watch``."""
        for _ in range(count):
            with watch.timing():
                self.conn.execute(self.begin)
                self.conn.execute(self.insert, (self.done, *self.ROW))
                self.conn.execute("COMMIT")
            self.done += 1

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def figures() -> list[Any]:
    return [StepCompletion("sqlite"), StepCompletion("postgresql")]
