"""The generated letters: disposisi (step 1) and surat pengantar (step 10), opened back with python-docx.

Each .docx is read back and its text asserted; a template that uses a value sop-engine does not
provide is refused by name; ``--attach`` completes the step with the document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import runpy
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from sop_engine import cases, documents, letters, resources
from sop_engine.artefacts import IncomingFile
from sop_engine.cli.errors import error_text
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.documents import Attachment, DisposisiForm, PengantarForm
from sop_engine.errors import Conflict, InvalidInput, NotAllowed, NotFound
from sop_engine.install import initialise
from sop_engine.remedies import Hint, Remedy
from tests.helpers import Run, confirm_paraf, pdf, run_cli, to_pdf

ROOT = Path(__file__).resolve().parent.parent
CASE = "lakip-2021"
NUMBER = "1/PR.04-SR/3526/Sek-Kab/I/2021"
SIGNING_DAY = datetime.fromisoformat("2021-01-22T09:00:00+07:00")

#: Who completes steps 1..9 of the LAKIP case on the way to step 10, and whether a file is needed.
ROUTE = [(1, "sekretaris"), (2, "kasubag"), (3, "staf1"), (4, "staf1"), (5, "kasubag"), (6, "staf1")]
ROUTE += [(7, "kasubag"), (8, "kasubag"), (9, "ketua")]


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def rows_of(path: Path, table: int) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in docx.Document(str(path)).tables[table].rows]


@pytest.fixture
def case(ctx: Context) -> str:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    return CASE


def at_step_10(ctx: Context, folder: Path) -> None:
    for no, by in ROUTE:
        files = [IncomingFile.from_path(pdf(folder, f"langkah-{no}.pdf", f"langkah {no}"))]
        cases.complete_step(ctx, CASE, no, by, files=files)
        confirm_paraf(ctx, CASE, no)


@pytest.fixture
def sop(sop, ctx: Context):
    """The real ``sop`` command line (conftest), on the initialised office."""
    return sop


def disposisi_form(**changes) -> DisposisiForm:
    form = DisposisiForm(
        agenda_number="012/SK/I/2021",
        date=date(2021, 1, 11),
        from_="Sekretaris KPU Kabupaten Bangkalan",
        to="Kasubag Program",
        urgency="sangat segera",
        instruction="Siapkan format pengumpulan data kinerja & anggaran <2020>",
        from_name="Dra. Ratna Kusumawati, M.M.",
    )
    return dataclasses.replace(form, **changes)


def pengantar_form(**changes) -> PengantarForm:
    form = PengantarForm(
        date=date(2021, 1, 22),
        to="Ketua KPU Provinsi Jawa Timur",
        signer_name="Dra. Ratna Kusumawati, M.M.",
        signer_title="Sekretaris KPU Kabupaten Bangkalan",
        signer_nip="197003152000002001",
        subject="Penyampaian Laporan Kinerja Tahun 2020",
        attachments=(Attachment("Laporan Kinerja (LKj) Tahun 2020", "2 (dua) eksemplar"), Attachment("Salinan PK")),
        place="Bangkalan",
        to_city="Surabaya",
    )
    return dataclasses.replace(form, **changes)


# --- disposisi -----------------------------------------------------------------------------


def png_logo(path: Path, size: int = 64) -> Path:
    """A real PNG (a red square) of ``size`` pixels, as an office's logo file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x10\x10" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return path


def kop_of(path: Path) -> list[str]:
    """The lines of the kop surat (the first table's middle cell)."""
    return [p.text for p in docx.Document(str(path)).tables[0].cell(0, 1).paragraphs]


