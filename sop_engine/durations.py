"""Time budgets as the SOP writes them: "10 Menit", "2 Jam", "4 Hari".

A :class:`Duration` is an amount of *working* time. ``hari`` is a working day whose length
comes from the calendar settings (``jam_kerja_per_hari``, 7.5 hours by default), so turning a
duration into seconds needs that number.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from sop_engine.errors import InvalidInput

Unit = Literal["menit", "jam", "hari"]
UNITS: tuple[Unit, ...] = ("menit", "jam", "hari")

_PATTERN = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([A-Za-z]+)\s*$")


@dataclass(frozen=True)
class Duration:
    """An amount of working time in one unit, e.g. ``Duration(Decimal(4), "hari")``."""

    amount: Decimal
    unit: Unit

    def seconds(self, jam_kerja_per_hari: float) -> int:
        """The duration in working seconds, a ``hari`` being ``jam_kerja_per_hari`` hours."""
        return _seconds(self.amount, self.unit, jam_kerja_per_hari)

    def __str__(self) -> str:
        return _text(self.amount, self.unit)


#: Both computed once per budget: every step completion and every case record asks again.
@functools.lru_cache(maxsize=1024)
def _seconds(amount: Decimal, unit: Unit, jam_kerja_per_hari: float) -> int:
    per_unit = {"menit": Decimal(60), "jam": Decimal(3600), "hari": Decimal(str(jam_kerja_per_hari)) * 3600}
    return int((amount * per_unit[unit]).to_integral_value())


@functools.lru_cache(maxsize=1024)
def _text(amount: Decimal, unit: Unit) -> str:
    return f"{format(amount.normalize(), 'f').replace('.', ',')} {unit}"


def parse_duration(text: str) -> Duration:
    """Parse "10 Menit", "2 jam", "1,5 jam" or "4 HARI"; units are case-insensitive."""
    match = _PATTERN.match(str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in UNITS:
        raise InvalidInput(
            f"'{text}' bukan durasi yang dikenal; tulis angka lalu satuan menit, jam atau hari, misalnya \"4 hari\".",
            value=text,
        )
    try:
        amount = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise InvalidInput(f"'{text}' bukan angka yang sah.", value=text) from exc
    if amount <= 0:
        raise InvalidInput(f"Durasi '{text}' harus lebih dari nol.", value=text)
    return Duration(amount, unit)  # unit was checked against UNITS above


def format_working_seconds(seconds: int, jam_kerja_per_hari: float) -> str:
    """Working time as people say it: "1 hari 2 jam 30 menit" (``hari`` of the office length)."""
    sign = "-" if seconds < 0 else ""
    remaining = abs(seconds) // 60
    day_minutes = round(jam_kerja_per_hari * 60)
    days, remaining = divmod(remaining, day_minutes)
    hours, minutes = divmod(remaining, 60)
    parts = [f"{days} hari"] if days else []
    if hours:
        parts.append(f"{hours} jam")
    if minutes or not parts:
        parts.append(f"{minutes} menit")
    return sign + " ".join(parts)
