"""``[calendar]`` of config.toml: office hours per weekday, the working-day length, holiday adjustments,
and seasons of other office hours (``[[calendar.musim]]``, e.g. Ramadan).

:func:`parse_calendar` reads the table into one frozen :class:`CalendarSettings` (defaults filled
in); :mod:`sop_engine.config` calls it while loading the settings.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sop_engine.errors import ConfigError

#: Weekday keys of ``[calendar.hours]``, Monday first (``date.weekday()`` order).
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")

DEFAULT_HOURS: dict[str, list[str]] = {
    "senin": ["07:30-12:00", "13:00-16:00"],
    "selasa": ["07:30-12:00", "13:00-16:00"],
    "rabu": ["07:30-12:00", "13:00-16:00"],
    "kamis": ["07:30-12:00", "13:00-16:00"],
    "jumat": ["07:30-11:30", "13:00-16:30"],
    "sabtu": [],
    "minggu": [],
}

Period = tuple[time, time]


@dataclass(frozen=True)
class CalendarSettings:
    """Office hours per weekday, the working-day length and holiday adjustments."""

    #: Working periods per weekday, index 0 = Senin ... 6 = Minggu; each a tuple of (start, end).
    hours: tuple[tuple[Period, ...], ...] = ()
    #: Length of one ``hari`` of budget, in working hours.
    jam_kerja_per_hari: float = 7.5
    #: Categories of the ``holidays`` package: public holidays and cuti bersama.
    holiday_categories: tuple[str, ...] = ("public", "government")
    #: Extra closed days (SKB changes, office closures), with their names.
    extra_holidays: tuple[tuple[date, str], ...] = ()
    #: Days that are working days although the holidays package says otherwise.
    extra_workdays: tuple[date, ...] = ()
    #: Dated periods of other office hours (Ramadan), oldest first, never overlapping.
    seasons: tuple[Season, ...] = ()


@dataclass(frozen=True)
class Season:
    """A dated period (``dari`` .. ``sampai``, both inclusive) with its own office hours per weekday."""

    name: str
    first: date
    last: date
    #: Working periods per weekday, index 0 = Senin; a weekday the season does not name keeps its usual hours.
    hours: tuple[tuple[Period, ...], ...]

    def __str__(self) -> str:
        return f"{self.name} {self.first.isoformat()} s.d. {self.last.isoformat()}"


def parse_calendar(raw: Mapping[str, Any], where: str) -> CalendarSettings:
    """The ``[calendar]`` table as :class:`CalendarSettings`, defaults filled in."""
    hours_raw = dict(DEFAULT_HOURS)
    given = raw.get("hours", {})
    if not isinstance(given, Mapping):
        raise ConfigError(f"{where}: [calendar] hours harus berupa tabel hari -> daftar jam.", value=given)
    for key, value in given.items():
        if key not in WEEKDAYS:
            raise ConfigError(
                f"{where}: [calendar.hours] kunci '{key}' bukan nama hari; "
                f"gunakan salah satu dari {', '.join(WEEKDAYS)}.",
                value=key,
            )
        hours_raw[key] = value
    hours = tuple(_parse_periods(hours_raw[day], day, where) for day in WEEKDAYS)
    if not any(hours):
        raise ConfigError(f"{where}: [calendar.hours] tidak ada jam kerja sama sekali; isi paling tidak satu hari.")
    per_day = raw.get("jam_kerja_per_hari", 7.5)
    if not isinstance(per_day, int | float) or isinstance(per_day, bool) or not 0 < per_day <= 24:
        raise ConfigError(
            f"{where}: [calendar] jam_kerja_per_hari = {per_day!r}; isikan angka jam antara 0 dan 24, misalnya 7.5.",
            value=per_day,
        )
    categories = raw.get("holiday_categories", ["public", "government"])
    allowed_categories = {"public", "government"}
    if not isinstance(categories, list) or not set(categories) <= allowed_categories:
        raise ConfigError(
            f"{where}: [calendar] holiday_categories = {categories!r}; yang diizinkan: public, government.",
            value=categories,
        )
    return CalendarSettings(
        hours=hours,
        jam_kerja_per_hari=float(per_day),
        holiday_categories=tuple(categories),
        extra_holidays=tuple(_parse_extra_holiday(item, where) for item in raw.get("extra_holidays", [])),
        extra_workdays=tuple(_parse_date(item, "extra_workdays", where) for item in raw.get("extra_workdays", [])),
        seasons=_parse_seasons(raw.get("musim", []), hours, where),
    )


def _parse_seasons(value: Any, usual: tuple[tuple[Period, ...], ...], where: str) -> tuple[Season, ...]:
    """The ``[[calendar.musim]]`` entries, sorted by their first day; refused when two overlap."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ConfigError(
            f"{where}: [calendar] musim harus berupa tabel-tabel [[calendar.musim]] dengan dari, sampai dan jam "
            "per hari.",
            value=value,
        )
    seasons = sorted((_parse_season(item, usual, where) for item in value), key=lambda season: season.first)
    for before, after in itertools.pairwise(seasons):
        if after.first <= before.last:
            raise ConfigError(
                f"{where}: [[calendar.musim]] '{after.name}' ({after.first.isoformat()}) dimulai sebelum "
                f"'{before.name}' berakhir ({before.last.isoformat()}); musim tidak boleh tumpang-tindih.",
                value=after.name,
            )
    return tuple(seasons)


