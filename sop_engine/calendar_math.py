"""Small pure pieces of the working calendar's arithmetic (:mod:`sop_engine.calendar`): wall-clock
seconds of working periods, whether a zone keeps one UTC offset, and a bounded memo."""

from __future__ import annotations

import functools
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

#: The most answers a calendar keeps per kind (a few years of days); beyond it it starts again.
_KEPT = 4096


def keep(kept: dict[Any, Any], key: Any, value: Any) -> None:
    """Keep ``value`` under ``key``, emptying ``kept`` first when it is full."""
    if len(kept) >= _KEPT:
        kept.clear()
    kept[key] = value


def wall_seconds(hours: tuple[tuple[time, time], ...]) -> int:
    """The length in seconds of wall-clock working periods."""
    return sum(seconds_of_day(end) - seconds_of_day(begin) for begin, end in hours)


def seconds_of_day(wall: time) -> int:
    return wall.hour * 3600 + wall.minute * 60 + wall.second


@functools.cache
def has_one_offset(tz: ZoneInfo) -> bool:
    """Whether ``tz`` keeps one UTC offset all year (no daylight saving) from 1970 to 2100."""
    offsets = {datetime(year, month, 1, tzinfo=tz).utcoffset() for year in range(1970, 2101) for month in (1, 4, 7, 10)}
    return len(offsets) == 1
