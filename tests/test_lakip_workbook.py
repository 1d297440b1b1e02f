"""The data-collection workbook of steps 2-4: generation, sending, import, refusals, status.

Every workbook is written, opened back with openpyxl, filled the way a division would fill it,
and imported; the analysis then shows (or, for a refused set, does not show) what was filled.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sop_engine import audit, cases
from sop_engine.cli.errors import error_text
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.errors import NotFound
from sop_engine.lakip import service
from sop_engine.lakip.tables import ImportRefused
from sop_engine.lakip.workbook import generate_workbook, import_workbooks, record_sent, workbook_status
from sop_engine.lakip.workbook_write import DEFAULT_DIVISIONS
from tests.helpers import to_pdf, upgrade_from

FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM, TEKNIS, HUKUM, KEUANGAN = DEFAULT_DIVISIONS
SHEETS = ["Petunjuk", "Program dan Data", "Teknis dan Hupmas", "Hukum dan SDM", "Keuangan, Umum dan Logistik"]


@pytest.fixture
def book(ctx: Context, tmp_path: Path) -> Path:
    """The workbook of 2020 generated from the seed's targets and DIPA outputs."""
    service.import_targets(ctx, FIXTURES / "targets-2020.csv", 2020, by="kasubag")
    service.import_targets(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    return generate_workbook(ctx, 2020, tmp_path / "pengumpulan-2020.xlsx")


def row_of(ws: Any, code: str) -> int:
    """The row of indicator ``code``, or of output ``code`` when written "output 3357.001".

    (An output indicator carries its output's code, so both tables hold the code once.)
    """
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == code.removeprefix("output ")]
    return rows[-1] if code.startswith("output ") else rows[0]


def fill(path: Path, out: Path, values: dict[tuple[str, str], object], drop: str | None = None) -> Path:
    """Save a copy of ``path`` with column G of the row of each (sheet, code) set, ``drop`` deleted."""
    wb = openpyxl.load_workbook(path)
    for (sheet, code), value in values.items():
        ws = wb[sheet]
        ws.cell(row_of(ws, code), 7).value = value
    if drop:
        del wb[drop]
    wb.save(out)
    return out


def indicator(ctx: Context, code: str) -> str | None:
    found = next(r for r in service.analyse(ctx, 2020).indicators if r.indicator.code == code)
    return found.indicator.realised_text


# --- generation ----------------------------------------------------------------------------


def test_generated_workbook_has_instructions_and_one_sheet_per_default_division(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:5] == SHEETS
    assert wb["_sop"].sheet_state == "veryHidden"
    text = "\n".join(str(c.value) for c in wb["Petunjuk"]["A"] if c.value)
    # step 4 of the SOP takes "3 jam": from Monday 08.00, three working hours later
    assert "Tahun 2020" in text and "Batas waktu pengembalian: Senin, 11 Januari 2021 11.00 WIB." in text
    assert "Subbagian Program dan Data (penyusun LKj)" in text and "rupiah" in text
    assert wb["Program dan Data"]["A1"].value == f"Pengumpulan Data Kinerja Tahun 2020 — {PROGRAM}"


