"""Time as a dependency.

This is the only module that reads the system clock. Everything else receives a
:class:`Clock`, so tests and simulations (``sop demo``) run on a fixed, movable clock.
All instants are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current instant."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock of this machine."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until it is moved; for tests and simulations."""

    def __init__(self, at: datetime) -> None:
        self._at = to_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at``."""
        self._at = to_utc(at)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._at = self._at + delta


def to_utc(at: datetime) -> datetime:
    """``at`` in UTC; refuses naive datetimes, which would be ambiguous."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: an instant needs a time zone")
    return at.astimezone(UTC)
