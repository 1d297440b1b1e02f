"""The event log as XES (IEEE 1849-2016), the exchange format of process-mining tools.

One trace per case (``concept:name`` = the case code, which tools show as ``case:concept:name``),
one event per start and end of a run of a step with ``concept:name`` (the activity),
``time:timestamp`` (office-local, with its offset), ``lifecycle:transition`` and ``org:resource`` /
``org:role`` from the standard extensions; the working time of the office calendar as ``sop:``
attributes (``sop:working_seconds``, ``sop:budget_seconds``, ``sop:late``, ...). Pure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sop_engine.mining_log import LogCase, LogEvent, local_time

EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)


def xes_bytes(cases: Sequence[LogCase], tz: ZoneInfo) -> bytes:
    """The log as an XES document (UTF-8, with its XML declaration)."""
    log = ET.Element("log", {"xes.version": "1849-2016", "xes.features": "nested-attributes"})
    for name, prefix, uri in EXTENSIONS:
        ET.SubElement(log, "extension", {"name": name, "prefix": prefix, "uri": uri})
    for scope, keys in (("trace", ("concept:name",)), ("event", ("concept:name", "lifecycle:transition"))):
        defaults = ET.SubElement(log, "global", {"scope": scope})
        for key in keys:
            _attribute(defaults, "string", key, "__INVALID__")
    ET.SubElement(log, "classifier", {"name": "Activity", "keys": "concept:name"})
    ET.SubElement(log, "classifier", {"name": "Activity and lifecycle", "keys": "concept:name lifecycle:transition"})
    _attribute(log, "string", "concept:name", "sop-engine")
    for case in cases:
        trace = ET.SubElement(log, "trace")
        _attribute(trace, "string", "concept:name", case.trail.case)
        _attribute(trace, "string", "sop:workflow", case.trail.workflow)
        _attribute(trace, "string", "sop:status", case.trail.status)
        _attribute(trace, "date", "sop:started_at", local_time(case.trail.started_at, tz))
        _attribute(trace, "string", "sop:definition_sha256", case.trail.definition_sha256)
        for event in case.events:
            _event(trace, event, tz)
    ET.indent(log)
    body: bytes = ET.tostring(log, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _event(trace: ET.Element, event: LogEvent, tz: ZoneInfo) -> None:
    element = ET.SubElement(trace, "event")
    _attribute(element, "string", "concept:name", event.activity)
    _attribute(element, "date", "time:timestamp", local_time(event.at, tz))
    _attribute(element, "string", "lifecycle:transition", event.lifecycle)
    if event.resource is not None:
        _attribute(element, "string", "org:resource", event.resource)
    _attribute(element, "string", "org:role", event.role)
    run = event.run
    _attribute(element, "int", "sop:step", str(run.step))
    _attribute(element, "int", "sop:round", str(run.round))
    _attribute(element, "int", "sop:budget_seconds", str(event.budget_seconds))
    if event.lifecycle != "start":
        _attribute(element, "string", "sop:outcome", run.outcome.value)
        _attribute(element, "int", "sop:working_seconds", str(run.working_seconds))
        _attribute(element, "boolean", "sop:late", "true" if run.late else "false")
        if run.due_at is not None:
            _attribute(element, "date", "sop:due_at", local_time(run.due_at, tz))
        if run.returned_to is not None:
            _attribute(element, "int", "sop:returned_to", str(run.returned_to))
        for file_id, filename, sha256, _size in run.files:
            document = ET.SubElement(element, "string", {"key": "sop:document", "value": file_id})
            _attribute(document, "string", "sop:filename", filename)
            _attribute(document, "string", "sop:sha256", sha256)


def _attribute(parent: ET.Element, kind: str, key: str, value: str) -> None:
    ET.SubElement(parent, kind, {"key": key, "value": value})