def test_disposisi_is_the_lembar_disposisi_of_a_government_office(ctx: Context, case: str, tmp_path: Path) -> None:
    path = documents.disposisi(
        ctx,
        case,
        agenda_number="012/SK/I/2021",
        date=date(2021, 1, 22),
        from_="Sekretaris KPU Kabupaten Bangkalan",
        to="Kasubag Program",
        urgency="sangat segera",
        instruction="Siapkan format pengumpulan data kinerja & anggaran <2020>",
        out_path=tmp_path / "disposisi.docx",
        address="Jl. Fiktif No. 9, Bangkalan",
    )
    office = ctx.settings.office
    assert kop_of(path) == ["KPU KABUPATEN BANGKALAN", "Jl. Fiktif No. 9, Bangkalan", office.contact_line]
    assert [p.text for p in docx.Document(str(path)).paragraphs if p.text] == ["LEMBAR DISPOSISI"]
    form = rows_of(path, 1)
    assert form[0] == ["Surat dari: ....................", "Diterima tanggal: ...................."]
    assert form[1] == ["Nomor surat: ....................", "Nomor agenda: 012/SK/I/2021"]
    assert form[2][1].split() == ["Sifat:", "☐", "Biasa", "☐", "Segera", "☒", "Sangat", "Segera", "☐", "Rahasia"]
    assert form[3][0] == "Perihal: Penyusunan Laporan Akuntabilitas Kinerja Instansi Pemerintah (LAKIP)"
    forwarded, requested = (cell.splitlines() for cell in form[4])
    assert forwarded == ["Diteruskan kepada Sdr.:", "☒ Kasubag Program", "☐ Staf/JFU"]  # below the sender
    assert requested[0] == "Dengan hormat harap:" and "☒ Proses lebih lanjut" in requested
    assert "☐ Tanggapan dan saran" in requested and "☐ Koordinasi/konfirmasi" in requested
    assert form[5][0].splitlines()[:2] == ["Catatan:", "Siapkan format pengumpulan data kinerja & anggaran <2020>"]
    signed = form[6][1].splitlines()
    assert signed[:3] == ["Sekretaris KPU Kabupaten Bangkalan,", "Tanggal: 22 Januari 2021", "Paraf:"]
    assert "Kasus" not in text_of(path)
    footer = docx.Document(str(path)).sections[0].footer.paragraphs[0].text
    assert footer == "Ref. lakip-2021"


def test_disposisi_carries_the_incoming_letter_and_the_requests(ctx: Context, case: str, tmp_path: Path) -> None:
    form = disposisi_form(
        letter_from="KPU Provinsi Jawa Timur",
        letter_number="45/PR.04-SD/35/Prov/I/2021",
        letter_date=date(2021, 1, 6),
        received=date(2021, 1, 8),
        requests=("tanggapan dan saran", "koordinasi"),
        urgency="rahasia",
    )
    path = documents.make_disposisi(ctx, case, "sekretaris", form, tmp_path / "d.docx", attach=False).path
    rows = rows_of(path, 1)
    assert rows[0] == ["Surat dari: KPU Provinsi Jawa Timur", "Diterima tanggal: 8 Januari 2021"]
    assert rows[1][0] == "Nomor surat: 45/PR.04-SD/35/Prov/I/2021"
    assert rows[2][0] == "Tanggal surat: 6 Januari 2021" and "☒ Rahasia" in " ".join(rows[2][1].split())
    requested = rows[4][1].splitlines()
    assert "☒ Tanggapan dan saran" in requested and "☒ Koordinasi/konfirmasi" in requested
    assert "☐ Proses lebih lanjut" in requested
    with pytest.raises(InvalidInput, match="Permintaan disposisi 'segera dikerjakan' tidak dikenal"):
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(requests=("segera dikerjakan",)), tmp_path / "x.docx", attach=False
        )


def test_disposisi_to_someone_without_a_role_of_the_office_is_listed_ticked(
    ctx: Context, case: str, tmp_path: Path
) -> None:
    form = disposisi_form(to="Bendahara Pengeluaran")
    path = documents.make_disposisi(ctx, case, "sekretaris", form, tmp_path / "d.docx", attach=False).path
    assert rows_of(path, 1)[4][0].splitlines()[-1] == "☒ Bendahara Pengeluaran"


def test_disposisi_letterhead_is_the_office_address_from_config(ctx: Context, case: str, tmp_path: Path) -> None:
    generated = documents.make_disposisi(ctx, case, "sekretaris", disposisi_form(), tmp_path / "d.docx", attach=False)
    office = ctx.settings.office
    assert office.contact_line == f"Telepon {office.phone} · Pos-el {office.email} · Laman {office.website}"
    assert kop_of(generated.path) == [office.name.upper(), office.address, office.contact_line]
    assert ".example" in office.website and office.email.endswith(".example")  # the shipped config is fictional
    assert "Dra. Ratna Kusumawati, M.M." in text_of(generated.path)
    assert not docx.Document(str(generated.path)).inline_shapes  # no logo configured


