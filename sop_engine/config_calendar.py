"""``[calendar]`` of config.toml: office hours per weekday, the working-day length, holiday adjustments.

:func:`parse_calendar` reads the table into one frozen :class:`CalendarSettings` (defaults filled
in); :mod:`sop_engine.config` calls it while loading the settings.
"""

from __future__ import annotations

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
    )


_PERIOD = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def _parse_periods(value: Any, day: str, where: str) -> tuple[Period, ...]:
    if not isinstance(value, list):
        raise ConfigError(
            f'{where}: [calendar.hours] {day} harus berupa daftar, misalnya ["07:30-12:00"].', value=value
        )
    periods: list[Period] = []
    for item in value:
        match = _PERIOD.match(str(item))
        if not match:
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' bukan rentang jam; tulis seperti \"07:30-12:00\".",
                value=item,
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' berisi jam yang tidak ada.", value=item
            ) from exc
        if start >= end or (periods and start < periods[-1][1]):
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' harus berakhir setelah mulai dan tidak tumpang-tindih "
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
