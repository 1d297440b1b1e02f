"""Command-line start-up: ``sop case show CASE --json`` and ``sop --help`` against ``import sqlalchemy.orm``.

Each is a fresh process of this virtual environment (``.venv/bin/sop``, ``python -c``), run in
turn (import, show, help, import, ...); per repetition the median of a few runs, wall-clock and
CPU (user + system of the child) seconds. The case shown has three steps done and documents.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.harness import Lab, Metric, Ratio
from bench.install import PYTHON, SOP, Install, timed_process


@dataclass
class CliStartup:
    name: str = "cli"
    title: str = "Command line: one process per command"
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = (
        Metric("show_wall", "sop case show lakip-2021 --json", "s wall"),
        Metric("show_cpu", "sop case show lakip-2021 --json CPU", "s CPU"),
        Metric("help_wall", "sop --help", "s wall"),
        Metric("import_wall", 'python -c "import sqlalchemy.orm"', "s wall"),
        Metric("import_cpu", 'python -c "import sqlalchemy.orm" CPU', "s CPU"),
    )
    ratios: tuple[Ratio, ...] = (
        Ratio("case show / import sqlalchemy.orm (wall)", "show_wall", "import_wall", "<= 1.5"),
        Ratio("sop --help / import sqlalchemy.orm (wall)", "help_wall", "import_wall", "<= 1.2"),
    )

    def prepare(self, lab: Lab) -> None:
        self._install = Install(lab.folder / self.name).init_demo()
        self._install.with_case(done=3)
        self._runs = lab.scale(3, 1)

    def measure(self, lab: Lab) -> dict[str, float]:
        commands = {
            "import": [PYTHON, "-c", "import sqlalchemy.orm"],
            "show": [SOP, "--config", str(self._install.config), "case", "show", "lakip-2021", "--json"],
            "help": [SOP, "--help"],
        }
        walls: dict[str, list[float]] = {key: [] for key in commands}
        cpus: dict[str, list[float]] = {key: [] for key in commands}
        for _ in range(self._runs):
            for key, args in commands.items():
                timed = timed_process(args)
                walls[key].append(timed.wall)
                cpus[key].append(timed.cpu)
        return {
            "show_wall": statistics.median(walls["show"]),
            "show_cpu": statistics.median(cpus["show"]),
            "help_wall": statistics.median(walls["help"]),
            "import_wall": statistics.median(walls["import"]),
            "import_cpu": statistics.median(cpus["import"]),
        }

    def close(self) -> None:
        pass


def figures() -> list[CliStartup]:
    return [CliStartup()]
