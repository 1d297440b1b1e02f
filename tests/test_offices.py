"""`sop offices add|list`, `--kantor`/`$SOP_KANTOR`, and each office's own settings and calendar."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from sop_engine import cases, offices, people
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.engine import Engine
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.offices import NewOffice
from tests.helpers import run_cli, write_config
from tests.offices_support import OTHER, add_other_office


def test_a_single_install_lists_its_config_office_and_works_as_before(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    listed = run_cli(["offices", "list", "--json"], settings, clock)
    assert listed.code == 0, listed.err
    [office] = json.loads(listed.out)
    assert (office["satker"], office["zone"], office["from_config"]) == ("3526", "WIB", True)
    assert ctx.for_office("3526") is ctx


def test_offices_add_keeps_the_settings_in_the_database(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    calendar = tmp_path / "kalender.toml"
    calendar.write_text('[calendar]\nextra_holidays = [{ date = 2021-01-12, name = "Hari jadi kabupaten" }]\n')
    args = ["offices", "add", OTHER, "--name", "KPU Kabupaten Sampang", "--zone", "wita", "--phone", "(0323) 1"]
    added = run_cli([*args, "--address", "Jl. Fiktif 2", "--calendar", str(calendar)], settings, clock)
    assert added.code == 0, added.err
    assert f"sop --kantor {OTHER} people add" in added.out
    text = run_cli(["offices", "list"], settings, clock).out
    lines = [line.split() for line in text.splitlines()]
    assert ["3527", "KPU", "Kabupaten", "Sampang", "WITA", "-", "0", "-", "-", "basis", "data"] in lines
    assert ["3526", "KPU", "Kabupaten", "Bangkalan", "WIB", "-", "7", "-", "-", "config.toml"] in lines
    other = ctx.for_office(OTHER)
    office = other.settings.office
    assert (office.name, office.timezone, office.letterhead) == (
        "KPU Kabupaten Sampang",
        "Asia/Makassar",
        "Jl. Fiktif 2 · Telepon (0323) 1",
    )
    # the office's own holiday moves its deadlines and no one else's: 2 jam from Monday 15:00 local time
    due = ["calendar", "due", "--from", "2021-01-11T15:00", "--budget", "2 jam", "--json"]
    there = json.loads(run_cli(["--kantor", OTHER, *due], settings, clock).out)["due_at"]
    here = json.loads(run_cli(due, settings, clock).out)["due_at"]
    assert there.startswith("2021-01-13T08:30") and there.endswith("+08:00")
    assert here.startswith("2021-01-12T08:30") and here.endswith("+07:00")


def test_kantor_picks_the_office_of_a_command(
    ctx: Context, settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_other_office(ctx)
    started = run_cli(
        ["case", "start", "lakip", "--year", "2022", "--by", "sekretaris", "--kantor", OTHER], settings, clock
    )
    assert started.code == 0, started.err
    assert "lakip-2022" not in run_cli(["case", "list"], settings, clock).out
    assert "lakip-2022" in run_cli(["--kantor", OTHER, "case", "list"], settings, clock).out
    monkeypatch.setenv("SOP_KANTOR", OTHER)
    assert "lakip-2022" in run_cli(["case", "list"], settings, clock).out
    monkeypatch.setenv("SOP_KANTOR", "9999")
    unknown = run_cli(["case", "list"], settings, clock)
    assert unknown.code == 1 and "9999" in unknown.err and "3526, 3527" in unknown.err


def test_offices_list_with_a_year_shows_each_lakip_case_and_how_late(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx, zone="WIB")
    cases.start_case(other, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(hours=1))  # step 1 (10 menit) is 50 minutes late
    text = run_cli(["offices", "list", "--tahun", "2021"], settings, clock).out
    assert "belum dimulai" in text and "terlambat 50 menit" in text
    rows = json.loads(run_cli(["offices", "list", "--year", "2021", "--json"], settings, clock).out)["offices"]
    assert [(r["satker"], r["case"], r["step"], r["late_seconds"]) for r in rows] == [
        ("3526", None, None, 0),
        (OTHER, "lakip-2021", 1, 3000),
    ]


def test_an_office_is_refused_when_its_settings_are_wrong(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="WIB, WITA atau WIT"):
        offices.add_office(ctx, NewOffice(OTHER, "KPU Kabupaten Sampang", "UTC"))
    with pytest.raises(InvalidInput, match="sudah ada"):
        offices.add_office(ctx, NewOffice("3526", "KPU Kabupaten Bangkalan"))
    with pytest.raises(NotFound, match="induk"):
        offices.add_office(ctx, NewOffice(OTHER, "KPU Kabupaten Sampang", parent="3500"))
    with pytest.raises(InvalidInput, match="hari_libur"):
        offices.add_office(ctx, NewOffice(OTHER, "KPU Kabupaten Sampang", calendar={"hari_libur": []}))
    with pytest.raises(InvalidInput, match="tidak sah"):
        offices.add_office(ctx, NewOffice("35 27", "KPU Kabupaten Sampang"))
    assert [o.satker for o in offices.list_offices(ctx)] == ["3526"]


def test_people_and_their_names_belong_to_one_office(ctx: Context) -> None:
    other = add_other_office(ctx)
    people.set_active(other, "staf1", False, by="admin")
    assert next(p for p in people.list_people(ctx) if p.username == "staf1").active
    assert not next(p for p in people.list_people(other) if p.username == "staf1").active
    assert {p.email for p in people.list_people(other)}.isdisjoint({p.email for p in people.list_people(ctx)})


def test_notifications_and_the_audit_trail_of_an_office_stay_its_own(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(other, "lakip", 2022, "sekretaris")
    here = json.loads(run_cli(["notifications", "list", "--json"], settings, clock).out)
    there = json.loads(run_cli(["--kantor", OTHER, "notifications", "list", "--json"], settings, clock).out)
    assert here and there
    assert {n["case"] for n in here} == {"lakip-2021"} and {n["case"] for n in there} == {"lakip-2022"}
    trail = run_cli(["--kantor", OTHER, "audit", "log", "--json"], settings, clock)
    assert "lakip-2022" in trail.out and "lakip-2021" not in trail.out
    assert run_cli(["--kantor", OTHER, "audit", "verify"], settings, clock).code == 0
    assert run_cli(["audit", "verify"], settings, clock).code == 0


def test_the_python_api_opens_another_office_by_its_satker(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    add_other_office(ctx)
    config = write_config(tmp_path, settings)
    with Engine.open(config, clock=clock, office=OTHER) as engine:
        engine.start_case("lakip", year=2022, by="sekretaris")
        assert engine.ctx.settings.office.name == "KPU Kabupaten Sampang"
    with Engine.open(config, clock=clock) as engine:
        assert [case.id for case in engine.cases().items] == []
    with pytest.raises(NotFound, match="9999"):
        Engine.open(config, clock=clock, office="9999")
