"""The cases of the office as their audit trail tells them, with the definitions they are pinned to.

One reading for the process-mining export and the monitoring evaluation: the events are read in
chain order, turned into runs of steps by :func:`sop_engine.step_runs.read_trails` (working time
on the office calendar), and each case's pinned definition is looked up by the hash its
``case.started`` event recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sop_engine import audit, workflows
from sop_engine.audit import AuditFilter
from sop_engine.context import Context
from sop_engine.definitions import WorkflowDef
from sop_engine.step_runs import CaseTrail, read_trails


@dataclass(frozen=True)
class Trails:
    """Whole cases read from the trail, and the definition each is pinned to (by content hash)."""

    cases: tuple[CaseTrail, ...]
    definitions: dict[str, WorkflowDef]

    def definition(self, trail: CaseTrail) -> WorkflowDef:
        """The definition ``trail``'s case is pinned to."""
        return self.definitions[trail.definition_sha256]


def matching(ctx: Context, where: AuditFilter | None = None) -> Trails:
    """The whole cases of which at least one event matches ``where`` (every case when it is empty).

    A case is never cut: its runs need the events before and after the ones the filter names.
    """
    everything = audit.list_events(ctx, where=AuditFilter(case=where.case if where else None))
    wanted = None
    if where is not None and where.active:
        wanted = {event.case for event in audit.list_events(ctx, where=where)}
    facts = [event for event in everything if event.case is not None and (wanted is None or event.case in wanted)]
    return _trails(ctx, read_trails(facts, ctx.calendar, ctx.clock.now()))


def of_workflow(ctx: Context, workflow: str, since: date | None = None, until: date | None = None) -> Trails:
    """The cases of ``workflow`` started between ``since`` and ``until`` (office-local dates, inclusive)."""
    found = matching(ctx, AuditFilter(action="case.started", since=since, until=until))
    cases = tuple(trail for trail in found.cases if trail.workflow == workflow)
    return Trails(cases, found.definitions)


def _trails(ctx: Context, cases: list[CaseTrail]) -> Trails:
    hashes = {trail.definition_sha256 for trail in cases}
    return Trails(tuple(cases), {content_hash: workflows.by_hash(ctx, content_hash) for content_hash in hashes})
