"""Targets and budget imports, the acceptance figures of the seed, refusals, XLSX, and `sop lakip ...`.

The budget fixture is the 17-output table of the seed's LKj 2020 ("Tabel realisasi anggaran tahun
2020"), transcribed as written. The targets fixture holds the seed's Perjanjian Kinerja 2020 and
the RKA's output indicators; the seed gives no realisation per indicator, so every realisation in
it is invented for the tests (its ``keterangan`` column says so).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from sop_engine import audit, cases
from sop_engine.context import Context
from sop_engine.errors import InvalidInput, NotAllowed, SopError
from sop_engine.lakip import service
from sop_engine.lakip.tables import BadValue, Cell, ImportRefused
from sop_engine.lakip.values import parse_rupiah

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET = FIXTURES / "budget-2020.csv"
TARGETS = FIXTURES / "targets-2020.csv"
HEADER = "kode,uraian,pagu,realisasi\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def stored_budget(ctx: Context, year: int = 2020) -> tuple[int, int]:
    record = service.analyse(ctx, year)
    assert record.budget is not None
    return record.budget.total.pagu, record.budget.total.realisation


def imported_seed(ctx: Context) -> service.AnalysisRecord:
    service.import_targets(ctx, TARGETS, 2020, by="kasubag")
    service.import_targets(ctx, BUDGET, 2020, by="kasubag")  # the same table read as the DIPA outputs
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    return service.analyse(ctx, 2020)


# --- acceptance ------------------------------------------------------------------------------


def test_seed_budget_fixture_analyses_to_the_seed_totals_and_absorption(ctx: Context) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    data = service.analysis_json(service.analyse(ctx, 2020))
    assert data["budget"]["pagu"] == 2_701_548_000
    assert data["budget"]["realisasi"] == 2_531_268_927
    assert data["budget"]["absorption_pct"] == 93.70
    assert len(data["budget"]["outputs"]) == 17


def test_ihtisar_eksekutif_figure_as_declared_realisation_gives_a_finding_naming_both(ctx: Context) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    record = service.analyse(ctx, 2020, declared_realisation=2_497_528_462)
    [finding] = [f for f in record.findings if f.kind == "declared_total_mismatch"]
    assert "Rp 2.497.528.462" in finding.message and "Rp 2.531.268.927" in finding.message
    assert (finding.details["declared"], finding.details["computed"]) == (2_497_528_462, 2_531_268_927)
    assert finding.details["source"] == "narrative"


def test_seed_jumlah_row_agrees_with_its_outputs_so_gives_no_finding(ctx: Context) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    assert not [f for f in service.analyse(ctx, 2020).findings if f.kind == "declared_total_mismatch"]


def test_a_jumlah_row_that_does_not_add_up_gives_a_finding_per_total(ctx: Context, tmp_path: Path) -> None:
    text = HEADER + "3357.001,Dokumen,1.000,500\n3357.004,Laporan,2.000,1.500\n,JUMLAH,3.000,2.500\n"
    service.import_budget(ctx, write(tmp_path, "b.csv", text), 2020)
    service.import_targets(
        ctx,
        write(
            tmp_path, "dipa.csv", "kode,uraian,pagu\n3357.001,Dokumen,1.000\n3357.004,Laporan,2.000\n,Jumlah,4.000\n"
        ),
        2020,
    )
    found = [f.details for f in service.analyse(ctx, 2020).findings if f.kind == "declared_total_mismatch"]
    assert [(d["source"], d["field"], d["declared"], d["computed"]) for d in found] == [
        ("file", "realisasi", 2_500, 2_000),
        ("dipa", "pagu", 4_000, 3_000),
    ]


def test_seed_outputs_without_any_realisation_are_outliers(ctx: Context) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    lows = [f.details["code"] for f in service.analyse(ctx, 2020).findings if f.kind == "low_absorption"]
    assert lows == ["3364.004", "3364.032"]


def test_seed_programs_add_up_to_the_perjanjian_kinerja_budgets(ctx: Context) -> None:
    record = imported_seed(ctx)
    assert record.budget is not None
    assert [(p.code, p.pagu) for p in record.budget.programs] == [
        ("076.01.01", 2_546_250_000),
        ("076.01.06", 155_298_000),
    ]
    assert len(record.budget.activities) == 7


def test_seed_indicators_get_their_achievements_and_categories(ctx: Context) -> None:
    record = imported_seed(ctx)
    by_code = {r.indicator.code: r for r in record.indicators}
    assert len(by_code) == 27
    assert (str(by_code["1.3"].achievement.pct), by_code["1.3"].category) == ("105.00", "Sangat Berhasil")
    assert (str(by_code["1.4"].achievement.pct), by_code["1.4"].category) == ("75.00", "Berhasil")
    assert (str(by_code["1.5"].achievement.pct), by_code["1.5"].achievement.rule) == ("100.00", "zero_target")
    assert (by_code["3.2"].achievement.pct, by_code["3.2"].category) == (None, "Tercapai")
    assert str(by_code["3357.001"].efficiency) == "39.85"  # 100,00 - 60,15


def test_seed_analysis_json_has_the_documented_shape(ctx: Context) -> None:
    data = service.analysis_json(imported_seed(ctx))
    json.dumps(data)  # JSON-ready throughout
    assert {"pagu", "realisasi", "absorption_pct", "outputs"} <= set(data["budget"])
    first = data["indicators"][0]
    assert {"indicator", "target", "realisation", "achievement_pct", "category"} <= set(first)
    assert (first["target"], first["realisation"], first["achievement_pct"]) == ("6,0%", "6,0%", 100.0)
    assert all({"kind", "message"} <= set(f) for f in data["findings"])


def test_seed_analysis_has_no_dipa_findings_when_both_tables_agree(ctx: Context) -> None:
    kinds = {f.kind for f in imported_seed(ctx).findings}
    assert not kinds & {"pagu_differs_from_dipa", "output_not_in_dipa", "output_without_realisation"}


# --- refusals --------------------------------------------------------------------------------


def test_text_negative_and_missing_column_are_refused_together_with_every_error(ctx: Context, tmp_path: Path) -> None:
    bad = write(tmp_path, "rusak.csv", "kode,uraian,pagu\n3357.001,Dokumen,dua juta\n3357.004,Laporan,-8.095.000\n")
    with pytest.raises(ImportRefused) as refused:
        service.import_budget(ctx, bad, 2020)
    problems = [(p.row, p.column, p.value) for p in refused.value.problems]
    assert problems == [(1, "realisasi", ""), (2, "pagu", "dua juta"), (3, "pagu", "-8.095.000")]
    message = str(refused.value)
    assert "ditolak seluruhnya" in message and "3 kesalahan" in message
    assert "baris 2, kolom 'pagu' (sel C2), nilai 'dua juta': bukan angka rupiah" in message
    assert "jumlah negatif" in message and "kolom wajib 'realisasi' tidak ada" in message


def test_a_refused_file_stores_nothing_and_keeps_the_earlier_import(ctx: Context, tmp_path: Path) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    events = len(audit.list_events(ctx))
    good_then_bad = HEADER + "3357.001,Dokumen,1.000,500\n3357.004,Laporan,2.000,banyak\n"
    with pytest.raises(ImportRefused):
        service.import_budget(ctx, write(tmp_path, "x.csv", good_then_bad), 2020)
    assert stored_budget(ctx) == (2_701_548_000, 2_531_268_927)
    assert len(audit.list_events(ctx)) == events


def test_a_missing_column_alone_is_refused(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="kolom wajib 'uraian' tidak ada"):
        service.import_budget(ctx, write(tmp_path, "x.csv", "kode,pagu,realisasi\n3357.001,1.000,500\n"), 2020)


def test_a_fraction_of_a_rupiah_is_refused(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="bukan rupiah bulat"):
        service.import_budget(ctx, write(tmp_path, "x.csv", HEADER + '3357.001,Dokumen,"1.000,50",500\n'), 2020)


def test_the_same_output_twice_is_refused(ctx: Context, tmp_path: Path) -> None:
    text = HEADER + "3357.001,Dokumen,1.000,500\n3357.001,Dokumen lagi,1.000,500\n"
    with pytest.raises(ImportRefused, match="muncul dua kali"):
        service.import_budget(ctx, write(tmp_path, "x.csv", text), 2020)


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"bukan CSV atau XLSX"):
        service.import_budget(ctx, write(tmp_path, "anggaran.txt", HEADER), 2020)


def test_an_indicator_with_an_unknown_polarity_is_refused(ctx: Context, tmp_path: Path) -> None:
    text = "indikator,target,polaritas\nPartisipasi pemilih,75%,naik turun\n"
    with pytest.raises(ImportRefused, match="polaritas tidak dikenal"):
        service.import_targets(ctx, write(tmp_path, "pk.csv", text), 2020)


def test_an_import_by_the_inspektorat_is_not_allowed_and_stores_nothing(ctx: Context) -> None:
    with pytest.raises(NotAllowed, match="inspektorat"):
        service.import_budget(ctx, BUDGET, 2020, by="inspektorat")
    with pytest.raises(SopError, match="Belum ada target"):
        service.analyse(ctx, 2020)


# --- amounts as offices write them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("2.701.548.000", 2_701_548_000),
        ("Rp 2.701.548.000", 2_701_548_000),
        ("Rp2.701.548.000,-", 2_701_548_000),
        ("Rp. 2.701.548.000,00", 2_701_548_000),
        ("2701548000", 2_701_548_000),
        ("-", 0),
        ("", 0),
        (None, 0),
        (1500000, 1_500_000),
        (1500000.0, 1_500_000),
    ],
)
def test_rupiah_amounts_are_read_in_every_accepted_spelling(written: object, amount: int) -> None:
    assert parse_rupiah(Cell(2, 3, written)) == amount


@pytest.mark.parametrize(
    "written", ["2,701,548,000", "2.70.1", "satu juta", "-5", "Rp -5.000", "(5.000)", 1.5, -1, True]
)
def test_other_spellings_are_refused(written: object) -> None:
    with pytest.raises(BadValue):
        parse_rupiah(Cell(2, 3, written))


# --- imports: replace, audit, XLSX -----------------------------------------------------------


def test_an_import_replaces_the_year_and_appends_one_audit_event(ctx: Context, tmp_path: Path) -> None:
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    record = service.import_budget(ctx, write(tmp_path, "b.csv", HEADER + "3357.001,Dokumen,1.000,500\n"), 2020)
    assert stored_budget(ctx) == (1_000, 500)
    event = audit.list_events(ctx)[-1]
    assert (event.action, event.details["sha256"], event.details["replaced"]) == (
        "lakip.budget_imported",
        record.sha256,
        17,
    )
    assert audit.verify(ctx).ok


def test_xlsx_budget_with_numbers_text_amounts_and_extra_columns_imports(ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Realisasi"
    sheet.append(["Kode", "Uraian", "Pagu (Rp.)", "Realisasi (Rp.)", "Realisasi (%)", "Catatan"])
    sheet.append(["3357.001", "Dokumen Perencanaan Anggaran", 12_543_000, "Rp 7.544.525", 60.15, "x"])
    sheet.append(["3364.004", "Pengelolaan PAW", "Rp 200.000", "-", 0, None])
    sheet.append([None, "JUMLAH", 12_743_000, 7_544_525, None, None])
    path = tmp_path / "realisasi.xlsx"
    book.save(path)
    record = service.import_budget(ctx, path, 2020)
    assert (record.rows, record.pagu, record.realisation) == (2, 12_743_000, 7_544_525)
    assert (record.declared_pagu, record.declared_realisation) == (12_743_000, 7_544_525)


def test_xlsx_errors_name_the_sheet_and_cell(ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Anggaran"
    sheet.append(["kode", "uraian", "pagu", "realisasi"])
    sheet.append(["3357.001", "Dokumen", "dua belas juta", -5])
    sheet.append(["3357.004", "Laporan", 8_095_000, "=SUM(C2:C3)"])
    path = tmp_path / "anggaran.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused) as refused:
        service.import_budget(ctx, path, 2020)
    described = [p.describe() for p in refused.value.problems]
    assert [(p.sheet, p.cell) for p in refused.value.problems] == [
        ("Anggaran", "C2"),
        ("Anggaran", "D2"),
        ("Anggaran", "D3"),
    ]
    assert "rumus tanpa hasil tersimpan" in described[2]


def test_xlsx_targets_workbook_carries_indicators_and_dipa_outputs(ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    pk = book.active
    pk.title = "PK"
    pk.append(["Kode", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target", "Polaritas", "Realisasi"])
    pk.append(["1.2", "Meningkatnya Kualitas Penyelenggaraan Pemilu", "Partisipasi pemilih", "%", 0.9, "tinggi", 0.81])
    pk["E2"].number_format = pk["G2"].number_format = "0%"
    pk.append([None, None, "Opini BPK atas Laporan Keuangan", None, "WTP", "opini", "wdp"])
    dipa = book.create_sheet("DIPA")
    dipa.append(["kode", "uraian", "pagu", "kegiatan", "program"])
    dipa.append(["3357.010", "Dokumen Pemutakhiran Data Pemilih", 9_970_000, "3357 Manajemen", "076.01.01 Dukungan"])
    path = tmp_path / "target.xlsx"
    book.save(path)
    imported = service.import_targets(ctx, path, 2020)
    assert (imported.indicators, imported.outputs, imported.pagu) == (2, 1, 9_970_000)
    stored = service.list_targets(ctx, 2020)
    assert [(i.sasaran, i.target, i.realisation) for i in stored.indicators] == [
        ("Meningkatnya Kualitas Penyelenggaraan Pemilu", "90%", "81%"),
        ("Meningkatnya Kualitas Penyelenggaraan Pemilu", "WTP", "WDP"),
    ]
    results = service.analyse(ctx, 2020).indicators
    assert [(str(r.achievement.pct), r.category) for r in results] == [
        ("90.00", "Sangat Berhasil"),
        ("None", "Tidak Tercapai"),
    ]


def test_xlsx_output_code_typed_as_a_number_is_refused_with_the_fix(ctx: Context, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["kode", "uraian", "pagu", "realisasi"])
    book.active.append([3357.010, "Dokumen", 1000, 500])
    book.save(tmp_path / "angka.xlsx")
    with pytest.raises(ImportRefused, match="format selnya sebagai teks"):
        service.import_budget(ctx, tmp_path / "angka.xlsx", 2020)


# --- realisations and earlier years ----------------------------------------------------------


def test_recorded_realisations_survive_a_targets_reimport_without_them(ctx: Context, tmp_path: Path) -> None:
    text = 'kode,indikator,target,polaritas\n1.2,Partisipasi pemilih,"75,0%",tinggi\n3.2,Opini BPK,WTP,opini\n'
    path = write(tmp_path, "pk.csv", text)
    service.import_targets(ctx, path, 2020)
    assert service.record_realisations(ctx, 2020, {"1.2": "78,5%", "opini bpk": "wtp"}, by="staf1") == 2
    again = service.import_targets(ctx, path, 2020)
    assert again.realisations_kept == 2
    assert [i.realisation for i in service.list_targets(ctx, 2020).indicators] == ["78,5%", "WTP"]


def test_bad_realisations_are_refused_together_and_none_is_set(ctx: Context, tmp_path: Path) -> None:
    service.import_targets(ctx, write(tmp_path, "pk.csv", "indikator,target,polaritas\nPartisipasi,75,tinggi\n"), 2020)
    with pytest.raises(ImportRefused) as refused:
        service.record_realisations(ctx, 2020, {"Partisipasi": "tinggi sekali", "Tidak ada": "5"})
    assert len(refused.value.problems) == 2
    assert [i.realisation for i in service.list_targets(ctx, 2020).indicators] == [None]


def test_earlier_years_of_the_office_are_compared(ctx: Context, tmp_path: Path) -> None:
    service.import_budget(ctx, write(tmp_path, "2019.csv", HEADER + "3357.001,Dokumen,1.000.000,960.000\n"), 2019)
    service.import_budget(ctx, BUDGET, 2020)
    data = service.analysis_json(service.analyse(ctx, 2020))
    assert data["comparison"] == [
        {
            "year": 2019,
            "pagu": 1_000_000,
            "realisasi": 960_000,
            "absorption_pct": 96.0,
            "achievement_pct": None,
            "indicators": 0,
        }
    ]


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def sop(sop, ctx: Context):
    """The real ``sop`` command line (conftest), on the initialised office."""
    return sop


def test_cli_analyse_of_a_case_analyses_the_year_before_it(ctx: Context, sop) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    imported = sop("lakip", "budget", "import", str(BUDGET), "--year", "2020", "--by", "kasubag")
    assert imported.code == 0, imported.err
    assert "Rp 2.701.548.000" in imported.out
    argv = ["lakip", "analyse", "lakip-2021", "--json", "--declared-realisation", "Rp 2.497.528.462"]
    analysed = sop(*argv)
    assert analysed.code == 0, analysed.err
    data = json.loads(analysed.out)
    assert (data["year"], data["budget"]["absorption_pct"]) == (2020, 93.7)
    assert any("Rp 2.497.528.462" in f["message"] for f in data["findings"])


def test_cli_analyse_text_shows_rupiah_and_percent_the_indonesian_way(ctx: Context, sop) -> None:
    imported_seed(ctx)
    result = sop("lakip", "analyse", "2020")
    assert result.code == 0, result.err
    out = result.out
    assert "Rp 2.701.548.000" in out and "Rp 2.531.268.927" in out and "93,70 %" in out
    assert "Sangat Berhasil" in out


def test_cli_year_option_overrides_the_year_of_the_case(ctx: Context, sop) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    service.import_budget(ctx, BUDGET, 2019)
    result = sop("lakip", "analyse", "lakip-2021", "--year", "2019", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["year"] == 2019


def test_cli_refused_file_exits_1_listing_every_error(ctx: Context, tmp_path: Path, sop) -> None:
    bad = write(tmp_path, "bad.csv", HEADER + "3357.001,Dokumen,abc,-1\n")
    result = sop("lakip", "budget", "import", str(bad), "--year", "2020")
    assert result.code == 1
    err = result.err
    assert "2 kesalahan" in err and "nilai 'abc'" in err and "nilai '-1'" in err


def test_cli_declared_amount_that_is_not_rupiah_is_refused(ctx: Context, sop) -> None:
    service.import_budget(ctx, BUDGET, 2020)
    result = sop("lakip", "analyse", "2020", "--declared-realisation", "banyak")
    assert result.code == 1
    assert "--declared-realisation 'banyak'" in result.err
