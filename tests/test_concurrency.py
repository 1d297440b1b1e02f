"""Concurrent actions on one case: exactly one wins, the loser is told who acted first.

Real ``sop`` processes race each other on both backends; an in-process race with a barrier forces
the optimistic-locking path (version columns) on PostgreSQL, where writers do not queue. On SQLite
writers queue at ``BEGIN IMMEDIATE``, so the second one reads the committed result instead.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm.exc import StaleDataError

from sop_engine import audit, cases, people
from sop_engine.artefacts import IncomingFile
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.errors import Conflict
from tests.helpers import BARRIER_TIMEOUT, pdf, run_threads, sop_env, write_config

SOP = Path(sys.executable).parent / "sop"
CASE = "lakip-2021"


# --- helpers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    label: str
    code: int
    out: str
    err: str


def race(commands: dict[str, list[str]], config: Path, settings: Settings, cwd: Path) -> list[Outcome]:
    """Start every ``sop`` command at once (all launched before any is waited on), then collect them."""
    env = sop_env(settings)
    procs = {
        label: subprocess.Popen(
            [str(SOP), "--config", str(config), *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label, args in commands.items()
    }
    outcomes = []
    for label, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        outcomes.append(Outcome(label, proc.returncode, out, err))
    return outcomes


def one_winner(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    codes = sorted(o.code for o in outcomes)
    assert codes == [0, 1], [(o.label, o.code, o.err) for o in outcomes]
    winner = next(o for o in outcomes if o.code == 0)
    loser = next(o for o in outcomes if o.code == 1)
    return winner, loser


def completed_events(ctx: Context, step: int) -> list[audit.AuditRecord]:
    return [e for e in audit.list_events(ctx, CASE) if e.action == "step.completed" and e.step == step]


def add_second_kasubag(ctx: Context) -> None:
    people.add_person(ctx, people.NewPerson("kasubag2", "Sri Wahyuni, S.E.", ("kasubag_program",)))


def start_with_step_one_done(ctx: Context, folder: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(pdf(folder, "disposisi.pdf"))])


# --- real processes ------------------------------------------------------------------------


@pytest.mark.slow
def test_two_processes_completing_the_same_step_one_wins_and_the_other_is_told_who(
    ctx: Context, settings: Settings, tmp_path: Path
) -> None:
    config = write_config(tmp_path, settings)
    add_second_kasubag(ctx)
    start_with_step_one_done(ctx, tmp_path)
    rounds = [
        (2, "2021-01-11T09:00", {"kasubag": "rencana.pdf", "kasubag2": "rencana2.pdf"}),
        (3, "2021-01-11T09:30", {"staf1": "pembagian.pdf", "staf2": "pembagian2.pdf"}),
        (4, "2021-01-11T10:00", {"staf1": "format.pdf", "staf2": "format2.pdf"}),
    ]
    for step, at, contenders in rounds:
        commands = {
            user: ["step", "done", CASE, str(step), "--by", user, "--file", str(pdf(tmp_path, name, user)), "--at", at]
            for user, name in contenders.items()
        }
        winner, loser = one_winner(race(commands, config, settings, tmp_path))
        assert f"sudah diselesaikan oleh {winner.label}" in loser.err, loser.err
        events = completed_events(ctx, step)
        assert len(events) == 1
        assert events[0].actor == winner.label
        record = cases.get_case(ctx, CASE)
        assert record.steps[step - 1].completed_by == winner.label
        assert len(record.steps[step - 1].artefacts) == 1  # the loser's document was not attached
        assert record.current_step == step + 1
    assert audit.verify(ctx).ok


@pytest.mark.slow
def test_two_processes_starting_the_same_year_one_starts_and_the_other_is_refused(
    ctx: Context, settings: Settings, tmp_path: Path
) -> None:
    config = write_config(tmp_path, settings)
    for year in (2021, 2022):
        args = ["case", "start", "lakip", "--year", str(year), "--by", "sekretaris", "--at", "2021-01-11T08:00"]
        _, loser = one_winner(race({"a": args, "b": args}, config, settings, tmp_path))
        assert f"Kasus lakip-{year}" in loser.err and "sudah ada" in loser.err, loser.err
        started = [e for e in audit.list_events(ctx, f"lakip-{year}") if e.action == "case.started"]
        assert len(started) == 1
    assert [c.id for c in cases.list_cases(ctx).items] == ["lakip-2022", "lakip-2021"]
    assert audit.verify(ctx).ok


# --- threads in one process ----------------------------------------------------------------


def test_two_threads_completing_the_same_step_one_wins_and_the_other_gets_a_conflict_naming_who(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_second_kasubag(ctx)
    start_with_step_one_done(ctx, tmp_path)
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    if ctx.db.is_sqlite:
        # Writers queue at BEGIN IMMEDIATE: a barrier after the first read would deadlock, so both
        # threads meet just before opening their write transactions instead.
        real_write = ctx.db.write

        def write_together() -> Any:
            barrier.wait()
            return real_write()

        monkeypatch.setattr(ctx.db, "write", write_together)
    else:
        # Both threads have read the case and checked everything before either writes.
        real_require_files = cases.require_files

        def require_files_together(*args: Any) -> None:
            real_require_files(*args)
            barrier.wait()

        monkeypatch.setattr(cases, "require_files", require_files_together)

    def complete(user: str) -> Callable[[], cases.CaseRecord]:
        document = IncomingFile.from_path(pdf(tmp_path, f"rencana-{user}.pdf", user))
        return lambda: cases.complete_step(ctx, CASE, 2, user, [document])

    results = run_threads({"kasubag": complete("kasubag"), "kasubag2": complete("kasubag2")})

    winners = [user for user, r in results.items() if isinstance(r, cases.CaseRecord)]
    losers = [user for user, r in results.items() if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    winner, conflict = winners[0], results[losers[0]]
    assert f"sudah diselesaikan oleh {winner}" in conflict.message
    assert conflict.details["completed_by"] == winner
    if ctx.db.is_postgresql:
        assert isinstance(conflict.__cause__, StaleDataError)  # settled by the version columns
    monkeypatch.undo()
    record = cases.get_case(ctx, CASE)
    assert record.steps[1].completed_by == winner
    assert len(record.steps[1].artefacts) == 1
    assert record.current_step == 3
    assert [e.actor for e in completed_events(ctx, 2)] == [winner]
    assert audit.verify(ctx).ok


def test_two_threads_completing_steps_of_different_cases_both_win_and_the_chain_stays_one(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read the audit head with its case; the second to append finds it moved and links after the first."""
    start_with_step_one_done(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2022, "sekretaris")
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    if ctx.db.is_sqlite:  # writers queue at BEGIN IMMEDIATE: meet before it (see the test above)
        real_write = ctx.db.write

        def write_together() -> Any:
            barrier.wait()
            return real_write()

        monkeypatch.setattr(ctx.db, "write", write_together)
    else:  # both have read their case and the head before either writes
        real_require_files = cases.require_files

        def require_files_together(*args: Any) -> None:
            real_require_files(*args)
            barrier.wait()

        monkeypatch.setattr(cases, "require_files", require_files_together)
    documents = {year: IncomingFile.from_path(pdf(tmp_path, f"langkah-{year}.pdf", str(year))) for year in (2021, 2022)}
    results = run_threads(
        {
            "2021": lambda: cases.complete_step(ctx, CASE, 2, "kasubag", [documents[2021]]),
            "2022": lambda: cases.complete_step(ctx, "lakip-2022", 1, "sekretaris", [documents[2022]]),
        }
    )
    assert all(isinstance(r, cases.CaseRecord) for r in results.values()), results
    monkeypatch.undo()
    assert [e.seq for e in audit.list_events(ctx)] == list(range(1, len(audit.list_events(ctx)) + 1))
    assert audit.verify(ctx).ok