def test_disposisi_kop_shows_the_configured_logo(ctx: Context, case: str, tmp_path: Path) -> None:
    logo = png_logo(tmp_path / "logo.png")
    office = dataclasses.replace(ctx.settings.office, logo=logo)
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, office=office))
    path = documents.make_disposisi(ctx, case, "sekretaris", disposisi_form(), tmp_path / "d.docx", attach=False).path
    [shape] = docx.Document(str(path)).inline_shapes
    assert round(shape.width.cm, 1) == 2.2


@pytest.mark.parametrize("urgency", ["biasa", "segera", "sangat segera", "rahasia"])
def test_disposisi_writes_each_urgency(ctx: Context, case: str, tmp_path: Path, urgency: str) -> None:
    path = documents.make_disposisi(
        ctx, case, "sekretaris", disposisi_form(urgency=urgency), tmp_path / "d.docx", attach=False
    ).path
    ticked = [part.strip() for part in rows_of(path, 1)[2][1].split("☒")[1:]]
    assert [" ".join(t.split("☐")[0].split()) for t in ticked] == [documents.URGENCIES[urgency]]


def test_disposisi_is_dated_the_day_its_step_began_not_the_day_it_is_printed(
    sop, ctx: Context, case: str, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(datetime.fromisoformat("2021-01-20T10:00:00+07:00"))  # the case began Monday 11 January
    out = tmp_path / "d.docx"
    run = sop("surat", "disposisi", CASE, "--by", "sekretaris", "--to", "Kasubag Program", "--instruction", "Siapkan",
              "-o", str(out))  # fmt: skip
    assert run.code == 0, run.err
    signed = rows_of(out, 1)[6][1].splitlines()
    assert signed[:2] == ["Sekretaris KPU Kabupaten Bangkalan,", "Tanggal: 11 Januari 2021"]
    assert signed[-1] == "Dra. Ratna Kusumawati, M.M."  # the signer is the one who gives it (--by)


def test_unknown_urgency_is_refused_with_the_choices(ctx: Context, case: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Sifat disposisi 'kilat' tidak dikenal; pilih salah satu: biasa, segera"):
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(urgency="kilat"), tmp_path / "d.docx", attach=False
        )
    assert not (tmp_path / "d.docx").exists()


def test_empty_instruction_is_refused(ctx: Context, case: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Isi disposisi wajib diisi"):
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(instruction=" "), tmp_path / "d.docx", attach=False
        )


# --- surat pengantar -----------------------------------------------------------------------


def test_surat_pengantar_carries_the_register_number_date_addressee_attachments_and_signer(
    ctx: Context, case: str, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(SIGNING_DAY)
    generated = documents.make_surat_pengantar(
        ctx, case, "kasubag", pengantar_form(), tmp_path / "sp.docx", attach=False
    )
    assert generated.letter is not None and generated.letter.number == NUMBER
    office = ctx.settings.office
    assert kop_of(generated.path) == ["KPU KABUPATEN BANGKALAN", office.address, office.contact_line]
    paragraphs = [p.text for p in docx.Document(str(generated.path)).paragraphs][1:]  # after the rule
    assert paragraphs[:10] == [
        "Bangkalan, 22 Januari 2021",
        "Yth. Ketua KPU Provinsi Jawa Timur",
        "di Surabaya",
        "SURAT PENGANTAR",
        f"Nomor: {NUMBER}",
        "Perihal: Penyampaian Laporan Kinerja Tahun 2020",
        "Lampiran: 2 berkas",
        "",
    ]
    assert rows_of(generated.path, 1) == [
        ["No.", "Naskah Dinas yang Dikirimkan", "Banyaknya", "Keterangan"],
        ["1", "Laporan Kinerja (LKj) Tahun 2020", "2 (dua) eksemplar", "Disampaikan dengan hormat"],
        ["2", "Salinan PK", "1 (satu) berkas", "Disampaikan dengan hormat"],
    ]
    signature = rows_of(generated.path, 2)[0][1].splitlines()
    assert signature[0] == "Sekretaris KPU Kabupaten Bangkalan,"
    assert signature[-2:] == ["Dra. Ratna Kusumawati, M.M.", "NIP. 19700315 200000 2 001"]  # grouped as printed


def test_surat_pengantar_number_is_in_the_register_with_its_case_and_subject(
    ctx: Context, case: str, tmp_path: Path
) -> None:
    documents.make_surat_pengantar(
        ctx, case, "kasubag", pengantar_form(date=date(2021, 1, 11)), tmp_path / "a.docx", attach=False
    )
    [record] = letters.list_letters(ctx, 2021)
    assert (record.number, record.case, record.step, record.subject) == (
        NUMBER,
        CASE,
        10,
        "Penyampaian Laporan Kinerja Tahun 2020",
    )


def test_surat_pengantar_function_takes_a_given_number(ctx: Context, case: str, tmp_path: Path) -> None:
    path = documents.surat_pengantar(
        ctx,
        case,
        number="77/PR.04-SR/3526/Sek-Kab/I/2021",
        date=date(2021, 1, 11),
        to="Ketua KPU Provinsi Jawa Timur",
        subject="Penyampaian LKj",
        attachments=["Dokumen LKj"],
        signer_name="Hendra Wijaya, S.H.",
        signer_title="Ketua KPU Kabupaten Bangkalan",
        out_path=tmp_path / "sp.docx",
        to_city="Surabaya",
    )
    text = text_of(path)
    assert "Nomor: 77/PR.04-SR/3526/Sek-Kab/I/2021" in text and "\n11 Januari 2021\n" in text
    assert "NIP." not in text
    assert letters.list_letters(ctx, 2021) == []


def test_signer_defaults_to_the_office_sekretaris(ctx: Context) -> None:
    signer = documents.signer(ctx)
    assert signer == documents.Signer(
        "Dra. Ratna Kusumawati, M.M.", "Sekretaris KPU Kabupaten Bangkalan", "197003152000002001"
    )
    assert documents.signer(ctx, "ketua").title == "Ketua KPU Kabupaten Bangkalan"
    with pytest.raises(NotFound, match="Pengguna 'budi' tidak ada"):
        documents.signer(ctx, "budi")


# --- templates -----------------------------------------------------------------------------


def template_with(folder: Path, *texts: str) -> Path:
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    path = folder / "templat.docx"
    document.save(str(path))
    return path


def test_template_with_a_tag_without_a_value_is_refused_naming_it(ctx: Context, case: str, tmp_path: Path) -> None:
    template = template_with(tmp_path, "{{ kantor }}", "Telepon: {{ nomor_telepon }}")
    with pytest.raises(InvalidInput, match="memakai nilai 'nomor_telepon' yang tidak disediakan") as refused:
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(template=template), tmp_path / "d.docx", attach=False
        )
    assert (
        "nilai yang tersedia: alamat, alamat_kantor, dari, diterima_tanggal, diteruskan, harap, isi_disposisi, kantor,"
        in (refused.value.message)
    )
    assert not (tmp_path / "d.docx").exists()


def test_template_with_a_missing_attribute_is_refused_naming_it(ctx: Context, case: str, tmp_path: Path) -> None:
    template = template_with(tmp_path, "{{ kasus.kode }}")
    with pytest.raises(InvalidInput, match="memakai nilai 'kode' yang tidak disediakan"):
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(template=template), tmp_path / "d.docx", attach=False
        )


