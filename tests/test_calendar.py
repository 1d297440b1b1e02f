"""Tests for sop_engine.calendar: working-time deadlines over office hours and holidays."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine.calendar import Holiday, WorkingCalendar
from sop_engine.config import OfficeSettings, Settings
from sop_engine.config_calendar import CalendarSettings, parse_calendar
from sop_engine.durations import parse_duration
from sop_engine.errors import ConfigError

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
HOUR = 3600
HARI = 27000  # 7.5 working hours


def defaults() -> CalendarSettings:
    return parse_calendar({}, "config.toml")


CAL = WorkingCalendar(defaults(), WIB)


def wib(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def local(at: datetime, tz: ZoneInfo = WIB) -> datetime:
    assert at.tzinfo is UTC
    return at.astimezone(tz)


# -- the worked examples of working time (weekend, Isra Mikraj, Nyepi and Idul Fitri) ---------------


def test_two_jam_from_friday_afternoon_ends_monday_morning() -> None:
    assert local(CAL.add_duration(wib(2021, 1, 8, 15, 0), parse_duration("2 Jam"))) == wib(2021, 1, 11, 8, 0)


def test_four_hari_skips_isra_mikraj() -> None:
    assert local(CAL.add_duration(wib(2021, 3, 10, 10, 0), parse_duration("4 Hari"))) == wib(2021, 3, 17, 10, 0)


def test_deadline_skips_nyepi_and_idul_fitri_with_cuti_bersama() -> None:
    assert local(CAL.add_duration(wib(2025, 3, 27, 15, 0), parse_duration("1 hari"))) == wib(2025, 4, 8, 15, 0)


def test_from_settings_uses_office_time_zone() -> None:
    cal = WorkingCalendar.from_settings(Settings(office=OfficeSettings(timezone="Asia/Makassar")))
    assert cal.tz == WITA
    assert cal.jam_kerja_per_hari == 7.5
    assert cal.budget_seconds(parse_duration("4 hari")) == 4 * HARI


# -- starts outside working time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (wib(2021, 1, 11, 6, 0), wib(2021, 1, 11, 8, 30)),  # before 07:30
        (wib(2021, 1, 11, 12, 30), wib(2021, 1, 11, 14, 0)),  # lunch break
        (wib(2021, 1, 9, 10, 0), wib(2021, 1, 11, 8, 30)),  # Saturday
        (wib(2021, 3, 11, 9, 0), wib(2021, 3, 12, 8, 30)),  # Isra Mikraj
        (wib(2021, 1, 11, 16, 0), wib(2021, 1, 12, 8, 30)),  # exactly at closing
    ],
)
def test_start_outside_working_time_counts_from_next_working_moment(start: datetime, expected: datetime) -> None:
    assert local(CAL.add(start, HOUR)) == expected


def test_next_working_moment_is_start_itself_inside_working_time() -> None:
    assert CAL.next_working_moment(wib(2021, 1, 11, 9, 15)) == wib(2021, 1, 11, 9, 15)
    assert local(CAL.next_working_moment(wib(2021, 1, 11, 12, 0))) == wib(2021, 1, 11, 13, 0)


def test_zero_seconds_returns_start_even_outside_working_time() -> None:
    start = wib(2021, 1, 9, 10, 0)
    assert CAL.add(start, 0) == start
    assert CAL.add(start, 0).tzinfo is UTC


# -- deadlines at the end of a period ------------------------------------------------------------


def test_deadline_exactly_at_closing_stays_at_1600() -> None:
    assert local(CAL.add(wib(2021, 1, 11, 15, 0), HOUR)) == wib(2021, 1, 11, 16, 0)


def test_deadline_exactly_at_lunch_stays_at_1200() -> None:
    assert local(CAL.add(wib(2021, 1, 11, 11, 0), HOUR)) == wib(2021, 1, 11, 12, 0)


def test_one_hari_from_opening_ends_at_closing_same_day() -> None:
    assert local(CAL.add(wib(2021, 1, 11, 7, 30), HARI)) == wib(2021, 1, 11, 16, 0)


def test_friday_has_its_own_hours() -> None:
    assert local(CAL.add(wib(2021, 1, 8, 11, 0), HOUR)) == wib(2021, 1, 8, 13, 30)
    assert local(CAL.add(wib(2021, 1, 8, 16, 0), HOUR)) == wib(2021, 1, 11, 8, 0)  # Friday closes 16:30
    assert [tuple(local(t).time().isoformat("minutes") for t in p) for p in CAL.periods(date(2021, 1, 8))] == [
        ("07:30", "11:30"),
        ("13:00", "16:30"),
    ]


def test_periods_of_weekend_and_holiday_are_empty() -> None:
    assert CAL.periods(date(2021, 1, 9)) == ()
    assert CAL.periods(date(2021, 3, 11)) == ()
    assert not CAL.is_working_day(date(2021, 3, 11))
    assert CAL.is_working_day(date(2021, 3, 12))


def test_is_working_time_is_half_open() -> None:
    assert CAL.is_working_time(wib(2021, 1, 11, 7, 30))
    assert not CAL.is_working_time(wib(2021, 1, 11, 12, 0))
    assert not CAL.is_working_time(wib(2021, 1, 11, 16, 0))


# -- overrides, time zones -----------------------------------------------------------------------


def test_extra_holiday_closes_the_office() -> None:
    cal = WorkingCalendar(dataclasses.replace(defaults(), extra_holidays=((date(2021, 1, 11), "Rapat pleno"),)), WIB)
    assert local(cal.add(wib(2021, 1, 8, 16, 30), HOUR)) == wib(2021, 1, 12, 8, 30)
    assert Holiday(date(2021, 1, 11), "Rapat pleno", "libur kantor") in cal.holidays(2021)


def test_extra_workday_overrides_a_holiday() -> None:
    cal = WorkingCalendar(dataclasses.replace(defaults(), extra_workdays=(date(2021, 3, 11),)), WIB)
    assert local(cal.add(wib(2021, 3, 10, 16, 0), HOUR)) == wib(2021, 3, 11, 8, 30)
    assert cal.holiday_name(date(2021, 3, 11)) is None
    assert all(h.date != date(2021, 3, 11) for h in cal.holidays(2021))


def test_extra_workday_on_saturday_uses_monday_hours() -> None:
    cal = WorkingCalendar(dataclasses.replace(defaults(), extra_workdays=(date(2021, 1, 9),)), WIB)
    assert local(cal.add(wib(2021, 1, 8, 16, 30), HOUR)) == wib(2021, 1, 9, 8, 30)
    assert local(cal.periods(date(2021, 1, 9))[-1][1]) == wib(2021, 1, 9, 16, 0)


def test_other_time_zone_gives_same_wall_clock_deadlines() -> None:
    cal = WorkingCalendar(defaults(), WITA)
    start = datetime(2021, 3, 10, 10, 0, tzinfo=WITA)
    assert local(cal.add(start, 4 * HARI), WITA) == datetime(2021, 3, 17, 10, 0, tzinfo=WITA)
    assert local(cal.add(start, 4 * HARI)) == wib(2021, 3, 17, 9, 0)


def test_start_in_another_zone_is_the_same_instant() -> None:
    assert CAL.add(datetime(2021, 1, 8, 8, 0, tzinfo=UTC), 2 * HOUR) == CAL.add(wib(2021, 1, 8, 15, 0), 2 * HOUR)


# -- holidays ------------------------------------------------------------------------------------


def test_holidays_2021_include_isra_mikraj_in_indonesian() -> None:
    found = {h.date: h for h in CAL.holidays(2021)}
    assert found[date(2021, 3, 11)] == Holiday(date(2021, 3, 11), "Isra Mikraj Nabi Muhammad", "libur nasional")
    assert CAL.holiday_name(date(2021, 3, 11)) == "Isra Mikraj Nabi Muhammad"
    assert CAL.holiday_name(date(2021, 3, 10)) is None


def test_holidays_2025_mark_cuti_bersama() -> None:
    listed = CAL.holidays(2025)
    cuti = {h.date for h in listed if h.source == "cuti bersama"}
    assert {date(2025, 3, 28), date(2025, 4, 2), date(2025, 4, 7)} <= cuti
    assert all(h.name.startswith("Cuti Bersama") for h in listed if h.source == "cuti bersama")
    assert [h.date for h in listed] == sorted(h.date for h in listed)


# -- inverses and errors -------------------------------------------------------------------------


def test_subtract_is_the_inverse_of_add() -> None:
    assert local(CAL.subtract(wib(2021, 3, 17, 10, 0), 4 * HARI)) == wib(2021, 3, 10, 10, 0)
    assert local(CAL.subtract(wib(2021, 1, 11, 8, 0), 2 * HOUR)) == wib(2021, 1, 8, 15, 0)


def test_subtract_from_non_working_time_plans_back_from_last_closing() -> None:
    assert local(CAL.subtract(wib(2021, 1, 9, 10, 0), HOUR)) == wib(2021, 1, 8, 15, 30)


def test_working_seconds_between_agrees_with_add() -> None:
    start = wib(2025, 3, 27, 15, 0)
    assert CAL.working_seconds_between(start, CAL.add(start, HARI)) == HARI
    assert CAL.working_seconds_between(CAL.add(start, HARI), start) == -HARI
    assert CAL.working_seconds_between(wib(2021, 1, 9, 0, 0), wib(2021, 1, 10, 23, 0)) == 0


def test_naive_datetime_is_refused() -> None:
    naive = datetime(2021, 1, 11, 9, 0)  # noqa: DTZ001 - naive on purpose
    for call in (CAL.add, CAL.subtract):
        with pytest.raises(ValueError, match="naive"):
            call(naive, HOUR)
    with pytest.raises(ValueError, match="naive"):
        CAL.is_working_time(naive)


def test_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add(wib(2021, 1, 11, 9, 0), -1)


def test_calendar_without_working_time_raises_config_error() -> None:
    closed = WorkingCalendar(dataclasses.replace(defaults(), hours=((),) * 7), WIB)
    with pytest.raises(ConfigError, match=r"calendar\.hours"):
        closed.add(wib(2021, 1, 11, 9, 0), HOUR)
    with pytest.raises(ConfigError, match="extra_holidays"):
        closed.next_working_moment(wib(2021, 1, 11, 9, 0))
    with pytest.raises(ConfigError):
        closed.subtract(wib(2021, 1, 11, 9, 0), HOUR)


# -- properties ----------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= adds the zone
    max_value=datetime(2027, 12, 31, 23, 59),  # noqa: DTZ001
    timezones=st.just(WIB),
)
budgets = st.integers(min_value=1, max_value=10 * 450).map(lambda minutes: minutes * 60)
sometimes_zero = st.integers(min_value=0, max_value=10 * 450).map(lambda minutes: minutes * 60)
PROPERTY = settings(deadline=None, max_examples=200)


def is_period_end(cal: WorkingCalendar, at: datetime) -> bool:
    return any(end == at for _, end in cal.periods(at.astimezone(cal.tz).date()))


@PROPERTY
@given(starts, budgets)
def test_deadline_is_in_working_time_or_at_a_period_end(start: datetime, seconds: int) -> None:
    deadline = CAL.add(start, seconds)
    assert CAL.is_working_time(deadline) or is_period_end(CAL, deadline)


@PROPERTY
@given(starts, sometimes_zero, sometimes_zero)
def test_adding_in_two_steps_equals_adding_once(start: datetime, a: int, b: int) -> None:
    assert CAL.add(CAL.add(start, a), b) == CAL.add(start, a + b)


@PROPERTY
@given(starts, st.integers(min_value=0, max_value=14 * 24 * 60), budgets)
def test_later_start_never_gives_earlier_deadline(start: datetime, later_by: int, seconds: int) -> None:
    assert CAL.add(start + timedelta(minutes=later_by), seconds) >= CAL.add(start, seconds)


@PROPERTY
@given(starts, budgets)
def test_subtract_then_add_returns_the_same_deadline(start: datetime, seconds: int) -> None:
    deadline = CAL.add(start, seconds)
    planned = CAL.subtract(deadline, seconds)
    assert CAL.add(planned, seconds) == deadline
    assert planned >= CAL.next_working_moment(start)


@PROPERTY
@given(starts, budgets)
def test_working_seconds_between_start_and_deadline_is_the_budget(start: datetime, seconds: int) -> None:
    assert CAL.working_seconds_between(start, CAL.add(start, seconds)) == seconds


# -- long spans: counted week by week, the same as the day-by-day walk --------------------------

#: An office with its own closures and a Saturday make-up day, beside the national holidays.
BUSY = WorkingCalendar(
    dataclasses.replace(
        defaults(),
        extra_holidays=((date(2021, 6, 14), "Rapat pleno"), (date(2022, 1, 3), "Libur kantor")),
        extra_workdays=(date(2021, 6, 19), date(2022, 4, 30)),
    ),
    WIB,
)
long_budgets = st.integers(min_value=0, max_value=2 * 250 * 450).map(lambda minutes: minutes * 60)
ends = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= adds the zone
    max_value=datetime(2024, 12, 31, 23, 59),  # noqa: DTZ001
    timezones=st.just(WIB),
)


def walked_seconds(cal: WorkingCalendar, a: datetime, b: datetime) -> int:
    """Working seconds in [a, b), summed over every day's periods: the reference for long spans."""
    total, day = timedelta(), a.astimezone(cal.tz).date()
    while day <= b.astimezone(cal.tz).date():
        for begin, end in cal.periods(day):
            total += max(timedelta(), min(end, b) - max(begin, a))
        day += timedelta(days=1)
    return total // timedelta(seconds=1)


