"""The letter register: numbering, cancellation, years, offices, concurrency, and `sop letters`.

The acceptance claim "two processes asking for a letter number at once get consecutive, distinct
numbers" is tested with real OS processes on both backends, and with a burst of threads.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError

from sop_engine import audit, cases, letters
from sop_engine.clock import FixedClock
from sop_engine.config import OfficeSettings, Settings
from sop_engine.context import Context
from sop_engine.db.models_letters import Letter
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.errors import ConfigError, Conflict, InvalidInput, NotAllowed, NotFound
from sop_engine.install import initialise
from tests.helpers import BARRIER_TIMEOUT, run_threads, sop_env, write_config

FIRST = "1/PR.04-SR/3526/Sek-Kab/I/2021"
#: The real ``sop`` console script, for the tests that race processes.
SOP = Path(sys.executable).parent / "sop"


@pytest.fixture
def sop(sop, ctx: Context):
    """The real ``sop`` command line (conftest), on the initialised office."""
    return sop


def issue(ctx: Context, subject: str = "Penyampaian Dokumen LAKIP", **kwargs) -> letters.LetterRecord:
    return letters.issue(ctx, kwargs.pop("year", 2021), subject, kwargs.pop("by", "kasubag"), **kwargs)


# --- numbering -----------------------------------------------------------------------------


def test_first_number_of_the_year_is_1_in_the_default_format(ctx: Context) -> None:
    record = issue(ctx)
    assert record.number == FIRST
    assert (record.seq, record.year, record.letter_date, record.status) == (1, 2021, date(2021, 1, 11), "issued")


def test_numbers_follow_each_other_without_gaps(ctx: Context) -> None:
    numbers = [issue(ctx, f"Surat {i}").seq for i in range(1, 6)]
    assert numbers == [1, 2, 3, 4, 5]


def test_month_is_written_in_roman_numerals_from_the_letter_date(ctx: Context, clock: FixedClock) -> None:
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
    assert tuple(letters.roman_month(m) for m in range(1, 13)) == roman
    clock.set(datetime.fromisoformat("2021-12-01T09:00:00+07:00"))
    assert issue(ctx, letter_date=date(2021, 9, 30)).number == "1/PR.04-SR/3526/Sek-Kab/IX/2021"
    assert issue(ctx).number == "2/PR.04-SR/3526/Sek-Kab/XII/2021"


def test_format_is_a_parameter_defaulting_to_the_configured_one(ctx: Context) -> None:
    assert issue(ctx, number_format="B-{nomor}/{kode_satker}/{tahun}").number == "B-1/3526/2021"
    configured = dataclasses.replace(ctx.settings, letter_number_format="{tahun}.{nomor}")
    other = Context(configured, ctx.db, ctx.clock, ctx.calendar)
    assert issue(other).number == "2021.2"


@pytest.mark.parametrize("bad", ["{tahun}/{bulan_romawi}", "{nomor}/{kode_kantor}", "{nomor}/{"])
def test_format_without_nomor_or_with_an_unknown_field_is_refused_naming_it(ctx: Context, bad: str) -> None:
    with pytest.raises(ConfigError, match="number_format") as refused:
        issue(ctx, number_format=bad)
    assert bad in refused.value.message and "{nomor}" in refused.value.message
    assert letters.list_letters(ctx, 2021) == []


def test_new_year_starts_at_1(ctx: Context, clock: FixedClock) -> None:
    issue(ctx)
    issue(ctx)
    clock.set(datetime.fromisoformat("2022-01-03T08:00:00+07:00"))
    record = issue(ctx, year=2022)
    assert record.number == "1/PR.04-SR/3526/Sek-Kab/I/2022"
    assert [r.seq for r in letters.list_letters(ctx, 2021)] == [1, 2]
    assert issue(ctx, year=2021, letter_date=date(2021, 12, 30)).number == "3/PR.04-SR/3526/Sek-Kab/XII/2021"


def test_register_is_per_office(ctx: Context, settings: Settings) -> None:
    sampang = dataclasses.replace(settings, office=OfficeSettings(satker="3527", name="KPU Kabupaten Sampang"))
    other = Context.open(sampang, clock=ctx.clock, db=ctx.db)
    initialise(other, DEMO_PEOPLE)
    assert issue(ctx).number == FIRST
    assert issue(ctx).seq == 2
    assert issue(other).number == "1/PR.04-SR/3527/Sek-Kab/I/2021"
    assert [r.number for r in letters.list_letters(other, 2021)] == ["1/PR.04-SR/3527/Sek-Kab/I/2021"]
    assert [r.seq for r in letters.list_letters(ctx, 2021)] == [1, 2]


def test_letter_date_must_fall_in_the_year_and_not_in_the_future(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="tidak jatuh pada tahun 2020"):
        issue(ctx, year=2020)
    with pytest.raises(InvalidInput, match="12 Januari 2021 ada di masa depan"):
        issue(ctx, letter_date=date(2021, 1, 12))
    assert issue(ctx, year=2020, letter_date=date(2020, 12, 31)).number == "1/PR.04-SR/3526/Sek-Kab/XII/2020"


def test_subject_is_required(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="Perihal surat wajib diisi"):
        issue(ctx, "   ")


def test_inspektorat_may_not_take_a_number(ctx: Context) -> None:
    with pytest.raises(NotAllowed, match="'inspektorat' berperan inspektorat"):
        issue(ctx, by="inspektorat")


def test_refused_request_leaves_no_gap(ctx: Context) -> None:
    with pytest.raises(NotFound, match="Kasus 'lakip-2030' tidak ada"):
        issue(ctx, case="lakip-2030")
    assert issue(ctx).seq == 1


# --- cancelling ----------------------------------------------------------------------------


def test_cancelled_number_is_kept_listed_and_never_reused(ctx: Context) -> None:
    issue(ctx, "Surat pertama")
    second = issue(ctx, "Surat kedua")
    cancelled = letters.cancel(ctx, second.number, "kasubag", "Salah perihal")
    third = issue(ctx, "Surat ketiga")
    assert third.seq == 3
    listed = letters.list_letters(ctx, 2021)
    assert [(r.seq, r.status) for r in listed] == [(1, "issued"), (2, "cancelled"), (3, "issued")]
    assert listed[1] == cancelled
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == ("kasubag", "Salah perihal")
    assert cancelled.cancelled_at == ctx.clock.now()


def test_cancelling_twice_says_who_cancelled_first(ctx: Context) -> None:
    record = issue(ctx)
    letters.cancel(ctx, record.number, "kasubag", "Salah tujuan")
    with pytest.raises(Conflict, match=r"sudah dibatalkan oleh kasubag .*Salah tujuan"):
        letters.cancel(ctx, record.number, "sekretaris", "Lagi")


def test_cancel_needs_a_reason_and_a_known_number(ctx: Context) -> None:
    record = issue(ctx)
    with pytest.raises(InvalidInput, match="Alasan pembatalan nomor wajib diisi"):
        letters.cancel(ctx, record.number, "kasubag", " ")
    with pytest.raises(NotFound, match=r"'9/PR\.04-SR/3526/Sek-Kab/I/2021' tidak ada di register"):
        letters.cancel(ctx, "9/PR.04-SR/3526/Sek-Kab/I/2021", "kasubag", "Salah")
    assert letters.get_letter(ctx, record.number).status == "issued"


def test_cancel_accepts_the_sequence_with_its_year(ctx: Context) -> None:
    issue(ctx)
    assert letters.cancel(ctx, "1", "kasubag", "Salah", year=2021).number == FIRST


def test_database_refuses_to_delete_a_letter(ctx: Context) -> None:
    issue(ctx)
    with pytest.raises(DBAPIError, match="letters are kept"), ctx.db.write() as session:
        session.execute(delete(Letter))
    assert len(letters.list_letters(ctx, 2021)) == 1


# --- the audit trail -----------------------------------------------------------------------


def test_issuing_and_cancelling_are_audit_events(ctx: Context) -> None:
    record = issue(ctx)
    letters.cancel(ctx, record.number, "sekretaris", "Diganti")
    events = [e for e in audit.list_events(ctx) if e.action.startswith("letter.")]
    assert [(e.action, e.actor, e.role) for e in events] == [
        ("letter.issued", "kasubag", "kasubag_program"),
        ("letter.cancelled", "sekretaris", "sekretaris"),
    ]
    assert events[0].details == {
        "number": FIRST,
        "year": 2021,
        "seq": 1,
        "date": "2021-01-11",
        "subject": "Penyampaian Dokumen LAKIP",
    }
    assert events[1].details["reason"] == "Diganti"
    assert audit.verify(ctx).ok


def test_number_taken_for_a_case_is_in_the_case_trail(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    record = issue(ctx, case="lakip-2021")
    assert record.case == "lakip-2021"
    assert [e.details["number"] for e in audit.list_events(ctx, "lakip-2021") if e.action == "letter.issued"] == [FIRST]


# --- concurrency ---------------------------------------------------------------------------


def start_issue(config: Path, env: dict[str, str], cwd: Path, who: str, subject: str) -> subprocess.Popen[str]:
    """A `sop letters issue` process (not waited on)."""
    args = ["letters", "issue", "--year", "2021", "--date", "2021-01-11", "--subject", subject, "--by", who, "--json"]
    return subprocess.Popen(
        [str(SOP), "--config", str(config), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_two_processes_asking_at_once_get_consecutive_distinct_numbers(
    ctx: Context, settings: Settings, tmp_path: Path
) -> None:
    config = write_config(tmp_path, settings)
    env = sop_env(settings)
    for round_no in range(2):
        procs = [start_issue(config, env, tmp_path, who, f"Surat {round_no}-{who}") for who in ("kasubag", "staf1")]
        results = [(*proc.communicate(timeout=120), proc.returncode) for proc in procs]
        assert [code for _, _, code in results] == [0, 0], results
        seqs = sorted(json.loads(out)["seq"] for out, _, _ in results)
        assert seqs == [1 + 2 * round_no, 2 + 2 * round_no]
    listed = letters.list_letters(ctx, 2021)
    assert [r.seq for r in listed] == [1, 2, 3, 4]
    assert len({r.number for r in listed}) == 4
    assert audit.verify(ctx).ok


def test_first_numbers_of_a_year_from_a_burst_of_twenty_threads_are_1_to_20(ctx: Context) -> None:
    barrier = threading.Barrier(20, timeout=BARRIER_TIMEOUT)

    def ask(i: int) -> letters.LetterRecord:
        barrier.wait()
        return issue(ctx, f"Surat {i}", by="staf1" if i % 2 else "kasubag")

    results = run_threads({f"t{i}": (lambda i=i: ask(i)) for i in range(20)})
    failures = [r for r in results.values() if isinstance(r, BaseException)]
    assert not failures, failures
    assert sorted(r.seq for r in results.values()) == list(range(1, 21))
    assert len({r.number for r in results.values()}) == 20
    assert [r.seq for r in letters.list_letters(ctx, 2021)] == list(range(1, 21))
    assert audit.verify(ctx).ok


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def register_with_three(sop) -> Iterator:
    for subject in ("Undangan rapat", "Penyampaian LAKIP", "Laporan bulanan"):
        assert sop("letters", "issue", "--year", "2021", "--subject", subject, "--by", "kasubag").code == 0
    yield sop


def test_letters_issue_prints_the_number_and_json(sop) -> None:
    result = sop("letters", "issue", "--year", "2021", "--subject", "Undangan", "--by", "kasubag")
    assert result.code == 0, result.err
    assert f"Nomor surat {FIRST} diterbitkan (11 Januari 2021" in result.out
    result = sop("letters", "issue", "--year", "2021", "--subject", "Undangan", "--by", "kasubag", "--json")
    data = json.loads(result.out)
    assert (data["number"], data["seq"], data["status"], data["date"]) == (
        "2/PR.04-SR/3526/Sek-Kab/I/2021",
        2,
        "issued",
        "2021-01-11",
    )
    assert data["issued_at"] == "2021-01-11T08:00:00+07:00"


def test_letters_list_shows_number_date_subject_and_status_with_cancelled_ones(register_with_three) -> None:
    sop = register_with_three
    result = sop("letters", "cancel", "2/PR.04-SR/3526/Sek-Kab/I/2021", "--by", "kasubag", "--reason", "Salah tujuan")
    assert result.code == 0, result.err
    assert "dibatalkan oleh kasubag: Salah tujuan" in result.out and "tidak akan dipakai lagi" in result.out
    table = sop("letters", "list", "--year", "2021").out.splitlines()
    assert table[0].split() == ["Nomor", "Tanggal", "Perihal", "Status", "Kasus", "Keterangan", "pembatalan"]
    assert table[2].startswith(FIRST) and "11 Januari 2021" in table[2] and "terbit" in table[2]
    assert "Penyampaian LAKIP" in table[3] and "dibatalkan" in table[3] and "Salah tujuan" in table[3]
    assert len(table) == 5
    data = json.loads(sop("letters", "list", "--year", "2021", "--json").out)
    assert [(d["seq"], d["status"], d["cancel_reason"]) for d in data] == [
        (1, "issued", None),
        (2, "cancelled", "Salah tujuan"),
        (3, "issued", None),
    ]


def test_letters_list_of_an_empty_year_says_so(sop) -> None:
    assert sop("letters", "list", "--year", "2019").out.strip() == "Belum ada nomor surat tahun 2019."


def test_refusals_exit_1_with_the_value_named(register_with_three, ctx: Context) -> None:
    sop = register_with_three
    result = sop("letters", "cancel", "7/X/2021", "--by", "kasubag", "--reason", "Salah")
    assert result.code == 1 and "Nomor surat '7/X/2021' tidak ada di register" in result.err
    result = sop("letters", "issue", "--year", "2021", "--subject", "S", "--by", "kasubag", "--date", "22-01-2021")
    assert result.code == 1 and "Tanggal '22-01-2021' tidak dikenali" in result.err
    result = sop("letters", "issue", "--year", "2021", "--subject", "S", "--by", "inspektorat")
    assert result.code == 1 and "berperan inspektorat" in result.err
    assert [r.seq for r in letters.list_letters(ctx, 2021)] == [1, 2, 3]


def test_issue_needs_year_subject_and_by(sop) -> None:
    result = sop("letters", "issue", "--year", "2021", "--by", "kasubag")
    assert result.code == 2 and "--subject" in result.err
