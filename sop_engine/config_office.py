"""``[office]`` of config.toml: the office (satuan kerja) this install serves, and its letterhead.

The letterhead (kop surat) of the generated letters is the office's name, its address, telephone,
e-mail and website, and optionally a logo file. Each line is one line of text; the e-mail is
checked to be an address and the logo to be a PNG or JPEG file that exists, so a letter never
goes out with a broken kop. :mod:`sop_engine.config` calls :func:`parse_office` while loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine.config_toml import resolve_path
from sop_engine.errors import ConfigError


@dataclass(frozen=True)
class OfficeSettings:
    """The office (satuan kerja) this install serves."""

    satker: str = "3526"
    name: str = "KPU Kabupaten Bangkalan"
    timezone: str = "Asia/Jakarta"
    #: The letterhead's lines under the office name: street address, telephone, website (any may be empty).
    address: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    #: The letterhead's logo (PNG or JPEG), None: a letterhead without a logo.
    logo: Path | None = None

    @property
    def letterhead(self) -> str:
        """The address line of the letterhead: address · Telepon phone · website, the empty ones left out."""
        parts = (self.address, f"Telepon {self.phone}" if self.phone else "", self.website)
        return " · ".join(part for part in parts if part)

    @property
    def contact_line(self) -> str:
        """The letterhead's second line: Telepon phone · Pos-el email · Laman website, the empty ones left out."""
        parts = (
            f"Telepon {self.phone}" if self.phone else "",
            f"Pos-el {self.email}" if self.email else "",
            f"Laman {self.website}" if self.website else "",
        )
        return " · ".join(part for part in parts if part)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_office(raw: Mapping[str, Any], where: str, base: Path) -> OfficeSettings:
    """``[office]`` as read (the time zone is checked by the caller)."""
    return OfficeSettings(
        satker=str(raw.get("satker", "3526")),
        name=str(raw.get("name", "KPU Kabupaten Bangkalan")),
        timezone=str(raw.get("timezone", "Asia/Jakarta")),
        address=_office_line(raw, "address", where),
        phone=_office_line(raw, "phone", where),
        website=_office_line(raw, "website", where),
        email=_office_email(raw, where),
        logo=_office_logo(raw, where, base),
    )


def _office_line(raw: Mapping[str, Any], key: str, where: str) -> str:
    """One letterhead line of ``[office]``: a string on one line (the letterhead prints it as given)."""
    value = raw.get(key, "")
    if not isinstance(value, str) or "\n" in value or len(value) > 200:
        raise ConfigError(
            f"{where}: [office] {key} = {value!r}; isikan teks satu baris (paling banyak 200 karakter).", value=value
        )
    return value.strip()


def _office_email(raw: Mapping[str, Any], where: str) -> str:
    """``[office] email``: empty, or one address with a single @ and a dot in its domain."""
    value = _office_line(raw, "email", where)
    if not is_email(value):
        raise ConfigError(
            f'{where}: [office] email = {value!r} bukan alamat pos-el; tulis misalnya "kpu@bangkalan.example".',
            value=value,
        )
    return value


def is_email(value: str) -> bool:
    """Whether ``value`` is empty or one address with a single @ and a dot in its domain (the kop's e-mail)."""
    local, _, domain = value.partition("@")
    return not value or (bool(local) and "." in domain and " " not in value and "@" not in domain)


#: The image kinds a letterhead logo may be (what Word and LibreOffice print everywhere).
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


def _office_logo(raw: Mapping[str, Any], where: str, base: Path) -> Path | None:
    """``[office] logo``: a PNG or JPEG file (relative to config.toml), refused if absent or of another kind."""
    given = _office_line(raw, "logo", where)
    if not given:
        return None
    path = resolve_path(base, given)
    if path.suffix.lower() not in LOGO_SUFFIXES or not path.is_file():
        raise ConfigError(
            f"{where}: [office] logo = '{given}' harus berkas gambar PNG atau JPEG yang ada ({path}); "
            "periksa jalurnya (relatif terhadap config.toml) atau hapus kunci itu.",
            value=given,
        )
    return path
