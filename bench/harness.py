"""The frame every figure runs in: repetitions interleaved, medians, ratios, the table and the JSON.

A :class:`Figure` names what it measures (:class:`Metric`) and which ratios it reports
(:class:`Ratio`, each with the target of the issue for information: a benchmark asserts
nothing). :func:`run` prepares every figure once, then measures repetition 1 of every figure,
then repetition 2, ...: a machine that gets busier or quieter part-way shifts all figures alike,
and inside a figure sop-engine and its reference alternate too. A figure that cannot be
measured here raises :class:`NotMeasured` with the reason, which the table prints instead of
numbers.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class NotMeasured(Exception):
    """This figure cannot be measured on this machine or in this run; the message says why."""


@dataclass(frozen=True)
class Metric:
    """One measured quantity of a figure."""

    key: str
    label: str
    unit: str


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` of two medians, with the issue's target for it (information only)."""

    label: str
    numerator: str
    denominator: str
    target: str


@dataclass
class Lab:
    """What every figure shares: the scratch folder, the sizes of this run and the repetition count."""

    folder: Path
    quick: bool
    repetitions: int

    def scale(self, full: int, quick: int) -> int:
        """``full`` in a real run, ``quick`` in a ``--quick`` smoke run."""
        return quick if self.quick else full


class Figure(Protocol):
    """A row group of the table: sop-engine against its reference."""

    name: str
    title: str
    metrics: tuple[Metric, ...]
    ratios: tuple[Ratio, ...]

    def prepare(self, lab: Lab) -> None:
        """Build the data (once per run); may raise NotMeasured."""

    def measure(self, lab: Lab) -> dict[str, float]:
        """One repetition: a value for each metric key."""

    def close(self) -> None:
        """Stop what ``prepare`` started."""


@dataclass
class Result:
    """What one figure measured over the repetitions."""

    name: str
    title: str
    metrics: tuple[Metric, ...]
    ratios: tuple[Ratio, ...]
    values: dict[str, list[float]] = field(default_factory=dict)
    not_measured: str | None = None
    notes: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = self.values.get(key)
        return statistics.median(values) if values else None

    def ratio(self, ratio: Ratio) -> float | None:
        top, bottom = self.median(ratio.numerator), self.median(ratio.denominator)
        return None if top is None or not bottom else top / bottom

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "not_measured": self.not_measured,
            "notes": self.notes,
            "metrics": {
                m.key: {
                    "label": m.label,
                    "unit": m.unit,
                    "median": self.median(m.key),
                    "values": self.values.get(m.key, []),
                }
                for m in self.metrics
            },
            "ratios": [
                {
                    "label": r.label,
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "value": self.ratio(r),
                    "target": r.target,
                }
                for r in self.ratios
            ],
        }


def run(figures: Sequence[Figure], lab: Lab, progress: Any = None) -> list[Result]:
    """Prepare each figure, then measure all of them ``lab.repetitions`` times, interleaved."""
    say = progress or (lambda _text: None)
    results = {f.name: Result(f.name, f.title, f.metrics, f.ratios) for f in figures}
    live: list[Figure] = []
    try:
        for figure in figures:
            say(f"preparing {figure.name}")
            if _attempt(results[figure.name], figure.prepare, lab) is not None:
                live.append(figure)
        for repetition in range(1, lab.repetitions + 1):
            for figure in list(live):
                say(f"repetition {repetition}/{lab.repetitions}: {figure.name}")
                values = _attempt(results[figure.name], figure.measure, lab)
                if values is None:
                    live.remove(figure)
                    continue
                for key, value in values.items():
                    results[figure.name].values.setdefault(key, []).append(value)
    finally:
        for figure in figures:
            figure.close()
    for figure in figures:  # a figure may size its title and metrics in prepare
        result = results[figure.name]
        result.title, result.metrics, result.ratios = figure.title, figure.metrics, figure.ratios
        result.notes.extend(getattr(figure, "notes", []))
    return [results[f.name] for f in figures]


def _attempt(result: Result, step: Any, lab: Lab) -> Any:
    """``step(lab)``, or None with the reason noted when the figure cannot be measured."""
    try:
        outcome = step(lab)
    except NotMeasured as exc:
        result.not_measured = str(exc)
        return None
    return True if outcome is None else outcome


# --- reporting -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine the figures were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def document(results: Sequence[Result], lab: Lab) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "quick": lab.quick,
        "repetitions": lab.repetitions,
        "machine": machine(),
        "figures": [r.to_json() for r in results],
    }


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def table(results: Sequence[Result], lab: Lab) -> str:
    """The plain-text table: per figure its medians (and each repetition), then its ratios."""
    info = machine()
    lines = [
        f"sop-engine bench: {'QUICK smoke run, ' if lab.quick else ''}{lab.repetitions} repetition(s), "
        f"medians; {info['cores']} cores ({info['cpu']}), load {info['load_average']}, Python {info['python']}",
        "",
        f"{'figure / what':<58} {'median':>12}  {'unit':<14} each repetition",
    ]
    for result in results:
        lines.append(f"{result.title}")
        if result.not_measured:
            lines.append(f"  not measured: {result.not_measured}")
            lines.append("")
            continue
        for metric in result.metrics:
            each = " ".join(_number(v) for v in result.values.get(metric.key, []))
            lines.append(f"  {metric.label:<56} {_number(result.median(metric.key)):>12}  {metric.unit:<14} {each}")
        for ratio in result.ratios:
            lines.append(f"  ratio: {ratio.label:<49} {_number(result.ratio(ratio)):>12}  target {ratio.target}")
        lines.extend(f"  note: {note}" for note in result.notes)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def dumps(results: Sequence[Result], lab: Lab) -> str:
    return json.dumps(document(results, lab), indent=2, ensure_ascii=False)
