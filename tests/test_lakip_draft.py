"""The draft LKj (steps 5-6): the .docx opened back with python-docx, the HTML preview, refusals, --attach.

Data: the seed's budget table (17 outputs) and Perjanjian Kinerja 2020 from tests/fixtures; the
indicator realisations there are invented for the tests.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import docx
import docx.table
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from sop_engine import cases
from sop_engine.artefacts import IncomingFile
from sop_engine.cli.errors import error_text
from sop_engine.clock import FixedClock
from sop_engine.config import settings_from_mapping
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.errors import ConfigError, InvalidInput, NotAllowed, NotFound
from sop_engine.formatting import format_date
from sop_engine.lakip import draft, service
from tests.helpers import pdf, to_pdf
from tests.test_documents import png_logo

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET, TARGETS = FIXTURES / "budget-2020.csv", FIXTURES / "targets-2020.csv"
#: The same indicators with a ``perjanjian`` column, and the Sekretaris' PK (7 indicators, 5 sasaran).
SIGNED = FIXTURES / "targets-2020-pk.csv"
NBSP = "\u00a0"
HEADINGS = [
    "KATA PENGANTAR",
    "DAFTAR ISI",
    "IKHTISAR EKSEKUTIF",
    "BAB I PENDAHULUAN",
    "BAB II PERENCANAAN KINERJA",
    "BAB III AKUNTABILITAS KINERJA",
    "BAB IV PENUTUP",
    "LAMPIRAN",
]


def imported(ctx: Context) -> None:
    service.import_targets(ctx, TARGETS, 2020, by="kasubag")
    service.import_targets(ctx, BUDGET, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")


def printed(table: docx.table.Table) -> list[list[str]]:
    """The table's cells as printed: a cell merged with the one above (vMerge continue) is blank."""
    rows = []
    for row in table.rows:
        cells = []
        for tc in row._tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            shown = merge is None or merge.get(qn("w:val")) == "restart"
            cells.append("".join(t.text or "" for t in tc.iter(qn("w:t"))).replace(NBSP, " ") if shown else "")
        rows.append(cells)
    return rows


def table_with(document: docx.document.Document, *headers: str) -> list[list[str]]:
    """The first table whose header row has every one of ``headers``, as printed."""
    for table in document.tables:
        rows = printed(table)
        if all(h in rows[0] for h in headers):
            return rows
    raise LookupError(headers)


@pytest.fixture
def drafted(ctx: Context, tmp_path: Path) -> tuple[draft.DraftRecord, docx.document.Document]:
    imported(ctx)
    record = draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx", html_path=tmp_path / "draf.html")
    return record, docx.Document(str(record.path))


def test_draft_has_the_chapters_of_permenpanrb_53_2014_in_order(drafted) -> None:
    _, document = drafted
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS


def test_budget_table_lists_17_outputs_and_the_jumlah_row(drafted) -> None:
    record, document = drafted
    rows = table_with(document, "Output", "Program", "Kegiatan")
    assert len(rows) == 1 + 17 + 1
    assert rows[1][3:] == ["3355.003", rows[1][4], "Rp 20.978.000", "Rp 20.884.000", "99,55 %"]
    assert rows[-1][4:] == ["JUMLAH", "Rp 2.701.548.000", "Rp 2.531.268.927", "93,70 %"]
    assert (record.pagu, record.realisation, str(record.absorption_pct)) == (2_701_548_000, 2_531_268_927, "93.70")


def tables_with(document: docx.document.Document, *headers: str) -> list[list[list[str]]]:
    """Every table whose header row has each of ``headers``, as printed."""
    found = [printed(table) for table in document.tables]
    return [rows for rows in found if all(h in rows[0] for h in headers)]


def test_achievement_table_gives_each_indicator_its_category(drafted) -> None:
    _, document = drafted
    tables = tables_with(document, "Capaian 2020", "Kategori", "Target 2020")
    assert len(tables) == 9  # one table per sasaran
    rows = [row for rows in tables for row in rows[1:]]
    assert len(rows) == 27
    by_name = {row[1]: row for row in rows}
    assert by_name["Persentase Partisipasi Pemilih dalam Pemilu/ Pemilihan"][5:7] == ["90,00 %", "Sangat Berhasil"]
    assert by_name["Opini BPK atas Laporan Keuangan"][5:7] == ["-", "Tercapai"]
    assert by_name["Opini BPK atas Laporan Keuangan"][0] == "3.2"
    assert tables[0][0] == [
        "No",
        "Indikator Kinerja",
        "Realisasi 2019",
        "Target 2020",
        "Realisasi 2020",
        "Capaian 2020",
        "Kategori",
        "Target Renstra akhir",
        "Capaian thd. Renstra",
    ]
    assert {row[2] for row in rows} == {row[8] for row in rows} == {"-"}  # nothing imported of other years