def test_broken_or_missing_template_is_refused(ctx: Context, case: str, tmp_path: Path) -> None:
    broken = template_with(tmp_path, "{{ kantor ")
    with pytest.raises(InvalidInput, match=r"Templat 'templat\.docx' rusak"):
        documents.make_disposisi(
            ctx, case, "sekretaris", disposisi_form(template=broken), tmp_path / "d.docx", attach=False
        )
    with pytest.raises(NotFound, match="tidak ditemukan; buat ulang dengan"):
        documents.make_disposisi(
            ctx,
            case,
            "sekretaris",
            disposisi_form(template=tmp_path / "hilang.docx"),
            tmp_path / "d.docx",
            attach=False,
        )


def test_a_refused_template_takes_no_number(ctx: Context, case: str, tmp_path: Path) -> None:
    template = template_with(tmp_path, "Nomor {{ nomor }}", "{{ tembusan }}")
    with pytest.raises(InvalidInput, match="'tembusan'"):
        documents.make_surat_pengantar(
            ctx,
            case,
            "kasubag",
            pengantar_form(template=template, date=date(2021, 1, 11)),
            tmp_path / "sp.docx",
            attach=False,
        )
    assert letters.list_letters(ctx, 2021) == []


def test_shipped_templates_are_what_build_templates_makes(tmp_path: Path) -> None:
    runpy.run_path(str(ROOT / "documents" / "build_templates.py"), run_name="build")["main"](tmp_path)
    for name in ("disposisi.docx", "surat-pengantar.docx"):
        assert text_of(tmp_path / name) == text_of(resources.DOCUMENTS / name)


