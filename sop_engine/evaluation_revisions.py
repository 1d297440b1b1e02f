"""The revisions of an SOP that the cases of an evaluation ran under (:mod:`sop_engine.evaluation`).

A case is pinned to the definition it started under. The evaluation judges each case against its
own revision: a step of that revision counts for a step of the current one only when the number
and the uraian are the same (:func:`same_step`); :func:`revisions_of` names the revisions and
counts their cases, :func:`revision_remarks` says it for people (several revisions, steps that did
not match) and :func:`budget_shares` gives a step's mutu baku per revision. Pure: plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sop_engine.calendar import WorkingCalendar
from sop_engine.critical_path import budget_label
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.formatting import format_date
from sop_engine.step_runs import CaseTrail


@dataclass(frozen=True)
class RevisionShare:
    """One revision of the SOP that cases of the period ran under."""

    #: "revisi 20 Januari 2021" (with the start of its hash when two revisions share a date).
    label: str
    content_hash: str
    cases: int
    #: The revision new cases start under (the file in the workflows folder).
    current: bool


@dataclass(frozen=True)
class BudgetShare:
    """A step's mutu baku in one revision, and how many cases of the step ran under it."""

    revision: str
    budget: str
    budget_seconds: int
    cases: int


def same_step(revision: WorkflowDef, step: StepDef) -> StepDef | None:
    """The step of ``revision`` that counts for ``step`` of the current revision: same number, same uraian."""
    if step.no > len(revision.steps):
        return None
    mine = revision.steps[step.no - 1]
    return mine if mine.name == step.name else None


def revisions_of(current: WorkflowDef, used: Sequence[WorkflowDef]) -> tuple[RevisionShare, ...]:
    """The revisions of ``used`` (one per case) with their number of cases, oldest first."""
    found: dict[str, WorkflowDef] = {definition.content_hash: definition for definition in used}
    ordered = sorted(found.values(), key=lambda definition: (definition.revision, definition.content_hash))
    dates = [definition.revision for definition in ordered]
    shares = []
    for definition in ordered:
        label = f"revisi {format_date(definition.revision)}"
        if dates.count(definition.revision) > 1:
            label += f" ({definition.content_hash[:8]})"
        count = sum(1 for other in used if other.content_hash == definition.content_hash)
        shares.append(
            RevisionShare(label, definition.content_hash, count, definition.content_hash == current.content_hash)
        )
    return tuple(shares)


def revision_remarks(
    current: WorkflowDef, revisions: Sequence[RevisionShare], used: Sequence[WorkflowDef]
) -> list[str]:
    """The remarks on the revisions of ``used`` (one per case): which ones, when not only the current
    one, and the steps of an earlier revision that do not count for today's step of that number."""
    labels = {share.content_hash: share.label for share in revisions}
    remarks = []
    if len(revisions) > 1 or any(not share.current for share in revisions):
        listed = ", ".join(
            f"{share.label} ({'berlaku sekarang, ' if share.current else ''}{share.cases} kasus)" for share in revisions
        )
        what = (
            f"Periode ini mencakup {len(revisions)} revisi SOP: {listed}"
            if len(revisions) > 1
            else f"Semua kasus periode ini memakai {listed}, bukan revisi yang berlaku sekarang"
        )
        remarks.append(f"{what}. Tiap kasus dinilai terhadap mutu baku revisi yang dipakainya.")
    others = {
        definition.content_hash: definition for definition in used if definition.content_hash != current.content_hash
    }
    for content_hash, revision in others.items():
        count = sum(1 for definition in used if definition.content_hash == content_hash)
        for step in current.steps:
            if same_step(revision, step) is not None:
                continue
            if step.no > len(revision.steps):
                remarks.append(
                    f"Langkah {step.no} tidak ada di {labels[content_hash]}: {count} kasus revisi itu tidak dihitung "
                    "pada langkah ini."
                )
            else:
                remarks.append(
                    f"Langkah {step.no} di {labels[content_hash]} berbeda uraiannya "
                    f"(“{revision.steps[step.no - 1].name}”): {count} kasus revisi itu tidak dihitung pada langkah ini."
                )
        for extra in revision.steps[len(current.steps) :]:
            remarks.append(
                f"Langkah {extra.no} {labels[content_hash]} (“{extra.name}”) tidak ada di revisi sekarang dan tidak "
                "dinilai."
            )
    return remarks


def budget_shares(
    counted: Sequence[tuple[CaseTrail, str, StepDef]],
    own_budget: Mapping[str, int],
    calendar: WorkingCalendar,
    labels: Mapping[str, str],
) -> tuple[BudgetShare, ...]:
    """The step's mutu baku per revision of the ``counted`` cases, in the order of ``labels`` (oldest first)."""
    shares = []
    for content_hash, label in labels.items():
        mine = [(case, step) for case, revision, step in counted if revision == content_hash]
        if not mine:
            continue
        case, step = mine[0]
        seconds = own_budget[case.case]
        shares.append(BudgetShare(label, budget_label(step, seconds, calendar.jam_kerja_per_hari), seconds, len(mine)))
    return tuple(shares)
