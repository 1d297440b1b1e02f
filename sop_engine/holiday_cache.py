"""The official holidays of a year kept between processes, so that a command need not load ``holidays``.

Loading the ``holidays`` package and building a year of Indonesian holidays costs a command a
good part of its start-up, for an answer that only a new version of the package can change.
:class:`HolidayCache` answers :data:`~sop_engine.calendar.OfficialHolidays` questions (the closed
days of one year and one category) from a small JSON file, ``cache/holidays.json`` next to the
artefact store, and asks :func:`~sop_engine.calendar.package_holidays` only for what the file
does not hold, then adds it to the file.

The file never changes an answer: it holds only the package's own output, keyed by the
package's version, the category and the year (the office's ``extra_holidays`` and
``extra_workdays`` are applied on top by the calendar, never cached); a file written by another
version, or one that cannot be read, is ignored and rewritten. It is written to a temporary file
and renamed, so a reader sees a whole file or none; two processes adding years at once may lose
one's addition, which is then computed again. A folder that cannot be written only costs the
computation.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from sop_engine.calendar import OfficialHolidays, package_holidays
from sop_engine.config import Settings

#: Days of one category and year: (date, name) pairs, as :func:`package_holidays` gives them.
Days = tuple[tuple[date, str], ...]


def cache_file(settings: Settings) -> Path:
    """Where an install keeps its holiday cache: ``cache/holidays.json`` beside the artefact store."""
    return settings.storage.artefacts_dir.parent / "cache" / "holidays.json"


class HolidayCache:
    """The official holidays of each year and category, from ``path`` or else computed and added to it."""

    def __init__(self, path: Path, compute: OfficialHolidays = package_holidays) -> None:
        self.path = path
        self._compute = compute
        self._version: str | None = None
        self._days: dict[str, Days] = {}

    def __call__(self, year: int, category: str) -> Days:
        key = f"{category}/{year}"
        if key not in self._days:
            if self._version is None:
                self._version = metadata.version("holidays")
                self._days.update(self._read())
            if key not in self._days:
                self._days[key] = self._compute(year, category)
                self._write()
        return self._days[key]

    def _read(self) -> dict[str, Days]:
        """What the file holds for this version of the package ({} if nothing usable)."""
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("holidays") != self._version:
                return {}
            return {key: _days(value) for key, value in stored["days"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def _write(self) -> None:
        """The file with what this process knows plus what another added meanwhile (best effort)."""
        days = {**self._read(), **self._days}
        document: dict[str, Any] = {
            "holidays": self._version,
            "days": {key: [[day.isoformat(), name] for day, name in value] for key, value in sorted(days.items())},
        }
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".holidays-", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
                os.replace(temporary, self.path)
            except OSError:
                Path(temporary).unlink(missing_ok=True)
                raise


def _days(value: Any) -> Days:
    """Stored pairs back as (date, name); ValueError or TypeError if they are not such pairs."""
    days = tuple((date.fromisoformat(day), name) for day, name in value)
    if not all(isinstance(name, str) for _, name in days):
        raise TypeError("a holiday's name is not text")
    return days