# --- attaching to the step -----------------------------------------------------------------


def test_surat_pengantar_attach_completes_step_10_with_the_document(
    sop, ctx: Context, case: str, clock: FixedClock, tmp_path: Path
) -> None:
    at_step_10(ctx, tmp_path)
    clock.set(SIGNING_DAY)
    out = tmp_path / "surat-pengantar-lakip-2021.docx"
    result = sop(
        "surat",
        "pengantar",
        CASE,
        "--by",
        "kasubag",
        "--to",
        "Ketua KPU Provinsi Jawa Timur",
        "--to-city",
        "Surabaya",
        "--attachment",
        "Laporan Kinerja Tahun 2020;2 (dua) eksemplar",
        "--place",
        "Bangkalan",
        "-o",
        str(out),
        "--attach",
    )
    assert result.code == 0, result.err
    assert f"Surat pengantar nomor {NUMBER} dibuat" in result.out
    assert "Langkah 10 (Membuat surat pengantar" in result.out and "Berikutnya: langkah 11" in result.out
    shown = json.loads(sop("case", "show", CASE, "--json").out)
    step = shown["steps"][9]
    assert (step["status"], step["completed_by"]) == ("done", "kasubag")
    [artefact] = step["artefacts"]
    assert artefact["filename"] == out.name
    assert artefact["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    text = text_of(out)
    assert f"Nomor: {NUMBER}" in text and "Bangkalan, 22 Januari 2021" in text
    assert "Perihal: Penyampaian Dokumen LAKIP KPU Kabupaten Bangkalan" in text
    assert ["1", "Laporan Kinerja Tahun 2020", "2 (dua) eksemplar", "Disampaikan dengan hormat"] in rows_of(out, 1)
    assert "Dra. Ratna Kusumawati, M.M." in text  # the office's sekretaris signs by default
    assert [(r.number, r.case, r.step) for r in letters.list_letters(ctx, 2021)] == [(NUMBER, CASE, 10)]


def test_pengantar_attach_when_step_10_is_not_active_is_refused_before_a_number_is_taken(
    sop, ctx: Context, case: str, tmp_path: Path
) -> None:
    out = tmp_path / "sp.docx"
    result = sop(
        "surat",
        "pengantar",
        CASE,
        "--by",
        "kasubag",
        "--to",
        "KPU Provinsi",
        "--to-city",
        "Surabaya",
        "-o",
        str(out),
        "--attach",
    )
    assert result.code == 1
    assert "Langkah 10 (Membuat surat pengantar" in result.err and "tidak sedang aktif" in result.err
    assert letters.list_letters(ctx, 2021) == [] and not out.exists()
    at_step_10(ctx, tmp_path)
    result = sop(
        "surat",
        "pengantar",
        CASE,
        "--by",
        "staf1",
        "--to",
        "KPU Provinsi",
        "--to-city",
        "Surabaya",
        "-o",
        str(out),
        "--attach",
    )
    assert result.code == 1 and "hanya dapat dikerjakan oleh peran kasubag_program" in result.err
    assert letters.list_letters(ctx, 2021) == []


def test_pengantar_without_attach_leaves_the_step_open(sop, ctx: Context, case: str, tmp_path: Path) -> None:
    out = tmp_path / "sp.docx"
    result = sop(
        "surat",
        "pengantar",
        CASE,
        "--by",
        "kasubag",
        "--to",
        "KPU Provinsi",
        "--to-city",
        "Surabaya",
        "-o",
        str(out),
        "--json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["letter"]["number"] == NUMBER and data["case"] is None and data["path"] == str(out)
    assert cases.get_case(ctx, CASE).current_step == 1


def test_disposisi_attach_is_refused_by_a_step_that_takes_only_scans(
    scans_only_at_step_1: Context, clock: FixedClock, tmp_path: Path
) -> None:
    out = tmp_path / "disposisi.docx"

    def sop(*args: str) -> Run:
        return run_cli(list(args), scans_only_at_step_1.settings, clock)

    result = sop(
        "surat",
        "disposisi",
        CASE,
        "--by",
        "sekretaris",
        "--to",
        "Kasubag Program",
        "--instruction",
        "Siapkan LAKIP",
        "-o",
        str(out),
        "--attach",
    )
    assert result.code == 1
    assert "Langkah 1 (Memerintahkan penyusunan LAKIP) hanya menerima berkas pdf, jpeg, png" in result.err
    assert "Buat dokumennya tanpa --attach" in result.err
    assert not out.exists() and cases.get_case(scans_only_at_step_1, CASE).current_step == 1


def _office_with_step_1_kinds(settings: Settings, clock: FixedClock, folder: Path, kinds: str) -> Context:
    folder.mkdir()
    source = (ROOT / "workflows" / "lakip.toml").read_text(encoding="utf-8")
    shipped = 'jenis_berkas = ["pdf", "docx", "jpeg", "png"]'
    assert shipped in source  # step 1 as shipped: a generated disposisi or a signed scan
    (folder / "lakip.toml").write_text(source.replace(shipped, f"jenis_berkas = {kinds}", 1), encoding="utf-8")
    context = Context.open(dataclasses.replace(settings, workflows_dir=folder), clock=clock)
    initialise(context, DEMO_PEOPLE)
    cases.start_case(context, "lakip", 2021, "sekretaris")
    return context


@pytest.fixture
def docx_at_step_1(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Context]:
    """An office whose LAKIP workflow lets step 1 take a Word document (as shipped)."""
    context = _office_with_step_1_kinds(settings, clock, tmp_path / "workflows", '["docx", "pdf", "jpeg", "png"]')
    yield context
    context.db.dispose()


@pytest.fixture
def scans_only_at_step_1(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Context]:
    """An office that accepts only a signed scan at step 1."""
    context = _office_with_step_1_kinds(settings, clock, tmp_path / "workflows", '["pdf", "jpeg", "png"]')
    yield context
    context.db.dispose()


def test_disposisi_attach_completes_step_1_with_the_document(
    docx_at_step_1: Context, clock: FixedClock, tmp_path: Path
) -> None:
    out = tmp_path / "disposisi.docx"
    result = run_cli(
        [
            "surat",
            "disposisi",
            CASE,
            "--by",
            "sekretaris",
            "--to",
            "Kasubag Program",
            "--urgency",
            "biasa",
            "--agenda",
            "005",
            "--instruction",
            "Siapkan penyusunan LAKIP 2020",
            "-o",
            str(out),
            "--attach",
        ],
        docx_at_step_1.settings,
        clock,
    )
    assert result.code == 0, result.err
    assert "Lembar disposisi dibuat" in result.out and "Langkah 1 (Memerintahkan penyusunan LAKIP)" in result.out
    record = cases.get_case(docx_at_step_1, CASE)
    assert record.current_step == 2
    [artefact] = record.steps[0].artefacts
    assert (artefact.filename, artefact.sha256) == (out.name, hashlib.sha256(out.read_bytes()).hexdigest())
    rows = rows_of(out, 1)
    assert rows[6][1].startswith("Sekretaris KPU Kabupaten Bangkalan,") and "☒\xa0Biasa" in rows[2][1]
    assert rows[1][1] == "Nomor agenda: 005" and "Tanggal: 11 Januari 2021" in rows[6][1]
    assert "Dra. Ratna Kusumawati, M.M." in text_of(out)


def test_a_step_without_docx_is_refused_before_a_number(scans_only_at_step_1: Context) -> None:
    with pytest.raises(NotAllowed, match="hanya menerima berkas pdf, jpeg, png, bukan dokumen Word"):
        documents.require_attachable(scans_only_at_step_1, CASE, 1, "sekretaris")


def test_a_step_lost_after_the_number_was_taken_keeps_the_number_and_says_how_to_attach_or_cancel(
    ctx: Context, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_step_10(ctx, tmp_path)

    def beaten(*args, **kwargs):  # someone completed step 10 between the checks and the attachment
        raise Conflict("Langkah 10 sudah diselesaikan oleh kasubag2.", value=10)

    monkeypatch.setattr(cases, "complete_step", beaten)
    form = pengantar_form(date=date(2021, 1, 11))
    with pytest.raises(Conflict) as refused:
        documents.make_surat_pengantar(ctx, case, "kasubag", form, tmp_path / "sp.docx", attach=True)
    kept = str(tmp_path / "sp.docx")
    assert refused.value.hint == Hint(
        Remedy.ATTACH_OR_CANCEL_LETTER, case=case, step=10, user="kasubag", number=NUMBER, path=kept
    )
    message = error_text(refused.value)  # as the command line prints it
    assert message.startswith("Langkah 10 sudah diselesaikan oleh kasubag2.")
    assert f"Nomor {NUMBER} sudah tercatat" in message and f"--file {tmp_path / 'sp.docx'}" in message
    assert f'sop letters cancel "{NUMBER}"' in message
    assert [(r.number, r.status) for r in letters.list_letters(ctx, 2021)] == [(NUMBER, "issued")]


# --- backdating (--at with --attach) -------------------------------------------------------


def test_disposisi_attach_at_records_step_1_at_the_stated_time(
    sop, ctx: Context, case: str, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(datetime.fromisoformat("2023-01-09T09:00:00+07:00"))  # entered two years after the fact
    out = tmp_path / "disposisi.docx"
    args = ["surat", "disposisi", CASE, "--by", "sekretaris", "--to", "Kasubag Program", "--instruction", "Siapkan"]
    result = sop(*args, "-o", str(out), "--attach", "--at", "2021-01-11T08:30")
    assert result.code == 0, result.err
    step = cases.get_case(ctx, CASE).steps[0]
    assert step.completed_at == datetime.fromisoformat("2021-01-11T08:30:00+07:00")
    later = tmp_path / "lagi.docx"
    result = sop(*args, "-o", str(later), "--at", "2021-01-11T08:30")
    assert result.code == 1 and "hanya berlaku bersama --attach" in result.err and not later.exists()


def test_pengantar_attach_at_in_the_future_or_before_the_step_is_refused_before_a_number_is_taken(
    sop, ctx: Context, case: str, clock: FixedClock, tmp_path: Path
) -> None:
    at_step_10(ctx, tmp_path)  # step 10 active since the fixed clock, 11 January 2021 08.00 WIB
    clock.set(SIGNING_DAY)
    out = tmp_path / "sp.docx"
    args = ["surat", "pengantar", CASE, "--by", "kasubag", "--to", "Ketua KPU Provinsi Jawa Timur"]
    args += ["--to-city", "Surabaya", "-o", str(out), "--attach"]
    for at, refusal in (("2021-01-10T09:00", "lebih awal dari saat langkah ini mulai"), ("2021-02-01", "masa depan")):
        result = sop(*args, "--at", at)
        assert result.code == 1 and refusal in result.err and "--at" in result.err
        assert letters.list_letters(ctx, 2021) == [] and not out.exists()
    result = sop(*args, "--at", "2021-01-21T14:00")
    assert result.code == 0, result.err
    assert cases.get_case(ctx, CASE).steps[9].completed_at == datetime.fromisoformat("2021-01-21T14:00:00+07:00")
    assert [r.number for r in letters.list_letters(ctx, 2021)] == [NUMBER]


# --- printed through LibreOffice -----------------------------------------------------------


@pytest.mark.office
def test_both_letters_convert_to_one_pdf_page_each_with_libreoffice(ctx: Context, case: str, tmp_path: Path) -> None:
    made = [
        documents.make_disposisi(ctx, case, "sekretaris", disposisi_form(), tmp_path / "disposisi.docx", attach=False),
        documents.make_surat_pengantar(
            ctx, case, "kasubag", pengantar_form(date=date(2021, 1, 11)), tmp_path / "pengantar.docx", attach=False
        ),
    ]
    printed = to_pdf([m.path for m in made], tmp_path / "pdf")
    for path, expected in zip(printed, ("LEMBAR DISPOSISI", "di Surabaya"), strict=True):
        assert path.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
            ).stdout
            assert expected in text and "KPU KABUPATEN BANGKALAN" in text
            assert text.count("\f") == 1  # one page
