"""Monitoring and evaluation of how an SOP is followed (PermenPAN-RB 35/2012, monitoring SOP AP).

Over the cases of one SOP started in a period, per step: how many times it ran, the median and
90th percentile of its actual working time (office calendar) against its mutu baku (the step's
``waktu``), how many runs were late, how often its work was sent back (and redone), how often it
was skipped, and a verdict by a stated rule (:data:`RULE`). The monitoring table of the
regulation (No, prosedur, penilaian, catatan, tindakan, paraf) is filled from the verdicts.

A case is judged against the revision of the SOP it ran under (the definition it is pinned to):
each run is compared with its own revision's mutu baku (the median of actual/budget must not pass
1), and a step of an earlier revision counts for the current step of the same number only when its
uraian is the same; the :attr:`Evaluation.remarks` say which revisions the period spans, which
steps did not match and where the budgets differ.

The figures are counted on the runs read from the audit trail (:mod:`sop_engine.step_runs`), so
a step that may be skipped or run beside others is counted as it ran. :func:`evaluate` reads
them; :func:`summarise` is the pure part.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sop_engine import trails, workflows
from sop_engine.calendar import WorkingCalendar
from sop_engine.context import Context
from sop_engine.critical_path import Lookup, budget_label, no_lookup, step_seconds
from sop_engine.definitions import StepDef, StepKind, WorkflowDef
from sop_engine.evaluation_revisions import (
    BudgetShare,
    RevisionShare,
    budget_shares,
    revision_remarks,
    revisions_of,
    same_step,
)
from sop_engine.formatting import format_date
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.step_runs import CaseTrail, Outcome, StepRun
from sop_engine.views.labels import ANSWER_LABELS

#: The share of late runs, or of cases that redid the step, above which a step runs "kurang baik".
LIMIT_SHARE = 0.25
RULE = (
    "Berjalan baik: paling banyak 25% pelaksanaan terlambat, median waktu kerja tidak melebihi mutu baku, dan "
    "paling banyak 25% kasus mengulang langkah karena dikembalikan. Kurang baik: salah satu syarat itu tidak "
    "terpenuhi. Tidak berjalan: langkah tidak pernah dikerjakan dalam periode (tidak sampai atau selalu dilewati). "
    "Waktu kerja dihitung dalam jam kerja kantor (hari libur dan cuti bersama tidak dihitung). Tiap pelaksanaan "
    "dibandingkan dengan mutu baku revisi SOP yang dipakai kasusnya: median waktu kerja dibagi mutu baku itu "
    "paling tinggi 1. Langkah revisi lain dihitung pada langkah sekarang hanya bila nomor dan uraiannya sama."
)


class Verdict(StrEnum):
    """The assessment of the monitoring form."""

    GOOD = "Berjalan baik"
    POOR = "Kurang baik"
    NOT_RUN = "Tidak berjalan"


@dataclass(frozen=True)
class StepFigures:
    """The figures and verdict of one step over the period."""

    step: StepDef
    budget_seconds: int
    #: Cases in which the step ran at least once.
    cases: int
    #: Runs that did work (done or sent back), all rounds.
    runs: int
    median_seconds: int | None
    p90_seconds: int | None
    late: int
    #: Times this step sent the work back to an earlier one.
    returned: int
    #: Cases that ran this step again because its work was sent back.
    redone: int
    skipped: int
    verdict: Verdict
    note: str
    action: str
    #: The budget as people read it ("4 hari", or "mengikuti SOP ..." for a sub-SOP without waktu).
    budget: str = ""
    #: How a decision step was answered in the period (:func:`answers_text`), also the end of its ``note``;
    #: empty for other steps.
    answers: str = ""
    #: The median over the runs of actual working time / the mutu baku of the run's own revision.
    median_ratio: float | None = None
    #: The mutu baku per revision the counted cases ran under (one entry when there is one revision).
    budgets: tuple[BudgetShare, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one SOP over a period."""

    workflow: WorkflowDef
    since: date | None
    until: date | None
    cases: tuple[str, ...]
    steps: tuple[StepFigures, ...]
    rule: str = RULE
    #: The office's roles, to name each step's actors.
    roles: Roles = DEFAULT_ROLES
    #: The revisions the cases ran under, oldest first.
    revisions: tuple[RevisionShare, ...] = ()
    #: What a reader must know to read the figures: several revisions, steps that did not match,
    #: budgets that differ between revisions, a budget taken from a sub-SOP.
    remarks: tuple[str, ...] = ()

    def actors_text(self, step: StepDef) -> str:
        """The names of who does ``step``, in order: one role, or a paraf chain "A, lalu B"."""
        return ", lalu ".join(self.roles.label(role) for role in step.actors)

    @property
    def late_steps(self) -> tuple[StepFigures, ...]:
        """The steps with at least one late run."""
        return tuple(figures for figures in self.steps if figures.late)


