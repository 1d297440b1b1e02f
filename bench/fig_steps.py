"""Durable step completion: ``Engine.complete_step`` against raw single-row commits and SpiffWorkflow.

Each repetition starts from a copy of a freshly initialised demo database, starts cases (not
timed) and completes their 11 steps through :class:`sop_engine.Engine` (8 of them with a small
PDF, as workflows/lakip.toml requires), timing only the completions: wall-clock steps per second
and CPU milliseconds per step of this process. The references, in the same repetition:

- raw commits: as many single-row ``INSERT`` + ``COMMIT`` transactions on the same database
  (SQLite: the same file, WAL, ``synchronous=FULL``; PostgreSQL: the same server and database);
- SpiffWorkflow 3.2.0 running the same 11-step process (bench/lakip.bpmn), serialised to a file
  durably after every step (:mod:`bench.spiff`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Lab, Metric, Ratio
from bench.install import DOERS, WITH_FILE, Install, Stopwatch, checkpoint, pdfs
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
        self.notes.append(f"{self._cases} cases x 11 steps per repetition; each repetition on a fresh copy")

    def measure(self, lab: Lab) -> dict[str, float]:
        self._repetition += 1
        install = self._fresh_install(lab)
        engine, raw, spiff = Stopwatch(), Stopwatch(), Stopwatch()
        self._engine_steps(install, engine)
        self._raw_commits(install, raw, engine.count)
        self._spiff.run_cases(install.folder / "spiff", self._cases, self._documents, spiff)
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

    def _engine_steps(self, install: Install, watch: Stopwatch) -> None:
        documents = iter(self._documents)
        with install.engine() as engine:
            for number in range(self._cases):
                case = engine.start_case("lakip", year=2000 + number, by="sekretaris").id
                for no in range(1, 12):
                    files = [next(documents)] if no in WITH_FILE else []
                    with watch.timing():
                        engine.complete_step(case, no, by=DOERS[no], files=files)

    def _raw_commits(self, install: Install, watch: Stopwatch, count: int) -> None:
        row = ("lakip-2000", 1, "2021-01-11T08:00:00+00:00", '{"by": "sekretaris", "files": []}')
        if self._server is None:
            conn: Any = sqlite3.connect(install.sqlite_file, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            begin, mark = "BEGIN IMMEDIATE", "?"
        else:
            import psycopg

            conn = psycopg.connect(install.database_url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
            begin, mark = "BEGIN", "%s"
        conn.execute(
            "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, case_code TEXT, step INTEGER, at TEXT, data TEXT)"
        )
        insert = f"INSERT INTO bench_raw (id, case_code, step, at, data) VALUES ({', '.join([mark] * 5)})"
        try:
            for n in range(count):
                with watch.timing():
                    conn.execute(begin)
                    conn.execute(insert, (n, *row))
                    conn.execute("COMMIT")
        finally:
            conn.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()


def figures() -> list[Any]:
    return [StepCompletion("sqlite"), StepCompletion("postgresql")]
