"""The letter register in date order, and each letter's classification in its number.

Number 4 dated 1 March after number 3 dated 20 December is refused, naming both numbers and
dates, and nothing changes; a format with ``{klasifikasi}`` writes each letter's code.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from sop_engine import audit, cases, letters
from sop_engine.clock import FixedClock
from sop_engine.config import Settings, load_settings
from sop_engine.context import Context
from sop_engine.errors import ConfigError, InvalidInput
from tests.helpers import run_cli

KPU_FORMAT = "{nomor}/{klasifikasi}/{satker}/KPU-Kab/{bulan_romawi}/{tahun}"


def issue(ctx: Context, day: date, **kwargs) -> letters.LetterRecord:
    return letters.issue(ctx, day.year, kwargs.pop("subject", "Surat"), "kasubag", letter_date=day, **kwargs)


def with_settings(ctx: Context, **changes) -> Context:
    return Context(dataclasses.replace(ctx.settings, **changes), ctx.db, ctx.clock, ctx.calendar)


def test_a_letter_dated_before_the_last_number_of_its_year_is_refused_naming_both(
    ctx: Context, clock: FixedClock
) -> None:
    clock.set(datetime.fromisoformat("2021-12-28T09:00:00+07:00"))
    for day in (date(2021, 1, 22), date(2021, 6, 1)):
        issue(ctx, day)
    third = issue(ctx, date(2021, 12, 20))
    head = audit.list_events(ctx)[-1].seq
    with pytest.raises(InvalidInput) as refused:
        issue(ctx, date(2021, 3, 1))
    assert refused.value.message == (
        "Tanggal surat 1 Maret 2021 lebih awal dari nomor terakhir tahun 2021, 3/PR.04-SR/3526/Sek-Kab/XII/2021 "
        "bertanggal 20 Desember 2021; nomor 4/PR.04-SR/3526/Sek-Kab/III/2021 tidak boleh bertanggal sebelum itu. "
        "Isikan tanggal 20 Desember 2021 atau sesudahnya, atau batalkan nomor 3/PR.04-SR/3526/Sek-Kab/XII/2021 "
        "bila tanggalnya salah. Tidak ada yang diubah."
    )
    assert [r.seq for r in letters.list_letters(ctx, 2021)] == [1, 2, 3]
    assert audit.list_events(ctx)[-1].seq == head  # nothing audited
    assert issue(ctx, date(2021, 12, 20)).seq == 4  # the same day is in order; no number was lost
    assert third.letter_date == date(2021, 12, 20)


def test_order_is_per_year_and_a_cancelled_number_does_not_hold_it(ctx: Context, clock: FixedClock) -> None:
    clock.set(datetime.fromisoformat("2022-01-10T09:00:00+07:00"))
    wrong = issue(ctx, date(2021, 12, 20))
    assert issue(ctx, date(2022, 1, 3)).number.startswith("1/")  # another year, its own order
    with pytest.raises(InvalidInput, match="20 Desember 2021"):
        issue(ctx, date(2021, 3, 1))
    letters.cancel(ctx, wrong.number, "kasubag", "Salah tanggal")
    assert issue(ctx, date(2021, 3, 1)).seq == 2


def test_cli_refuses_an_out_of_order_date_with_exit_1(ctx: Context, settings: Settings, clock: FixedClock) -> None:
    clock.set(datetime.fromisoformat("2021-12-28T09:00:00+07:00"))
    issue(ctx, date(2021, 12, 20))
    run = run_cli(
        ["letters", "issue", "--year", "2021", "--subject", "S", "--by", "kasubag", "--date", "2021-03-01"],
        settings,
        clock,
    )
    assert run.code == 1 and "1/PR.04-SR/3526/Sek-Kab/XII/2021 bertanggal 20 Desember 2021" in run.err
    assert "--date" in run.err


def test_the_number_carries_each_letters_classification(ctx: Context, clock: FixedClock) -> None:
    clock.set(datetime.fromisoformat("2021-06-30T09:00:00+07:00"))
    kpu = with_settings(ctx, letter_number_format=KPU_FORMAT)
    for _ in range(14):
        issue(kpu, date(2021, 6, 1), klasifikasi="PR.04-SR")
    record = issue(kpu, date(2021, 6, 15), klasifikasi="PR.03-Kpt")
    assert record.number == "15/PR.03-Kpt/3526/KPU-Kab/VI/2021"
    assert audit.list_events(ctx)[-1].details["klasifikasi"] == "PR.03-Kpt"
    defaulted = with_settings(kpu, letter_klasifikasi="HK.03.1-Kpt")
    assert issue(defaulted, date(2021, 6, 30)).number == "16/HK.03.1-Kpt/3526/KPU-Kab/VI/2021"


@pytest.mark.parametrize("bad", ["PR/03", "pr 03", "03-Kpt", "X" * 41])
def test_a_bad_classification_is_refused_before_a_number_is_taken(ctx: Context, bad: str) -> None:
    kpu = with_settings(ctx, letter_number_format=KPU_FORMAT)
    with pytest.raises(InvalidInput, match="Klasifikasi surat") as refused:
        issue(kpu, date(2021, 1, 11), klasifikasi=bad)
    assert refused.value.details["field"] == "klasifikasi"
    assert letters.list_letters(ctx, 2021) == []


def test_a_format_with_klasifikasi_needs_one(ctx: Context) -> None:
    kpu = with_settings(ctx, letter_number_format=KPU_FORMAT)
    with pytest.raises(InvalidInput, match=r"isikan klasifikasinya, misalnya PR\.03-Kpt"):
        issue(kpu, date(2021, 1, 11))
    assert letters.list_letters(ctx, 2021) == []


def test_sop_letters_issue_takes_klasifikasi(ctx: Context, settings: Settings, clock: FixedClock) -> None:
    kpu = dataclasses.replace(settings, letter_number_format=KPU_FORMAT)
    args = ["letters", "issue", "--year", "2021", "--subject", "S", "--by", "kasubag"]
    run = run_cli([*args, "--klasifikasi", "PR.03-Kpt"], kpu, clock)
    assert run.code == 0, run.err
    assert "1/PR.03-Kpt/3526/KPU-Kab/I/2021" in run.out
    run = run_cli([*args, "--klasifikasi", "PR/03"], kpu, clock)
    assert run.code == 1 and "'PR/03'" in run.err and "--klasifikasi" in run.err


def test_config_refuses_a_bad_default_classification(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[office]\nsatker = "3526"\nname = "KPU"\n[letters]\nklasifikasi = "PR/03"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[letters\] klasifikasi = 'PR/03'"):
        load_settings(config, env={})


def test_sop_surat_pengantar_numbers_the_letter_with_its_klasifikasi(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    kpu = dataclasses.replace(settings, letter_number_format=KPU_FORMAT)
    out = tmp_path / "sp.docx"
    args = [
        "surat",
        "pengantar",
        "lakip-2021",
        "--by",
        "kasubag",
        "--to",
        "KPU Provinsi",
        "--to-city",
        "Surabaya",
        "-o",
        str(out),
    ]
    run = run_cli([*args, "--klasifikasi", "PR.03-Kpt", "--json"], kpu, clock)
    assert run.code == 0, run.err
    assert json.loads(run.out)["letter"]["number"] == "1/PR.03-Kpt/3526/KPU-Kab/I/2021"
    assert "1/PR.03-Kpt/3526/KPU-Kab/I/2021" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
