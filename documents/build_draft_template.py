"""Build the office-editable Word template of the draft LKj (``draft-lkj.docx``, python-docx).

Run ``.venv/bin/python documents/build_draft_template.py`` to (re)create it next to this script.
The chapters follow PermenPANRB 53/2014: Kata Pengantar, Ikhtisar Eksekutif, Bab I-IV, Lampiran.
An office may edit the .docx in Word or LibreOffice; the ``{{ ... }}`` tags and the
``{%tr for ... %}`` table rows are filled by sop-engine (docxtpl, Jinja2 syntax), and a tag whose
value sop-engine does not provide is refused with its name. Text in "[isi: ...]" is for the staff
to write. The values available (see ``sop_engine/lakip/draft.py``):

kantor, tahun, tanggal, kasus, skala (rows: kategori, rentang), kalimat_anggaran,
kalimat_indikator, kalimat_pk, kalimat_capaian, kalimat_penutup, pagu, realisasi, serapan,
jumlah_indikator, kategori (rows: kategori, jumlah), pk (rows: no, sasaran, indikator, satuan,
target), capaian (rows: no, indikator, target, realisasi, capaian, kategori), anggaran (rows: no,
kode, uraian, pagu, realisasi, serapan), program (rows: uraian, pagu, realisasi, serapan),
perbandingan (rows: tahun, pagu, realisasi, serapan, capaian), catatan (texts), sumber (rows:
jenis, berkas, sha256, oleh, pada)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
#: Where the package's default templates live (shipped in the wheel, found with importlib.resources).
OUT = HERE.parent / "sop_engine" / "defaults" / "documents"
FONT = "Arial"


def placeholder(document: DocumentObject, what: str) -> None:
    """A paragraph the staff rewrite, marked so nobody mistakes it for finished text."""
    run = document.add_paragraph().add_run(f"[isi: {what}]")
    run.italic = True


def text(document: DocumentObject, value: str, *, bold: bool = False, align: str = "justify") -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    paragraph.add_run(value).bold = bold


def chapter(document: DocumentObject, title: str, *, new_page: bool = True) -> None:
    if new_page:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(title, level=1)


def loop_table(
    document: DocumentObject,
    headers: Sequence[str],
    loop: str,
    cells: Sequence[str],
    widths: Sequence[float],
    total: Sequence[str] | None = None,
) -> None:
    """A table: header row, one ``{%tr for %}`` row repeated per item, and an optional total row."""
    table = document.add_table(rows=4 + (total is not None), cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, header in enumerate(headers):
        table.cell(0, column).paragraphs[0].add_run(header).bold = True
    table.cell(1, 0).paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    for column, tag in enumerate(cells):
        table.cell(2, column).paragraphs[0].add_run(tag)
    table.cell(3, 0).paragraphs[0].add_run("{%tr endfor %}")
    if total is not None:
        for column, value in enumerate(total):
            table.cell(4, column).paragraphs[0].add_run(value).bold = True
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    document.add_paragraph()


def draft_lkj() -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for level in (1, 2):
        heading = document.styles[f"Heading {level}"]
        heading.font.name = FONT
    document.core_properties.title = "Draf Laporan Kinerja"
    document.core_properties.author = "sop-engine"

    for _ in range(6):
        document.add_paragraph()
    text(document, "DRAF LAPORAN KINERJA", bold=True, align="center")
    text(document, "{{ kantor|upper }}", bold=True, align="center")
    text(document, "TAHUN {{ tahun }}", bold=True, align="center")
    text(document, "Disusun sop-engine pada {{ tanggal }}{% if kasus %} (kasus {{ kasus }}){% endif %}", align="center")

    chapter(document, "KATA PENGANTAR")
    text(
        document,
        "Laporan Kinerja {{ kantor }} Tahun {{ tahun }} ini disusun berdasarkan Peraturan Menteri "
        "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 53 Tahun 2014.",
    )
    placeholder(document, "kata pengantar: tujuan laporan, ucapan terima kasih, harapan")
    text(document, "[isi: tempat], {{ tanggal }}", align="right")
    text(document, "[isi: jabatan, nama dan NIP penanda tangan]", align="right")

    chapter(document, "IKHTISAR EKSEKUTIF")
    placeholder(document, "ringkasan tugas, sasaran strategis dan program tahun ini")
    text(document, "{{ kalimat_anggaran }}")
    text(document, "{{ kalimat_indikator }}")
    loop_table(
        document, ("Kategori", "Jumlah Indikator"), "k in kategori", ("{{ k.kategori }}", "{{ k.jumlah }}"), (10, 4)
    )
    placeholder(document, "kendala utama dan langkah perbaikan")

    chapter(document, "BAB I PENDAHULUAN")
    for number, title, what in (
        ("1.1", "Latar Belakang", "latar belakang penyusunan laporan kinerja"),
        ("1.2", "Maksud dan Tujuan", "maksud dan tujuan laporan"),
        ("1.3", "Gambaran Umum Organisasi", "kedudukan, tugas, fungsi, struktur organisasi dan sumber daya manusia"),
        ("1.4", "Dasar Hukum", "peraturan yang menjadi dasar penyusunan laporan"),
    ):
        document.add_heading(f"{number} {title}", level=2)
        placeholder(document, what)
    document.add_heading("1.5 Sistematika Penyajian", level=2)
    text(
        document,
        "Laporan ini terdiri atas Ikhtisar Eksekutif; Bab I Pendahuluan; Bab II Perencanaan Kinerja; "
        "Bab III Akuntabilitas Kinerja; Bab IV Penutup; dan Lampiran.",
    )

    chapter(document, "BAB II PERENCANAAN KINERJA")
    document.add_heading("2.1 Rencana Strategis", level=2)
    placeholder(document, "visi, misi, tujuan dan sasaran strategis dari Renstra")
    document.add_heading("2.2 Perjanjian Kinerja Tahun {{ tahun }}", level=2)
    text(document, "{{ kalimat_pk }}")
    loop_table(
        document,
        ("No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target"),
        "p in pk",
        ("{{ p.no }}", "{{ p.sasaran }}", "{{ p.indikator }}", "{{ p.satuan }}", "{{ p.target }}"),
        (1, 4.5, 6.5, 2, 2),
    )

    chapter(document, "BAB III AKUNTABILITAS KINERJA")
    document.add_heading("3.1 Capaian Kinerja Organisasi", level=2)
    text(document, "Capaian tiap indikator dinilai dengan skala berikut:")
    loop_table(document, ("Kategori", "Capaian"), "s in skala", ("{{ s.kategori }}", "{{ s.rentang }}"), (6, 8))
    loop_table(
        document,
        ("No", "Indikator Kinerja", "Target", "Realisasi", "Capaian", "Kategori"),
        "c in capaian",
        (
            "{{ c.no }}",
            "{{ c.indikator }}",
            "{{ c.target }}",
            "{{ c.realisasi }}",
            "{{ c.capaian }}",
            "{{ c.kategori }}",
        ),
        (1, 6.5, 2, 2, 2, 2.5),
    )
    text(document, "{{ kalimat_capaian }}")
    placeholder(document, "analisis capaian per sasaran: penyebab keberhasilan atau kegagalan, upaya perbaikan")
    document.add_heading("3.2 Perbandingan dengan Tahun Sebelumnya", level=2)
    text(document, "{%p if perbandingan %}")
    loop_table(
        document,
        ("Tahun", "Pagu", "Realisasi", "Serapan", "Rata-rata Capaian"),
        "t in perbandingan",
        ("{{ t.tahun }}", "{{ t.pagu }}", "{{ t.realisasi }}", "{{ t.serapan }}", "{{ t.capaian }}"),
        (2, 3.5, 3.5, 2.5, 4.5),
    )
    text(document, "{%p else %}")
    text(document, "Belum ada data tahun sebelumnya di sop-engine untuk dibandingkan.")
    text(document, "{%p endif %}")
    document.add_heading("3.3 Akuntabilitas Keuangan", level=2)
    text(document, "{{ kalimat_anggaran }}")
    loop_table(
        document,
        ("No", "Kode", "Output", "Pagu", "Realisasi", "%"),
        "a in anggaran",
        ("{{ a.no }}", "{{ a.kode }}", "{{ a.uraian }}", "{{ a.pagu }}", "{{ a.realisasi }}", "{{ a.serapan }}"),
        (1, 2, 6, 3, 3, 1.5),
        total=("", "", "JUMLAH", "{{ pagu }}", "{{ realisasi }}", "{{ serapan }}"),
    )
    loop_table(
        document,
        ("Program", "Pagu", "Realisasi", "%"),
        "g in program",
        ("{{ g.uraian }}", "{{ g.pagu }}", "{{ g.realisasi }}", "{{ g.serapan }}"),
        (8, 3, 3, 2),
    )
    placeholder(document, "penjelasan serapan anggaran dan efisiensi")
    document.add_heading("3.4 Catatan Konsistensi", level=2)
    text(document, "{%p for n in catatan %}")
    text(document, "• {{ n }}")
    text(document, "{%p endfor %}")
    text(document, "{%p if not catatan %}")
    text(document, "Tidak ada catatan: angka-angka laporan ini saling sesuai.")
    text(document, "{%p endif %}")

    chapter(document, "BAB IV PENUTUP")
    text(document, "{{ kalimat_penutup }}")
    placeholder(document, "kesimpulan, permasalahan dan saran perbaikan untuk tahun berikutnya")

    chapter(document, "LAMPIRAN")
    text(document, "Data yang dipakai draf ini (diimpor ke sop-engine):")
    loop_table(
        document,
        ("Jenis", "Berkas", "SHA-256", "Diimpor oleh", "Pada"),
        "d in sumber",
        ("{{ d.jenis }}", "{{ d.berkas }}", "{{ d.sha256 }}", "{{ d.oleh }}", "{{ d.pada }}"),
        (2.5, 4, 3, 3, 3.5),
    )
    placeholder(document, "Perjanjian Kinerja bertanda tangan, Renstra, dan dokumen pendukung lain")
    return document


def main(out: Path = OUT) -> None:
    """Write the draft LKj template into ``out`` (the package's defaults unless told otherwise)."""
    path = out / "draft-lkj.docx"
    draft_lkj().save(str(path))
    print(f"{path} dibuat.")


if __name__ == "__main__":
    main()
