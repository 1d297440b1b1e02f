"""sop evaluasi over cases that ran under two revisions of an SOP: each case judged against the mutu
baku of its own revision, steps matched by number only when their uraian is the same, the revisions
named; the terminal table with uraian and pelaksana; a jalankan step budgeted by its sub-SOP."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from sop_engine import cases, evaluation
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.evaluation import Verdict
from tests.conftest import need
from tests.flow_support import flow_context, flow_text
from tests.helpers import run_cli
from tests.web_support import Site

WIB = ZoneInfo("Asia/Jakarta")

#: Revision of 10 January 2021: three steps, step 1 has 3 jam.
OLD = flow_text(3, {1: {"waktu": '"3 jam"'}})
#: Revision of 1 March 2021: step 1 tightened to 1 jam, step 2 reworded, a step 4 added.
NEW = flow_text(4, {1: {"waktu": '"1 jam"'}, 2: {"uraian": '"Langkah 2 diperiksa ulang"'}}).replace(
    "tanggal_pengesahan = 2021-01-12", "tanggal_pengesahan = 2021-01-12\ntanggal_revisi = 2021-03-01"
)
OLD_LABEL, NEW_LABEL = "revisi 10 Januari 2021", "revisi 1 Maret 2021"


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of January 2021 in WIB (11 to 15 January are working days, 07:30-12:00, 13:00-16:00)."""
    return datetime(2021, 1, day, hour, minute, tzinfo=WIB)


def _run(office: Context, clock: FixedClock, day: int, minutes: list[int]) -> str:
    """Start a case of uji at 08:00 on ``day`` and complete its steps, each taking ``minutes[i]``."""
    clock.set(wib(day, 8))
    code = cases.start_case(office, "uji", 2021, "sekretaris").id
    at = wib(day, 8)
    for no, spent in enumerate(minutes, 1):
        at = datetime.fromtimestamp(at.timestamp() + spent * 60, WIB)
        clock.set(at)
        cases.complete_step(office, code, no, "staf1")
    return code


@pytest.fixture
def two_revisions(ctx: Context, clock: FixedClock, tmp_path: Path) -> Context:
    """Two cases under the old revision (step 1 took 2 jam of its 3), then the file edited and one case
    under the new one (step 1 took 30 menit of its 1 jam)."""
    office = flow_context(ctx, tmp_path, {"uji": OLD})
    _run(office, clock, 11, [120, 30, 30])
    _run(office, clock, 12, [120, 30, 30])
    (office.settings.workflows_dir / "uji.toml").write_text(NEW, encoding="utf-8")
    _run(office, clock, 13, [30, 30, 30, 30])
    clock.set(wib(15, 9))
    return office


def test_each_case_is_judged_against_the_mutu_baku_of_its_own_revision(two_revisions: Context) -> None:
    result = evaluation.evaluate(two_revisions, "uji")
    one = result.steps[0]
    # Against today's 1 jam the median of 2 jam would be "kurang baik"; against their own budgets
    # the runs took 2/3, 2/3 and 1/2 of them.
    assert (one.budget_seconds, one.median_seconds, one.late) == (3600, 7200, 0)
    assert one.median_ratio == pytest.approx(2 / 3)
    assert one.verdict is Verdict.GOOD and one.note == "3 pelaksanaan, tepat waktu."
    assert [(share.revision, share.budget, share.cases) for share in one.budgets] == [
        (OLD_LABEL, "3 jam", 2),
        (NEW_LABEL, "1 jam", 1),
    ]


def test_a_step_whose_uraian_changed_counts_only_the_cases_of_its_revision(two_revisions: Context) -> None:
    result = evaluation.evaluate(two_revisions, "uji")
    two, three, four = result.steps[1], result.steps[2], result.steps[3]
    assert (two.runs, two.cases, two.skipped) == (1, 1, 0)  # the old "Langkah 2" is not this step
    assert (three.runs, three.cases) == (3, 3)  # same number, same uraian: every case
    assert (four.runs, four.cases, four.skipped, four.verdict) == (1, 1, 0, Verdict.GOOD)


def test_the_remarks_name_the_revisions_the_unmatched_steps_and_the_budgets(two_revisions: Context) -> None:
    result = evaluation.evaluate(two_revisions, "uji")
    assert [(share.label, share.cases, share.current) for share in result.revisions] == [
        (OLD_LABEL, 2, False),
        (NEW_LABEL, 1, True),
    ]
    assert result.remarks == (
        f"Periode ini mencakup 2 revisi SOP: {OLD_LABEL} (2 kasus), {NEW_LABEL} (berlaku sekarang, 1 kasus). "
        "Tiap kasus dinilai terhadap mutu baku revisi yang dipakainya.",
        f"Langkah 2 di {OLD_LABEL} berbeda uraiannya (“Langkah 2”): 2 kasus revisi itu tidak dihitung pada "
        "langkah ini.",
        f"Langkah 4 tidak ada di {OLD_LABEL}: 2 kasus revisi itu tidak dihitung pada langkah ini.",
        f"Langkah 1: mutu baku berbeda antar revisi: 3 jam ({OLD_LABEL}, 2 kasus), 1 jam ({NEW_LABEL}, 1 kasus).",
    )
    assert "revisi SOP yang dipakai kasusnya" in result.rule


