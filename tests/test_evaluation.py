"""sop evaluasi: monitoring and evaluation of an SOP per step over the cases of several years."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sop_engine import evaluation
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.evaluation import Verdict
from tests.conftest import need
from tests.helpers import run_cli
from tests.lakip_play import WIB, play_lakip


@pytest.fixture
def years(ctx: Context, clock: FixedClock, tmp_path: Path) -> Context:
    """Three LAKIP years: step 5 over its 4 hari in 2021 and 2023, step 9 over its 10 menit in 2022,
    step 7 sending the work back to step 6 in 2022; then 2024 started and stopped at step 3."""
    folder = tmp_path / "masuk"
    play_lakip(ctx, clock, 2021, folder, spent={5: "5 hari"})
    play_lakip(ctx, clock, 2022, folder, spent={9: "30 menit"}, returns=[(7, 6, "2 jam")])
    play_lakip(ctx, clock, 2023, folder, spent={5: "31 jam"})
    play_lakip(ctx, clock, 2024, folder, until=3)
    clock.set(datetime(2024, 6, 3, 9, 0, tzinfo=WIB))
    return ctx


def test_evaluation_over_three_years_names_the_late_steps(years: Context) -> None:
    result = evaluation.evaluate(years, "lakip", *_period("2021-01-01", "2023-12-31"))
    assert result.cases == ("lakip-2021", "lakip-2022", "lakip-2023")
    assert [(item.step.no, item.late) for item in result.late_steps] == [(5, 2), (9, 1)]
    verdicts = {item.step.no: item.verdict for item in result.steps}
    assert verdicts == {no: Verdict.GOOD for no in range(1, 12)} | {5: Verdict.POOR, 6: Verdict.POOR, 9: Verdict.POOR}
    five = result.steps[4]
    assert (five.runs, five.cases, five.budget_seconds) == (3, 3, 4 * 27000)
    assert (five.median_seconds, five.p90_seconds) == (4 * 27000 + 3600, 5 * 27000)
    assert five.note == "2 dari 3 pelaksanaan terlambat; median 31 jam kerja melebihi mutu baku 30 jam kerja."
    six, seven = result.steps[5], result.steps[6]
    assert (six.runs, six.redone, six.returned, six.late) == (4, 1, 0, 0)
    assert six.note == "Diulang di 1 dari 3 kasus karena dikembalikan."
    assert (seven.runs, seven.returned, seven.redone, seven.verdict) == (4, 1, 0, Verdict.GOOD)


def test_step_not_reached_in_the_period_is_tidak_berjalan(years: Context) -> None:
    result = evaluation.evaluate(years, "lakip", *_period("2024-01-01", None))
    assert result.cases == ("lakip-2024",)
    verdicts = [item.verdict for item in result.steps]
    assert verdicts[:3] == [Verdict.GOOD] * 3 and verdicts[3:] == [Verdict.NOT_RUN] * 8


def test_cli_writes_the_monitoring_form_that_opens_back(years: Context, tmp_path: Path) -> None:
    path = tmp_path / "evaluasi.xlsx"
    args = ["evaluasi", "lakip", "--from", "2021-01-01", "--until", "2023-12-31", "-o", str(path)]
    result = run_cli(args, years.settings, years.clock)
    assert result.code == 0, result.err
    assert "Periode: 1 Januari 2021 s.d. 31 Desember 2023; 3 kasus." in result.out
    late = result.out[result.out.index("Langkah yang terlambat:") :].splitlines()[1:3]
    assert late == [
        "  5. Menganalisis dan mengevaluasi data dan informasi kinerja yang telah terkumpul: 2× terlambat.",
        "  9. Penandatanganan dokumen LAKIP oleh Ketua kemudian diteruskan ke Kasubbag Program: 1× terlambat.",
    ]
    assert "Aturan: Berjalan baik: paling banyak 25% pelaksanaan terlambat" in result.out
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Evaluasi", "Monitoring"]
    monitoring = book["Monitoring"]
    header = [cell.value for cell in monitoring[4]]
    assert header == ["No", "Prosedur", "Penilaian", "Catatan teknis", "Tindakan yang harus diambil", "Paraf"]
    rows = {row[0]: row for row in monitoring.iter_rows(min_row=5, max_row=15, values_only=True)}
    assert rows[5][2] == "Kurang baik" and rows[5][5] is None
    assert rows[9][3] == "1 dari 3 pelaksanaan terlambat."
    assert rows[1][2:5] == ("Berjalan baik", "3 pelaksanaan, tepat waktu.", "Pertahankan.")
    assert str(monitoring.cell(17, 1).value).startswith("Aturan penilaian: Berjalan baik")
    figures = book["Evaluasi"]
    step_five = [cell.value for cell in figures[9]]
    assert step_five[0] == 5 and step_five[3] == 30.0 and step_five[6] == 31.0 and step_five[8] == 2


def test_cli_json_and_refusals(years: Context) -> None:
    result = run_cli(["evaluasi", "lakip", "--json"], years.settings, years.clock)
    document = json.loads(result.out)
    assert document["cases"] == ["lakip-2021", "lakip-2022", "lakip-2023", "lakip-2024"]
    assert [step["no"] for step in document["steps"] if step["late"]] == [5, 9]
    wrong = run_cli(["evaluasi", "lakip", "-o", "evaluasi.ods"], years.settings, years.clock)
    assert wrong.code == 1
    assert "Berkas evaluasi 'evaluasi.ods' harus berakhiran .xlsx atau .pdf, misalnya evaluasi-lakip.xlsx." in wrong.err
    reversed_range = run_cli(["evaluasi", "lakip", "--from", "2023-01-01", "--until", "2021-01-01"], years.settings)
    assert reversed_range.code == 1 and "Rentang tanggal terbalik" in reversed_range.err
    unknown = run_cli(["evaluasi", "perjalanan-dinas"], years.settings, years.clock)
    assert unknown.code == 1 and "SOP 'perjalanan-dinas' tidak ada" in unknown.err


def _period(since: str, until: str | None) -> tuple[date, date | None]:
    return date.fromisoformat(since), date.fromisoformat(until) if until else None


def test_cli_writes_the_evaluation_as_a_landscape_pdf_under_the_kop(years: Context, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        need("pdftotext is not installed (apt-get install poppler-utils)")
        return
    path = tmp_path / "laporan" / "evaluasi.pdf"
    args = ["evaluasi", "lakip", "--from", "2021-01-01", "--until", "2023-12-31", "-o", str(path)]
    result = run_cli(args, years.settings, years.clock)
    assert result.code == 0, result.err
    assert f"ditulis ke {path}" in result.out
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    kop = years.settings.office.name.upper()
    assert text.count(kop) == 2  # on the figures and on the monitoring form
    for words in (
        "EVALUASI PELAKSANAAN SOP",
        "FORMULIR MONITORING PELAKSANAAN SOP ADMINISTRASI PEMERINTAHAN",
        "Periode: 1 Januari 2021 s.d. 31 Desember 2023; 3 kasus.",
        "Tindakan yang harus",
        "Kurang baik",
        "1 dari 3 pelaksanaan terlambat.",
        "Aturan penilaian: Berjalan baik: paling banyak 25%",
        "Kasubag Program",
    ):
        assert words in text, words
    row = next(line for line in text.splitlines() if line.strip().startswith("5 ") and "Menganalisis" in line)
    assert row.split()[-11:] == ["30,00", "3", "3", "31,00", "37,50", "2", "0", "0", "0", "Kurang", "baik"]
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4])  # landscape
