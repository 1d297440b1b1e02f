"""Other years in the targets file and the draft: earlier realisations, Renstra targets, earlier capaian.

The seed's LKj 2020 states the capaian of 2019 (96 %) but no realisation per indicator for 2019
and no Renstra target per year; those are written here for the test only (fictional figures).
"""

from __future__ import annotations

import csv
from pathlib import Path

import docx
import openpyxl
import pytest

from sop_engine.context import Context
from sop_engine.lakip import draft, service
from sop_engine.lakip.tables import ImportRefused
from sop_engine.lakip.targets import read_targets

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET, SIGNED = FIXTURES / "budget-2020.csv", FIXTURES / "targets-2020-pk.csv"
#: The capaian of 2019 the seed's LKj 2020 states (96 %).
CAPAIAN_2019 = FIXTURES / "capaian-2019.csv"
NBSP = "\u00a0"
#: Fictional realisations of 2019 and Renstra targets (the seed gives none per indicator), by indicator code.
OTHER_YEARS = {
    "1.2": {"Realisasi 2019": "5,1%", "Renstra 2023": "6,5%", "Renstra 2024": "7,0%"},
    "3.2": {"Realisasi 2019": "wtp", "Renstra 2024": "WTP"},
    "4.7": {"Realisasi 2019": "B"},
}


def with_other_years(tmp_path: Path, extra: dict[str, dict[str, str]] = OTHER_YEARS) -> Path:
    """The signed PK fixture with the columns of other years added."""
    with SIGNED.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns = sorted({c for values in extra.values() for c in values})
    path = tmp_path / "target-2020-renstra.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [*rows[0], *columns])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **extra.get(row["kode"], {})})
    return path