def test_a_period_of_one_old_revision_says_so_and_uses_its_budget(two_revisions: Context) -> None:
    result = evaluation.evaluate(two_revisions, "uji", wib(11, 0).date(), wib(12, 0).date())
    assert result.cases == ("uji-2021-0001", "uji-2021-0002")
    assert result.remarks[0] == (
        f"Semua kasus periode ini memakai {OLD_LABEL} (2 kasus), bukan revisi yang berlaku sekarang. Tiap kasus "
        "dinilai terhadap mutu baku revisi yang dipakainya."
    )
    assert result.steps[0].verdict is Verdict.GOOD
    assert result.steps[1].verdict is Verdict.NOT_RUN  # today's step 2 never ran under the old revision


def test_the_terminal_table_has_uraian_and_pelaksana_and_the_remarks(two_revisions: Context) -> None:
    shown = run_cli(["evaluasi", "uji"], two_revisions.settings, two_revisions.clock)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    header = next(line for line in lines if line.startswith("No "))
    assert header.split()[:4] == ["No", "Uraian", "Pelaksana", "Mutu"]
    row = next(line for line in lines if line.startswith("2 "))
    assert "Langkah 2 diperiksa ulang" in row and "Staf/JFU" in row
    assert f"Keterangan: Periode ini mencakup 2 revisi SOP: {OLD_LABEL} (2 kasus)" in shown.out
    as_json = json.loads(run_cli(["evaluasi", "uji", "--json"], two_revisions.settings, two_revisions.clock).out)
    assert [(item["revision"], item["cases"], item["current"]) for item in as_json["revisions"]] == [
        (OLD_LABEL, 2, False),
        (NEW_LABEL, 1, True),
    ]
    assert as_json["steps"][0]["budgets"][0] == {
        "revision": OLD_LABEL,
        "budget": "3 jam",
        "budget_seconds": 3 * 3600,
        "cases": 2,
    }
    assert len(as_json["remarks"]) == 4


def test_a_long_uraian_is_clipped_in_the_terminal_table(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    long = "Menyusun dan memeriksa konsep laporan kinerja tahunan bersama seluruh bidang"
    office = flow_context(ctx, tmp_path, {"uji": flow_text(1, {1: {"uraian": f'"{long}"'}})})
    _run(office, clock, 11, [30])
    shown = run_cli(["evaluasi", "uji"], office.settings, office.clock)
    row = next(line for line in shown.out.splitlines() if line.startswith("1 "))
    assert long[:31] + "…" in row and long not in row
    assert "Keterangan:" not in shown.out  # one revision, the current one: nothing to remark


INDUK = flow_text(3, {2: {"jalankan": '"anak"', "waktu": None}}, workflow="induk")
ANAK = flow_text(2, {1: {"waktu": '"2 jam"'}, 2: {"waktu": '"5 jam"'}}, workflow="anak")


def test_a_jalankan_step_without_waktu_is_judged_by_the_critical_path_of_its_sop(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    office = flow_context(ctx, tmp_path, {"induk": INDUK, "anak": ANAK})
    code = cases.start_case(office, "induk", 2021, "sekretaris").id
    clock.set(wib(11, 9))
    cases.complete_step(office, code, 1, "staf1")
    result = evaluation.evaluate(office, "induk")
    two = result.steps[1]
    assert (two.budget_seconds, two.budget) == (7 * 3600, "mengikuti SOP anak (± 7 jam)")
    assert result.remarks == (
        "Langkah 2: mutu baku mengikuti SOP anak (± 7 jam), yaitu jalur kritis SOP anak (langkah ini tidak punya "
        "waktu sendiri).",
    )
    as_json = json.loads(run_cli(["evaluasi", "induk", "--json"], office.settings, office.clock).out)
    assert as_json["steps"][1]["budget"] == "mengikuti SOP anak (± 7 jam)"
    assert as_json["steps"][1]["budget_seconds"] == 7 * 3600


def test_the_page_the_workbook_and_the_pdf_carry_the_remarks(two_revisions: Context, tmp_path: Path) -> None:
    site = Site(two_revisions, tmp_path)
    page = site.as_("ketua").get("/evaluasi?sop=uji")
    assert page.status_code == 200, page.text[:300]
    remarks = page.text[page.text.index('id="keterangan"') : page.text.index('id="monitoring"')]
    assert f"Periode ini mencakup 2 revisi SOP: {OLD_LABEL} (2 kasus)" in remarks
    assert "Langkah 1: mutu baku berbeda antar revisi" in remarks
    book = openpyxl.load_workbook(io.BytesIO(site.as_("ketua").get("/evaluasi.xlsx?sop=uji").content))
    column = [row[0] for row in book["Evaluasi"].iter_rows(min_row=9, values_only=True)]
    assert [text for text in column if str(text).startswith("Keterangan: ")][-1] == (
        f"Keterangan: Langkah 1: mutu baku berbeda antar revisi: 3 jam ({OLD_LABEL}, 2 kasus), "
        f"1 jam ({NEW_LABEL}, 1 kasus)."
    )
    if shutil.which("pdftotext") is None:
        need("pdftotext is not installed (apt-get install poppler-utils)")
        return
    path = tmp_path / "evaluasi.pdf"
    path.write_bytes(site.as_("ketua").get("/evaluasi.pdf?sop=uji").content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Keterangan: Periode ini mencakup 2 revisi SOP" in " ".join(text.split())