def evaluate(ctx: Context, workflow: str, since: date | None = None, until: date | None = None) -> Evaluation:
    """The evaluation of ``workflow`` over the cases started from ``since`` to ``until``: the steps of its
    current definition, each case judged against the revision it is pinned to."""
    definition = workflows.show(ctx, workflow)
    found = trails.of_workflow(ctx, workflow, since, until)
    return summarise(
        definition,
        found.cases,
        ctx.calendar,
        since,
        until,
        ctx.settings.roles,
        workflows.lookup(ctx),
        definitions=found.definitions,
    )


def summarise(
    definition: WorkflowDef,
    cases: Sequence[CaseTrail],
    calendar: WorkingCalendar,
    since: date | None = None,
    until: date | None = None,
    roles: Roles = DEFAULT_ROLES,
    lookup: Lookup = no_lookup,
    definitions: Mapping[str, WorkflowDef] | None = None,
) -> Evaluation:
    """The figures of every step of ``definition`` (the current revision) over ``cases``; ``definitions``
    (by content hash) are the revisions the cases are pinned to (a case whose hash is not there counts
    as of ``definition``); ``lookup`` finds the SOP a step without ``waktu`` runs
    (:mod:`sop_engine.critical_path`)."""
    known = dict(definitions or {})
    own = {case.case: known.get(case.definition_sha256, definition) for case in cases}
    revisions = revisions_of(definition, [own[case.case] for case in cases])
    labels = {share.content_hash: share.label for share in revisions}
    steps = []
    for step in definition.steps:
        matched = [(case, own[case.case].content_hash, same_step(own[case.case], step)) for case in cases]
        steps.append(_figures(step, matched, calendar, lookup, labels))
    remarks = _remarks(definition, revisions, [own[case.case] for case in cases], steps)
    return Evaluation(
        definition,
        since,
        until,
        tuple(case.case for case in cases),
        tuple(steps),
        roles=roles,
        revisions=revisions,
        remarks=remarks,
    )


def _remarks(
    current: WorkflowDef,
    revisions: Sequence[RevisionShare],
    used: Sequence[WorkflowDef],
    steps: Sequence[StepFigures],
) -> tuple[str, ...]:
    """The lines under the figures (see :attr:`Evaluation.remarks`): the revisions and unmatched steps,
    then per step a mutu baku that differs between revisions or comes from a sub-SOP."""
    remarks = revision_remarks(current, revisions, used)
    for item in steps:
        if len({share.budget_seconds for share in item.budgets}) > 1:
            listed = ", ".join(f"{share.budget} ({share.revision}, {share.cases} kasus)" for share in item.budgets)
            remarks.append(f"Langkah {item.step.no}: mutu baku berbeda antar revisi: {listed}.")
        if item.step.budget is None:
            remarks.append(
                f"Langkah {item.step.no}: mutu baku {item.budget}, yaitu jalur kritis SOP {item.step.runs} "
                "(langkah ini tidak punya waktu sendiri)."
            )
    return tuple(remarks)