def test_executive_summary_states_totals_and_counts_by_category(drafted) -> None:
    _, document = drafted
    text = "\n".join(p.text for p in document.paragraphs).replace(NBSP, " ")
    assert "pagu anggaran sebesar Rp 2.701.548.000 dengan realisasi sebesar Rp 2.531.268.927" in text
    assert "penyerapan anggaran 93,70 %" in text
    assert "diukur dengan 27 indikator" in text
    counts = table_with(document, "Jumlah Indikator")
    assert counts[1:] == [
        ["Sangat Berhasil", "24"],
        ["Berhasil", "1"],
        ["Cukup Berhasil", "0"],
        ["Tidak Berhasil", "0"],
        ["Tercapai", "2"],
    ]


def test_draft_of_a_bare_year_leaves_the_date_to_write_and_marks_the_narrative(drafted) -> None:
    _, document = drafted
    text = "\n".join(p.text for p in document.paragraphs)
    assert "sop-engine" not in text and "11 Januari 2021" not in text  # not the day it was generated
    assert "Bangkalan, [isi: tanggal]" in text
    assert "[isi: latar belakang penyusunan laporan kinerja]" in text


def test_consistency_findings_are_listed_in_bab_iii(ctx: Context, tmp_path: Path) -> None:
    imported(ctx)
    record = service.analyse(ctx, 2020)
    path = draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs).replace(NBSP, " ")
    assert record.findings  # the seed's JUMLAH row says 93 %, outputs below 1 %, ...
    for finding in record.findings:
        assert f"•\t{finding.message}" in text


def test_html_preview_has_the_same_totals_and_escapes_text(ctx: Context, tmp_path: Path) -> None:
    imported(ctx)
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "kode,sasaran,indikator,satuan,target,polaritas,realisasi\n"
        '9.9,Layanan prima,Indeks kepuasan & layanan (nilai < 4),indeks,"80",tinggi,"76"\n',
        encoding="utf-8",
    )
    service.import_targets(ctx, targets, 2020)
    draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx", html_path=tmp_path / "draf.html")
    html = (tmp_path / "draf.html").read_text(encoding="utf-8").replace(NBSP, " ")
    assert "Rp 2.701.548.000" in html and "Rp 2.531.268.927" in html and "93,70 %" in html
    assert "Indeks kepuasan &amp; layanan (nilai &lt; 4)" in html
    assert "(nilai < 4)" not in html
    cells = [c.text for t in docx.Document(str(tmp_path / "draf.docx")).tables for r in t.rows for c in r.cells]
    assert "Indeks kepuasan & layanan (nilai < 4)" in cells


def test_template_with_a_tag_sop_engine_does_not_provide_is_refused_by_name(ctx: Context, tmp_path: Path) -> None:
    imported(ctx)
    template = docx.Document(str(ctx.settings.documents_dir / draft.DRAFT_TEMPLATE))
    template.add_paragraph("{{ nomor_surat }}")
    template.save(str(tmp_path / "templat.docx"))
    with pytest.raises(InvalidInput, match="'nomor_surat'"):
        draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx", template=tmp_path / "templat.docx")
    assert not (tmp_path / "draf.docx").exists()


def test_year_without_budget_realisation_is_refused_naming_the_import(ctx: Context, tmp_path: Path) -> None:
    service.import_targets(ctx, TARGETS, 2020)
    with pytest.raises(NotFound, match="Realisasi anggaran tahun 2020 belum diimpor") as refused:
        draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx")
    assert "`sop lakip budget import BERKAS --year 2020`" in error_text(refused.value)
    assert not (tmp_path / "draf.docx").exists()


def test_year_without_any_data_is_refused(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="2020"):
        draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx")


# --- --attach and the command line ---------------------------------------------------------