def test_division_sheets_are_prefilled_with_their_indicators_and_outputs(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    program = wb["Program dan Data"]
    assert [c.value for c in program[7]] == [
        "Kode",
        "Sasaran",
        "Indikator",
        "Satuan",
        "Target",
        "Polaritas",
        "Realisasi",
    ]
    row = [c.value for c in program[row_of(program, "1.1")]][:6]
    assert row[0] == "1.1" and row[3:] == ["%", "6,0%", "tinggi"]
    assert program.cell(row_of(program, "output 3357.001"), 5).value == "Rp 12.543.000"
    keuangan = wb["Keuangan, Umum dan Logistik"]
    assert keuangan.cell(row_of(keuangan, "output 3355.994"), 5).value == "Rp 1.860.710.000"
    assert keuangan.cell(row_of(keuangan, "3.2"), 5).value == "WTP"
    hukum = [c.value for c in wb["Hukum dan SDM"]["A"]]
    assert {"2.2", "2.3", "3363.012"} <= set(hukum) and "3357.001" not in hukum


def test_input_cells_are_unlocked_validated_and_the_rest_protected(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["Keuangan, Umum dan Logistik"]
    assert ws.protection.sheet is True
    assert ws.freeze_panes == "A8"
    assert ws.column_dimensions["C"].width == 52 and ws["A7"].font.bold
    opinion, amount = row_of(ws, "3.2"), row_of(ws, "output 3355.994")
    assert ws.cell(opinion, 7).protection.locked is False and ws.cell(amount, 7).protection.locked is False
    assert ws.cell(opinion, 5).protection.locked is True
    rules = {(v.type, v.formula1): str(v.sqref) for v in ws.data_validations.dataValidation}
    assert f"G{opinion}" in rules[("list", '"WTP,WDP,TW,TMP"')]
    assert f"G{amount}" in rules[("decimal", "0")]
    grades = {v.formula1 for v in openpyxl.load_workbook(book)["Program dan Data"].data_validations.dataValidation}
    assert '"AA,A,BB,B,CC,C,D"' in grades


def test_division_sheets_print_one_page_wide_landscape_with_the_header_repeated(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    for title in SHEETS[1:]:
        ws = wb[title]
        assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == ("landscape", 9)  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$7:$7"
        assert ws.oddFooter.center.text == "Halaman &P dari &N"
    petunjuk = wb["Petunjuk"]
    assert petunjuk.page_setup.orientation == "portrait" and petunjuk.page_setup.fitToWidth == 1


def test_division_sheet_has_a_header_block_and_a_signature_block(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["Program dan Data"]
    assert [ws.cell(r, 1).value for r in range(2, 5)] == [
        "Satuan kerja: 3526 KPU Kabupaten Bangkalan",
        f"Subbagian: {PROGRAM}",
        "Penanggung jawab: ............................................  NIP: ........................",
    ]
    assert "kembalikan paling lambat Senin, 11 Januari 2021 11.00 WIB" in ws["A5"].value
    signature = [ws.cell(r, 7).value for r in range(ws.max_row - 6, ws.max_row + 1)]
    assert signature[:2] == ["Tanggal: ........................", "Penanggung jawab,"]
    assert signature[-1].startswith("NIP ")


def test_read_only_amounts_and_targets_are_indonesian_text_and_inputs_stay_numbers(book: Path, tmp_path: Path) -> None:
    """Excel shows a number with the computer's separators whatever its format (2,701,548,000 on an
    English PC): what a person only reads is text; what they fill in stays a number."""
    wb = openpyxl.load_workbook(fill(book, tmp_path / "isi.xlsx", {("Program dan Data", "output 3357.001"): 7_544_525}))
    program = wb["Program dan Data"]
    pagu, target = program.cell(row_of(program, "output 3357.001"), 5), program.cell(row_of(program, "1.1"), 5)
    assert (pagu.data_type, pagu.value, target.data_type, target.value) == ("s", "Rp 12.543.000", "s", "6,0%")
    assert pagu.alignment.horizontal == "right" and not pagu.alignment.wrap_text
    entered = program.cell(row_of(program, "output 3357.001"), 7)
    assert (entered.data_type, entered.value, entered.number_format) == ("n", 7_544_525, "[$-421]#,##0")
    every_pagu = [
        ws.cell(r, 5).value
        for ws in wb.worksheets[1:]
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 7).number_format == "[$-421]#,##0"
    ]
    assert every_pagu and all(isinstance(v, str) and v.startswith("Rp ") for v in every_pagu)


def test_wrapped_rows_have_their_height(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["Keuangan, Umum dan Logistik"]
    opinion = row_of(ws, "3.2")
    assert ws.row_dimensions[opinion].height >= 15
    petunjuk = wb["Petunjuk"]
    heights = [petunjuk.row_dimensions[r].height for r in range(3, 9)]
    assert all(h is not None and h >= 15 for h in heights) and max(heights) >= 30  # point 3 wraps over lines
    assert all(petunjuk.cell(r, 1).alignment.wrap_text for r in range(3, 9))


def test_the_return_deadline_can_be_given(ctx: Context, book: Path, tmp_path: Path, sop) -> None:
    path = generate_workbook(ctx, 2020, tmp_path / "b.xlsx", deadline=date(2021, 1, 13))
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(path)["Petunjuk"]["A"] if c.value)
    assert "Batas waktu pengembalian: 13 Januari 2021." in text
    run = sop("lakip", "workbook", "generate", "--year", "2020", "-o", str(tmp_path / "c.xlsx"),
              "--kembali-paling-lambat", "2021-01-12 14:00")  # fmt: skip
    assert run.code == 0, run.err
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(tmp_path / "c.xlsx")["Petunjuk"]["A"] if c.value)
    assert "Batas waktu pengembalian: Selasa, 12 Januari 2021 14.00 WIB." in text
    refused = sop("lakip", "workbook", "generate", "--year", "2020", "-o", str(tmp_path / "d.xlsx"),
                  "--kembali-paling-lambat", "besok")  # fmt: skip
    assert refused.code != 0 and "Batas pengembalian 'besok' tidak dikenali" in refused.err


@pytest.mark.office
def test_the_petunjuk_and_a_division_sheet_print_one_page_each_with_libreoffice(book: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(book)
    for title in wb.sheetnames:
        if title not in ("Petunjuk", "Program dan Data"):
            wb[title].sheet_state = "hidden"
    wb.save(tmp_path / "program.xlsx")
    (printed,) = to_pdf([tmp_path / "program.xlsx"], tmp_path / "pdf")
    assert printed.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(printed), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert text.count("\f") == 2 and "12.543.000" in text and "Halaman 2 dari 2" in text
        assert "Petunjuk Pengisian Data Kinerja dan Anggaran Tahun 2020" in text  # not cut at the page's edge
        assert "Subbagian Keuangan, Umum dan Logistik." in text


def test_generation_without_targets_says_to_import_them_first(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="Belum ada target tahun 2019") as refused:
        generate_workbook(ctx, 2019, tmp_path / "x.xlsx")
    assert "`sop lakip targets import BERKAS --year 2019`" in error_text(refused.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_given_divisions_replace_the_default_sheets(ctx: Context, book: Path, tmp_path: Path) -> None:
    path = generate_workbook(ctx, 2020, tmp_path / "dua.xlsx", ["Sekretariat", "Subbagian Hukum dan SDM"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Petunjuk", "Sekretariat", "Hukum dan SDM"]
    assert "3357.001" in [c.value for c in wb["Sekretariat"]["A"]]  # what has no listed division goes to the first
    assert "3363.012" in [c.value for c in wb["Hukum dan SDM"]["A"]]


# --- import --------------------------------------------------------------------------------


def test_filled_workbook_imports_and_the_analysis_sees_its_realisations(
    ctx: Context, book: Path, tmp_path: Path
) -> None:
    filled = fill(
        book,
        tmp_path / "isi.xlsx",
        {
            ("Program dan Data", "1.1"): 5.5,
            ("Program dan Data", "output 3357.001"): 7_544_525,
            ("Keuangan, Umum dan Logistik", "3.2"): "wdp",
            ("Keuangan, Umum dan Logistik", "output 3355.994"): "1.772.568.499",
        },
    )
    record = import_workbooks(ctx, 2020, [filled], by="kasubag")
    assert (record.indicators, record.outputs) == (2, 2)
    assert record.divisions == (PROGRAM, KEUANGAN) and record.missing == (TEKNIS, HUKUM)
    assert indicator(ctx, "1.1") == "5,5" and indicator(ctx, "3.2") == "WDP"
    budget = service.analyse(ctx, 2020).budget
    assert budget is not None and budget.total.realisation == 7_544_525 + 1_772_568_499
    event = audit.list_events(ctx)[-1]
    assert event.action == "lakip.workbook_imported" and event.actor == "kasubag"


def test_text_negative_amount_and_unknown_code_are_all_listed_and_nothing_is_stored(
    ctx: Context, book: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["Program dan Data"]
    ws.cell(row_of(ws, "1.1"), 7).value = "lima"
    ws.cell(row_of(ws, "1.5"), 7).value = 0  # valid, but its file is refused with the rest
    ws.cell(row_of(ws, "output 3357.001"), 7).value = -5000
    unknown = row_of(ws, "3.1")
    ws.cell(unknown, 1).value, ws.cell(unknown, 7).value = "9.9", "B"
    wb.save(tmp_path / "salah.xlsx")
    before = service.analyse(ctx, 2020).to_json()
    with pytest.raises(ImportRefused) as refused:
        import_workbooks(ctx, 2020, [tmp_path / "salah.xlsx"], by="kasubag")
    found = {(p.sheet, p.cell, p.value) for p in refused.value.problems}
    assert found == {
        ("Program dan Data", f"G{row_of(ws, '1.1')}", "lima"),
        ("Program dan Data", f"G{row_of(ws, 'output 3357.001')}", "-5000"),
        ("Program dan Data", f"A{unknown}", "9.9"),
    }
    message = refused.value.message
    assert "salah.xlsx" in message and "bukan angka" in message and "negatif" in message and "'9.9'" in message
    assert service.analyse(ctx, 2020).to_json() == before


def test_a_missing_division_sheet_refuses_the_whole_set(ctx: Context, book: Path, tmp_path: Path) -> None:
    good = fill(book, tmp_path / "baik.xlsx", {("Program dan Data", "1.1"): 5})
    bad = fill(book, tmp_path / "kurang.xlsx", {("Program dan Data", "1.5"): 0}, drop="Hukum dan SDM")
    before = service.analyse(ctx, 2020).to_json()
    with pytest.raises(ImportRefused) as refused:
        import_workbooks(ctx, 2020, [good, bad], by="kasubag")
    [problem] = refused.value.problems
    assert problem.sheet == "Hukum dan SDM" and "kurang.xlsx" in problem.describe()
    assert HUKUM in problem.reason
    assert service.analyse(ctx, 2020).to_json() == before


def test_a_file_that_is_not_xlsx_is_named(ctx: Context, book: Path, tmp_path: Path) -> None:
    fake = tmp_path / "laporan.xlsx"
    fake.write_text("bukan excel", encoding="utf-8")
    with pytest.raises(ImportRefused, match=r"berkas 'laporan\.xlsx'.*bukan buku kerja XLSX"):
        import_workbooks(ctx, 2020, [fake], by="kasubag")


def test_two_files_giving_one_indicator_two_values_are_refused(ctx: Context, book: Path, tmp_path: Path) -> None:
    a = fill(book, tmp_path / "a.xlsx", {("Program dan Data", "1.1"): 5})
    b = fill(book, tmp_path / "b.xlsx", {("Program dan Data", "1.1"): 6})
    with pytest.raises(ImportRefused, match="berbeda dengan nilai '5'"):
        import_workbooks(ctx, 2020, [a, b], by="kasubag")


def test_missing_divisions_shrink_as_workbooks_come_back(ctx: Context, book: Path, tmp_path: Path) -> None:
    first = import_workbooks(ctx, 2020, [fill(book, tmp_path / "1.xlsx", {("Hukum dan SDM", "2.3"): 100})], "staf1")
    assert first.missing == (PROGRAM, TEKNIS, KEUANGAN)
    second = fill(book, tmp_path / "2.xlsx", {("Teknis dan Hupmas", "1.2"): "5,8", ("Program dan Data", "1.1"): 6})
    assert import_workbooks(ctx, 2020, [second], "staf1").missing == (KEUANGAN,)


# --- step 3 and status ---------------------------------------------------------------------


@pytest.fixture
def sop(sop, ctx: Context):
    """The real ``sop`` command line (conftest), on the initialised office."""
    return sop


def test_cli_send_import_and_status_show_sent_and_returned_per_division(
    ctx: Context, book: Path, tmp_path: Path, sop
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    out = tmp_path / "cli.xlsx"
    generated = sop("lakip", "workbook", "generate", "--year", "2020", "-o", str(out))
    assert generated.code == 0, generated.err
    sent = ["--division", PROGRAM, "--division", HUKUM, "--by", "kasubag", "--file", str(out)]
    result = sop("lakip", "workbook", "send", "lakip-2021", *sent)
    assert result.code == 0, result.err
    event = audit.list_events(ctx, "lakip-2021")[-1]
    assert event.action == "lakip.workbook_sent" and event.details["divisions"] == [PROGRAM, HUKUM]
    assert len(str(event.details["sha256"])) == 64
    filled = fill(out, tmp_path / "kembali.xlsx", {("Hukum dan SDM", "2.3"): 100})
    imported = sop("lakip", "workbook", "import", str(filled), "--year", "2020", "--by", "kasubag", "--json")
    assert imported.code == 0, imported.err
    assert json.loads(imported.out)["missing"] == [PROGRAM, TEKNIS, KEUANGAN]
    year, rows = workbook_status(ctx, "lakip-2021")
    status = {r.division: (r.sent_at is not None, r.returned_at is not None) for r in rows}
    assert year == 2020
    assert status == {PROGRAM: (True, False), HUKUM: (True, True), TEKNIS: (False, False), KEUANGAN: (False, False)}
    shown = sop("lakip", "workbook", "status", "lakip-2021")
    assert shown.code == 0, shown.err
    text = shown.out
    assert "Subbagian" in text and "belum" in text and "Sen 11/01/2021 08.00" in text


def test_the_upgrade_to_0007_fills_sent_and_returned_from_the_trail_and_the_status_stays(
    ctx: Context, book: Path, tmp_path: Path, clock: FixedClock
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    first_sent = record_sent(ctx, "lakip-2021", [PROGRAM, HUKUM], "kasubag", book).at
    clock.advance(timedelta(hours=1))
    record_sent(ctx, "lakip-2021", [HUKUM, TEKNIS], "staf1")
    import_workbooks(ctx, 2020, [fill(book, tmp_path / "1.xlsx", {("Hukum dan SDM", "2.3"): 100})], "staf1")
    clock.advance(timedelta(hours=1))
    again = {("Teknis dan Hupmas", "1.2"): "5,8", ("Hukum dan SDM", "2.3"): 100}
    import_workbooks(ctx, 2020, [fill(book, tmp_path / "2.xlsx", again)], "kasubag")
    before = workbook_status(ctx, "lakip-2021")
    shown = {r.division: (r.sent_at, r.returned_at) for r in before[1]}
    assert shown == {
        PROGRAM: (first_sent, None),
        HUKUM: (first_sent, clock.now()),
        TEKNIS: (first_sent + timedelta(hours=1), clock.now()),
        KEUANGAN: (None, None),
    }
    trail = audit.list_events(ctx)

    upgrade_from(ctx, "0006", dropped=("workbook_sends", "workbook_import_divisions"))

    assert workbook_status(ctx, "lakip-2021") == before
    assert audit.list_events(ctx) == trail
    result = audit.verify(ctx)
    assert result.ok and result.mismatches == ()


def test_cli_import_refusal_lists_every_error_and_exits_1(ctx: Context, book: Path, tmp_path: Path, sop) -> None:
    bad = fill(
        book, tmp_path / "x.xlsx", {("Program dan Data", "1.1"): "n/a", ("Program dan Data", "output 3357.001"): -1}
    )
    result = sop("lakip", "workbook", "import", str(bad), "--year", "2020", "--by", "kasubag")
    assert result.code == 1
    assert "2 kesalahan" in result.err
