"""The signer of an SOP in its ``[sop]`` header: ``disahkan_nama``, ``disahkan_nip``, ``tanggal_efektif``.

Both signer keys may be left out (older files have neither); a NIP needs a name. A NIP is the
18 digits of the civil-service number, written with or without the usual spaces
("19650412 199000 1 001"): a birth date, the month of appointment (month "00" is allowed, as
fictional NIPs use it), 1 or 2 for the sex, and a serial number.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TypedDict

from sop_engine.loader_tables import Table, show

_NIP = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{4})(\d{2})([12])(\d{3})")
_NIP_FORMAT = "18 angka: tanggal lahir, tahun dan bulan pengangkatan, 1/2, nomor urut (19650412 199003 1 001)"


class Signer(TypedDict):
    """The signer's fields of :class:`~sop_engine.definitions.SopHeader`."""

    penanda_tangan: str
    nip: str
    tanggal_efektif: date | None


def signer(sop: Table) -> Signer:
    """The signer's fields of ``[sop]``, checked: a name if a NIP is given, a NIP of the right shape."""
    name = sop.text("disahkan_nama") if "disahkan_nama" in sop.raw else ""
    nip = _nip(sop) if "disahkan_nip" in sop.raw else ""
    if nip and not name:
        message = "disahkan_nip diisi tanpa disahkan_nama; tulis juga nama pejabat yang mengesahkan."
        raise sop.place.error("disahkan_nama", None, message, "nama pejabat")
    return {"penanda_tangan": name, "nip": nip, "tanggal_efektif": sop.day("tanggal_efektif")}


def _nip(sop: Table) -> str:
    written = sop.text("disahkan_nip")
    digits = re.sub(r"\s+", "", written)
    match = _NIP.fullmatch(digits)
    problem = "" if match else "bukan 18 angka"
    if match:
        year, month, day, appointed, appointed_month = (int(match.group(i)) for i in range(1, 6))
        try:
            date(year, month, day)
        except ValueError:
            problem = f"8 angka pertama ({digits[:8]}) bukan tanggal lahir yang sah"
        if not problem and (appointed_month > 12 or appointed < year):
            problem = f"angka ke-9 sampai ke-14 ({digits[8:14]}) bukan tahun dan bulan pengangkatan yang sah"
    if problem:
        message = f"disahkan_nip = {show(written)} {problem}; tulis {_NIP_FORMAT}."
        raise sop.place.error("disahkan_nip", written, message, _NIP_FORMAT)
    return digits