def at_step_5(ctx: Context, folder: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, by in ((1, "sekretaris"), (2, "kasubag"), (3, "staf1"), (4, "staf1")):
        cases.complete_step(ctx, "lakip-2021", no, by, files=[IncomingFile.from_path(pdf(folder, f"{no}.pdf"))])


@pytest.fixture
def sop(sop, ctx: Context):
    """The real ``sop`` command line (conftest), on the initialised office."""
    return sop


def test_attach_completes_step_5_with_the_draft(ctx: Context, tmp_path: Path, sop) -> None:
    imported(ctx)
    at_step_5(ctx, tmp_path)
    out = tmp_path / "draf-lkj.docx"
    run = sop("lakip", "draft", "lakip-2021", "-o", str(out), "--attach", "--by", "kasubag")
    assert run.code == 0, run.err
    assert "Langkah 5" in run.out and "93,70 %" in run.out
    step = cases.get_case(ctx, "lakip-2021").steps[4]
    assert step.status == StepStatus.DONE and step.completed_by == "kasubag"
    assert [a.filename for a in step.artefacts] == ["draf-lkj.docx"]


def test_attach_by_someone_without_the_role_is_refused_before_writing(ctx: Context, tmp_path: Path) -> None:
    imported(ctx)
    at_step_5(ctx, tmp_path)
    with pytest.raises(NotAllowed, match="kasubag_program"):
        draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx", case="lakip-2021", attach_by="staf1")
    assert not (tmp_path / "draf.docx").exists()


def test_cli_writes_the_draft_and_html_for_a_year(tmp_path: Path, ctx: Context, sop) -> None:
    imported(ctx)
    run = sop("lakip", "draft", "2020", "-o", str(tmp_path / "d.docx"), "--html", str(tmp_path / "d.html"))
    assert run.code == 0, run.err
    assert (tmp_path / "d.docx").is_file() and (tmp_path / "d.html").is_file()


@pytest.mark.office
def test_draft_converts_to_pdf_with_libreoffice(drafted, tmp_path: Path) -> None:
    record, _ = drafted
    (produced,) = to_pdf([record.path], tmp_path / "pdf")
    assert produced.name == "draf.pdf" and produced.read_bytes().startswith(b"%PDF")


def test_attach_at_backdates_step_5_and_a_time_before_the_step_is_refused_before_writing(
    ctx: Context, tmp_path: Path, sop, clock: FixedClock
) -> None:
    imported(ctx)
    at_step_5(ctx, tmp_path)  # step 5 active since 11 January 2021 08.00 WIB (the fixed clock)
    clock.set(clock.now() + timedelta(days=30))
    out = tmp_path / "draf-lkj.docx"
    run = sop("lakip", "draft", "lakip-2021", "-o", str(out), "--attach", "--by", "kasubag", "--at", "2021-01-10T10:00")
    assert run.code == 1 and "lebih awal dari saat langkah ini mulai" in run.err and "--at" in run.err
    assert not out.exists() and cases.get_case(ctx, "lakip-2021").current_step == 5
    run = sop("lakip", "draft", "lakip-2021", "-o", str(out), "--at", "2021-01-14T10:00")
    assert run.code == 1 and "hanya berlaku bersama --attach" in run.err and not out.exists()
    run = sop("lakip", "draft", "lakip-2021", "-o", str(out), "--attach", "--by", "kasubag", "--at", "2021-01-14T10:00")
    assert run.code == 0, run.err
    step = cases.get_case(ctx, "lakip-2021").steps[4]
    assert step.completed_at == datetime.fromisoformat("2021-01-14T10:00:00+07:00")


# --- the Perjanjian Kinerja as signed ---------------------------------------------------------


def signed(ctx: Context, tmp_path: Path) -> docx.document.Document:
    service.import_targets(ctx, SIGNED, 2020, by="kasubag")
    service.import_targets(ctx, BUDGET, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    return docx.Document(str(draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path))


def pk_tables(document: docx.document.Document) -> list[list[list[str]]]:
    """The tables headed No, Sasaran Strategis, Indikator Kinerja, Target (one per signed PK)."""
    found = []
    for table in document.tables:
        rows = printed(table)
        if rows[0] == ["No", "Sasaran Strategis", "Indikator Kinerja", "Target"]:
            found.append(rows[1:])
    return found


def test_each_signed_pk_has_its_own_indicators_grouped_by_sasaran(ctx: Context, tmp_path: Path) -> None:
    document = signed(ctx, tmp_path)
    head, secretary = pk_tables(document)
    assert len(head) == 10 and len([r for r in head if r[1]]) == 3
    assert len(secretary) == 7 and len([r for r in secretary if r[1]]) == 5
    assert [r[0] for r in head] == ["1", "", "", "", "", "2", "", "", "3", ""]  # number and sasaran once per group
    assert head[0][1:] == ["Meningkatnya Kualitas Penyelenggaraan Pemilu", head[0][2], "6,0%"]
    assert secretary[-1][1:] == ["", "Nilai Evaluasi atas pelaksanaan Reformasi Birokrasi KPU", "B"]
    cells = {c for table in (head, secretary) for row in table for c in row}
    assert not any("(3357.001)" in c for c in cells)  # the DIPA output indicators are in no PK
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Perjanjian Kinerja Ketua memuat 10 indikator kinerja untuk 3 sasaran" in text
    assert "Perjanjian Kinerja Sekretaris memuat 7 indikator kinerja untuk 5 sasaran" in text
    assert "Dari 34 indikator (17 indikator kinerja dalam Perjanjian Kinerja dan 17 indikator kegiatan)" in text


def test_the_rka_output_indicators_get_their_own_table(ctx: Context, tmp_path: Path) -> None:
    rows = table_with(signed(ctx, tmp_path), "Indikator Kegiatan", "Output")
    assert len(rows) == 1 + 17
    assert rows[1][2:] == ["3357.001", "Adanya Dokumen perencanaan anggaran (3357.001)", "Dokumen", "1"]


def test_without_a_perjanjian_column_output_indicators_are_kept_out_of_the_pk(drafted) -> None:
    _, document = drafted
    (head,) = pk_tables(document)
    assert len(head) == 10 and len([r for r in head if r[1]]) == 3


def test_the_budget_table_prints_program_and_kegiatan_once_per_group(drafted) -> None:
    _, document = drafted
    rows = table_with(document, "Output", "Program", "Kegiatan")[1:-1]
    programs = [r[1] for r in rows if r[1]]
    assert programs == [
        "076.01.01 Program Dukungan Manajemen dan Pelaksanaan Tugas Teknis Lainnya KPU",
        "076.01.06 Program Penguatan Kelembagaan Demokrasi dan Perbaikan Proses Politik",
    ]
    assert len([r for r in rows if r[2]]) == 7  # the seed's 7 kegiatan


def test_amounts_in_the_draft_never_break_after_rp(drafted) -> None:
    _, document = drafted
    rows = table_with(document, "Output", "Program", "Kegiatan")
    raw = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Rp\u00a02.701.548.000" in raw and "93,70\u00a0%" in raw
    assert rows[-1][5] == "Rp 2.701.548.000"


# --- cover, Kata Pengantar and signature ------------------------------------------------------


def test_cover_has_the_kop_of_config_and_no_generator_stamp(drafted, ctx: Context) -> None:
    _, document = drafted
    cover = [p.text for p in document.paragraphs[:20] if p.text]
    assert cover[:2] == ["KPU KABUPATEN BANGKALAN", ctx.settings.office.letterhead]
    assert "Jl. Contoh Raya No. 1, Bangkalan 69100" in cover[1]
    assert "LAPORAN KINERJA" in cover and "TAHUN 2020" in cover
    assert not any("sop-engine" in p or "Disusun" in p for p in cover)
    assert not document.inline_shapes  # no [office] logo configured


def test_the_logo_of_config_stands_in_the_middle_of_the_cover(ctx: Context, tmp_path: Path) -> None:
    office = dataclasses.replace(ctx.settings.office, logo=png_logo(tmp_path / "logo.png"))
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, office=office))
    imported(ctx)
    document = docx.Document(str(draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path))
    [shape] = document.inline_shapes
    assert round(shape.width.cm, 1) == 4.0
    cover = [p for p in document.paragraphs[:20] if p.text or p._p.xpath(".//pic:pic")]
    texts = [p.text for p in cover]
    at = next(n for n, p in enumerate(cover) if p._p.xpath(".//pic:pic"))
    assert texts[at - 1] == "INSTANSI PEMERINTAH" and texts[at + 1] == "KPU KABUPATEN BANGKALAN"
    assert cover[at].alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_kata_pengantar_is_dated_by_step_5_and_signed_by_the_ketua_without_nip(
    ctx: Context, tmp_path: Path, clock
) -> None:
    imported(ctx)
    at_step_5(ctx, tmp_path)
    draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx", case="lakip-2021", attach_by="kasubag")
    done = cases.get_case(ctx, "lakip-2021").steps[4].completed_at
    clock.advance(timedelta(days=40))  # drafted again weeks later: the date stays the step's
    path = draft.draft_lkj(ctx, 2020, tmp_path / "lagi.docx", case="lakip-2021").path
    lines = [p.text for p in docx.Document(str(path)).paragraphs]
    signed_at = lines.index(f"Bangkalan, {format_date(done.astimezone(ctx.tz).date())}")
    assert lines[signed_at : signed_at + 6] == [
        lines[signed_at],
        "KPU Kabupaten Bangkalan",
        "Ketua,",
        "",
        "",
        "Hendra Wijaya, S.H.",
    ]
    assert format_date(clock.now().astimezone(ctx.tz).date()) not in "\n".join(lines)
    assert not any("NIP" in line for line in lines)


