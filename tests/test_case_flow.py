"""Decisions, parallel steps and paraf chains through the case services (the ``alur`` SOP of flow_support)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sop_engine import api_tokens, audit, cases, people, views
from sop_engine.case_decisions import answer_decision
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.errors import InvalidInput, NotAllowed, SopError
from sop_engine.people import NewPerson
from sop_engine.web.app import create_app
from tests.flow_support import ALUR, flow_context, flow_text
from tests.helpers import Run, pdf, run_cli
from tests.policy_support import PERAN
from tests.web_support import Site, step_html


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    office = flow_context(ctx, tmp_path, {"alur": ALUR}, PERAN)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    return office


def statuses(record: cases.CaseRecord) -> list[str]:
    return [str(step.status) for step in record.steps]


def snapshot(ctx: Context, code: str) -> str:
    return json.dumps(views.case_json(cases.get_case(ctx, code), ctx.tz), sort_keys=True, default=str)


def refused(ctx: Context, code: str, error: type[SopError], action: object) -> str:
    """The message of ``action`` (a callable) refused with ``error``, checking the case did not change."""
    before = snapshot(ctx, code)
    with pytest.raises(error) as caught:
        action()  # type: ignore[operator]
    assert snapshot(ctx, code) == before
    return caught.value.message


def test_a_decision_goes_back_then_on_and_parallel_steps_join_in_a_paraf_chain(office: Context) -> None:
    case = cases.start_case(office, "alur", 2021, "staf1")
    code = case.id
    case = cases.complete_step(office, code, 1, "staf1")
    message = refused(office, code, InvalidInput, lambda: answer_decision(office, code, 2, "kasubag", False))
    assert message.startswith("Catatan wajib diisi bila jawaban mengembalikan pekerjaan ke langkah 1;")
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 2, "kasubag"))
    assert message == (
        "Langkah 2 (Langkah 2) adalah keputusan: Berkas lengkap? Langkah ini dijawab Ya atau Tidak, tidak "
        "ditandai selesai."
    )
    case = answer_decision(office, code, 2, "kasubag", False, "Lampiran kurang")
    assert (case.active_steps, statuses(case)[:3]) == ((1,), ["active", "waiting", "waiting"])
    assert case.steps[0].round == 2
    cases.complete_step(office, code, 1, "staf1")
    case = answer_decision(office, code, 2, "kasubag", True, "Lengkap")
    case = cases.complete_step(office, code, 3, "staf1")
    assert case.active_steps == (4, 5) and case.current_step == 4
    assert case.steps[3].due_at is not None and case.steps[4].due_at is not None
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 6, "kasubag"))
    assert message == (
        "Langkah 6 (Langkah 6) belum aktif; langkah yang aktif sekarang: 4, 5. Langkah dikerjakan berurutan."
    )
    case = cases.complete_step(office, code, 5, "kasubag")
    assert case.active_steps == (4,)
    case = cases.complete_step(office, code, 4, "staf1")
    assert case.active_steps == (6,)
    case = cases.complete_step(office, code, 6, "kasubag")
    assert case.active_steps == (6,) and case.steps[5].completed_by is None
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 6, "kasubag"))
    assert message == (
        "Langkah 6 (Langkah 6) sekarang menunggu paraf peran sekretaris (Sekretaris), urutan 2 dari 2 "
        "(Kasubag Program lalu Sekretaris); 'kasubag' berperan kasubag_program (Kasubag Program)."
    )
    case = cases.complete_step(office, code, 6, "sekretaris")
    assert case.steps[5].completed_by == "sekretaris" and case.active_steps == (7,)
    case = answer_decision(office, code, 7, "ketua", False, "Tidak perlu")
    assert case.steps[7].status == StepStatus.SKIPPED and case.active_steps == (9,)
    message = refused(office, code, NotAllowed, lambda: cases.complete_step(office, code, 8, "staf1"))
    assert message.startswith("Langkah 8 (Langkah 8) dilewati karena cabang keputusan tidak menuju ke sana;")
    case = cases.complete_step(office, code, 9, "arsip1")
    assert case.status == CaseStatus.DONE and case.active_steps == ()
    assert statuses(case) == ["done"] * 7 + ["skipped", "done"]


def test_the_audit_names_the_steps_activated_and_skipped(office: Context) -> None:
    code = cases.start_case(office, "alur", 2021, "staf1").id
    cases.complete_step(office, code, 1, "staf1")
    answer_decision(office, code, 2, "kasubag", True)
    cases.complete_step(office, code, 3, "staf1")
    events = [e for e in audit.list_events(office, code) if e.step == 3]
    assert events[-1].details["activated"] == [4, 5]
    assert events[-1].details["skipped"] == []


# --- the web pages -------------------------------------------------------------------------------


def test_the_case_page_asks_to_attach_only_at_a_step_that_takes_a_file(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    folder.mkdir()
    text = flow_text(3, {1: {"berkas": '"wajib"'}, 2: {"berkas": '"opsional"'}}, workflow="masuk")
    office = flow_context(ctx, folder, {"masuk": text})
    site = Site(office, tmp_path)
    code = cases.start_case(office, "masuk", 2021, "sekretaris").id
    scan = pdf(tmp_path, "surat.pdf")
    files = [("berkas", ("surat.pdf", scan.read_bytes(), "application/pdf"))]
    assert site.as_("staf1").post(f"/kasus/{code}/langkah/1/selesai", {}, files=files).status_code == 303
    step_2 = step_html(site.as_("staf1").get(f"/kasus/{code}").text, 2)
    assert "Dokumen masukan" in step_2 and "lampirkan: Hasil 2" in step_2
    assert site.as_("staf1").post(f"/kasus/{code}/langkah/2/selesai", {}, files=files).status_code == 303
    step_3 = step_html(site.as_("staf1").get(f"/kasus/{code}").text, 3)
    assert "Dokumen masukan" in step_3 and "lampirkan" not in step_3  # berkas = "tidak": nothing to attach


def test_a_task_card_asks_to_attach_only_at_a_step_that_takes_a_file(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    folder.mkdir()
    text = flow_text(3, {2: {"berkas": '"wajib"'}}, workflow="masuk")
    office = flow_context(ctx, folder, {"masuk": text})
    staf = Site(office, tmp_path).as_("staf1")
    code = cases.start_case(office, "masuk", 2021, "sekretaris").id

    def card() -> str:
        found = re.search(
            r'<li>\s*<a class="task[^"]*" href="/kasus/[^"]+">.*?</li>', staf.get("/tugas").text, re.DOTALL
        )
        assert found, "no task card"
        return found.group(0)

    assert "Langkah 1" in card() and "task-input" not in card()  # no input document, nothing to attach: no line
    cases.complete_step(office, code, 1, "staf1")
    assert "lampirkan: Hasil 2" in card() and "Dokumen masukan" not in card()
    scan = pdf(tmp_path, "surat.pdf")
    files = [("berkas", ("surat.pdf", scan.read_bytes(), "application/pdf"))]
    assert staf.post(f"/kasus/{code}/langkah/2/selesai", {}, files=files).status_code == 303
    step_3 = card()
    assert "Dokumen masukan" in step_3 and "surat.pdf" in step_3 and "lampirkan" not in step_3  # berkas = "tidak"


def test_the_case_page_answers_a_decision_runs_parallel_steps_and_takes_each_paraf(
    office: Context, tmp_path: Path
) -> None:
    site = Site(office, tmp_path)
    started = site.as_("staf1").post("/kasus/baru", {"workflow": "alur", "tahun": "2021"})
    assert started.status_code == 303, started.text
    page = started.headers["location"].split("?")[0]
    code = page.rsplit("/", 1)[1]
    assert site.as_("staf1").post(f"{page}/langkah/1/selesai", {"catatan": ""}).status_code == 303
    form = site.as_("kasubag").get(page).text
    assert 'id="form-jawab"' in form and "Berkas lengkap?" in form
    assert (
        '<label class="check"><input type="radio" name="jawaban" value="ya" required> Ya' in form
    )  # beside its answer
    back = site.as_("kasubag").post(f"{page}/langkah/2/jawab", {"jawaban": "tidak", "catatan": ""})
    assert back.status_code == 422 and "Catatan wajib diisi" in back.text
    assert site.as_("kasubag").post(f"{page}/langkah/2/jawab", {"jawaban": "ya"}).status_code == 303
    assert site.as_("staf1").post(f"{page}/langkah/3/selesai", {}).status_code == 303
    case = cases.get_case(office, code)
    assert case.active_steps == (4, 5)
    html = site.as_("kasubag").get(page).text
    assert 'data-status="active"' in step_html(html, 4) and 'data-status="active"' in step_html(html, 5)
    assert "Jawaban: Ya" in step_html(html, 2) and "Catatan:" not in step_html(html, 2)
    site.as_("staf1").post(f"{page}/langkah/4/selesai", {})
    site.as_("kasubag").post(f"{page}/langkah/5/selesai", {})
    html = site.as_("kasubag").get(page).text
    assert "Paraf langkah 6 (1 dari 2), lalu diteruskan ke Sekretaris" in step_html(html, 6)
    first = site.as_("kasubag").post(f"{page}/langkah/6/selesai", {})
    assert first.status_code == 303 and first.headers["location"].endswith("?pesan=diparaf")  # not "selesai"
    assert 'id="form-selesai"' not in step_html(site.as_("kasubag").get(page).text, 6)
    assert "Paraf langkah 6 (2 dari 2)" in step_html(site.as_("sekretaris").get(page).text, 6)
    last = site.as_("sekretaris").post(f"{page}/langkah/6/selesai", {})
    assert last.status_code == 303 and last.headers["location"].endswith("?pesan=selesai")
    assert site.as_("ketua").post(f"{page}/langkah/7/jawab", {"jawaban": "tidak"}).status_code == 303
    html = site.as_("ketua").get(page).text
    assert 'data-status="skipped"' in step_html(html, 8) and "dilewati" in step_html(html, 8)
    assert site.as_("arsip1").post(f"{page}/langkah/9/selesai", {}).status_code == 303
    assert cases.get_case(office, code).status == CaseStatus.DONE


# --- the command line ----------------------------------------------------------------------------


def test_the_command_line_runs_the_alur_sop_to_done_and_refuses_exactly(office: Context) -> None:
    def sop(*args: str) -> Run:
        return run_cli(list(args), office.settings, office.clock)

    shown = sop("workflows", "show", "alur").out  # the flow keys, not only a straight list of steps
    assert "Kasubag Program → Sekretaris" in shown and "setelah 4, 5" in shown and "Ya → 3, Tidak → 1" in shown
    assert "Keputusan langkah 7: Perlu revisi? Ya: langkah 8; Tidak: langkah 9." in shown
    started = sop("case", "start", "alur", "--year", "2021", "--by", "staf1", "--json")
    assert started.code == 0, started.err
    code = json.loads(started.out)["id"]
    assert code == "alur-2021-0001"
    assert sop("step", "done", code, "1", "--by", "staf1").code == 0
    before = sop("case", "show", code, "--json").out
    wrong = sop("step", "jawab", code, "2", "mungkin", "--by", "kasubag")
    assert (wrong.code, wrong.err.strip()) == (1, "sop: Jawaban 'mungkin' tidak dikenal; jawab 'ya' atau 'tidak'.")
    done = sop("step", "done", code, "2", "--by", "kasubag")
    assert done.code == 1 and "adalah keputusan: Berkas lengkap?" in done.err
    assert sop("case", "show", code, "--json").out == before
    answered = sop("step", "jawab", code, "2", "ya", "--by", "kasubag", "--catatan", "Lengkap")
    assert answered.code == 0 and "Langkah 2 (Langkah 2) dijawab Ya oleh kasubag." in answered.out
    forked = sop("step", "done", code, "3", "--by", "staf1")
    assert forked.code == 0 and "Berikutnya: langkah 4 " in forked.out and "Berikutnya: langkah 5 " in forked.out
    assert json.loads(sop("case", "show", code, "--json").out)["active_steps"] == [4, 5]
    head = sop("case", "show", code).out.split("\n\n", 1)[0]  # both parallel steps, by the office's role names
    assert "Langkah aktif: 4. Langkah 4 (Staf/JFU)" in head and "Langkah aktif: 5. Langkah 5 (Kasubag Program)" in head
    assert sop("step", "done", code, "5", "--by", "kasubag").code == 0
    assert sop("step", "done", code, "4", "--by", "staf1").code == 0
    paraf = sop("step", "done", code, "6", "--by", "kasubag")
    assert "diparaf oleh kasubag; menunggu paraf berikutnya." in paraf.out
    assert sop("step", "done", code, "6", "--by", "sekretaris").code == 0
    assert sop("step", "jawab", code, "7", "tidak", "--by", "ketua").code == 0
    assert sop("step", "done", code, "9", "--by", "arsip1").code == 0
    shown = json.loads(sop("case", "show", code, "--json").out)
    assert shown["status"] == "done" and shown["steps"][7]["status"] == "skipped"
    assert (shown["steps"][1]["answer"], shown["steps"][1]["note"]) == ("ya", "Lengkap")
    assert shown["steps"][0]["answer"] is None
    assert "selesai, dijawab Ya" in sop("case", "show", code).out
    verified = sop("audit", "verify")
    assert verified.code == 0, verified.err


def test_the_api_answers_a_decision_and_refuses_a_return_without_a_note(office: Context) -> None:
    client = TestClient(create_app(office), follow_redirects=False)
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(office, 'kasubag')}"}
    code = cases.start_case(office, "alur", 2021, "staf1").id
    cases.complete_step(office, code, 1, "staf1")
    before = snapshot(office, code)
    refused = client.post(f"/api/v1/cases/{code}/steps/2/answer", json={"answer": "tidak"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("Catatan wajib diisi bila jawaban mengembalikan pekerjaan ke langkah 1;")
    assert snapshot(office, code) == before
    answered = client.post(f"/api/v1/cases/{code}/steps/2/answer", json={"answer": "ya"}, headers=headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["active_steps"] == [3]
    assert (answered.json()["steps"][1]["answer"], answered.json()["steps"][1]["note"]) == ("ya", None)


def test_a_join_starts_when_its_last_input_finished_even_if_that_was_stated_first(office: Context) -> None:
    """Step 6 waits for 4 and 5. Step 4 is recorded done at 13:30, then step 5 with a stated time of 10:30:
    step 6 starts at 13:30 (not 10:30) and its deadline counts from there; the audit replays it."""
    code = cases.start_case(office, "alur", 2021, "staf1").id  # Monday 11 January 2021, 08.00 WIB
    cases.complete_step(office, code, 1, "staf1")
    answer_decision(office, code, 2, "kasubag", True, "Lengkap")
    cases.complete_step(office, code, 3, "staf1")
    four_done = datetime.fromisoformat("2021-01-11T13:30:00+07:00")
    five_done = datetime.fromisoformat("2021-01-11T10:30:00+07:00")
    office.clock.set(datetime.fromisoformat("2021-01-11T15:00:00+07:00"))  # type: ignore[attr-defined]
    cases.complete_step(office, code, 4, "staf1", at=four_done)
    case = cases.complete_step(office, code, 5, "kasubag", at=five_done)
    six = case.steps[5]
    assert (case.active_steps, six.activated_at) == ((6,), four_done)
    assert six.due_at == office.calendar.add(four_done, 3600)  # "1 jam" from 13.30
    assert case.steps[4].completed_at == five_done
    assert audit.verify(office).ok