@PROPERTY
@given(st.sampled_from([CAL, BUSY]), ends, ends)
def test_working_seconds_over_months_equal_the_day_by_day_sum(cal: WorkingCalendar, a: datetime, b: datetime) -> None:
    a, b = min(a, b), max(a, b)
    assert cal.working_seconds_between(a, b) == walked_seconds(cal, a, b)
    assert cal.working_seconds_between(b, a) == -walked_seconds(cal, a, b)


@PROPERTY
@given(st.sampled_from([CAL, BUSY]), ends, long_budgets)
def test_long_budget_deadline_is_exactly_the_budget_away(cal: WorkingCalendar, start: datetime, seconds: int) -> None:
    deadline = cal.add(start, seconds)
    assert walked_seconds(cal, start, deadline) == seconds
    assert seconds == 0 or cal.is_working_time(deadline) or is_period_end(cal, deadline)


@PROPERTY
@given(st.sampled_from([CAL, BUSY]), ends, long_budgets)
def test_long_budget_planned_back_gives_the_same_deadline(cal: WorkingCalendar, start: datetime, seconds: int) -> None:
    deadline = cal.add(start, seconds)
    planned = cal.subtract(deadline, seconds)
    assert cal.add(planned, seconds) == deadline
    assert walked_seconds(cal, planned, deadline) == seconds


