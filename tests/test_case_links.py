"""Sub-SOP steps (``jalankan``): the linked case a step starts, and the step that completes with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from sop_engine import access, api_tokens, audit, cases
from sop_engine.case_decisions import answer_decision
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Case
from sop_engine.errors import Conflict, NotAllowed
from sop_engine.identity import Identity
from sop_engine.web.app import create_app
from tests.flow_support import flow_context, flow_text
from tests.helpers import run_cli
from tests.test_case_flow import refused, snapshot, statuses
from tests.web_support import Site, step_html

#: A parent of three steps whose step 2 runs the SOP ``anak`` (two steps, ``kasus = "bebas"``).
INDUK = flow_text(3, {2: {"jalankan": '"anak"'}}, workflow="induk")
ANAK = flow_text(2, workflow="anak")


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    return flow_context(ctx, tmp_path, {"induk": INDUK, "anak": ANAK})


def events(ctx: Context, code: str) -> list[tuple[str, str, int | None, dict[str, object]]]:
    found = audit.list_events(ctx, code)
    return [(e.action, e.actor, e.step, dict(e.details)) for e in found]


def test_a_jalankan_step_waits_for_its_linked_case_then_the_parent_moves_on(office: Context) -> None:
    parent = cases.start_case(office, "induk", 2021, "sekretaris")
    code = parent.id
    parent = cases.complete_step(office, code, 1, "staf1")
    child = "anak-2021-0001"
    assert (parent.active_steps, statuses(parent)) == ((2,), ["done", "active", "waiting"])
    started = cases.get_case(office, child)
    assert (started.started_by, started.year, started.active_steps) == ("staf1", 2021, (1,))
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 2, "staf1"))
    assert message == (
        f"Langkah 2 dijalankan sebagai kasus {child}; langkah ini selesai sendiri saat kasus itu selesai."
    )
    cases.complete_step(office, child, 1, "staf1")
    assert cases.get_case(office, code).active_steps == (2,)  # the child is not done yet
    done = cases.complete_step(office, child, 2, "staf1")
    assert str(done.status) == "done"
    parent = cases.get_case(office, code)
    assert (parent.active_steps, statuses(parent)) == ((3,), ["done", "done", "active"])
    assert parent.steps[1].completed_by == "sistem"
    parent = cases.complete_step(office, code, 3, "staf1")
    assert str(parent.status) == "done"
    result = audit.verify(office)
    assert result.ok, result.problem
    assert result.mismatches == ()


def test_the_audit_names_the_link_both_ways(office: Context) -> None:
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    child = "anak-2021-0001"
    completed = [e for e in events(office, code) if e[0] == "step.completed"]
    assert completed[0][3]["started_cases"] == [{"step": 2, "case": child}]
    started = events(office, child)[0]
    assert (started[0], started[1], started[3]["parent"], started[3]["parent_step"]) == (
        "case.started",
        "staf1",
        code,
        2,
    )
    cases.complete_step(office, child, 1, "staf1")
    cases.complete_step(office, child, 2, "staf1")
    by_system = [e for e in events(office, code) if e[0] == "step.completed"][-1]
    assert (by_system[1], by_system[2], by_system[3]["completed_by_case"]) == ("sistem", 2, child)


def test_a_cancelled_child_leaves_the_parent_step_active(office: Context) -> None:
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    cases.cancel_case(office, "anak-2021-0001", "sekretaris", "Dimulai keliru")
    parent = cases.get_case(office, code)
    assert (str(parent.status), parent.active_steps) == ("running", (2,))
    result = audit.verify(office)
    assert result.ok, result.problem


def test_a_first_step_that_runs_an_sop_starts_the_child_with_the_case(ctx: Context, tmp_path: Path) -> None:
    first = flow_text(2, {1: {"jalankan": '"anak"'}}, workflow="induk")
    office = flow_context(ctx, tmp_path, {"induk": first, "anak": ANAK})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, "anak-2021-0001", 1, "staf1")
    cases.complete_step(office, "anak-2021-0001", 2, "staf1")
    assert cases.get_case(office, code).active_steps == (2,)
    assert audit.verify(office).mismatches == ()


def test_a_yearly_child_whose_year_has_a_case_refuses_the_parent_action(ctx: Context, tmp_path: Path) -> None:
    yearly = ANAK.replace('kasus = "bebas"', 'kasus = "tahunan"')
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": yearly})
    cases.start_case(office, "anak", 2021, "sekretaris")
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    message = refused(office, code, Conflict, lambda: cases.complete_step(office, code, 1, "staf1"))
    assert message == (
        "Langkah 2 (Langkah 2) menjalankan SOP anak sebagai kasus tahun 2021, tetapi kasus anak-2021 untuk tahun "
        "2021 sudah ada (dimulai oleh sekretaris, status berjalan); satu kasus per SOP per tahun. Tindakan ini "
        "dibatalkan; tidak ada yang berubah."
    )
    assert [c.id for c in cases.list_cases(office).items if c.workflow == "anak"] == ["anak-2021"]


def test_case_show_json_text_and_page_name_the_link_both_ways(
    office: Context, clock: FixedClock, tmp_path: Path
) -> None:
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    child = "anak-2021-0001"
    parent = json.loads(run_cli(["case", "show", code, "--json"], office.settings, clock).out)
    linked = json.loads(run_cli(["case", "show", child, "--json"], office.settings, clock).out)
    assert (parent["part_of"], parent["linked_cases"]) == (None, [{"step": 2, "case": child, "status": "running"}])
    assert (linked["part_of"], linked["linked_cases"]) == ({"case": code, "step": 2}, [])
    assert (
        f"Langkah 2 dijalankan sebagai kasus {child} (berjalan)"
        in run_cli(["case", "show", code], office.settings, clock).out
    )
    assert f"Bagian dari {code} langkah 2" in run_cli(["case", "show", child], office.settings, clock).out
    assert "menjalankan SOP anak" in run_cli(["workflows", "show", "induk"], office.settings, clock).out
    site = Site(office, tmp_path / "web")
    html = site.as_("staf1").get(f"/kasus/{code}").text
    assert f'Dijalankan sebagai kasus <a href="/kasus/{child}">{child}</a>;' in step_html(html, 2)
    assert "Dijalankan sebagai kasus" not in step_html(html, 1)
    assert 'id="form-selesai"' not in step_html(html, 2)  # the staf may not complete it, so no form offers it
    refusal = site.as_("staf1").post(f"/kasus/{code}/langkah/2/selesai", {"catatan": ""})
    assert refusal.status_code >= 400 and f"dijalankan sebagai kasus {child}" in refusal.text
    html = site.as_("staf1").get(f"/kasus/{child}").text
    assert f'bagian dari <a href="/kasus/{code}">{code}</a> langkah 2.' in html
    cases.cancel_case(office, child, "sekretaris", "Dimulai keliru")
    html = site.as_("staf1").get(f"/kasus/{code}").text
    assert "yang dibatalkan: langkah ini tetap aktif" in step_html(html, 2)
    assert 'id="form-selesai"' not in step_html(html, 2)


def test_tugas_saya_lists_the_linked_case_s_step_not_the_step_that_runs_it(
    office: Context, clock: FixedClock, tmp_path: Path
) -> None:
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    child = "anak-2021-0001"
    staf = Identity("staf1", "Staf Satu", ("staf",))
    tasks = access.my_tasks(office, staf, clock.now())
    assert [(task.case.id, task.step.no) for task in tasks] == [(child, 1)]  # induk's step 2 completes by itself
    page = Site(office, tmp_path / "web").as_("staf1").get("/tugas").text
    assert f'href="/kasus/{child}#langkah-1"' in page and f'href="/kasus/{code}#langkah-2"' not in page


def test_the_command_line_and_the_api_refuse_the_step_and_change_nothing(office: Context, clock: FixedClock) -> None:
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    before = snapshot(office, code)
    expected = "Langkah 2 dijalankan sebagai kasus anak-2021-0001; langkah ini selesai sendiri saat kasus itu selesai."
    done = run_cli(["step", "done", code, "2", "--by", "staf1"], office.settings, clock)
    assert (done.code, done.err.strip()) == (1, f"sop: {expected}")
    client = TestClient(create_app(office), follow_redirects=False)
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(office, 'staf1')}"}
    answer = client.post(f"/api/v1/cases/{code}/steps/2/complete", headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (403, expected)
    assert snapshot(office, code) == before


def test_a_linked_case_that_loses_the_race_for_its_number_refuses_the_action(office: Context) -> None:
    first = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, first, 1, "staf1")
    with office.db.write() as session:  # as if anak-2021-0001 were being inserted now: its serial not yet seen
        session.execute(update(Case).where(Case.workflow == "anak").values(serial=None))
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    message = refused(office, code, Conflict, lambda: cases.complete_step(office, code, 1, "staf1"))
    assert message == (
        "Langkah 2 (Langkah 2) menjalankan SOP anak, tetapi kasus anak-2021-0001 baru saja dimulai oleh orang lain "
        "pada saat yang sama; ulangi tindakan ini."
    )


def test_a_linked_case_that_runs_another_sop_completes_up_the_chain(ctx: Context, tmp_path: Path) -> None:
    middle = flow_text(2, {1: {"jalankan": '"cucu"'}}, workflow="anak")
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": middle, "cucu": flow_text(1, workflow="cucu")})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")  # starts anak-2021-0001, whose step 1 starts cucu-2021-0001
    assert cases.get_case(office, "anak-2021-0001").part_of == (code, 2)
    assert cases.get_case(office, "cucu-2021-0001").part_of == ("anak-2021-0001", 1)
    cases.complete_step(office, "cucu-2021-0001", 1, "staf1")
    assert cases.get_case(office, "anak-2021-0001").active_steps == (2,)
    assert cases.get_case(office, code).active_steps == (2,)
    cases.complete_step(office, "anak-2021-0001", 2, "staf1")
    assert cases.get_case(office, code).active_steps == (3,)
    assert audit.verify(office).mismatches == ()


def test_a_grandchild_that_cannot_start_is_named_through_its_parent_in_one_sentence(
    ctx: Context, tmp_path: Path
) -> None:
    middle = flow_text(2, {1: {"jalankan": '"cucu"'}}, workflow="anak")
    yearly = flow_text(1, workflow="cucu").replace('kasus = "bebas"', 'kasus = "tahunan"')
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": middle, "cucu": yearly})
    cases.start_case(office, "cucu", 2021, "sekretaris")
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    message = refused(office, code, Conflict, lambda: cases.complete_step(office, code, 1, "staf1"))
    assert message == (
        "Langkah 2 (Langkah 2) menjalankan SOP anak, dan langkah 1 (Langkah 1) SOP anak menjalankan SOP cucu "
        "sebagai kasus tahun 2021, tetapi kasus cucu-2021 untuk tahun 2021 sudah ada (dimulai oleh sekretaris, "
        "status berjalan); satu kasus per SOP per tahun. Tindakan ini dibatalkan; tidak ada yang berubah."
    )
    assert [c.id for c in cases.list_cases(office).items if c.workflow != "induk"] == ["cucu-2021"]


#: A linked SOP that can end on a decision's answer: step 4 sends the work back to step 3 while
#: decision 2 is still open, so once 3 and 4 are done, 2's Ya leads to a step already done.
ANAK_ENDS_ON_ANSWER = flow_text(
    4,
    {
        2: {"setelah": "[1]", "jenis": '"keputusan"', "pertanyaan": '"Lengkap?"', "ya": "3", "tidak": "1"},
        3: {"setelah": "[1]"},
        4: {"setelah": "[1]", "kembali_ke": "[3]"},
    },
    workflow="anak",
)


def test_a_linked_case_that_ends_on_a_decision_answer_completes_the_parent_step(ctx: Context, tmp_path: Path) -> None:
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": ANAK_ENDS_ON_ANSWER})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    cases.complete_step(office, code, 1, "staf1")
    child = "anak-2021-0001"
    cases.complete_step(office, child, 1, "staf1")
    cases.return_step(office, child, 4, 3, "staf1", "Hasil 3 belum lengkap")
    cases.complete_step(office, child, 3, "staf1")
    cases.complete_step(office, child, 4, "staf1")
    assert cases.get_case(office, child).active_steps == (2,)
    assert cases.get_case(office, code).active_steps == (2,)

    done = answer_decision(office, child, 2, "staf1", True)

    assert (str(done.status), done.steps[1].answer) == ("done", "ya")
    assert events(office, child)[-1][:3] == ("step.completed", "staf1", 2)
    parent = cases.get_case(office, code)
    assert (parent.active_steps, statuses(parent)) == ((3,), ["done", "done", "active"])
    assert parent.steps[1].completed_by == "sistem"
    by_system = events(office, code)[-1]
    assert (by_system[0], by_system[1], by_system[2], by_system[3]["completed_by_case"]) == (
        "step.completed",
        "sistem",
        2,
        child,
    )
    result = audit.verify(office)
    assert result.ok and result.mismatches == (), result.problem