# --- findings in Bab III ------------------------------------------------------------------------


def bab_iii_findings(path: Path) -> list[str]:
    return [p.text.replace(NBSP, " ") for p in docx.Document(str(path)).paragraphs if p.text.startswith("•\t")]


def test_the_narrative_total_that_differs_from_the_table_is_a_finding_of_the_draft(
    ctx: Context, tmp_path: Path, sop
) -> None:
    imported(ctx)
    out = tmp_path / "d.docx"
    run = sop("lakip", "draft", "2020", "-o", str(out), "--declared-realisation", "Rp 2.497.528.462")
    assert run.code == 0, run.err
    found = [f for f in bab_iii_findings(out) if "Rp 2.497.528.462" in f]
    assert len(found) == 1 and "Rp 2.531.268.927" in found[0] and "selisih Rp 33.740.465" in found[0]


def test_an_implausible_achievement_and_a_zero_target_are_findings(ctx: Context, tmp_path: Path) -> None:
    imported(ctx)
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "kode,sasaran,indikator,satuan,target,polaritas,realisasi\n"
        'A,Sasaran uji,Indikator salah ketik,%,"0,3%",tinggi,"5%"\n'
        'B,,Indikator bertarget nol,%,"0,0%",tinggi,"0,0%"\n'
        'C,,Indikator wajar,%,"80",tinggi,"96"\n',
        encoding="utf-8",
    )
    service.import_targets(ctx, targets, 2020)
    found = bab_iii_findings(draft.draft_lkj(ctx, 2020, tmp_path / "d.docx").path)
    implausible = [f for f in found if "batas wajar" in f]
    assert len(implausible) == 1 and "Indikator salah ketik" in implausible[0] and "1.666,67 %" in implausible[0]
    assert [f for f in found if "bertarget 0" in f] == [f for f in found if "Indikator bertarget nol" in f]
    assert len([f for f in found if "bertarget 0" in f]) == 1
    assert not any("Indikator wajar" in f for f in found)


