"""The event log as OCEL 2.0 JSON (object-centric event log): cases, steps and documents as objects.

Objects: ``kasus`` (a case: workflow, status), ``langkah`` (one step of one case: number, uraian,
role, budget in working seconds; related to its case) and ``dokumen`` (an attached file: name,
sha256, size; related to the step that produced it). Events: ``Kasus dimulai`` and one event per
end of a run of a step, typed by the activity ("3. Menyusun ...") or, when the run did not finish
its work, "Dikembalikan: ...", "Dilewati: ..." or "Dibatalkan: ..."; each carries the run's start,
its working time on the office calendar and the budget (mutu baku), and relates the case, the
step and the documents attached. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine.mining_log import LogCase, LogEvent, local_time, working_hours

#: The event type prefix of a run that ended without finishing its work, by XES lifecycle.
ENDED_WITHOUT_WORK = {"ate_abort": "Dikembalikan: ", "manualskip": "Dilewati: ", "pi_abort": "Dibatalkan: "}
STARTED = "Kasus dimulai"
#: The first instant of time, for the attribute values of objects that never change.
ORIGIN = "1970-01-01T00:00:00Z"

OBJECT_TYPES = {
    "kasus": {"workflow": "string", "status": "string"},
    "langkah": {"step": "integer", "name": "string", "role": "string", "budget_seconds": "integer"},
    "dokumen": {"filename": "string", "sha256": "string", "size": "integer"},
}
EVENT_ATTRIBUTES = {
    "round": "integer",
    "role": "string",
    "started_at": "time",
    "working_seconds": "integer",
    "working_hours": "float",
    "budget_seconds": "integer",
    "late": "boolean",
}


def ocel_bytes(cases: Sequence[LogCase], tz: ZoneInfo) -> bytes:
    """The log as an OCEL 2.0 JSON document (UTF-8)."""
    objects: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    for case in cases:
        objects[case.trail.case] = _object(
            case.trail.case, "kasus", {"workflow": case.trail.workflow, "status": case.trail.status}
        )
        events.append(
            {
                "id": f"{case.trail.case}:mulai",
                "type": STARTED,
                "time": local_time(case.trail.started_at, tz),
                "attributes": [],
                "relationships": [{"objectId": case.trail.case, "qualifier": "kasus"}],
            }
        )
        for event in case.events:
            if event.lifecycle == "start":
                continue
            _add_step_objects(objects, case, event)
            events.append(_event(event, tz))
    event_types = sorted({event["type"] for event in events})
    document = {
        "objectTypes": [_declared(name, attributes) for name, attributes in OBJECT_TYPES.items()],
        "eventTypes": [_declared(name, {} if name == STARTED else EVENT_ATTRIBUTES) for name in event_types],
        "objects": list(objects.values()),
        "events": events,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def step_object_id(case: str, step: int) -> str:
    """The id of the ``langkah`` object of step ``step`` of ``case``."""
    return f"{case}/langkah-{step}"


def _add_step_objects(objects: dict[str, dict[str, Any]], case: LogCase, event: LogEvent) -> None:
    run = event.run
    step_id = step_object_id(case.trail.case, run.step)
    if step_id not in objects:
        step = case.definition.step(run.step)
        values = {"step": run.step, "name": step.name, "role": step.role, "budget_seconds": event.budget_seconds}
        objects[step_id] = _object(step_id, "langkah", values, [(case.trail.case, "bagian dari")])
    for file_id, filename, sha256, size in run.files:
        values = {"filename": filename, "sha256": sha256, "size": size}
        objects[file_id] = _object(file_id, "dokumen", values, [(step_id, "keluaran dari")])


def _event(event: LogEvent, tz: ZoneInfo) -> dict[str, Any]:
    run = event.run
    values: dict[str, Any] = {
        "round": run.round,
        "role": event.role,
        "started_at": local_time(run.started_at, tz),
        "working_seconds": run.working_seconds,
        "working_hours": working_hours(run.working_seconds),
        "budget_seconds": event.budget_seconds,
        "late": run.late,
    }
    related = [(run.case, "kasus"), (step_object_id(run.case, run.step), "langkah")]
    related += [(file_id, "dilampirkan") for file_id, *_ in run.files]
    return {
        "id": f"e{run.seq}-{run.step}",
        "type": ENDED_WITHOUT_WORK.get(event.lifecycle, "") + event.activity,
        "time": local_time(event.at, tz),
        "attributes": [{"name": name, "value": value} for name, value in values.items()],
        "relationships": [{"objectId": oid, "qualifier": qualifier} for oid, qualifier in related],
    }


def _object(oid: str, kind: str, values: dict[str, Any], related: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    return {
        "id": oid,
        "type": kind,
        "attributes": [{"name": name, "time": ORIGIN, "value": value} for name, value in values.items()],
        "relationships": [{"objectId": target, "qualifier": qualifier} for target, qualifier in related],
    }


def _declared(name: str, attributes: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "attributes": [{"name": key, "type": kind} for key, kind in attributes.items()]}
