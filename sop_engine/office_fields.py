"""The settings of an office as ``sop offices add`` and ``sop offices set`` take them, each checked in one place.

The name, time zone, letterhead lines, e-mail, logo and calendar of an office kept in its row
(:mod:`sop_engine.offices`): :func:`columns` turns the settings given into the row's columns,
refusing a bad one with the same message whichever command gave it. The logo is checked by its
content, as uploaded documents are (:func:`sop_engine.artefacts.sniff_kind`), and kept as bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sop_engine import textrules
from sop_engine.artefacts import sniff_kind
from sop_engine.config_office import is_email
from sop_engine.config_offices import calendar_json, zone_of
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_size
from sop_engine.views.labels import FILE_KIND_LABELS

#: The largest logo an office may keep (a kop's logo is a few tens of kilobytes).
LOGO_MAX_BYTES = 1024 * 1024

#: The settings ``add`` and ``set`` take, in the order they are checked and shown.
SETTINGS = ("name", "zone", "address", "phone", "website", "email", "logo", "calendar")


def columns(given: Mapping[str, Any]) -> dict[str, Any]:
    """The row's columns for the settings given (keys of :data:`SETTINGS`), each checked in one place."""
    checks: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "name": ("name", _checked_name),
        "zone": ("timezone", zone_of),
        "address": ("address", lambda value: textrules.line(value, "Alamat")),
        "phone": ("phone", lambda value: textrules.line(value, "Telepon")),
        "website": ("website", lambda value: textrules.line(value, "Situs web")),
        "email": ("email", _checked_email),
        "logo": ("logo", lambda value: None if value is None else logo_content(value)),
        "calendar": ("calendar", calendar_json),
    }
    return {checks[key][0]: checks[key][1](value) for key, value in given.items()}


def _checked_name(name: str) -> str:
    checked = textrules.line(name, "Nama kantor")
    if not checked:
        raise InvalidInput("Nama kantor wajib diisi, misalnya 'KPU Kabupaten Sampang'.", value=name)
    return checked


def _checked_email(email: str) -> str:
    checked = textrules.line(email, "Alamat pos-el kantor")
    if not is_email(checked):
        raise InvalidInput(
            f"'{checked}' bukan alamat pos-el; tulis misalnya 'kpu@sampang.example' (kosongkan untuk tanpa pos-el).",
            value=email,
        )
    return checked


def logo_content(path: Path) -> bytes:
    """The bytes of a logo file, refused unless its content is a PNG or JPEG of at most :data:`LOGO_MAX_BYTES`."""
    if not path.is_file():
        raise InvalidInput(f"Berkas logo '{path}' tidak ditemukan; periksa nama dan foldernya.", value=str(path))
    size = path.stat().st_size
    if size > LOGO_MAX_BYTES:
        raise InvalidInput(
            f"Berkas logo '{path}' berukuran {size} bait, melebihi batas {LOGO_MAX_BYTES} bait "
            f"({format_size(LOGO_MAX_BYTES)}); "
            "perkecil gambarnya (logo kop cukup beberapa puluh KB).",
            value=str(path),
            size=size,
            limit=LOGO_MAX_BYTES,
        )
    kind = sniff_kind(path)
    if kind not in ("png", "jpeg"):
        raise InvalidInput(
            f"Berkas logo '{path}' berisi {FILE_KIND_LABELS.get(kind, kind)}, bukan gambar PNG atau JPEG; "
            "simpan logonya sebagai PNG atau JPEG.",
            value=str(path),
            detected=kind,
        )
    return path.read_bytes()
