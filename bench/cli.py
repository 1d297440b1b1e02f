"""The command line of ``python -m bench``: choose the figures, run them, print the table or the JSON."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import harness


def all_figures() -> list[Any]:
    """Every figure, in the order of the table (imported here: each module imports what it measures)."""
    from bench import fig_audit, fig_cli, fig_scale, fig_scheduler, fig_steps, fig_web

    return [
        *fig_steps.figures(),
        *fig_cli.figures(),
        *fig_web.figures(),
        *fig_scale.figures(),
        *fig_audit.figures(),
        *fig_scheduler.figures(),
    ]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, smaller sizes")
    p.add_argument("--json", action="store_true", help="print the results as one JSON document")
    p.add_argument("--only", action="append", metavar="NAME", help="run only this figure (repeatable)")
    p.add_argument("--repetitions", type=int, help="repetitions (default 3, 1 with --quick)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--keep", metavar="FOLDER", help="build the data in FOLDER and keep it (default: a temp folder)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    figures = all_figures()
    if args.list:
        for figure in figures:
            print(f"{figure.name:<20} {figure.title}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - {f.name for f in figures})
        if unknown:
            print(f"unknown figure(s): {', '.join(unknown)}; see --list", file=sys.stderr)
            return 2
        figures = [f for f in figures if f.name in args.only]
    repetitions = args.repetitions or (1 if args.quick else 3)

    def progress(text: str) -> None:
        print(f"bench: {text}", file=sys.stderr, flush=True)

    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        results, lab = _run(figures, folder, args.quick, repetitions, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="sop-bench-") as scratch:
            results, lab = _run(figures, Path(scratch), args.quick, repetitions, progress)
    print(harness.dumps(results, lab) if args.json else harness.table(results, lab))
    return 0


def _run(figures: list[Any], folder: Path, quick: bool, repetitions: int, progress: Any) -> Any:
    from bench.install import compile_package

    compile_package()  # the sop processes start from bytecode, as an installed package does
    lab = harness.Lab(folder=folder, quick=quick, repetitions=repetitions)
    return harness.run(figures, lab, progress), lab
