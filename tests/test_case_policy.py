"""The case policy of a workflow (``[workflow]`` kasus, dimulai_oleh, tenggat): a second SOP written
only in TOML, with ``kasus = "bebas"`` and a role of the office's own, runs beside the LAKIP SOP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from sop_engine import cases, planning
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent, Case
from sop_engine.db.statuses import CaseStatus
from sop_engine.definitions import CasePolicy
from sop_engine.errors import Conflict, DefinitionError, NotAllowed
from sop_engine.loader import load_workflow_file, load_workflows_dir
from sop_engine.roles import DEFAULT_ROLES
from tests.helpers import ROOT, pdf, run_cli
from tests.policy_support import FIXTURE, office_context
from tests.web_support import Site, elements

ROLES = (*DEFAULT_ROLES.step_ids, "arsiparis")


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    return office_context(ctx, tmp_path)


def _counts(ctx: Context) -> tuple[int, int]:
    with ctx.db.read() as session:
        return session.scalar(select(func.count(Case.id))) or 0, session.scalar(select(func.count(AuditEvent.id))) or 0


# --- the definition -----------------------------------------------------------------------------


def test_the_keys_are_read_and_lakip_states_todays_rule() -> None:
    surat = load_workflow_file(FIXTURE, ROLES)
    assert (surat.cases, surat.started_by, surat.deadline) == (CasePolicy.FREE, ("arsiparis",), None)
    lakip = load_workflow_file(ROOT / "workflows" / "lakip.toml")
    assert (lakip.cases, lakip.started_by, lakip.deadline) == (CasePolicy.YEARLY, ("sekretaris",), (3, 31))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'kasus = "bebas"',
            'kasus = "harian"',
            "[workflow]: kasus = 'harian', tidak dikenal; yang diizinkan: tahunan, bebas.",
        ),
        (
            'dimulai_oleh = ["arsiparis"]',
            'dimulai_oleh = ["arsiparis", "sekretaris", "arsiparis"]',
            "[workflow]: dimulai_oleh = ['arsiparis', 'sekretaris', 'arsiparis']: 'arsiparis' disebut dua kali; "
            "hapus salah satu.",
        ),
        (
            'dimulai_oleh = ["arsiparis"]',
            'dimulai_oleh = ["sekertaris"]',
            "[workflow]: dimulai_oleh = ['sekertaris']: 'sekertaris', tidak dikenal; yang diizinkan: ketua, "
            "sekretaris, kasubag_program, staf, arsiparis. Maksud Anda 'sekretaris'?",
        ),
        (
            'dimulai_oleh = ["arsiparis"]',
            'dimulai_oleh = ["admin"]',
            "[workflow]: dimulai_oleh = ['admin']: 'admin' adalah peran yang tidak mengerjakan langkah; "
            "yang diizinkan: ketua, sekretaris, kasubag_program, staf, arsiparis.",
        ),
        (
            'dimulai_oleh = ["arsiparis"]',
            'dimulai_oleh = ["arsiparis"]\ntenggat = "31-03"',
            "[workflow]: tenggat = '31-03' bukan bulan-tanggal; tulis seperti \"03-31\" (31 Maret), "
            "atau hapus baris itu.",
        ),
    ],
)
def test_a_wrong_case_key_is_refused_naming_it(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = tmp_path / "surat-masuk.toml"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        load_workflows_dir(tmp_path, ROLES)
    assert str(refused.value) == f"{path}: {message}"


# --- starting cases -----------------------------------------------------------------------------


def test_two_cases_in_one_year_are_numbered_by_the_allowed_role(office: Context) -> None:
    first = cases.start_case(office, "surat-masuk", 2021, "arsip1")
    second = cases.start_case(office, "surat-masuk", 2021, "arsip1")
    later = cases.start_case(office, "surat-masuk", 2022, "arsip1")
    codes = [first.id, second.id, later.id]
    assert codes == ["surat-masuk-2021-0001", "surat-masuk-2021-0002", "surat-masuk-2022-0001"]
    assert {first.started_by, second.started_by} == {"arsip1"}
    assert [s.status for s in second.steps][:2] == ["active", "waiting"]


def test_another_role_is_refused_exactly_and_nothing_changes(office: Context) -> None:
    before = _counts(office)
    with pytest.raises(NotAllowed) as refused:
        cases.start_case(office, "surat-masuk", 2021, "sekretaris")
    assert str(refused.value) == (
        "Memulai kasus hanya untuk peran arsiparis (Arsiparis); 'sekretaris' berperan sekretaris (Sekretaris)."
    )
    assert _counts(office) == before


def test_a_start_that_loses_the_race_for_its_number_is_told_to_start_again(office: Context) -> None:
    cases.start_case(office, "surat-masuk", 2021, "arsip1")
    with office.db.write() as session:  # as if 0001 were being inserted at this moment: its serial not yet seen
        session.execute(update(Case).values(serial=None))
    before = _counts(office)
    with pytest.raises(Conflict) as refused:
        cases.start_case(office, "surat-masuk", 2021, "arsip1")
    assert str(refused.value) == (
        "Kasus surat-masuk-2021-0001 baru saja dimulai oleh orang lain pada saat yang sama; "
        "mulai lagi untuk kasus berikutnya."
    )
    assert _counts(office) == before


def test_lakip_stays_one_case_a_year_started_by_the_sekretaris(office: Context) -> None:
    cases.start_case(office, "lakip", 2021, "sekretaris")
    before = _counts(office)
    with pytest.raises(Conflict, match=r"Kasus lakip-2021 untuk tahun 2021 sudah ada .*; satu kasus per SOP per tahun"):
        cases.start_case(office, "lakip", 2021, "sekretaris")
    with pytest.raises(NotAllowed) as refused:
        cases.start_case(office, "lakip", 2022, "arsip1")
    assert str(refused.value) == (
        "Memulai kasus hanya untuk peran sekretaris (Sekretaris); 'arsip1' berperan arsiparis (Arsiparis)."
    )
    assert _counts(office) == before


def test_no_year_deadline_is_applied_without_tenggat(office: Context) -> None:
    surat = cases.start_case(office, "surat-masuk", 2021, "arsip1")
    projection = planning.case_projection(office, surat)
    assert projection.deadline is None and projection.slack_seconds is None
    assert projection.finish is not None
    lakip = planning.case_projection(office, cases.start_case(office, "lakip", 2021, "sekretaris"))
    assert lakip.deadline is not None
    assert lakip.deadline.astimezone(office.tz).isoformat() == "2021-03-31T16:00:00+07:00"


# --- end to end ---------------------------------------------------------------------------------


def test_the_second_sop_runs_end_to_end_from_the_cli(office: Context, tmp_path: Path) -> None:
    def sop(*args: str) -> str:
        run = run_cli(list(args), office.settings, office.clock)
        assert run.code == 0, run.err
        return run.out

    shown_sop = sop("workflows", "show", "surat-masuk")
    assert "Kasus: banyak per tahun, bernomor urut; dimulai oleh Arsiparis; tenggat tahunan: tidak ada" in shown_sop
    assert json.loads(sop("workflows", "show", "lakip", "--json"))["tenggat"] == "03-31"
    started = json.loads(sop("case", "start", "surat-masuk", "--year", "2021", "--by", "arsip1", "--json"))
    code = started["id"]
    assert code == "surat-masuk-2021-0001"
    sop("step", "done", code, "1", "--by", "arsip1", "--file", str(pdf(tmp_path, "surat.pdf")))
    sop("step", "done", code, "2", "--by", "sekretaris", "--note", "Tindak lanjuti")
    sop("step", "return", code, "3", "--to", "2", "--by", "staf1", "--reason", "Disposisi kurang jelas")
    sop("step", "done", code, "2", "--by", "sekretaris")
    sop("step", "done", code, "3", "--by", "staf1")
    sop("step", "done", code, "4", "--by", "arsip1")
    shown = json.loads(sop("case", "show", code, "--json"))
    assert shown["status"] == CaseStatus.DONE
    assert shown["projection"]["submission_deadline"] is None
    assert shown["projection"]["on_track"] is True
    assert "Batas penyampaian" not in sop("case", "show", code)


def test_the_web_start_form_offers_it_to_the_role_that_may_start_it(office: Context, tmp_path: Path) -> None:
    site = Site(office, tmp_path)
    offered = elements(site.as_("arsip1").get("/kasus/baru").text, "option")
    assert [option["value"] for option in offered] == ["surat-masuk"]
    response = site.as_("arsip1").post("/kasus/baru", {"workflow": "surat-masuk", "tahun": "2021"})
    assert response.status_code == 303, response.text
    assert site.as_("arsip1").get(response.headers["location"]).status_code == 200
    tasks = site.as_("arsip1").get("/tugas")
    assert tasks.status_code == 200 and "surat-masuk-2021-0001" in tasks.text
    assert '<a href="/tugas"' in tasks.text and '<a href="/kasus"' in tasks.text  # the office role's menu
    assert [o["value"] for o in elements(site.as_("sekretaris").get("/kasus/baru").text, "option")] == ["lakip"]
    refused = site.as_("sekretaris").post("/kasus/baru", {"workflow": "surat-masuk", "tahun": "2021"})
    assert refused.status_code == 403
    assert [c.id for c in cases.list_cases(office).items] == ["surat-masuk-2021-0001"]
