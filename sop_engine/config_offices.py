"""The settings of an office kept in the database, for the offices of a central install.

A single install is the office of config.toml's ``[office]`` and ``[calendar]``. A central install
adds more with ``sop offices add``; each keeps its name, time zone, letterhead lines, e-mail, logo and the keys of
its ``[calendar]`` that differ from the install's in its row. :func:`office_settings` turns such a
row into the :class:`~sop_engine.config.Settings` of that office: the install's, with ``office``
and ``calendar`` replaced. Pure: no database, the row's values come in as plain arguments.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sop_engine.config import OfficeSettings, Settings
from sop_engine.config_calendar import parse_calendar
from sop_engine.errors import InvalidInput

#: The three time zones of Indonesia, as people name them, and their IANA names.
ZONES: dict[str, str] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

#: The keys of ``[calendar]`` an office may set for itself (the fields of CalendarSettings).
CALENDAR_KEYS = ("hours", "jam_kerja_per_hari", "holiday_categories", "extra_holidays", "extra_workdays")


def zone_of(name: str) -> str:
    """The IANA zone of ``WIB``/``WITA``/``WIT`` (any case); InvalidInput naming the three otherwise."""
    zone = ZONES.get(name.strip().upper())
    if zone is None:
        raise InvalidInput(f"Zona waktu '{name}' tidak dikenal; pilih WIB, WITA atau WIT.", value=name)
    return zone


def zone_label(timezone: str) -> str:
    """``WIB``/``WITA``/``WIT`` for an IANA zone of Indonesia, else the IANA name itself."""
    return next((label for label, zone in ZONES.items() if zone == timezone), timezone)


def calendar_json(raw: Mapping[str, Any]) -> str | None:
    """The office's ``[calendar]`` keys as stored (checked like config.toml's table); None when empty."""
    unknown = sorted(set(raw) - set(CALENDAR_KEYS))
    if unknown:
        raise InvalidInput(
            f"[calendar] kunci {', '.join(unknown)} tidak dikenal; yang boleh: {', '.join(CALENDAR_KEYS)}.",
            value=unknown[0],
        )
    parse_calendar(raw, "kalender kantor")
    return json.dumps(_plain(raw), sort_keys=True, ensure_ascii=False) if raw else None


def office_settings(
    base: Settings,
    *,
    satker: str,
    name: str,
    timezone: str,
    lines: tuple[str, str, str, str],
    calendar: str | None,
    logo: Path | None = None,
) -> Settings:
    """The settings of an office kept in the database: ``base`` with its office and calendar.

    ``lines`` are the letterhead's address, phone, website and e-mail; ``logo`` the file holding
    the office's logo (written from its row); ``calendar`` the stored JSON of :func:`calendar_json`,
    whose keys replace the install's.
    """
    address, phone, website, email = lines
    office = OfficeSettings(
        satker=satker,
        name=name,
        timezone=timezone,
        address=address,
        phone=phone,
        website=website,
        email=email,
        logo=logo,
    )
    raw = json.loads(calendar) if calendar else {}
    parsed = parse_calendar(raw, f"kalender kantor {satker}")
    replaced = {key: getattr(parsed, key) for key in CALENDAR_KEYS if key in raw}
    return dataclasses.replace(base, office=office, calendar=dataclasses.replace(base.calendar, **replaced))


def _plain(value: Any) -> Any:
    """A TOML value as JSON can hold it (dates as ISO strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
