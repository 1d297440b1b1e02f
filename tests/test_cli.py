"""The command line as a user meets it: a whole 2021 case, refusals, exit codes and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from sop_engine.calendar import WorkingCalendar
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.durations import parse_duration
from sop_engine.formatting import format_instant
from tests.helpers import Run, docx, pdf, run_cli

LATER = datetime.fromisoformat("2021-03-01T09:00:00+07:00")


@pytest.fixture
def later_clock() -> FixedClock:
    return FixedClock(LATER)


@pytest.fixture
def sop(settings: Settings, later_clock: FixedClock, sop_init_demo):
    """``sop`` on an office as ``sop init --demo`` leaves it (conftest: a copy of one made this session)."""
    sop_init_demo(later_clock)

    def run(*args: str) -> Run:
        return run_cli(list(args), settings, later_clock)

    return run


def show_json(sop) -> str:
    result = sop("case", "show", "lakip-2021", "--json")
    assert result.code == 0, result.err
    return result.out


# (command, step, user, at, extra arguments); files are added for steps that require them
FULL_CASE = [
    ("done", 1, "sekretaris", "2021-01-11T08:05", []),
    ("done", 2, "kasubag", "2021-01-11T09:40", []),
    ("done", 3, "staf1", "2021-01-11T10:15", []),
    ("done", 4, "staf2", "2021-01-11T15:20", []),
    ("done", 5, "kasubag", "2021-01-14T15:00", []),
    ("done", 6, "staf1", "2021-01-18T15:00", []),
    ("return", 7, "kasubag", "2021-01-19T10:00", ["--to", "6", "--reason", "Tabel realisasi anggaran belum cocok"]),
    ("done", 6, "staf1", "2021-01-20T10:00", []),
    ("done", 7, "kasubag", "2021-01-20T14:00", []),
    ("done", 8, "kasubag", "2021-01-20T14:30", []),
    ("done", 8, "sekretaris", "2021-01-20T14:35", []),  # the paraf chain of step 8
    ("done", 9, "ketua", "2021-01-20T14:40", []),
    ("done", 10, "kasubag", "2021-01-20T15:00", []),
    ("done", 11, "staf2", "2021-01-21T08:00", []),
]
REQUIRED_FILE_STEPS = {1, 2, 4, 5, 6, 7, 9, 10}


def test_full_2021_case_with_a_return_ends_done_with_working_time_deadlines(sop, settings, tmp_path):
    started = sop("case", "start", "lakip", "--year", "2021", "--by", "sekretaris", "--at", "2021-01-11T08:00")
    assert started.code == 0, started.err
    assert "lakip-2021" in started.out
    for command, step, user, at, extra in FULL_CASE:
        files = (
            ["--file", str(pdf(tmp_path, f"langkah-{step}-{at[-5:-3]}.pdf"))]
            if (command == "done" and step in REQUIRED_FILE_STEPS)
            else []
        )
        result = sop("step", command, "lakip-2021", str(step), "--by", user, "--at", at, *extra, *files)
        assert result.code == 0, (command, step, result.err)

    case = json.loads(show_json(sop))
    assert case["status"] == "done"
    assert case["current_step"] is None
    calendar = WorkingCalendar.from_settings(settings)
    for step in case["steps"]:
        assert step["status"] == "done"
        activated = datetime.fromisoformat(step["activated_at"])
        expected = calendar.add_duration(activated, parse_duration(step["budget"]))
        assert datetime.fromisoformat(step["due_at"]) == expected, step["no"]
    rounds = {s["no"]: s["round"] for s in case["steps"]}
    assert rounds[6] == 2 and rounds[7] == 2 and rounds[5] == 1
    # Step 6 restarted at the return (round 2) with a fresh deadline from that moment.
    step6 = case["steps"][5]
    assert step6["activated_at"] == "2021-01-19T10:00:00+07:00"
    assert step6["due_at"] == "2021-01-21T10:00:00+07:00"
    assert len(step6["artefacts"]) == 2  # one document per round
    assert sop("audit", "verify").code == 0
    shown = sop("case", "show", "lakip-2021").out  # a finished case: its finish, not a projection
    assert f"Selesai: {format_instant(datetime.fromisoformat(case['finished_at']), settings.office.tz)}." in shown
    assert "Perkiraan selesai" not in shown and "Batas penyampaian kantor: " in shown


@pytest.mark.parametrize(
    ("start", "budget", "due"),
    [
        ("2021-01-08T15:00", "2 jam", "2021-01-11T08:00:00+07:00"),
        ("2021-03-10T10:00", "4 hari", "2021-03-17T10:00:00+07:00"),
        ("2025-03-27T15:00", "1 hari", "2025-04-08T15:00:00+07:00"),
    ],
)
def test_calendar_due_json_matches_the_design_examples(sop, start, budget, due):
    result = sop("calendar", "due", "--from", start, "--budget", budget, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["due_at"] == due


def test_calendar_holidays_lists_indonesian_names(sop):
    result = sop("calendar", "holidays", "--year", "2021", "--json")
    days = {h["date"]: h for h in json.loads(result.out)}
    assert "Isra Mikraj" in days["2021-03-11"]["name"]
    text = sop("calendar", "holidays", "--year", "2021").out
    assert "Kamis, 11 Maret 2021" in text


@pytest.fixture
def case_at_step_2(sop, tmp_path):
    assert sop("case", "start", "lakip", "--year", "2021", "--by", "sekretaris", "--at", "2021-01-11T08:00").code == 0
    done = sop(
        "step",
        "done",
        "lakip-2021",
        "1",
        "--by",
        "sekretaris",
        "--at",
        "2021-01-11T08:05",
        "--file",
        str(pdf(tmp_path, "disposisi.pdf")),
    )
    assert done.code == 0, done.err
    return sop


def _evil(tmp_path: Path) -> Path:
    target = tmp_path / "laporan.pdf"
    shutil.copyfile("/bin/ls", target)
    return target


REFUSALS = [
    (
        "wrong role",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "staf1", "--file", str(docx(t))],
        ["kasubag_program", "staf1", "berperan staf"],
    ),
    (
        "missing required file",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "kasubag"],
        ["wajib melampirkan", "--file"],
    ),
    (
        "step not active",
        lambda t: ["step", "done", "lakip-2021", "5", "--by", "kasubag", "--file", str(pdf(t))],
        ["Langkah 5", "belum aktif", "aktif sekarang: 2"],
    ),
    (
        "step does not exist",
        lambda t: ["step", "done", "lakip-2021", "12", "--by", "kasubag"],
        ["Langkah 12 tidak ada", "1-11"],
    ),
    (
        "second case for the year",
        lambda t: ["case", "start", "lakip", "--year", "2021", "--by", "sekretaris"],
        ["lakip-2021", "sudah ada", "satu kasus per SOP per tahun"],
    ),
    (
        "return to undeclared step",
        lambda t: ["step", "return", "lakip-2021", "2", "--to", "1", "--by", "kasubag", "--reason", "salah format"],
        ["langkah 2 ke langkah 1", "tidak diatur"],
    ),
    (
        "return without reason",
        lambda t: ["step", "return", "lakip-2021", "2", "--to", "1", "--by", "kasubag", "--reason", "   "],
        ["tidak diatur"],
    ),
    (
        "file does not exist",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "kasubag", "--file", str(t / "tidak-ada.pdf")],
        ["tidak-ada.pdf", "tidak ditemukan"],
    ),
    (
        "executable renamed to pdf",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "kasubag", "--file", str(_evil(t))],
        ["laporan.pdf", "program (ELF)", "bukan PDF"],
    ),
    (
        "unknown user",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "siapa", "--file", str(docx(t))],
        ["'siapa' tidak dikenal", "sop people list"],
    ),
    (
        "unknown case",
        lambda t: ["step", "done", "lakip-2020", "2", "--by", "kasubag"],
        ["'lakip-2020' tidak ada", "lakip-2021"],
    ),
    (
        "time in the future",
        lambda t: [
            "step",
            "done",
            "lakip-2021",
            "2",
            "--by",
            "kasubag",
            "--at",
            "2030-01-01T08:00",
            "--file",
            str(docx(t)),
        ],
        ["masa depan"],
    ),
    (
        "time before the step began",
        lambda t: [
            "step",
            "done",
            "lakip-2021",
            "2",
            "--by",
            "kasubag",
            "--at",
            "2021-01-11T08:00",
            "--file",
            str(docx(t)),
        ],
        ["lebih awal", "08.05"],
    ),
    (
        "malformed time",
        lambda t: ["step", "done", "lakip-2021", "2", "--by", "kasubag", "--at", "besok pagi"],
        ["'besok pagi'", "ISO 8601"],
    ),
]


@pytest.mark.parametrize(("what", "argv", "fragments"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_action_exits_1_names_the_value_and_leaves_the_case_unchanged(
    case_at_step_2, tmp_path, what, argv, fragments
):
    sop = case_at_step_2
    before = show_json(sop)
    events_before = sop("audit", "log", "--json").out
    result = sop(*argv(tmp_path))
    assert result.code == 1, (what, result.out, result.err)
    for fragment in fragments:
        assert fragment in result.err, (what, result.err)
    assert show_json(sop) == before
    assert sop("audit", "log", "--json").out == events_before


def test_return_without_reason_is_refused_for_a_declared_return(sop, settings, tmp_path):
    assert sop("case", "start", "lakip", "--year", "2021", "--by", "sekretaris", "--at", "2021-01-11T08:00").code == 0
    for command, step, user, at, _extra in FULL_CASE[:6]:
        files = ["--file", str(pdf(tmp_path, f"l{step}.pdf"))] if step in REQUIRED_FILE_STEPS else []
        assert sop("step", command, "lakip-2021", str(step), "--by", user, "--at", at, *files).code == 0
    before = show_json(sop)
    result = sop("step", "return", "lakip-2021", "7", "--to", "6", "--by", "kasubag", "--reason", " ")
    assert result.code == 1
    assert "Alasan pengembalian wajib diisi" in result.err
    assert show_json(sop) == before


def test_usage_error_exits_2_in_indonesian(sop):
    result = sop("case", "start", "lakip", "--by", "sekretaris")
    assert result.code == 2
    assert "wajib diisi" in result.err and "--year" in result.err


def test_workflows_check_names_file_step_field_and_value(sop, tmp_path):
    source = (Path(__file__).resolve().parent.parent / "workflows" / "lakip.toml").read_text(encoding="utf-8")
    bad = tmp_path / "lakip.toml"
    bad.write_text(source.replace("kembali_ke = [6]", "kembali_ke = [12]"), encoding="utf-8")
    result = sop("workflows", "check", str(bad))
    assert result.code == 1
    assert "langkah 7: kembali_ke = 12, tetapi langkah 12 tidak ada (langkah 1-11)" in result.err
    good = sop("workflows", "check", str(Path(__file__).resolve().parent.parent / "workflows" / "lakip.toml"))
    assert good.code == 0 and "11 langkah" in good.out


def test_case_show_text_uses_indonesian_dates(case_at_step_2):
    text = case_at_step_2("case", "show", "lakip-2021").out
    assert "Senin, 11 Januari 2021 08.00 WIB" in text
    assert "Membuat format pengumpulan data" in text


def test_people_add_and_list(sop):
    added = sop(
        "people",
        "add",
        "staf3",
        "--name",
        "Rina Marlina",
        "--role",
        "staf",
        "--supervisor",
        "kasubag",
        "--nip",
        "19950101 200000 2 009",
        "--email",
        "staf3@kpu-bangkalan.example",
    )
    assert added.code == 0, added.err
    people = {p["username"]: p for p in json.loads(sop("people", "list", "--json").out)}
    assert people["staf3"]["supervisor"] == "kasubag"
    assert people["staf3"]["nip"] == "199501012000002009"
    duplicate = sop("people", "add", "staf3", "--name", "Lain", "--role", "staf")
    assert duplicate.code == 1 and "staf3" in duplicate.err
    bad_role = sop("people", "add", "staf4", "--name", "X", "--role", "bos")
    assert bad_role.code == 1 and "'bos'" in bad_role.err


def test_workflows_list_shows_revision_and_case_count(case_at_step_2):
    items = json.loads(case_at_step_2("workflows", "list", "--json").out)
    assert [(i["name"], i["revision"], i["cases"], i["current"]) for i in items] == [("lakip", "2021-01-20", 1, True)]


def test_case_cancel_needs_sekretaris_and_reason(case_at_step_2):
    sop = case_at_step_2
    refused = sop("case", "cancel", "lakip-2021", "--by", "kasubag", "--reason", "salah tahun")
    assert refused.code == 1 and "sekretaris" in refused.err
    done = sop("case", "cancel", "lakip-2021", "--by", "sekretaris", "--reason", "Salah tahun anggaran", "--json")
    assert done.code == 0
    assert json.loads(done.out)["status"] == "cancelled"
    after = sop("step", "done", "lakip-2021", "2", "--by", "kasubag")
    assert after.code == 1 and "dibatalkan" in after.err


def test_demo_prints_a_timeline_and_an_intact_audit(sop):
    result = sop("demo")
    assert result.code == 0, result.err
    assert "dikembalikan ke langkah 6" in result.out
    assert "Senin, 11 Januari 2021 08.00 WIB" in result.out
    assert "Jejak audit utuh" in result.out
    assert "eskalasi 1  4        kasubag" in result.out  # step 4 ran two hours late


def test_plan_back_then_forward_returns_the_deadline(sop, settings):
    result = sop("plan", "lakip", "--deadline", "2021-01-29T16:00", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    calendar = WorkingCalendar.from_settings(settings)
    moment = datetime.fromisoformat(plan["start_by"])
    for step in plan["steps"]:
        assert (
            datetime.fromisoformat(step["latest_start"]) == moment
            or calendar.working_seconds_between(moment, datetime.fromisoformat(step["latest_start"])) == 0
        )
        moment = calendar.add_duration(moment, parse_duration(step["budget"]))
        assert moment == datetime.fromisoformat(step["latest_finish"]), step["no"]
    assert moment == datetime.fromisoformat("2021-01-29T16:00:00+07:00")
    assert (
        "Mulai paling lambat Selasa, 19 Januari 2021 14.25 WIB"
        in sop("plan", "lakip", "--deadline", "2021-01-29T16:00").out
    )


def test_case_show_projects_the_finish_against_the_submission_deadline(case_at_step_2):
    data = json.loads(show_json(case_at_step_2))
    projection = data["projection"]
    assert projection["submission_deadline"] == "2021-03-31T16:00:00+07:00"
    assert projection["on_track"] is True and projection["slack_seconds"] > 0
    assert "Perkiraan selesai" in case_at_step_2("case", "show", "lakip-2021").out


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """`sop audit log --json | head`: when the reader is gone, no BrokenPipeError traceback on stderr,
    and the exit status a shell gives a command ended by SIGPIPE (141)."""
    script = (
        "import os\n"
        "read, write = os.pipe()\n"
        "os.close(read)\n"
        "os.dup2(write, 1)\n"
        "from sop_engine import cli\n"
        "cli.main = lambda: print('x' * 200_000) or 0\n"
        "cli.entry_point()\n"
    )
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (ended.returncode, ended.stderr) == (141, "")
