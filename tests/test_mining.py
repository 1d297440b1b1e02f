"""sop audit export --format xes|ocel: the trail as an event log that process-mining tools read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from sop_engine.clock import FixedClock
from sop_engine.context import Context
from tests.helpers import run_cli
from tests.lakip_play import play_lakip

pm4py = pytest.importorskip("pm4py")  # the test extras install it; without it these tests say so
# pm4py suggests an optional faster reader on every read: a hint about its speed, not about our files.
pytestmark = pytest.mark.filterwarnings("ignore:.*to import/export files faster:UserWarning")


@pytest.fixture
def played(ctx: Context, clock: FixedClock, tmp_path: Path) -> Context:
    """lakip-2021 done, step 7 sending the work back to 6 once (so 6 and 7 run twice), step 5 late."""
    play_lakip(ctx, clock, 2021, tmp_path / "masuk", spent={5: "5 hari"}, returns=[(7, 6, "2 jam")])
    return ctx


def test_xes_loads_in_pm4py_with_the_eleven_activities_of_a_lakip_case(played: Context, tmp_path: Path) -> None:
    path = tmp_path / "lakip.xes"
    result = run_cli(["audit", "export", "--format", "xes", "-o", str(path)], played.settings, played.clock)
    assert result.code == 0, result.err
    # 13 runs (steps 6 and 7 twice), each a start and an end.
    assert result.out.startswith(f"1 kasus (26 peristiwa) diekspor ke {path} (XES, IEEE 1849)")
    log = pm4py.read_xes(str(path))
    assert set(log["case:concept:name"]) == {"lakip-2021"}
    completed = log[log["lifecycle:transition"] == "complete"]
    activities = list(dict.fromkeys(completed["concept:name"]))
    assert len(activities) == 11 and activities[0].startswith("1. ") and activities[-1].startswith("11. ")
    assert list(log[log["lifecycle:transition"] == "ate_abort"]["concept:name"]) == [activities[6]]
    assert {"time:timestamp", "org:resource", "org:role"} <= set(log.columns)
    assert completed.iloc[0]["org:resource"] == "sekretaris"
    late = completed[completed["sop:late"]]
    assert list(late["sop:step"]) == [5]
    # 5 hari of 7.5 working hours, whatever the weekends and holidays in between.
    assert int(late.iloc[0]["sop:working_seconds"]) == 5 * 27000
    assert int(late.iloc[0]["sop:budget_seconds"]) == 4 * 27000


def test_xes_is_ieee_1849_xml_with_the_standard_extensions(played: Context, tmp_path: Path) -> None:
    path = tmp_path / "lakip.xes"
    run_cli(["audit", "export", "--format", "xes", "-o", str(path)], played.settings, played.clock)
    root = ET.parse(path).getroot()
    assert root.tag == "log" and root.get("xes.version") == "1849-2016"
    assert {e.get("prefix") for e in root.findall("extension")} == {"concept", "time", "lifecycle", "org"}
    first = root.find("trace/event")
    assert first is not None
    keys = {child.get("key"): child.get("value") for child in first}
    assert str(keys["concept:name"]).startswith("1. ") and keys["lifecycle:transition"] == "start"
    assert keys["time:timestamp"] == "2021-01-11T08:00:00.000+07:00"


def test_ocel_loads_in_pm4py_with_cases_steps_and_documents_as_objects(played: Context, tmp_path: Path) -> None:
    path = tmp_path / "lakip.jsonocel"
    result = run_cli(["audit", "export", "--format", "ocel", "-o", str(path)], played.settings, played.clock)
    assert result.code == 0, result.err
    document = json.loads(path.read_text(encoding="utf-8"))
    _check_ocel_structure(document)
    kinds = [obj["type"] for obj in document["objects"]]
    # 12 documents: one per step, steps 6 and 7 with... step 7's return attaches none, step 6 twice.
    assert (kinds.count("kasus"), kinds.count("langkah"), kinds.count("dokumen")) == (1, 11, 12)
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == 1 + 11 + 2  # started, 11 steps done, step 6 done once more, one return
    assert "Dikembalikan: " + _activity(document, 7) in set(ocel.events["ocel:activity"])
    related = ocel.relations[ocel.relations["ocel:type"] == "dokumen"]
    assert len(related) == 12


def test_filter_exports_whole_cases_of_which_an_event_matches(
    played: Context, clock: FixedClock, tmp_path: Path
) -> None:
    play_lakip(played, clock, 2022, tmp_path / "masuk", until=3)
    path = tmp_path / "2022.xes"
    args = ["audit", "export", "--format", "xes", "-o", str(path), "--since", "2022-01-01"]
    result = run_cli(args, played.settings, played.clock)
    log = pm4py.read_xes(str(path))
    assert set(log["case:concept:name"]) == {"lakip-2022"}, result.out
    # Step 4 is still running: it started, and has no end yet.
    step_4 = log[log["sop:step"] == 4]
    assert list(step_4["lifecycle:transition"]) == ["start"]


def _activity(document: dict[str, Any], step: int) -> str:
    steps = [o for o in document["objects"] if o["type"] == "langkah"]
    chosen = next(o for o in steps if o["attributes"][0]["value"] == step)
    return f"{step}. {chosen['attributes'][1]['value']}"


def _check_ocel_structure(document: dict[str, Any]) -> None:
    """The OCEL 2.0 JSON structure: declared types and attributes, relations to objects that exist."""
    assert set(document) == {"objectTypes", "eventTypes", "objects", "events"}
    object_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in document["objectTypes"]}
    event_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in document["eventTypes"]}
    ids = {o["id"] for o in document["objects"]}
    assert len(ids) == len(document["objects"])
    for obj in document["objects"]:
        assert {a["name"] for a in obj["attributes"]} <= object_types[obj["type"]]
        assert all(r["objectId"] in ids and r["qualifier"] for r in obj["relationships"])
    for event in document["events"]:
        assert {a["name"] for a in event["attributes"]} <= event_types[event["type"]]
        assert event["relationships"] and all(r["objectId"] in ids for r in event["relationships"])
        assert "T" in event["time"] and event["time"].endswith("+07:00")
