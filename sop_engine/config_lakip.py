"""The Renstra text of the ``[lakip]`` table of config.toml: what the draft LKj states in Bab II.

An office writes its Rencana Strategis once per period, so the draft LKj takes it from config:

    [lakip]
    renstra_periode = "2020-2024"
    visi = "Menjadi Penyelenggara Pemilu Serentak yang Mandiri, Profesional dan Berintegritas"
    misi = ["Meningkatkan kompetensi penyelenggara ...", "Menyusun peraturan ..."]
    tujuan = ["Mewujudkan lembaga yang ...", "..."]

Each is optional; what is left out stays an "[isi: ...]" placeholder in the draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sop_engine.errors import ConfigError


@dataclass(frozen=True)
class RenstraText:
    """The Renstra period, visi, misi and tujuan of the office (empty: not written in config)."""

    period: str = ""
    vision: str = ""
    missions: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()


def parse_renstra(raw: Mapping[str, Any], where: str) -> RenstraText:
    """``[lakip] renstra_periode``, ``visi`` (texts) and ``misi``, ``tujuan`` (lists of texts)."""
    return RenstraText(
        period=_text(raw, "renstra_periode", where),
        vision=_text(raw, "visi", where),
        missions=_texts(raw, "misi", where),
        goals=_texts(raw, "tujuan", where),
    )


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: [lakip] {key} = {value!r} harus teks dalam tanda kutip.", value=value)
    return " ".join(value.split())


def _texts(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(
            f'{where}: [lakip] {key} harus daftar teks, satu butir per baris, misalnya {key} = ["...", "..."].',
            value=value,
        )
    return tuple(" ".join(v.split()) for v in value)
