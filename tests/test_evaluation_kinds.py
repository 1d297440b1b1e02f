"""The evaluation of an SOP whose steps decide, run side by side, need several actors or are skipped
(sop_engine.evaluation over runs read from a trail by sop_engine.step_runs), and its PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sop_engine.cli.quality import evaluation_text
from sop_engine.config import OfficeSettings
from sop_engine.evaluation import Evaluation, Verdict, summarise
from sop_engine.evaluation_pdf import evaluation_pdf
from sop_engine.evaluation_xlsx import monitoring_rows
from sop_engine.step_runs import read_trails
from sop_engine.views.evaluation import evaluation_json
from tests.conftest import need
from tests.sopdoc_support import ROLES, sample_sop
from tests.test_step_runs import CAL, WIB, Fact


def _trail(case: str, moves: list[tuple[str, int, str, int, dict[str, Any]]]) -> list[Fact]:
    """``moves`` as (action, step, role, hour on Monday 4 January 2021, details) after the case's start."""
    start = Fact(0, "case.started", _at(8), 1, {"workflow": "surat-masuk"}, "arsip1", "arsiparis", case)
    return [start] + [
        Fact(seq, action, _at(hour), step, details, role, role, case)
        for seq, (action, step, role, hour, details) in enumerate(moves, 1)
    ]


def _at(hour: int) -> datetime:
    return datetime(2021, 1, 4 + hour // 24, hour % 24, 0, tzinfo=WIB)


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return two_cases()


def two_cases() -> Evaluation:
    """Two cases of the sample SOP: one answers Ya (steps 5 and 6 side by side, step 7 confirmed by two
    actors), the other Tidak (steps 4 to 7 skipped)."""
    done = "step.completed"
    ya = _trail(
        "surat-masuk-2021-0001",
        [
            (done, 1, "arsiparis", 9, {"activated": [2]}),
            (done, 2, "ketua", 10, {"activated": [3]}),
            (done, 3, "sekretaris", 11, {"activated": [4], "answer": "ya"}),
            (done, 4, "staf", 13, {"activated": [5, 6]}),
            (done, 5, "arsiparis", 14, {"activated": []}),
            (done, 6, "kasubag_program", 15, {"activated": [7]}),  # 2 working hours after step 4
            ("step.confirmed", 7, "kasubag_program", 16, {}),  # the paraf chain's first actor
            (done, 7, "sekretaris", 24 + 9, {"activated": [8]}),
            (done, 8, "arsiparis", 24 + 10, {"activated": [9]}),
            (done, 9, "arsiparis", 24 + 11, {"state_after": "done"}),
        ],
    )
    tidak = _trail(
        "surat-masuk-2021-0002",
        [
            (done, 1, "arsiparis", 9, {"activated": [2]}),
            (done, 2, "ketua", 10, {"activated": [3]}),
            (done, 3, "sekretaris", 11, {"activated": [8], "skipped": [4, 5, 6, 7], "answer": "tidak"}),
            (done, 8, "arsiparis", 12, {"activated": [9]}),
            (done, 9, "arsiparis", 13, {"state_after": "done"}),
        ],
    )
    now = datetime(2021, 2, 1, 9, 0, tzinfo=WIB)
    return summarise(sample_sop(), read_trails([*ya, *tidak], CAL, now), CAL, roles=ROLES)


def test_skipped_steps_count_as_skipped_not_as_runs(result: Evaluation) -> None:
    figures = {item.step.no: item for item in result.steps}
    assert [(no, figures[no].runs, figures[no].cases, figures[no].skipped) for no in (3, 4, 5, 7, 8)] == [
        (3, 2, 2, 0),
        (4, 1, 1, 1),
        (5, 1, 1, 1),
        (7, 1, 1, 1),
        (8, 2, 2, 0),
    ]
    assert figures[4].verdict is Verdict.GOOD


def test_parallel_steps_are_timed_from_when_each_became_active(result: Evaluation) -> None:
    five, six = result.steps[4], result.steps[5]
    assert (five.median_seconds, six.median_seconds) == (3600, 2 * 3600)


def test_a_step_of_two_actors_is_one_run_named_by_both(result: Evaluation) -> None:
    seven = result.steps[6]
    assert (seven.runs, seven.cases) == (1, 1)
    assert seven.median_seconds == 9000  # step 6 done at 15:00, office closes 16:00, opens 07:30, paraf at 09:00
    assert result.actors_text(seven.step) == "Kepala Subbagian Program, lalu Sekretaris"
    assert evaluation_json(result)["steps"][6]["actors"] == ["kasubag_program", "sekretaris"]


def test_the_pdf_names_both_actors_and_the_skips(result: Evaluation, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        need("pdftotext is not installed (apt-get install poppler-utils)")
        return
    office = OfficeSettings(name="KPU Kabupaten Contoh", address="Jalan Merdeka 1", phone="(031) 555")
    path = tmp_path / "evaluasi.pdf"
    path.write_bytes(evaluation_pdf(result, office))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "KPU KABUPATEN CONTOH" in text and "Jalan Merdeka 1" in text and "Telepon (031) 555" in text
    assert "Program, lalu Sekretaris" in text and "Dievaluasi oleh," in text


if __name__ == "__main__":  # python -m tests.test_evaluation_kinds evaluasi.pdf: the sample in docs/images/
    import sys

    office = OfficeSettings(
        name="KPU Kabupaten Contoh",
        address="Jalan Merdeka 1, Kota Contoh",
        phone="(031) 555 0100",
        website="contoh.kpu.go.id",
    )
    Path(sys.argv[1]).write_bytes(evaluation_pdf(two_cases(), office))


def test_a_decision_says_how_often_it_was_answered_ya_and_tidak_in_every_output(result: Evaluation) -> None:
    three = result.steps[2]
    assert three.answers == "Dijawab Ya 1 kali, Tidak 1 kali."
    assert three.note == "2 pelaksanaan, tepat waktu. Dijawab Ya 1 kali, Tidak 1 kali."
    assert [item.answers for item in result.steps if item.step.no != 3] == [""] * 8  # only the decision
    assert evaluation_json(result)["steps"][2]["note"] == three.note  # the JSON (and /evaluasi), no new key
    assert monitoring_rows(result)[2][3] == three.note  # the monitoring form of the workbook and the PDF
    assert "Keputusan 3. " in evaluation_text(result) and ": Dijawab Ya 1 kali, Tidak 1 kali." in evaluation_text(
        result
    )


def test_an_answer_that_sends_the_work_back_is_counted_too() -> None:
    back = _trail(
        "surat-masuk-2021-0003",
        [
            ("step.completed", 1, "arsiparis", 9, {"activated": [2]}),
            ("step.completed", 2, "ketua", 10, {"activated": [3]}),
            ("step.returned", 3, "sekretaris", 11, {"to": 2, "answer": "tidak"}),
            ("step.completed", 2, "ketua", 12, {"activated": [3]}),
            ("step.completed", 3, "sekretaris", 13, {"activated": [4], "answer": "ya"}),
        ],
    )
    found = summarise(sample_sop(), read_trails(back, CAL, _at(14)), CAL, roles=ROLES)
    assert [run.answer for run in read_trails(back, CAL, _at(14))[0].runs if run.step == 3] == ["tidak", "ya"]
    assert found.steps[2].answers == "Dijawab Ya 1 kali, Tidak 1 kali."