def test_a_year_of_slack_counts_holidays_and_make_up_days() -> None:
    # 2021-06-14 is closed (an office holiday on a Monday) and Saturday 2021-06-19 is worked.
    a, b = wib(2021, 6, 1, 0, 0), wib(2021, 7, 1, 0, 0)
    assert BUSY.working_seconds_between(a, b) == walked_seconds(BUSY, a, b)
    assert BUSY.working_seconds_between(a, b) == CAL.working_seconds_between(a, b)  # one day off, one day on


def test_long_spans_are_not_walked_day_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    cal = WorkingCalendar(defaults(), WIB)
    looked_at: list[date] = []
    periods = cal.periods
    monkeypatch.setattr(cal, "periods", lambda day: looked_at.append(day) or periods(day))
    a, b = wib(2021, 1, 4, 9, 0), wib(2023, 1, 4, 9, 0)
    seconds = cal.working_seconds_between(a, b)
    assert len(looked_at) <= 2
    looked_at.clear()
    assert cal.add(a, seconds) == b.astimezone(UTC)
    assert cal.subtract(b, seconds) == a.astimezone(UTC)
    assert len(looked_at) <= 2 * 60  # the walks at both ends, a few weeks each
    assert seconds == walked_seconds(cal, a, b)


def test_a_zone_with_daylight_saving_is_walked_day_by_day() -> None:
    berlin = WorkingCalendar(dataclasses.replace(defaults(), holiday_categories=()), ZoneInfo("Europe/Berlin"))
    a = datetime(2021, 1, 4, 9, 0, tzinfo=berlin.tz)
    b = datetime(2021, 12, 6, 9, 0, tzinfo=berlin.tz)
    assert berlin.working_seconds_between(a, b) == walked_seconds(berlin, a, b)
    assert berlin.add(a, walked_seconds(berlin, a, b)) == b.astimezone(UTC)
