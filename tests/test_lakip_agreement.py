"""Which signed Perjanjian Kinerja an indicator belongs to: the ``perjanjian`` column of a targets file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine.context import Context
from sop_engine.lakip import service
from sop_engine.lakip.tables import ImportRefused
from sop_engine.lakip.targets import read_targets

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "kode,sasaran,indikator,target,polaritas,kode_output,perjanjian\n"


def agreements(tmp_path: Path, body: str, header: str = HEADER) -> list[str]:
    path = tmp_path / "targets.csv"
    path.write_text(header + body, encoding="utf-8")
    parsed = read_targets(path)
    assert parsed.indicators is not None
    return [row.agreement for row in parsed.indicators]


def test_a_blank_perjanjian_repeats_the_one_above_as_merged_cells_do(tmp_path: Path) -> None:
    body = (
        "1,A,a,90,tinggi,,Ketua\n2,,b,90,tinggi,,\n3,B,c,90,tinggi,,sekretaris\n4,C,d,90,tinggi,,\n"
        "5,D,e,1,tinggi,3357.001,RKA\n"
    )
    assert agreements(tmp_path, body) == ["ketua", "ketua", "sekretaris", "sekretaris", "kegiatan"]


def test_without_the_column_an_indicator_linked_to_an_output_is_a_kegiatan_indicator(tmp_path: Path) -> None:
    header = "kode,sasaran,indikator,target,polaritas,kode_output\n"
    body = "1,A,a,90,tinggi,\n2,B,b,1,tinggi,3357.001\n"
    assert agreements(tmp_path, body, header) == ["ketua", "kegiatan"]


def test_an_unknown_perjanjian_is_refused_naming_the_words(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="tulis ketua, sekretaris atau kegiatan") as refused:
        agreements(tmp_path, "1,A,a,90,tinggi,,bupati\n")
    assert refused.value.problems[0].cell == "G2"


def test_the_agreement_is_stored_and_read_back(ctx: Context) -> None:
    service.import_targets(ctx, FIXTURES / "targets-2020-pk.csv", 2020, by="kasubag")
    stored = service.list_targets(ctx, 2020).indicators
    assert [sum(1 for i in stored if i.agreement == a) for a in ("ketua", "sekretaris", "kegiatan")] == [10, 7, 17]
