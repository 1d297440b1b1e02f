"""Indonesian presentation of instants, dates and money, shared by every front end.

"Senin, 11 Januari 2021 08.00 WIB", "22 Januari 2021", "Rp 2.701.548.000". Instants are
stored in UTC and shown in the office time zone with its Indonesian abbreviation.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import overload
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal

LOCALE = "id"

_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_abbreviation(tz: ZoneInfo) -> str:
    """WIB, WITA or WIT for Indonesian zones; the UTC offset otherwise."""
    name = _ZONE_NAMES.get(tz.key)
    if name:
        return name
    offset = datetime(2021, 1, 1, tzinfo=tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


@functools.lru_cache(maxsize=4096)  # a page shows the same deadlines request after request
def format_instant(at: datetime, tz: ZoneInfo) -> str:
    """An instant in the office zone, e.g. "Senin, 11 Januari 2021 08.00 WIB"."""
    local = at.astimezone(tz)
    return f"{_babel_datetime(local, 'EEEE, d MMMM y HH.mm', tzinfo=tz, locale=LOCALE)} {zone_abbreviation(tz)}"


@functools.lru_cache(maxsize=4096)
def format_instant_short(at: datetime, tz: ZoneInfo) -> str:
    """A compact instant for tables, e.g. "Sen 11/01/2021 08.00"."""
    local = at.astimezone(tz)
    return _babel_datetime(local, "EEE dd/MM/y HH.mm", tzinfo=tz, locale=LOCALE)


def format_date(day: date) -> str:
    """A date, e.g. "22 Januari 2021"."""
    return _babel_date(day, "d MMMM y", locale=LOCALE)


def format_month_day(month_day: tuple[int, int]) -> str:
    """A day of every year, e.g. "31 Maret" for (3, 31)."""
    return _babel_date(date(2024, *month_day), "d MMMM", locale=LOCALE)  # 2024: a leap year has 29 February


def format_day(day: date) -> str:
    """A date with its weekday, e.g. "Kamis, 11 Maret 2021"."""
    return _babel_date(day, "EEEE, d MMMM y", locale=LOCALE)


def format_rupiah(amount: int) -> str:
    """Whole rupiah with dots, e.g. "Rp 2.701.548.000"."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_decimal(abs(amount), format='#,##0', locale=LOCALE)}"


def format_nip(nip: str) -> str:
    """An 18-digit NIP grouped as printed on official letters: birth date, appointment month, sex,
    number ("19700315 200003 2 001"); anything else as given."""
    digits = nip.strip()
    if len(digits) == 18 and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return digits


def format_size(size: int) -> str:
    """A file size people read: "812 bait", "12,4 KB", "20,04 MB" (decimal comma)."""
    if size < 1024:
        return f"{size} bait"
    if size < 1024 * 1024:
        return f"{format_decimal(size / 1024, format='#,##0.#', locale=LOCALE)} KB"
    return f"{format_decimal(size / 1048576, format='#,##0.##', locale=LOCALE)} MB"


@overload
def iso_local(at: datetime, tz: ZoneInfo) -> str: ...
@overload
def iso_local(at: datetime | None, tz: ZoneInfo) -> str | None: ...


def iso_local(at: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the office offset, e.g. "2021-01-11T08:00:00+07:00" (for JSON); None stays None."""
    return None if at is None else at.astimezone(tz).isoformat()
