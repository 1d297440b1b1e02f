"""The office working calendar: when the clock of an SOP step runs.

Every SOP budget ("2 Jam", "4 Hari") is *working* time: it runs only inside the office hours of
working days, in the office time zone, and stops on weekends, national holidays (libur
nasional), cuti bersama and office closures; inside a season of ``[[calendar.musim]]`` (Ramadan)
the season's hours replace the usual ones. :class:`WorkingCalendar` turns a start instant and
a budget into a deadline (and back), measures working time between two instants, and lists the
closed days. Instants go in timezone-aware (any zone) and come out timezone-aware in UTC.

Short spans are walked day by day over each day's working periods. Long spans (a slack measured
over months, a projection of an old case) are counted week by week: whole weeks at the weekly
working time, then each holiday or make-up day inside the span corrected one by one, so the cost
grows with the number of weeks' exceptions, not with the days. (Only in zones with one UTC offset
all year, as WIB, WITA and WIT are; elsewhere the walk stays day by day.) Every walk is bounded:
a configuration without any working time is reported as a :class:`~sop_engine.errors.ConfigError`
instead of looping forever.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sop_engine.calendar_math import has_one_offset, keep, wall_seconds
from sop_engine.clock import to_utc
from sop_engine.config import Settings
from sop_engine.config_calendar import WEEKDAYS, CalendarSettings, Season
from sop_engine.durations import Duration
from sop_engine.errors import ConfigError

#: How the ``holidays`` package categories are called in the office.
SOURCES = {"public": "libur nasional", "government": "cuti bersama"}
#: Source of the days listed in ``extra_holidays``.
OFFICE_SOURCE = "libur kantor"
#: How many consecutive days without working time a walk may cross before giving up.
MAX_CLOSED_DAYS = 3660
#: Spans of more whole days than this are counted week by week instead of day by day.
LONG_SPAN_DAYS = 14

Span = tuple[datetime, datetime]
#: The official closed days of one year in one ``holidays`` category, as (date, Indonesian name) pairs.
OfficialHolidays = Callable[[int, str], tuple[tuple[date, str], ...]]
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Holiday:
    """A day the office is closed, with its Indonesian name and where the closure comes from."""

    date: date
    name: str
    #: "libur nasional", "cuti bersama" or "libur kantor" (from ``extra_holidays``).
    source: str


class WorkingCalendar:
    """Office hours per weekday in one time zone, minus holidays, plus make-up working days."""

    def __init__(self, settings: CalendarSettings, tz: ZoneInfo, official: OfficialHolidays | None = None) -> None:
        if len(settings.hours) != len(WEEKDAYS):
            raise ConfigError(
                f"[calendar.hours] berisi {len(settings.hours)} hari, seharusnya 7 ({', '.join(WEEKDAYS)}). "
                "Periksa [calendar.hours] di config.toml.",
                value=len(settings.hours),
            )
        self.settings = settings
        self.tz = tz
        self._official = official or package_holidays
        self._workdays = frozenset(settings.extra_workdays)
        # The days of the [[calendar.musim]] seasons with their office hours (a few dozen a year).
        self._season_hours = {
            season.first + timedelta(days=offset): season.hours
            for season in settings.seasons
            for offset in range((season.last - season.first).days + 1)
        }
        # A make-up day on a weekday without hours (e.g. a Saturday) works Monday's hours, or
        # those of the first weekday that has any.
        self._makeup_hours = next((day for day in settings.hours if day), ())
        self._closed_by_year: dict[int, dict[date, Holiday]] = {}
        self._weekday_seconds = tuple(wall_seconds(day) for day in settings.hours)
        self._week_seconds = sum(self._weekday_seconds)
        self._fixed_offset = has_one_offset(tz)
        # Answers that depend on nothing but the settings, kept for the instance (bounded).
        self._periods_by_day: dict[date, tuple[Span, ...]] = {}
        self._seconds_by_days: dict[tuple[date, date], int] = {}

    @classmethod
    def from_settings(cls, settings: Settings, official: OfficialHolidays | None = None) -> WorkingCalendar:
        """The calendar of ``settings.calendar`` in the office time zone ``settings.office.tz``."""
        return cls(settings.calendar, settings.office.tz, official)

    @property
    def jam_kerja_per_hari(self) -> float:
        """Working hours in one ``hari`` of budget."""
        return self.settings.jam_kerja_per_hari

    def budget_seconds(self, duration: Duration) -> int:
        """``duration`` in working seconds, a ``hari`` lasting :attr:`jam_kerja_per_hari` hours."""
        return duration.seconds(self.jam_kerja_per_hari)

    # -- deadlines ---------------------------------------------------------------------------

    def add(self, start: datetime, seconds: int) -> datetime:
        """The instant (UTC) when ``seconds`` of working time counted from ``start`` have passed.

        Counting begins at the next working moment if ``start`` is outside working time. A
        deadline that reaches the end of a working period stays at that end (16:00, not the next
        morning). ``add(start, 0)`` is ``start`` itself, so ``add(add(s, a), b) == add(s, a + b)``.
        """
        current = to_utc(start)
        if seconds < 0:
            raise ValueError(f"working seconds must not be negative, got {seconds}")
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return current
        current, remaining = self._skip_weeks_forward(current, remaining)
        for begin, end in self._spans_after(current):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: _spans_after never ends")  # pragma: no cover

    def add_duration(self, start: datetime, duration: Duration) -> datetime:
        """The deadline of a ``duration`` budget started at ``start``; see :meth:`add`."""
        return self.add(start, self.budget_seconds(duration))

    def subtract(self, end: datetime, seconds: int) -> datetime:
        """The latest start (UTC) whose deadline ``add(start, seconds)`` is not after ``end``.

        When ``end`` can be a deadline (inside working time, or at a period's end) the result
        satisfies ``add(result, seconds) == end``; otherwise ``end`` is pulled back to the end of
        the last working period before it. ``subtract(end, 0)`` is ``end``.
        """
        current = to_utc(end)
        if seconds < 0:
            raise ValueError(f"working seconds must not be negative, got {seconds}")
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return current
        current, remaining = self._skip_weeks_back(current, remaining)
        for begin, finish in self._spans_before(current):
            if remaining <= finish - begin:
                return finish - remaining
            remaining -= finish - begin
        raise AssertionError("unreachable: _spans_before never ends")  # pragma: no cover

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Whole working seconds in ``[a, b)``; the negative of ``[b, a)`` when ``b < a``.

        Agrees with :meth:`add`: ``working_seconds_between(s, add(s, n)) == n``.
        """
        start, stop = to_utc(a), to_utc(b)
        if stop < start:
            return -self.working_seconds_between(stop, start)
        first, last = self._local_date(start), self._local_date(stop)
        if self._counts_by_week(first, last):
            inner = self._whole_days_seconds(first + _ONE_DAY, last - _ONE_DAY)
            edges = self._overlap(first, start, stop) + self._overlap(last, start, stop)
            return inner + edges // _ONE_SECOND
        total, day = timedelta(), first
        while day <= last:
            total += self._overlap(day, start, stop)
            day += _ONE_DAY
        return total // _ONE_SECOND

    # -- working time ------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether the office works on ``day`` (it has hours and is not closed)."""
        return bool(self._local_hours(day))

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` lies inside a working period ``[start, end)``."""
        instant = to_utc(at)
        return any(begin <= instant < end for begin, end in self.periods(self._local_date(instant)))

    def next_working_moment(self, at: datetime) -> datetime:
        """``at`` (in UTC) if it is working time, else the start of the next working period."""
        begin, _ = next(self._spans_after(to_utc(at)))
        return begin

    def periods(self, day: date) -> tuple[Span, ...]:
        """The working periods of ``day`` as UTC instants ``(start, end)``; ``()`` if closed."""
        found = self._periods_by_day.get(day)
        if found is None:
            found = tuple((self._instant(day, begin), self._instant(day, end)) for begin, end in self._local_hours(day))
            keep(self._periods_by_day, day, found)
        return found

    # -- holidays ----------------------------------------------------------------------------

    def holidays(self, year: int) -> list[Holiday]:
        """The closed days of ``year`` by date, weekends included when they are holidays.

        National holidays and cuti bersama (the configured categories) plus ``extra_holidays``,
        minus ``extra_workdays``. Ordinary weekends without a holiday are not listed.
        """
        return sorted(self._closed(year).values(), key=lambda holiday: holiday.date)

    def seasons_between(self, a: datetime, b: datetime) -> tuple[Season, ...]:
        """The ``[[calendar.musim]]`` seasons whose working time counts between ``a`` and ``b``: a season
        of which only closed days (or hours outside its office hours) fall in the span is not one."""
        start, stop = sorted((to_utc(a), to_utc(b)))
        return tuple(
            season
            for season in self.settings.seasons
            if self.working_seconds_between(
                max(start, self._midnight(season.first)), min(stop, self._midnight(season.last + _ONE_DAY))
            )
            > 0
        )

    def holiday_name(self, day: date) -> str | None:
        """The Indonesian name of the holiday on ``day``, or ``None`` if it is not closed."""
        holiday = self._closed(day.year).get(day)
        return holiday.name if holiday else None

    # -- long spans, week by week ---------------------------------------------------------------

    def _counts_by_week(self, first: date, last: date) -> bool:
        """Whether the days between ``first`` and ``last`` are counted week by week."""
        return self._fixed_offset and self._week_seconds > 0 and (last - first).days > LONG_SPAN_DAYS

    def _whole_days_seconds(self, first: date, last: date) -> int:
        """Working seconds of the whole days ``first`` .. ``last`` (inclusive), counted by weeks.

        Whole weeks at the weekly working time, the remaining days by weekday, then each closed
        day and make-up day in the span corrected by the difference to its weekday's hours.
        """
        found = self._seconds_by_days.get((first, last))
        if found is None:
            found = self._count_whole_days(first, last)
            keep(self._seconds_by_days, (first, last), found)
        return found

    def _count_whole_days(self, first: date, last: date) -> int:
        """:meth:`_whole_days_seconds` computed."""
        days = (last - first).days + 1
        if days <= 0:
            return 0
        weeks, rest = divmod(days, 7)
        total = weeks * self._week_seconds
        total += sum(self._weekday_seconds[(first.weekday() + i) % 7] for i in range(rest))
        for day in self._exceptions(first, last):
            total += wall_seconds(self._local_hours(day)) - self._weekday_seconds[day.weekday()]
        return total

    def _exceptions(self, first: date, last: date) -> set[date]:
        """The closed days and make-up working days between ``first`` and ``last`` (inclusive)."""
        found = {day for day in self._workdays if first <= day <= last}
        found.update(day for day in self._season_hours if first <= day <= last)
        for year in range(first.year, last.year + 1):
            found.update(day for day in self._closed(year) if first <= day <= last)
        return found

    def _skip_weeks_forward(self, start: datetime, remaining: timedelta) -> tuple[datetime, timedelta]:
        """Jump over whole weeks of a long budget: the local midnight reached and the budget left.

        Leaves at least two weeks of budget to the day-by-day walk, which places the deadline
        exactly; a jump that would use up the budget (or finds only closed days) is not taken.
        """
        if not self._skips(remaining):
            return start, remaining
        day = self._local_date(start) + _ONE_DAY
        left = remaining - self._overlap(day - _ONE_DAY, start, self._midnight(day))
        reached = start
        week = timedelta(seconds=self._week_seconds)
        while left > 2 * week:
            weeks = timedelta(days=7 * (left // week - 1))
            seconds = self._whole_days_seconds(day, day + weeks - _ONE_DAY)
            if seconds == 0 or timedelta(seconds=seconds) >= left:
                break
            left, day = left - timedelta(seconds=seconds), day + weeks
            reached = self._midnight(day)
        return (reached, left) if reached != start else (start, remaining)

    def _skip_weeks_back(self, end: datetime, remaining: timedelta) -> tuple[datetime, timedelta]:
        """:meth:`_skip_weeks_forward` backwards: the local midnight reached and the budget left."""
        if not self._skips(remaining):
            return end, remaining
        day = self._local_date(end) - _ONE_DAY
        left = remaining - self._overlap(day + _ONE_DAY, self._midnight(day + _ONE_DAY), end)
        reached = end
        week = timedelta(seconds=self._week_seconds)
        while left > 2 * week:
            weeks = timedelta(days=7 * (left // week - 1))
            seconds = self._whole_days_seconds(day - weeks + _ONE_DAY, day)
            if seconds == 0 or timedelta(seconds=seconds) >= left:
                break
            left, day = left - timedelta(seconds=seconds), day - weeks
            reached = self._midnight(day + _ONE_DAY)
        return (reached, left) if reached != end else (end, remaining)

    def _skips(self, remaining: timedelta) -> bool:
        """Whether a budget is long enough to be counted week by week (three weeks of work or more)."""
        return self._fixed_offset and self._week_seconds > 0 and remaining // _ONE_SECOND > 3 * self._week_seconds

    # -- internals ---------------------------------------------------------------------------

    def _overlap(self, day: date, start: datetime, stop: datetime) -> timedelta:
        """Working time of ``day`` inside ``[start, stop)``."""
        total = timedelta()
        for begin, end in self.periods(day):
            overlap = min(end, stop) - max(begin, start)
            if overlap > timedelta():
                total += overlap
        return total

    def _midnight(self, day: date) -> datetime:
        """The start of the local ``day`` in UTC."""
        return self._instant(day, time())

    def _closed(self, year: int) -> dict[date, Holiday]:
        """Closed days of ``year`` keyed by date, computed once per year."""
        if year not in self._closed_by_year:
            closed: dict[date, Holiday] = {}
            # One query per category, so each day knows whether it is libur nasional or cuti bersama.
            for category in self.settings.holiday_categories:
                for day, name in self._official(year, category):
                    closed.setdefault(day, Holiday(day, name, SOURCES.get(category, category)))
            for day, name in self.settings.extra_holidays:
                if day.year == year:
                    closed.setdefault(day, Holiday(day, name, OFFICE_SOURCE))
            for day in self._workdays:
                closed.pop(day, None)
            self._closed_by_year[year] = closed
        return self._closed_by_year[year]

    def _local_hours(self, day: date) -> tuple[tuple[time, time], ...]:
        """The wall-clock working periods of ``day``; ``()`` if the office is closed."""
        weekday_hours = self._season_hours.get(day, self.settings.hours)[day.weekday()]
        if day in self._workdays:
            return weekday_hours or self._makeup_hours
        if day in self._closed(day.year):
            return ()
        return weekday_hours

    def _instant(self, day: date, wall: time) -> datetime:
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def _spans_after(self, instant: datetime) -> Iterator[Span]:
        """Working time from ``instant`` onwards, period by period, the first one clipped."""
        day, closed_run = self._local_date(instant), 0
        while closed_run < MAX_CLOSED_DAYS:
            spans = [(max(begin, instant), end) for begin, end in self.periods(day) if end > instant]
            closed_run = 0 if spans else closed_run + 1
            yield from spans
            day += _ONE_DAY
        raise self._no_working_time(instant)

    def _spans_before(self, instant: datetime) -> Iterator[Span]:
        """Working time before ``instant``, latest first, the first one clipped."""
        day, closed_run = self._local_date(instant), 0
        while closed_run < MAX_CLOSED_DAYS:
            spans = [(begin, min(end, instant)) for begin, end in self.periods(day) if begin < instant]
            closed_run = 0 if spans else closed_run + 1
            yield from reversed(spans)
            day -= _ONE_DAY
        raise self._no_working_time(instant)

    def _no_working_time(self, instant: datetime) -> ConfigError:
        local = instant.astimezone(self.tz).date().isoformat()
        return ConfigError(
            f"Kalender kerja tidak memiliki jam kerja dalam {MAX_CLOSED_DAYS} hari berturut-turut di sekitar "
            f"{local}. Periksa [calendar.hours] dan extra_holidays di config.toml: paling tidak satu hari "
            "dalam seminggu harus punya jam kerja dan tidak semua hari boleh libur.",
            value=local,
        )


@functools.cache
def package_holidays(year: int, category: str) -> tuple[tuple[date, str], ...]:
    """Indonesia's closed days of ``category`` in ``year`` from the ``holidays`` package, named in Indonesian.

    The package is imported on first use: loading it is a good part of a command's start-up, and
    :mod:`sop_engine.holiday_cache` keeps its answers between processes.
    """
    import holidays as holidays_lib

    found = holidays_lib.country_holidays("ID", years=year, categories=(category,), language="id")
    return tuple(sorted((day, str(name)) for day, name in found.items()))
