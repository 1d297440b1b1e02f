"""Seasons of other office hours ([[calendar.musim]], Ramadan): every deadline follows them."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine.calendar import WorkingCalendar
from sop_engine.clock import FixedClock
from sop_engine.config import Settings, load_settings
from sop_engine.config_calendar import parse_calendar
from sop_engine.config_toml import ReadTable, refuse_unread
from sop_engine.durations import parse_duration
from sop_engine.errors import ConfigError
from tests.helpers import run_cli

WIB = ZoneInfo("Asia/Jakarta")
ROOT = Path(__file__).resolve().parent.parent

#: The rule of the Kementerian PANRB circulars: 32.5 hours a week in Ramadan.
RAMADAN_1446 = {
    "nama": "Ramadan 1446 H",
    "dari": date(2025, 3, 1),
    "sampai": date(2025, 3, 30),
    "senin": ["08:00-12:00", "12:30-15:00"],
    "selasa": ["08:00-12:00", "12:30-15:00"],
    "rabu": ["08:00-12:00", "12:30-15:00"],
    "kamis": ["08:00-12:00", "12:30-15:00"],
    "jumat": ["08:00-11:30", "12:30-15:30"],
}
CAL = WorkingCalendar(parse_calendar({"musim": [RAMADAN_1446]}, "config.toml"), WIB)
USUAL = WorkingCalendar(parse_calendar({}, "config.toml"), WIB)


def wib(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def test_ramadan_week_has_thirty_two_and_a_half_working_hours() -> None:
    week = CAL.working_seconds_between(wib(2025, 3, 3, 0), wib(2025, 3, 10, 0))
    assert week == 32.5 * 3600
    assert USUAL.working_seconds_between(wib(2025, 3, 3, 0), wib(2025, 3, 10, 0)) == 37.5 * 3600


def test_one_hari_in_ramadan_runs_into_the_next_morning() -> None:
    # Monday 08:00: 6.5 h on Monday in Ramadan, the last hour on Tuesday 08:00-09:00.
    assert CAL.add_duration(wib(2025, 3, 3, 8), parse_duration("1 hari")) == wib(2025, 3, 4, 9)
    assert USUAL.add_duration(wib(2025, 3, 3, 8), parse_duration("1 hari")) == wib(2025, 3, 4, 8)


def test_deadline_started_before_ramadan_counts_ramadan_hours_after_its_first_day() -> None:
    # Friday 28 February 15:00 (usual hours): 1.5 h; then four Ramadan days of 6.5 h; 2.5 h on Friday 7 March.
    assert CAL.add_duration(wib(2025, 2, 28, 15), parse_duration("4 hari")) == wib(2025, 3, 7, 10, 30)


def test_deadline_counted_back_from_ramadan_agrees_with_add() -> None:
    due = wib(2025, 3, 7, 10, 30)
    assert CAL.subtract(due, 4 * 27000) == wib(2025, 2, 28, 15)


def test_long_span_counted_by_weeks_equals_the_sum_of_its_days() -> None:
    first, last = date(2025, 1, 1), date(2025, 6, 30)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    by_day = sum(int((end - begin).total_seconds()) for day in days for begin, end in CAL.periods(day))
    assert CAL.working_seconds_between(wib(2025, 1, 1, 0), wib(2025, 7, 1, 0)) == by_day
    # 19 Ramadan working days (3-27 March; 28 March is cuti bersama Nyepi) lose one hour each.
    assert USUAL.working_seconds_between(wib(2025, 1, 1, 0), wib(2025, 7, 1, 0)) - by_day == 19 * 3600


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 5, 1)),  # noqa: DTZ001 - naive bounds, zone set below
    seconds=st.integers(min_value=0, max_value=400 * 3600),
)
def test_add_and_measure_agree_across_a_season(start: datetime, seconds: int) -> None:
    begin = start.replace(tzinfo=WIB)
    assert CAL.working_seconds_between(begin, CAL.add(begin, seconds)) == seconds


def test_unlisted_weekday_keeps_its_usual_hours() -> None:
    only_friday = {"dari": date(2025, 3, 1), "sampai": date(2025, 3, 30), "jumat": ["08:00-11:00"]}
    cal = WorkingCalendar(parse_calendar({"musim": [only_friday]}, "config.toml"), WIB)
    assert cal.periods(date(2025, 3, 3)) == USUAL.periods(date(2025, 3, 3))
    assert cal.periods(date(2025, 3, 7)) == ((wib(2025, 3, 7, 8), wib(2025, 3, 7, 11)),)


@pytest.mark.parametrize(
    ("season", "message"),
    [
        (
            {"sampai": date(2025, 3, 30)},
            "config.toml: [[calendar.musim]] 'Musim': kunci 'dari' wajib diisi; tulis tanggal seperti 2025-03-01.",
        ),
        (
            {"nama": "Ramadan", "dari": "1 Maret", "sampai": date(2025, 3, 30)},
            "config.toml: [calendar] musim 'Ramadan' dari: '1 Maret' bukan tanggal; tulis seperti 2021-12-24.",
        ),
        (
            {"nama": "Ramadan", "dari": date(2025, 3, 30), "sampai": date(2025, 3, 1)},
            "config.toml: [[calendar.musim]] 'Ramadan': sampai = 2025-03-01 sebelum dari = 2025-03-30.",
        ),
        (
            {"nama": "Ramadan", "dari": date(2025, 3, 1), "sampai": date(2025, 3, 30), "senin": ["08:00-16:00"] * 2},
            "config.toml: [[calendar.musim]] 'Ramadan' senin: '08:00-16:00' harus berakhir setelah mulai dan tidak "
            "tumpang-tindih dengan rentang sebelumnya (urutkan dari pagi ke sore).",
        ),
        (
            {"nama": "Ramadan", "dari": date(2025, 3, 1), "sampai": date(2025, 3, 30), "senin": "08:00-15:00"},
            "config.toml: [[calendar.musim]] 'Ramadan' senin harus berupa daftar, misalnya [\"07:30-12:00\"].",
        ),
    ],
)
def test_bad_season_is_refused_with_its_exact_message(season: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_calendar({"musim": [season]}, "config.toml")
    assert str(refused.value) == message


def test_overlapping_seasons_are_refused() -> None:
    later = {**RAMADAN_1446, "nama": "Musim lain", "dari": date(2025, 3, 30), "sampai": date(2025, 4, 5)}
    with pytest.raises(ConfigError) as refused:
        parse_calendar({"musim": [later, RAMADAN_1446]}, "config.toml")
    assert str(refused.value) == (
        "config.toml: [[calendar.musim]] 'Musim lain' (2025-03-30) dimulai sebelum 'Ramadan 1446 H' berakhir "
        "(2025-03-30); musim tidak boleh tumpang-tindih."
    )


def test_misspelt_season_key_is_refused_fail_closed() -> None:
    raw = ReadTable({"calendar": {"musim": [{**RAMADAN_1446, "sampe": date(2025, 3, 31)}]}})
    parse_calendar(raw["calendar"], "config.toml")
    with pytest.raises(ConfigError) as refused:
        refuse_unread(raw, "config.toml")
    assert "kunci 'sampe' di [calendar.musim] tidak dikenal. Maksud Anda 'sampai'?" in str(refused.value)


def test_shipped_config_carries_the_ramadan_schedules_as_comments_that_parse(tmp_path: Path) -> None:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert "32.5 working hours a week" in text
    block = text[text.index("# [[calendar.musim]]") : text.index("\n[database]")]
    uncommented = "\n".join(line.removeprefix("# ").removeprefix("#") for line in block.splitlines())
    path = tmp_path / "config.toml"
    path.write_text(uncommented, encoding="utf-8")
    seasons = load_settings(path, env={}).calendar.seasons
    assert [(s.name, s.first, s.last) for s in seasons] == [
        ("Ramadan 1444 H", date(2023, 3, 23), date(2023, 4, 21)),
        ("Ramadan 1445 H", date(2024, 3, 12), date(2024, 4, 9)),
        ("Ramadan 1446 H", date(2025, 3, 1), date(2025, 3, 30)),
    ]
    cal = WorkingCalendar(dataclasses.replace(parse_calendar({}, "x"), seasons=seasons), WIB)
    assert cal.working_seconds_between(wib(2025, 3, 3, 0), wib(2025, 3, 10, 0)) == 32.5 * 3600


def test_calendar_due_across_ramadan_names_the_season(settings: Settings) -> None:
    seasons = parse_calendar({"musim": [RAMADAN_1446]}, "config.toml").seasons
    ramadan = dataclasses.replace(settings, calendar=dataclasses.replace(settings.calendar, seasons=seasons))
    clock = FixedClock(wib(2025, 2, 1, 9))
    result = run_cli(["calendar", "due", "--from", "2025-02-28T15:00+07:00", "--budget", "4 hari"], ramadan, clock)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Mulai Jumat, 28 Februari 2025 15.00 WIB + 4 hari kerja → tenggat Jumat, 7 Maret 2025 10.30 WIB",
        "Dihitung dengan jam kerja Ramadan 1446 H (1 Maret 2025 s.d. 30 Maret 2025).",
    ]
    plain = run_cli(["calendar", "due", "--from", "2025-02-03T15:00+07:00", "--budget", "4 hari"], ramadan, clock)
    assert plain.out.splitlines() == [
        "Mulai Senin, 3 Februari 2025 15.00 WIB + 4 hari kerja → tenggat Jumat, 7 Februari 2025 15.30 WIB"
    ]


def test_a_season_is_named_only_when_its_working_time_was_counted() -> None:
    # Ramadan 1446 begins on Saturday 1 March: a span that reaches into it only on its weekend used none of it
    assert CAL.seasons_between(wib(2025, 2, 28, 10), wib(2025, 3, 3, 7)) == ()
    assert CAL.seasons_between(wib(2025, 3, 3, 7), wib(2025, 2, 28, 10)) == ()  # either order
    assert [s.name for s in CAL.seasons_between(wib(2025, 2, 28, 10), wib(2025, 3, 3, 9))] == ["Ramadan 1446 H"]
    # and a span inside the season's first Monday, but before its office hours, used none either
    assert CAL.seasons_between(wib(2025, 3, 3, 6), wib(2025, 3, 3, 7, 59)) == ()


def test_calendar_due_from_the_last_weekend_of_ramadan_does_not_name_it(settings: Settings) -> None:
    seasons = parse_calendar({"musim": [RAMADAN_1446]}, "config.toml").seasons
    ramadan = dataclasses.replace(settings, calendar=dataclasses.replace(settings.calendar, seasons=seasons))
    # Saturday 29 and Sunday 30 March are the season's last days, both closed: the day is counted after it
    result = run_cli(
        ["calendar", "due", "--from", "2025-03-29T09:00+07:00", "--budget", "1 hari"],
        ramadan,
        FixedClock(wib(2025, 3, 1, 9)),
    )
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 1, result.out
    assert "Ramadan" not in result.out
