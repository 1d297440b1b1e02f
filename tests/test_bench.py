"""``python -m bench``: the shape of its table and JSON (a benchmark is not a test: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench import harness
from bench.harness import Lab, Metric, NotMeasured, Ratio
from tests.helpers import ROOT


@dataclass
class Counting:
    """A figure that counts its repetitions instead of timing anything."""

    name: str = "counting"
    title: str = "Counting figure"
    notes: list[str] = field(default_factory=lambda: ["a note"])
    metrics: tuple[Metric, ...] = (Metric("subject", "subject", "items/s"), Metric("reference", "reference", "items/s"))
    ratios: tuple[Ratio, ...] = (Ratio("subject / reference", "subject", "reference", ">= 0.5"),)
    seen: list[int] = field(default_factory=list)

    def prepare(self, lab: Lab) -> None:
        pass

    def measure(self, lab: Lab) -> dict[str, float]:
        self.seen.append(len(self.seen) + 1)
        return {"subject": float(len(self.seen)), "reference": 4.0}

    def close(self) -> None:
        self.seen.append(0)


@dataclass
class Unmeasurable(Counting):
    name: str = "unmeasurable"
    title: str = "Unmeasurable figure"

    def prepare(self, lab: Lab) -> None:
        raise NotMeasured("no such server here")


def test_figures_are_measured_in_turn_and_reported_as_medians_and_ratios(tmp_path: Path):
    counting, unmeasurable = Counting(), Unmeasurable()
    lab = Lab(folder=tmp_path, quick=True, repetitions=3)
    results = harness.run([counting, unmeasurable], lab)
    assert counting.seen == [1, 2, 3, 0] and unmeasurable.seen == [0]  # measured 3 times, every figure closed
    document = json.loads(harness.dumps(results, lab))
    first, second = document["figures"]
    assert first["metrics"]["subject"] == {"label": "subject", "unit": "items/s", "median": 2.0, "values": [1, 2, 3]}
    assert first["ratios"] == [
        {
            "label": "subject / reference",
            "numerator": "subject",
            "denominator": "reference",
            "value": 0.5,
            "target": ">= 0.5",
        }
    ]
    assert second["not_measured"] == "no such server here" and document["repetitions"] == 3
    text = harness.table(results, lab)
    assert "QUICK smoke run" in text and "not measured: no such server here" in text and "note: a note" in text
    assert "ratio: subject / reference" in text


@pytest.mark.slow
def test_a_quick_run_of_one_figure_prints_its_json(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "audit", "--json", "--keep", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["quick"] is True and document["repetitions"] == 1 and document["machine"]["cores"]
    (figure,) = document["figures"]
    assert figure["name"] == "audit" and figure["not_measured"] is None
    assert set(figure["metrics"]) == {"verify_rate", "fetch_rate"}
    assert all(len(m["values"]) == 1 and isinstance(m["median"], float) for m in figure["metrics"].values())
    assert [r["label"] for r in figure["ratios"]] == ["verify rate / fetch rate"]


def test_the_figures_have_unique_names_and_every_ratio_names_its_metrics():
    from bench.cli import all_figures

    figures = all_figures()
    assert len({f.name for f in figures}) == len(figures)
    listed = subprocess.run(
        [sys.executable, "-m", "bench", "--list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert [line.split()[0] for line in listed.splitlines()] == [f.name for f in figures]
    for figure in figures:
        keys = {m.key for m in figure.metrics}
        assert all({r.numerator, r.denominator} <= keys for r in figure.ratios), figure.name
