"""``sop audit export --format xes|ocel``: the office's cases as an event log for process-mining tools.

Whole cases are exported (:func:`sop_engine.trails.matching`: a case of which one event matches
the filter), as XES (:mod:`sop_engine.mining_xes`) or OCEL 2.0 JSON (:mod:`sop_engine.mining_ocel`),
with the working time of the office calendar as attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sop_engine import trails, workflows
from sop_engine.audit import AuditFilter
from sop_engine.context import Context
from sop_engine.mining_log import event_log
from sop_engine.mining_ocel import ocel_bytes
from sop_engine.mining_xes import xes_bytes

#: The process-mining formats of ``sop audit export``.
FORMATS = ("xes", "ocel")


@dataclass(frozen=True)
class Exported:
    """What an export wrote: how many cases and events."""

    cases: int
    events: int


def export(ctx: Context, kind: str, path: Path, where: AuditFilter | None = None) -> Exported:
    """Write the cases matching ``where`` to ``path`` as ``kind`` (one of :data:`FORMATS`)."""
    log = event_log(trails.matching(ctx, where), ctx.calendar, workflows.lookup(ctx))
    data = xes_bytes(log, ctx.tz) if kind == "xes" else ocel_bytes(log, ctx.tz)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Exported(len(log), sum(len(case.events) for case in log))
