"""A paraf chain's progress on the case page and in ``sop case show``: each actor of the step in
order, who confirmed it and when, and whose turn it is (the ``alur`` SOP of flow_support, step 6:
kasubag_program then sekretaris)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sop_engine import cases, people
from sop_engine.case_decisions import answer_decision
from sop_engine.case_records import Paraf
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.formatting import format_instant
from sop_engine.people import NewPerson
from tests.flow_support import ALUR, flow_context, flow_text
from tests.helpers import run_cli, statements
from tests.policy_support import PERAN
from tests.web_support import Site, step_html


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    office = flow_context(ctx, tmp_path, {"alur": ALUR}, PERAN)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    return office


def to_the_chain(office: Context) -> str:
    """A case of ``alur`` with step 6 (the paraf chain) active, its first actor's turn."""
    code = cases.start_case(office, "alur", 2021, "staf1").id
    cases.complete_step(office, code, 1, "staf1")
    answer_decision(office, code, 2, "kasubag", True)
    cases.complete_step(office, code, 3, "staf1")
    cases.complete_step(office, code, 4, "staf1")
    cases.complete_step(office, code, 5, "kasubag")
    return code


def test_each_actor_of_the_chain_is_shown_with_who_confirmed_and_when(office: Context, clock: FixedClock) -> None:
    code = to_the_chain(office)
    assert cases.get_case(office, code).steps[5].parafs == ()  # nobody has confirmed: nothing read
    clock.advance(timedelta(hours=1))
    first = clock.now()
    cases.complete_step(office, code, 6, "kasubag")
    step = cases.get_case(office, code).steps[5]
    assert step.parafs == (Paraf("kasubag_program", "kasubag", first), Paraf("sekretaris"))
    assert (step.turn, step.role, step.completed_by) == (1, "sekretaris", None)
    clock.advance(timedelta(minutes=30))
    cases.complete_step(office, code, 6, "sekretaris")
    step = cases.get_case(office, code).steps[5]
    assert step.parafs == (
        Paraf("kasubag_program", "kasubag", first),
        Paraf("sekretaris", "sekretaris", first + timedelta(minutes=30)),
    )
    assert step.turn is None and step.completed_by == "sekretaris"


def test_a_return_starts_the_chain_again(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    chain = {"pelaksana": '["kasubag_program", "sekretaris"]'}
    office = flow_context(ctx, tmp_path, {"ulang": flow_text(2, {1: chain, 2: {"kembali_ke": "[1]"}}, "ulang")})
    code = cases.start_case(office, "ulang", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "kasubag")
    cases.complete_step(office, code, 1, "sekretaris")
    cases.return_step(office, code, 2, 1, "staf1", "Angka belum cocok")
    clock.advance(timedelta(hours=1))
    cases.complete_step(office, code, 1, "kasubag")
    step = cases.get_case(office, code).steps[0]
    assert step.round == 2
    assert step.parafs == (Paraf("kasubag_program", "kasubag", clock.now()), Paraf("sekretaris"))  # round 2 only


def test_the_chain_costs_one_query_and_only_once_it_has_begun(office: Context) -> None:
    code = to_the_chain(office)
    cases.get_case(office, code)  # warm: definition parsed
    with statements(office) as before:
        cases.get_case(office, code)
    cases.complete_step(office, code, 6, "kasubag")
    cases.get_case(office, code)
    with statements(office) as begun:
        cases.get_case(office, code)
    assert len(begun) == len(before) + 1, (before, begun)


def test_the_case_page_shows_the_chain_and_whose_turn_it_is(office: Context, clock: FixedClock, tmp_path: Path) -> None:
    code = to_the_chain(office)
    site = Site(office, tmp_path)
    assert "paraf-chain" not in step_html(site.as_("kasubag").get(f"/kasus/{code}").text, 6)
    cases.complete_step(office, code, 6, "kasubag")
    name = next(p.name for p in people.list_people(office) if p.username == "kasubag")
    html = step_html(site.as_("sekretaris").get(f"/kasus/{code}").text, 6)
    when = format_instant(clock.now(), office.tz)
    assert f"Kasubag Program: diparaf {name} (kasubag), {when}</li>" in html
    assert '<li aria-current="step">Sekretaris: <strong>gilirannya sekarang</strong></li>' in html


def test_sop_case_show_lists_the_chain_below_the_steps(office: Context, clock: FixedClock) -> None:
    code = to_the_chain(office)
    cases.complete_step(office, code, 6, "kasubag")
    shown = run_cli(["case", "show", code], office.settings, office.clock)
    assert shown.code == 0, shown.err
    when = format_instant(clock.now(), office.tz)
    assert (
        "\n\nParaf berjenjang langkah 6 (Langkah 6):\n"
        f"  1. Kasubag Program: diparaf kasubag, {when}\n"
        "  2. Sekretaris: gilirannya sekarang\n\n"
    ) in shown.out
    assert "Paraf berjenjang langkah 2" not in shown.out  # a step of one actor has no chain to show
