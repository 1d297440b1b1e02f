"""The critical path of an SOP: the longest chain of step budgets, in working time, to the end of a case.

The step graph is :func:`sop_engine.marking.in_edges` (``setelah``, the step before, a decision's
forward ``ya``/``tidak``) and :func:`~sop_engine.marking.out_edges`. Every edge leads to a later step
and returns (``kembali_ke``, a decision's branch back) are no edges, so one pass in step order
settles each step after all it waits for. A case ends when its last branch ends: the finish is the
latest over the graph (parallel branches: the longer; a join waits for all; a decision: the longer
of its forward branches, as either may be taken).

A step's budget is its ``waktu``; a step that runs another SOP (``jalankan``) without ``waktu``
lasts the critical path of that SOP's current definition (found by a :data:`Lookup`), recursively.
:func:`budget_label` is the one way such a budget is written for people. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from sop_engine.calendar import WorkingCalendar
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.durations import format_working_seconds
from sop_engine.errors import DefinitionError, SopError
from sop_engine.marking import in_edges

__all__ = [
    "Lookup",
    "budget_label",
    "finish_at",
    "finishes",
    "label_of",
    "no_lookup",
    "path_seconds",
    "step_seconds",
]

#: The current definition of a workflow id (raises NotFound if there is none).
Lookup = Callable[[str], WorkflowDef]

_T = TypeVar("_T", int, datetime)


def no_lookup(name: str) -> WorkflowDef:
    """The lookup of a caller that has none: a step without ``waktu`` cannot be budgeted."""
    raise ValueError(f"a step runs SOP {name} without waktu: its budget needs a lookup of the current definitions")


def step_seconds(calendar: WorkingCalendar, step: StepDef, lookup: Lookup, _running: tuple[str, ...] = ()) -> int:
    """The budget of ``step`` in working seconds: its ``waktu``, else the critical path of the SOP it runs."""
    if step.budget is not None:
        return calendar.budget_seconds(step.budget)
    if step.runs is None:  # the loader never builds one
        raise ValueError(f"step {step.no} has neither waktu nor jalankan")
    if step.runs in _running:
        loop = " -> ".join((*_running, step.runs))
        message = (
            f"langkah {step.no}: jalankan = '{step.runs}' membuat putaran SOP yang tidak pernah selesai ({loop}); "
            "putuskan salah satu jalankan."
        )
        raise DefinitionError(message, value=step.runs, step=step.no, field="jalankan")
    return _path(calendar, lookup(step.runs), lookup, _running)


def path_seconds(calendar: WorkingCalendar, definition: WorkflowDef, lookup: Lookup = no_lookup) -> int:
    """The critical path of ``definition`` in working seconds: the longest chain of budgets from step 1."""
    return _path(calendar, definition, lookup, ())


def _path(calendar: WorkingCalendar, definition: WorkflowDef, lookup: Lookup, running: tuple[str, ...]) -> int:
    running = (*running, definition.name)
    first = definition.first_step
    ends = _forward(
        definition,
        {first.no: step_seconds(calendar, first, lookup, running)},
        lambda start, step: start + step_seconds(calendar, step, lookup, running),
    )
    return max(ends.values())


def finishes(
    calendar: WorkingCalendar,
    definition: WorkflowDef,
    ends: Mapping[int, datetime],
    lookup: Lookup = no_lookup,
    skipped: frozenset[int] = frozenset(),
) -> dict[int, datetime]:
    """The earliest finish (UTC) of every step reachable from the steps of ``ends`` (which end at the
    given instants), each later step starting when the last step it waits for ends and taking its whole
    budget; a step of ``skipped`` takes none."""

    def then(start: datetime, step: StepDef) -> datetime:
        return start if step.no in skipped else calendar.add(start, step_seconds(calendar, step, lookup))

    return _forward(definition, ends, then)


def finish_at(
    calendar: WorkingCalendar,
    definition: WorkflowDef,
    ends: Mapping[int, datetime],
    lookup: Lookup = no_lookup,
    skipped: frozenset[int] = frozenset(),
) -> datetime:
    """When a case whose steps of ``ends`` end at those instants finishes: the latest of :func:`finishes`."""
    return max(finishes(calendar, definition, ends, lookup, skipped).values())


def _forward(definition: WorkflowDef, ends: Mapping[int, _T], then: Callable[[_T, StepDef], _T]) -> dict[int, _T]:
    """The end of every step reachable from ``ends``: ``then(latest end it waits for, step)``."""
    sources = in_edges(definition.steps)
    found = dict(ends)
    for step in definition.steps:
        if step.no in found:
            continue
        before = [found[source] for source in sources[step.no] if source in found]
        if before:
            found[step.no] = then(max(before), step)
    return found


def budget_label(step: StepDef, seconds: int | None = None, jam_kerja_per_hari: float = 7.5) -> str:
    """A step's budget as people read it: its ``waktu`` ("4 hari"), or for a step that runs another SOP
    without one "mengikuti SOP <id>", with the critical path of that SOP when known ("(± 6 hari 3 jam)")."""
    if step.budget is not None:
        return str(step.budget)
    text = f"mengikuti SOP {step.runs}"
    return text if seconds is None else f"{text} (± {format_working_seconds(seconds, jam_kerja_per_hari)})"


def label_of(calendar: WorkingCalendar, step: StepDef, lookup: Lookup) -> str:
    """:func:`budget_label` with the critical path found by ``lookup``; without it if that SOP cannot be
    read now (removed, or the workflows folder refused): a page or message still shows the step."""
    if step.budget is not None:
        return str(step.budget)
    try:
        seconds: int | None = step_seconds(calendar, step, lookup)
    except SopError:
        seconds = None
    return budget_label(step, seconds, calendar.jam_kerja_per_hari)