@pytest.mark.parametrize("bound", [100, "200", True])
def test_the_plausible_bound_of_config_must_be_a_percentage_above_100(tmp_path: Path, bound: object) -> None:
    raw = {"office": {"satker": "3526", "name": "KPU Kabupaten Bangkalan"}, "lakip": {"capaian_maksimum": bound}}
    with pytest.raises(ConfigError, match="capaian_maksimum"):
        settings_from_mapping(raw, tmp_path / "config.toml", {})


def test_the_plausible_bound_comes_from_config(tmp_path: Path) -> None:
    raw = {"office": {"satker": "3526", "name": "KPU Kabupaten Bangkalan"}, "lakip": {"capaian_maksimum": 104.5}}
    assert settings_from_mapping(raw, tmp_path / "config.toml", {}).achievement_plausible_max == Decimal("104.5")


def test_capaian_tables_and_the_cli_show_a_realisation_as_its_target_is_written(
    ctx: Context, tmp_path: Path, sop
) -> None:
    """One rule (lakip.indicator_text) for a realisation beside its target: typed "6" against "6,0%" is
    printed "6,0%", typed "1200" against "1.000" is printed "1.200", in the draft and in `sop lakip analyse`."""
    imported(ctx)
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "kode,sasaran,indikator,satuan,target,polaritas,realisasi\n"
        'A,Sasaran uji,Indikator persen,%,"6,0%",tinggi,"6"\n'
        'B,Sasaran uji,Indikator dokumen,dokumen,"1.000",tinggi,"1200"\n',
        encoding="utf-8",
    )
    service.import_targets(ctx, targets, 2020)
    path = draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path
    rows = [[c.text for c in r.cells] for t in docx.Document(str(path)).tables for r in t.rows]
    percent = [r for r in rows if "Indikator persen" in r and "Capaian" not in r]
    assert any(("6,0%", "6,0%") in itertools.pairwise(r) for r in percent)  # target, realisasi
    assert not any("6" in r for r in percent)
    documents = [r for r in rows if "Indikator dokumen" in r]
    assert any("1.200" in r for r in documents) and not any("1200" in r for r in documents)
    run = sop("lakip", "analyse", "2020")
    assert run.code == 0, run.err
    line = next(line for line in run.out.splitlines() if "Indikator persen" in line)
    assert line.count("6,0%") == 2
    assert "1.200" in next(line for line in run.out.splitlines() if "Indikator dokumen" in line)