def _parse_season(raw: Mapping[str, Any], usual: tuple[tuple[Period, ...], ...], where: str) -> Season:
    name = str(raw.get("nama", "Musim"))
    table_name = f"[[calendar.musim]] '{name}'"
    for key in ("dari", "sampai"):
        if key not in raw:
            raise ConfigError(
                f"{where}: {table_name}: kunci '{key}' wajib diisi; tulis tanggal seperti 2025-03-01.", value=key
            )
    first = _parse_date(raw["dari"], f"musim '{name}' dari", where)
    last = _parse_date(raw["sampai"], f"musim '{name}' sampai", where)
    if last < first:
        raise ConfigError(
            f"{where}: {table_name}: sampai = {last.isoformat()} sebelum dari = {first.isoformat()}.",
            value=last.isoformat(),
        )
    hours = tuple(
        _parse_periods(raw[day], day, where, table_name) if day in raw else usual[index]
        for index, day in enumerate(WEEKDAYS)
    )
    if not any(hours):
        raise ConfigError(f"{where}: {table_name}: tidak ada jam kerja sama sekali; isi paling tidak satu hari.")
    return Season(name, first, last, hours)


_PERIOD = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def _parse_periods(value: Any, day: str, where: str, table_name: str = "[calendar.hours]") -> tuple[Period, ...]:
    if not isinstance(value, list):
        raise ConfigError(f'{where}: {table_name} {day} harus berupa daftar, misalnya ["07:30-12:00"].', value=value)
    periods: list[Period] = []
    for item in value:
        match = _PERIOD.match(str(item))
        if not match:
            raise ConfigError(
                f"{where}: {table_name} {day}: '{item}' bukan rentang jam; tulis seperti \"07:30-12:00\".",
                value=item,
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ConfigError(f"{where}: {table_name} {day}: '{item}' berisi jam yang tidak ada.", value=item) from exc
        if start >= end or (periods and start < periods[-1][1]):
            raise ConfigError(
                f"{where}: {table_name} {day}: '{item}' harus berakhir setelah mulai dan tidak tumpang-tindih "
                "dengan rentang sebelumnya (urutkan dari pagi ke sore).",
                value=item,
            )
        periods.append((start, end))
    return tuple(periods)


def _parse_date(value: Any, key: str, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{where}: [calendar] {key}: '{value}' bukan tanggal; tulis seperti 2021-12-24.", value=value
        ) from exc


def _parse_extra_holiday(value: Any, where: str) -> tuple[date, str]:
    if isinstance(value, Mapping):
        return _parse_date(value.get("date"), "extra_holidays", where), str(value.get("name", "Libur kantor"))
    return _parse_date(value, "extra_holidays", where), "Libur kantor"