def _figures(
    step: StepDef,
    matched: Sequence[tuple[CaseTrail, str, StepDef | None]],
    calendar: WorkingCalendar,
    lookup: Lookup,
    labels: Mapping[str, str],
) -> StepFigures:
    """The figures of ``step`` over the cases in which a step of their own revision counts for it
    (``matched``: each case, the hash of its revision and that step, None when there is none)."""
    budget = step_seconds(calendar, step, lookup)
    counted = [(case, content_hash, mine) for case, content_hash, mine in matched if mine is not None]
    own_budget = {case.case: step_seconds(calendar, mine, lookup) for case, _, mine in counted}
    cases = [case for case, _, _ in counted]
    runs = [run for case in cases for run in case.runs if run.step == step.no]
    worked = [run for run in runs if run.outcome in (Outcome.DONE, Outcome.RETURNED)]
    times = sorted(run.working_seconds for run in worked)
    ratios = [run.working_seconds / max(own_budget[run.case], 1) for run in worked]
    ran_in = {run.case for run in runs if run.outcome is not Outcome.SKIPPED}
    redone = {run.case for case in cases for run in case.runs if run.returned_to == step.no}
    late = sum(1 for run in runs if run.late and run.outcome is not Outcome.SKIPPED)
    skipped = sum(1 for run in runs if run.outcome is Outcome.SKIPPED) + sum(
        1 for case in cases if case.status == "selesai" and not any(run.step == step.no for run in case.runs)
    )
    median = int(statistics.median(times)) if times else None
    ratio = statistics.median(ratios) if ratios else None
    budgets = budget_shares(counted, own_budget, calendar, labels)
    single = budgets[0].budget_seconds if len({share.budget_seconds for share in budgets}) == 1 else None
    verdict, note, action = _verdict(runs, worked, late, len(redone), len(ran_in), median, ratio, single)
    answers = answers_text(runs) if step.kind is StepKind.DECISION else ""
    note = f"{note} {answers}" if answers else note
    return StepFigures(
        step=step,
        budget_seconds=budget,
        cases=len(ran_in),
        runs=len(worked),
        median_seconds=median,
        p90_seconds=times[math.ceil(0.9 * len(times)) - 1] if times else None,
        late=late,
        returned=sum(1 for run in runs if run.outcome is Outcome.RETURNED),
        redone=len(redone),
        skipped=skipped,
        verdict=verdict,
        note=note,
        action=action,
        budget=budget_label(step, budget, calendar.jam_kerja_per_hari),
        answers=answers,
        median_ratio=ratio,
        budgets=budgets,
    )


def answers_text(runs: Sequence[StepRun]) -> str:
    """How often a decision was answered Ya and Tidak in ``runs``, as its catatan says it ("Dijawab Ya 3 kali,
    Tidak 1 kali."); empty when it was never answered."""
    counts = {answer: sum(1 for run in runs if run.answer == answer) for answer in ANSWER_LABELS}
    if not any(counts.values()):
        return ""
    return "Dijawab " + ", ".join(f"{ANSWER_LABELS[answer]} {n} kali" for answer, n in counts.items()) + "."


def _verdict(
    runs: Sequence[StepRun],
    worked: Sequence[StepRun],
    late: int,
    redone: int,
    cases: int,
    median: int | None,
    ratio: float | None,
    budget: int | None,
) -> tuple[Verdict, str, str]:
    """The verdict by :data:`RULE`, the technical note (catatan) and the action (tindakan) it calls for;
    ``ratio`` is the median of actual/own budget, ``budget`` the one mutu baku of all runs (None when the
    revisions differ, and the note then gives the ratio)."""
    if not worked:
        return Verdict.NOT_RUN, "Tidak ada pelaksanaan dalam periode ini.", "Periksa apakah langkah masih diperlukan."
    counted = len([run for run in runs if run.outcome is not Outcome.SKIPPED])
    notes, actions = [], []
    if late > LIMIT_SHARE * counted:
        notes.append(f"{late} dari {counted} pelaksanaan terlambat")
        actions.append("tinjau beban pelaksana atau mutu baku waktu")
    if ratio is not None and median is not None and ratio > 1:
        if budget is not None:
            notes.append(f"median {hours(median)} melebihi mutu baku {hours(budget)}")
        else:
            notes.append(f"median waktu kerja {_times(ratio)} mutu baku revisinya")
        if not actions:
            actions.append("tinjau beban pelaksana atau mutu baku waktu")
    if redone > LIMIT_SHARE * cases:
        notes.append(f"diulang di {redone} dari {cases} kasus karena dikembalikan")
        actions.append("perjelas kelengkapan dan output sebelum diserahkan")
    if not notes:
        text = f"{counted} pelaksanaan, {late} terlambat." if late else f"{counted} pelaksanaan, tepat waktu."
        return Verdict.GOOD, text, "Pertahankan."
    return Verdict.POOR, _sentence(notes), _sentence(actions)


def _times(ratio: float) -> str:
    """A ratio as people read it, e.g. "1,3 kali"."""
    return f"{ratio:.1f}".replace(".", ",") + " kali"


def _sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def period_text(since: date | None, until: date | None) -> str:
    """The period in words, e.g. "1 Januari 2021 s.d. 31 Desember 2023" or "semua kasus"."""
    if since is None and until is None:
        return "semua kasus"
    first = format_date(since) if since else "awal"
    return f"{first} s.d. {format_date(until) if until else 'sekarang'}"


def hours(seconds: int) -> str:
    """Working seconds in words, e.g. "2,5 jam kerja"."""
    value = f"{seconds / 3600:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{value} jam kerja"
