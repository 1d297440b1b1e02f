"""The details of an audit event in Indonesian, as the Jejak Audit page and the people's exports show them.

Each detail is labelled (:data:`~sop_engine.views.labels.DETAIL_LABELS`), instants are shown in
office time, hashes shortened on the page; the keys people look for first come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine.definitions import ROLE_LABELS
from sop_engine.formatting import format_instant_short
from sop_engine.views.labels import DETAIL_LABELS

#: A longer detail value (a note, a reason) is cut to this many characters; the whole value is its title.
VALUE_CHARS = 160
#: A detail value of at most this many characters (an instant, a number) is kept on one line.
COMPACT_CHARS = 24
#: A hash is shown by its first characters; the whole hash is its title.
HASH_CHARS = 12

#: The details people look for first come first; the others follow in the order stored.
_DETAIL_ORDER = tuple(DETAIL_LABELS)
#: Details that repeat what the row says or only a machine reads (the machine export keeps them).
SKIPPED_DETAILS = ("state_before", "state_after", "definition_sha256")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_HASH = re.compile(r"[0-9a-f]{32,}")


@dataclass(frozen=True)
class Detail:
    """One detail of an event as the page shows it: "tenggat: Kam 21/01/2021 11.45"."""

    label: str
    text: str
    #: The whole value when ``text`` is shortened (a hash, a long note), else "".
    full: str = ""

    @property
    def compact(self) -> bool:
        """Short enough to keep on one line (an instant, a number), so it does not break mid-value."""
        return len(self.text) <= COMPACT_CHARS


def event_details(details: Mapping[str, Any], tz: ZoneInfo) -> tuple[Detail, ...]:
    """The details of an event in Indonesian: labelled, instants in office time, long values shortened."""
    found = []
    for key in _shown(details):
        full = _value_text(key, details[key], tz, short=False)
        text = _value_text(key, details[key], tz, short=True)
        if len(text) > VALUE_CHARS:
            text = text[: VALUE_CHARS - 1].rstrip() + "…"
        found.append(Detail(DETAIL_LABELS.get(key, key), text, full if text != full else ""))
    return tuple(found)


def _ordered(keys: Iterable[str]) -> list[str]:
    """``keys`` with the known ones first, in the order of :data:`DETAIL_LABELS` (the sort is stable)."""
    return sorted(keys, key=lambda key: _DETAIL_ORDER.index(key) if key in _DETAIL_ORDER else len(_DETAIL_ORDER))


def _value_text(key: str, value: Any, tz: ZoneInfo, *, short: bool) -> str:
    """A detail value as people read it; ``short`` cuts hashes to their first characters."""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Mapping):
        inner = (f"{DETAIL_LABELS.get(k, k)}: {_value_text(k, value[k], tz, short=short)}" for k in _ordered(value))
        return "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        if all(isinstance(item, Mapping) and "filename" in item for item in value):
            return ", ".join(str(item["filename"]) for item in value)
        if key == "roles":
            return ", ".join(ROLE_LABELS.get(str(role), str(role)) for role in value)
        return ", ".join(_value_text(key, item, tz, short=short) for item in value)
    text = str(value)
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return format_instant_short(datetime.fromisoformat(value), tz)
    if short and isinstance(value, str) and _HASH.fullmatch(value):
        return text[:HASH_CHARS] + "…"
    return text


def details_text(details: Mapping[str, Any], tz: ZoneInfo) -> str:
    """Every detail of an event on one line, labelled and whole ("alasan: ...; berkas: a.pdf"), for an export."""
    return "; ".join(
        f"{DETAIL_LABELS.get(k, k)}: {_value_text(k, details[k], tz, short=False)}" for k in _shown(details)
    )


def _shown(details: Mapping[str, Any]) -> list[str]:
    """The keys of the details people read (not skipped, not empty), the known ones first."""
    return _ordered(k for k in details if k not in SKIPPED_DETAILS and details[k] not in (None, [], "", {}))
