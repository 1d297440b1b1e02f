"""The draft LKj's sections filled from data where the office has it: Renstra text, realisation per output.

The visi, misi and tujuan are the seed's LKj 2020 (KPU's Renstra 2020-2024, first items); what
config does not give stays an "[isi: ...]" placeholder.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import pytest

from sop_engine.config import settings_from_mapping
from sop_engine.config_lakip import RenstraText
from sop_engine.context import Context
from sop_engine.errors import ConfigError
from sop_engine.lakip import draft, service

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET, SIGNED = FIXTURES / "budget-2020.csv", FIXTURES / "targets-2020-pk.csv"
NBSP = "\u00a0"
OFFICE = {"satker": "3526", "name": "KPU Kabupaten Bangkalan"}
RENSTRA = {
    "renstra_periode": "2020-2024",
    "visi": "Menjadi Penyelenggara Pemilu Serentak yang Mandiri, Profesional dan Berintegritas",
    "misi": [
        "Meningkatkan kompetensi penyelenggara Pemilu Serentak dengan berpedoman kepada perundang-undangan dan "
        "kode etik penyelenggara Pemilu;",
        "Menyusun peraturan di bidang Pemilu Serentak yang memberikan kepastian hukum, progresif, dan partisipatif;",
    ],
    "tujuan": ["Mewujudkan lembaga yang memiliki kapabilitas dan motivasi dalam setiap penyelenggaraan pemilihan;"],
}


def drafted(ctx: Context, tmp_path: Path) -> docx.document.Document:
    for path in (SIGNED, BUDGET):
        service.import_targets(ctx, path, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    return docx.Document(str(draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path))


def bab_ii(document: docx.document.Document) -> list[str]:
    texts = [p.text.replace(NBSP, " ") for p in document.paragraphs if p.text]
    start = texts.index("2.1 Rencana Strategis")
    return texts[start : texts.index("2.2 Perjanjian Kinerja Tahun 2020")]


def test_the_renstra_of_config_fills_visi_misi_and_tujuan(ctx: Context, tmp_path: Path) -> None:
    renstra = settings_from_mapping({"office": OFFICE, "lakip": RENSTRA}, tmp_path / "config.toml", {}).renstra
    assert renstra.missions[0].startswith("Meningkatkan kompetensi")
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, renstra=renstra))
    section = bab_ii(drafted(ctx, tmp_path))
    assert section[1:4] == [
        "Rencana Strategis KPU Kabupaten Bangkalan periode 2020-2024 menetapkan visi, misi dan tujuan berikut.",
        "Visi",
        f"“{RENSTRA['visi']}”",
    ]
    assert section[4:8] == ["Misi", f"1.\t{RENSTRA['misi'][0]}", f"2.\t{RENSTRA['misi'][1]}", "Tujuan Strategis"]
    assert section[8] == f"1.\t{RENSTRA['tujuan'][0]}"
    assert "[isi: visi]" not in section and "[isi: misi]" not in section
    assert "[isi: sasaran strategis dari Renstra]" in section  # not in config: left to the staff


def test_without_a_renstra_in_config_visi_misi_and_tujuan_are_placeholders(ctx: Context, tmp_path: Path) -> None:
    assert ctx.settings.renstra == RenstraText()
    section = bab_ii(drafted(ctx, tmp_path))
    assert section[1:7] == ["Visi", "[isi: visi]", "Misi", "[isi: misi]", "Tujuan Strategis", "[isi: tujuan strategis]"]


@pytest.mark.parametrize(
    ("key", "value"), [("visi", ["a"]), ("misi", "satu teks"), ("tujuan", ["", "b"]), ("renstra_periode", 2020)]
)
def test_a_renstra_key_of_the_wrong_kind_is_refused_by_name(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"\[lakip\] {key}"):
        settings_from_mapping({"office": OFFICE, "lakip": {key: value}}, tmp_path / "config.toml", {})


def test_each_output_shows_its_kegiatan_indicator_beside_its_absorption(ctx: Context, tmp_path: Path) -> None:
    document = drafted(ctx, tmp_path)
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][-2:] == ["Serapan", "Efisiensi"])
    rows = [[c.text.replace(NBSP, " ") for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == 17  # one kegiatan indicator per DIPA output in the seed's RKA
    by_code = {row[1]: row for row in rows}
    assert by_code["3355.003"][3:] == [
        "Adanya pelaporan Sistem Akuntansi dan pelaporan keuangan Pemilu (3355.003)",
        "1",
        "1",
        "100,00 %",
        "99,55 %",
        "0,45 %",
    ]
    assert by_code["3364.004"][6:] == ["100,00 %", "0,00 %", "100,00 %"]