def drafted(ctx: Context, tmp_path: Path, *files: Path) -> docx.document.Document:
    for path in (*files, BUDGET):
        service.import_targets(ctx, path, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    return docx.Document(str(draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path))


def text_of(document: docx.document.Document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells).replace(NBSP, " ")


def capaian_rows(document: docx.document.Document) -> dict[str, list[str]]:
    rows = {}
    for table in document.tables:
        cells = [[c.text.replace(NBSP, " ") for c in row.cells] for row in table.rows]
        if "Capaian 2020" in cells[0]:
            rows.update({row[1]: row for row in cells[1:]})
    return rows


def test_the_columns_of_other_years_are_read_with_the_polarity_of_the_indicator(tmp_path: Path) -> None:
    parsed = read_targets(with_other_years(tmp_path), 2020)
    assert parsed.indicators is not None
    found = {i.code: (i.earlier, i.renstra) for i in parsed.indicators}
    assert found["1.2"] == (((2019, "5,1%"),), ((2023, "6,5%"), (2024, "7,0%")))
    assert found["3.2"] == (((2019, "WTP"),), ((2024, "WTP"),))
    assert found["1.1"] == ((), ())


def test_the_draft_shows_2019_the_renstra_target_and_the_progress_towards_it(ctx: Context, tmp_path: Path) -> None:
    document = drafted(ctx, tmp_path, with_other_years(tmp_path), CAPAIAN_2019)
    rows = capaian_rows(document)
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert next(h for h in headers if "Capaian 2020" in h)[7] == "Target Renstra 2024"
    # No, Indikator, Realisasi 2019, Target, Realisasi, Capaian, Kategori, Target Renstra 2024, Capaian thd. Renstra
    assert rows["Persentase Partisipasi Pemilih dalam Pemilu/ Pemilihan"][2:] == [
        "5,1%",
        "6,0%",
        "5,4%",
        "90,00 %",
        "Sangat Berhasil",
        "7,0%",
        "77,14 %",
    ]
    assert rows["Opini BPK atas Laporan Keuangan"][2:] == ["WTP", "WTP", "WTP", "-", "Tercapai", "WTP", "tercapai"]
    assert rows["Nilai Evaluasi atas pelaksanaan Reformasi Birokrasi KPU"][2] == "B"
    assert rows["Nilai Akuntabilitas Kinerja"][2::5] == ["-", "-"]
    text = text_of(document)
    assert (
        "Persentase Partisipasi Pemilih dalam Pemilu/ Pemilihan: realisasi tahun 2020 5,4% dibandingkan 5,1% pada "
        "tahun 2019 (naik 0,3 poin); terhadap target akhir Renstra tahun 2024 (7,0%) capaiannya 77,14 %."
    ) in text
    assert "Nilai Evaluasi atas pelaksanaan Reformasi Birokrasi KPU: realisasi tahun 2020 BB dibandingkan B" in text
    assert str(service.analyse(ctx, 2020).summary.achievement_pct) == "98.57"
    assert (
        "Dibandingkan capaian kinerja tahun 2019 sebesar 96,00 %, capaian kinerja tahun 2020 sebesar 98,57 % "
        "(naik 2,57 poin)."
    ) in text
    assert "Belum ada data tahun sebelumnya" not in text
    assert "Capaian tahun sebelumnya\ncapaian-2019.csv" in text  # the Lampiran names the source in Indonesian


def test_without_other_years_the_draft_says_there_is_none(ctx: Context, tmp_path: Path) -> None:
    text = text_of(drafted(ctx, tmp_path, SIGNED))
    assert "Belum ada data tahun sebelumnya untuk dibandingkan." in text
    assert "Dibandingkan capaian kinerja" not in text


def test_the_capaian_of_2019_is_kept_by_a_later_import_and_replaced_by_a_new_one(ctx: Context, tmp_path: Path) -> None:
    service.import_targets(ctx, CAPAIAN_2019, 2020, by="kasubag")
    service.import_targets(ctx, SIGNED, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    assert [(y.year, str(y.achievement_pct)) for y in service.analyse(ctx, 2020).history] == [(2019, "96.00")]
    again = tmp_path / "capaian.csv"
    again.write_text('tahun,capaian,serapan\n2019,"95,5%","97,1%"\n2018,90\n', encoding="utf-8")
    record = service.import_targets(ctx, again, 2020, by="kasubag")
    assert (record.indicators, record.outputs, record.years) == (None, None, 2)
    history = service.analyse(ctx, 2020).history
    assert (history[0].year, str(history[0].achievement_pct), history[0].absorption_pct) == (2018, "90.00", None)
    assert (str(history[1].achievement_pct), str(history[1].absorption_pct)) == ("95.50", "97.10")


def test_a_realisation_column_of_the_year_imported_or_a_bad_value_is_refused_by_row(tmp_path: Path) -> None:
    extra = {"1.2": {"Realisasi 2020": "5%", "Renstra 2024": "tujuh"}, "3.2": {"Renstra 2024": "bagus"}}
    with pytest.raises(ImportRefused) as refused:
        read_targets(with_other_years(tmp_path, extra), 2020)
    problems = {(p.row, p.column): p.reason for p in refused.value.problems}
    assert set(problems) == {(1, "realisasi_2020"), (3, "renstra_2024"), (11, "renstra_2024")}
    assert "realisasi tahun 2020 ditulis di kolom realisasi" in problems[(1, "realisasi_2020")]
    assert "bukan angka" in problems[(3, "renstra_2024")]
    assert "bukan opini BPK" in problems[(11, "renstra_2024")]
    assert "baris 3, kolom 'renstra_2024' (sel" in str(refused.value)


def test_a_sheet_of_earlier_capaian_is_refused_naming_sheet_row_and_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Capaian"
    for row in (("Tahun", "Capaian"), (2019, "96%"), (2020, "97%"), ("dulu", "x"), (2019, "95%")):
        sheet.append(row)
    path = tmp_path / "capaian.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused) as refused:
        read_targets(path, 2020)
    found = [(p.sheet, p.row, p.column, p.cell) for p in refused.value.problems]
    assert found == [
        ("Capaian", 3, "tahun", "A3"),
        ("Capaian", 4, "tahun", "A4"),
        ("Capaian", 4, "capaian", "B4"),
        ("Capaian", 5, "tahun", "A5"),
    ]
    assert "lembar 'Capaian', baris 3, kolom 'tahun' (sel A3), nilai '2020'" in str(refused.value)
