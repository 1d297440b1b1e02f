"""The ``[letters]`` table of config.toml: how an outgoing letter's number is written, and its classification."""

from __future__ import annotations

import re
from typing import Any

from sop_engine.errors import ConfigError

#: The default number of an outgoing letter, e.g. 12/PR.04-SR/3526/Sek-Kab/I/2021.
DEFAULT_LETTER_FORMAT = "{nomor}/PR.04-SR/{kode_satker}/Sek-Kab/{bulan_romawi}/{tahun}"
#: The fields of a letter number: ``{satker}`` is ``{kode_satker}``; ``{klasifikasi}`` is the letter's
#: classification code (``--klasifikasi``, else ``[letters] klasifikasi``), e.g. PR.03-Kpt.
LETTER_FIELDS = ("nomor", "klasifikasi", "kode_satker", "satker", "bulan_romawi", "tahun")
#: A classification code as KPU letter numbers write it: PR.03-Kpt, HK.03.1-Kpt, PR.04-SR, KU.01 (no '/').
KLASIFIKASI = re.compile(r"[A-Z][A-Za-z]*(?:[.-][A-Za-z0-9]+)*")
KLASIFIKASI_MAX = 40


def parse_letter_format(value: Any, where: str) -> str:
    if value is None:
        return DEFAULT_LETTER_FORMAT
    text = str(value)
    fields = set(re.findall(r"{(\w+)}", text))
    unknown = fields - set(LETTER_FIELDS)
    if "nomor" not in fields or unknown:
        raise ConfigError(
            f"{where}: [letters] number_format = '{text}'; harus memuat {{nomor}} dan hanya memakai "
            f"{', '.join('{' + f + '}' for f in LETTER_FIELDS)}.",
            value=text,
        )
    return text


def parse_klasifikasi(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not is_klasifikasi(text):
        raise ConfigError(
            f"{where}: [letters] klasifikasi = '{value}'; tulis kode klasifikasi surat seperti \"PR.03-Kpt\" "
            "(huruf, angka, titik dan tanda hubung; tanpa garis miring).",
            value=value,
        )
    return text


def is_klasifikasi(text: str) -> bool:
    """Whether ``text`` is a classification code (:data:`KLASIFIKASI`, at most :data:`KLASIFIKASI_MAX` characters)."""
    return len(text) <= KLASIFIKASI_MAX and KLASIFIKASI.fullmatch(text) is not None
