"""Build the office-editable Word template of the draft LKj (``draft-lkj.docx``, python-docx).

Run ``.venv/bin/python documents/build_draft_template.py`` to (re)create it next to this script.
The chapters follow PermenPANRB 53/2014 and the LKj the offices send (Kata Pengantar, Daftar Isi,
Ikhtisar Eksekutif, Bab I-IV, Lampiran); the wide tables of Bab III are in a landscape section;
page layout helpers are in ``draft_layout.py``. An office may edit the .docx in Word or
LibreOffice; the ``{{ ... }}`` tags and the ``{%tr for ... %}`` table rows are filled by
sop-engine (docxtpl, Jinja2 syntax), and a tag whose value sop-engine does not provide is refused
with its name. Text in "[isi: ...]" is for the staff to write. The values available (see
``sop_engine/lakip/draft.py`` and ``draft_tables.py``):

kantor, kop_alamat, logo (the image of [office] logo, or empty), tahun, tanggal, tempat_tanggal,
penanda_tangan, kasus, skala (rows: kategori, rentang), kalimat_anggaran, kalimat_indikator,
kalimat_pk, kalimat_capaian, kalimat_penutup, pagu, realisasi, serapan, jumlah_indikator, kategori
(rows: kategori, jumlah), perjanjian (rows: judul, penanda_tangan, kalimat, kelompok, program
(rows: uraian, pagu)); the groups per sasaran (kelompok, indikator_kegiatan, capaian: rows no,
sasaran, baris) hold rows of indikator, satuan, target, kode (capaian: nomor, indikator, lalu,
target, realisasi, capaian, kategori, renstra, progres, and each group's comparison sentences
kalimat); tahun_lalu, tahun_renstra, kalimat_perbandingan (texts), ada_tahun_lain; pk (the flat PK
rows: no, sasaran, indikator, satuan, target, kode); anggaran (groups per kegiatan: program,
kegiatan, baris of no, kode, uraian, pagu, realisasi, serapan), program (rows: uraian, pagu,
realisasi, serapan), perbandingan (rows: tahun, pagu, realisasi, serapan, capaian), catatan
(texts), sumber (rows: jenis, berkas, sha256, oleh, pada). A cell written ``{% vm %}{{ g.sasaran }}``
is merged over the rows of its group.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import draft_layout as layout  # noqa: E402  (next to this script, which is not a package)

#: Where the package's default templates live (shipped in the wheel, found with importlib.resources).
OUT = HERE.parent / "sop_engine" / "defaults" / "documents"


def placeholder(document: DocumentObject, what: str) -> None:
    """A paragraph the staff rewrite, marked so nobody mistakes it for finished text."""
    run = document.add_paragraph().add_run(f"[isi: {what}]")
    run.italic = True


def text(
    document: DocumentObject, value: str, *, bold: bool = False, align: str = "justify", size: float = 0
) -> Paragraph:
    """A paragraph of ``value`` (the template's text, tags included), returned for further layout."""
    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    run = paragraph.add_run(value)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return paragraph


def kept_with_next(paragraph: Paragraph) -> None:
    """A title that never ends a page: it stays on the page of what follows it."""
    paragraph.paragraph_format.keep_with_next = True


def list_item(document: DocumentObject, value: str) -> None:
    """A numbered item ("{{ loop.index }}. ..."): aligned left, its lines under the text, not the number."""
    paragraph = text(document, value, align="left")
    paragraph.paragraph_format.left_indent = Cm(0.75)
    paragraph.paragraph_format.first_line_indent = Cm(-0.75)


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
    right: Sequence[int] = (),
    group: str | None = None,
) -> None:
    """A fixed-width table: header row, one ``{%tr for %}`` row per item, an optional total row.

    With ``group`` (e.g. ``"g in capaian"``) the item loop runs inside a loop over groups, and a
    cell written ``{% vm %}{{ g.sasaran }}`` is merged over its group's rows (printed once).
    ``right`` lists the columns aligned right (amounts and percentages).
    """
    loops = ([f"{{%tr for {group} %}}"] if group else []) + [f"{{%tr for {loop} %}}"]
    table = layout.fixed_table(document, 1 + 2 * len(loops) + 1 + (total is not None), widths)
    for column, header in enumerate(headers):
        layout.cell_text(table, 0, column, header, bold=True)
    for row, tag in enumerate(loops, 1):
        layout.cell_text(table, row, 0, tag)
    data = 1 + len(loops)
    for column, tag in enumerate(cells):
        layout.cell_text(table, data, column, tag, right=column in right)
    for row in range(data + 1, data + 1 + len(loops)):
        layout.cell_text(table, row, 0, "{%tr endfor %}")
    for column, value in enumerate(total or ()):
        layout.cell_text(table, data + 1 + len(loops), column, value, bold=True, right=column in right)
    document.add_paragraph()


def signature(document: DocumentObject) -> None:
    """The head's signature block: place and date from the case, the Ketua's name (a Ketua has no NIP)."""
    for value in ("{{ tempat_tanggal }}", "{{ kantor }}", "Ketua,", "", "", "{{ penanda_tangan }}"):
        text(document, value, align="right", bold=value == "{{ penanda_tangan }}")


def cover(document: DocumentObject) -> None:
    """The cover: the kop (office name and address from config [office]), title, the logo and year."""
    text(document, "{{ kantor|upper }}", bold=True, align="center", size=14)
    text(document, "{%p if kop_alamat %}")
    text(document, "{{ kop_alamat }}", align="center", size=9)
    layout.rule_below(document.paragraphs[-1])
    text(document, "{%p endif %}")
    for _ in range(4):
        document.add_paragraph()
    text(document, "LAPORAN KINERJA", bold=True, align="center", size=20)
    text(document, "INSTANSI PEMERINTAH", bold=True, align="center", size=14)
    document.add_paragraph()
    text(document, "{{ logo }}", align="center")
    document.add_paragraph()
    text(document, "{{ kantor|upper }}", bold=True, align="center", size=14)
    text(document, "TAHUN {{ tahun }}", bold=True, align="center", size=14)


def front_matter(document: DocumentObject) -> None:
    chapter(document, "KATA PENGANTAR")
    text(
        document,
        "Laporan Kinerja {{ kantor }} Tahun {{ tahun }} ini disusun berdasarkan Peraturan Presiden Nomor 29 "
        "Tahun 2014 tentang Sistem Akuntabilitas Kinerja Instansi Pemerintah dan Peraturan Menteri "
        "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 53 Tahun 2014.",
    )
    placeholder(document, "kata pengantar: tujuan laporan, ucapan terima kasih, harapan")
    signature(document)
    chapter(document, "DAFTAR ISI")
    document.add_paragraph()  # the anchor the entries go before (layout.table_of_contents, at the end)

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
        ("1.3", "Gambaran Umum Organisasi", "kedudukan, tugas pokok dan fungsi"),
        ("1.4", "Struktur Organisasi", "bagan organisasi (gambar) dan uraian tugas tiap subbagian"),
        ("1.5", "Sumber Daya Manusia", "jumlah PNS dan tenaga kontrak per golongan/ruang per Desember"),
        ("1.6", "Dasar Hukum", "peraturan yang menjadi dasar penyusunan laporan"),
    ):
        document.add_heading(f"{number} {title}", level=2)
        placeholder(document, what)
    document.add_heading("1.7 Sistematika Penyajian", level=2)
    text(
        document,
        "Laporan ini terdiri atas Ikhtisar Eksekutif; Bab I Pendahuluan; Bab II Perencanaan Kinerja; "
        "Bab III Akuntabilitas Kinerja; Bab IV Penutup; dan Lampiran.",
    )


PK_WIDTHS = (1, 4.5, 8.5, 2)


def renstra(document: DocumentObject) -> None:
    """Visi, misi and tujuan from config [lakip], each a placeholder where config has none."""
    text(document, "{%p if renstra_periode %}")
    text(
        document,
        "Rencana Strategis {{ kantor }} periode {{ renstra_periode }} menetapkan visi, misi dan tujuan berikut.",
    )
    text(document, "{%p endif %}")
    kept_with_next(text(document, "Visi", bold=True, align="left"))
    text(document, "{%p if visi %}")
    text(document, "“{{ visi }}”", align="center")
    text(document, "{%p else %}")
    placeholder(document, "visi")
    text(document, "{%p endif %}")
    for title, name, what in (("Misi", "misi", "misi"), ("Tujuan Strategis", "tujuan", "tujuan strategis")):
        kept_with_next(text(document, title, bold=True, align="left"))
        text(document, f"{{%p if {name} %}}")
        text(document, f"{{%p for m in {name} %}}")
        list_item(document, "{{ loop.index }}.\t{{ m }}")
        text(document, "{%p endfor %}")
        text(document, "{%p else %}")
        placeholder(document, what)
        text(document, "{%p endif %}")


def planning(document: DocumentObject) -> None:
    chapter(document, "BAB II PERENCANAAN KINERJA")
    document.add_heading("2.1 Rencana Strategis", level=2)
    renstra(document)
    for what in ("sasaran strategis dari Renstra", "arah kebijakan dan strategi"):
        placeholder(document, what)
    document.add_heading("2.2 Perjanjian Kinerja Tahun {{ tahun }}", level=2)
    text(document, "{{ kalimat_pk }}")
    text(document, "{%p for a in perjanjian %}")
    kept_with_next(text(document, "{{ a.judul|upper }} TAHUN {{ tahun }}", bold=True, align="center"))
    kept_with_next(text(document, "{{ a.kalimat }}"))
    loop_table(
        document,
        ("No", "Sasaran Strategis", "Indikator Kinerja", "Target"),
        "p in g.baris",
        ("{% vm %}{{ g.no }}", "{% vm %}{{ g.sasaran }}", "{{ p.indikator }}", "{{ p.target }}"),
        PK_WIDTHS,
        right=(3,),
        group="g in a.kelompok",
    )
    loop_table(
        document, ("Program", "Anggaran"), "g in a.program", ("{{ g.uraian }}", "{{ g.pagu }}"), (12, 4), right=(1,)
    )
    text(document, "{%p endfor %}")
    placeholder(document, "halaman Perjanjian Kinerja yang ditandatangani (pindaian) bila perlu dilampirkan")
    document.add_heading("2.3 Rencana Kerja Anggaran Tahun {{ tahun }}", level=2)
    text(document, "Indikator kegiatan/output Rencana Kerja Anggaran (di luar Perjanjian Kinerja):")
    loop_table(
        document,
        ("No", "Sasaran Kegiatan", "Output", "Indikator Kegiatan", "Satuan", "Target"),
        "p in g.baris",
        (
            "{% vm %}{{ g.no }}",
            "{% vm %}{{ g.sasaran }}",
            "{{ p.kode }}",
            "{{ p.indikator }}",
            "{{ p.satuan }}",
            "{{ p.target }}",
        ),
        (1, 3.6, 2.3, 5.4, 2, 1.7),
        right=(5,),
        group="g in indikator_kegiatan",
    )
    document.add_heading("2.4 Rencana Pelaksanaan Kegiatan", level=2)
    placeholder(document, "jadwal pelaksanaan kegiatan per triwulan (T1-T4) dan rencana kerja tahun ini")


#: The multi-year capaian table of each sasaran (landscape: 24,7 cm between the margins).
CAPAIAN_HEADERS = (
    "No",
    "Indikator Kinerja",
    "Realisasi {{ tahun_lalu }}",
    "Target {{ tahun }}",
    "Realisasi {{ tahun }}",
    "Capaian {{ tahun }}",
    "Kategori",
    "Target Renstra {{ tahun_renstra }}",
    "Capaian thd. Renstra",
)
CAPAIAN_WIDTHS = (1.4, 6.9, 2.2, 2.2, 2.2, 2.3, 3.1, 2.2, 2.2)


def accountability(document: DocumentObject) -> None:
    """Bab III in a landscape section: capaian per sasaran, comparison, budget per program/kegiatan/output."""
    layout.new_section(document, landscape=True)
    chapter(document, "BAB III AKUNTABILITAS KINERJA", new_page=False)
    document.add_heading("3.1 Capaian Kinerja Organisasi", level=2)
    text(document, "Capaian tiap indikator dinilai dengan skala berikut:")
    loop_table(document, ("Kategori", "Capaian"), "s in skala", ("{{ s.kategori }}", "{{ s.rentang }}"), (6, 8))
    text(document, "{{ kalimat_capaian }}")
    text(document, "{%p for g in capaian %}")
    kept_with_next(text(document, "Sasaran {{ g.no }}: {{ g.sasaran }}", bold=True, align="left"))
    loop_table(
        document,
        CAPAIAN_HEADERS,
        "c in g.baris",
        (
            "{{ c.nomor }}",
            "{{ c.indikator }}",
            "{{ c.lalu }}",
            "{{ c.target }}",
            "{{ c.realisasi }}",
            "{{ c.capaian }}",
            "{{ c.kategori }}",
            "{{ c.renstra }}",
            "{{ c.progres }}",
        ),
        CAPAIAN_WIDTHS,
        right=(2, 3, 4, 5, 7, 8),
    )
    text(document, "{%p for k in g.kalimat %}")
    text(document, "{{ k }}")
    text(document, "{%p endfor %}")
    text(document, "{%p endfor %}")
    placeholder(document, "analisis capaian per sasaran: penyebab keberhasilan atau kegagalan, upaya perbaikan")
    document.add_heading("3.2 Perbandingan dengan Tahun Sebelumnya", level=2)
    text(document, "{%p if perbandingan %}")
    loop_table(
        document,
        ("Tahun", "Pagu", "Realisasi", "Serapan", "Rata-rata Capaian"),
        "t in perbandingan",
        ("{{ t.tahun }}", "{{ t.pagu }}", "{{ t.realisasi }}", "{{ t.serapan }}", "{{ t.capaian }}"),
        (2, 4, 4, 3, 4),
        right=(1, 2, 3, 4),
    )
    text(document, "{%p endif %}")
    text(document, "{%p for k in kalimat_perbandingan %}")
    text(document, "{{ k }}")
    text(document, "{%p endfor %}")
    text(document, "{%p if not ada_tahun_lain %}")
    text(document, "Belum ada data tahun sebelumnya untuk dibandingkan.")
    text(document, "{%p endif %}")
    finances(document)


def finances(document: DocumentObject) -> None:
    """Bab III 3.3-3.5: the budget per program, kegiatan and output; realisation per output; the findings."""
    document.add_heading("3.3 Akuntabilitas Keuangan", level=2)
    text(document, "{{ kalimat_anggaran }}")
    loop_table(
        document,
        ("No", "Program", "Kegiatan", "Kode", "Output", "Pagu", "Realisasi", "%"),
        "a in k.baris",
        (
            "{{ a.no }}",
            "{% vm %}{{ k.program }}",
            "{% vm %}{{ k.kegiatan }}",
            "{{ a.kode }}",
            "{{ a.uraian }}",
            "{{ a.pagu }}",
            "{{ a.realisasi }}",
            "{{ a.serapan }}",
        ),
        (1, 3.1, 3.9, 2.3, 4.3, 3.9, 3.9, 2.3),
        total=("", "", "", "", "JUMLAH", "{{ pagu }}", "{{ realisasi }}", "{{ serapan }}"),
        right=(5, 6, 7),
        group="k in anggaran",
    )
    loop_table(
        document,
        ("Program", "Pagu", "Realisasi", "%"),
        "g in program",
        ("{{ g.uraian }}", "{{ g.pagu }}", "{{ g.realisasi }}", "{{ g.serapan }}"),
        (12, 4, 4, 2.2),
        right=(1, 2, 3),
    )
    document.add_heading("3.4 Realisasi Kinerja per Output", level=2)
    text(
        document,
        "Indikator kegiatan tiap output DIPA beserta penyerapan anggarannya; efisiensi adalah capaian "
        "dikurangi serapan.",
    )
    loop_table(
        document,
        ("No", "Kode", "Output", "Indikator Kegiatan", "Target", "Realisasi", "Capaian", "Serapan", "Efisiensi"),
        "o in per_output",
        (
            "{{ o.no }}",
            "{{ o.kode }}",
            "{{ o.uraian }}",
            "{{ o.indikator }}",
            "{{ o.target }}",
            "{{ o.realisasi }}",
            "{{ o.capaian }}",
            "{{ o.serapan }}",
            "{{ o.efisiensi }}",
        ),
        (0.9, 2.0, 4.8, 5.9, 1.7, 2.2, 2.3, 2.4, 2.5),
        right=(4, 5, 6, 7, 8),
    )
    placeholder(document, "kegiatan yang dilaksanakan per output dan penjelasan serapan anggaran dan efisiensi")
    document.add_heading("3.5 Catatan Konsistensi", level=2)
    text(document, "{%p for n in catatan %}")
    list_item(document, "•\t{{ n }}")
    text(document, "{%p endfor %}")
    text(document, "{%p if not catatan %}")
    text(document, "Tidak ada catatan: angka-angka laporan ini saling sesuai.")
    text(document, "{%p endif %}")


def closing(document: DocumentObject) -> None:
    layout.new_section(document, landscape=False)
    chapter(document, "BAB IV PENUTUP", new_page=False)
    text(document, "{{ kalimat_penutup }}")
    placeholder(document, "kesimpulan dan permasalahan")
    document.add_heading("4.1 Saran", level=2)
    placeholder(document, "saran perbaikan untuk tahun berikutnya")
    signature(document)

    chapter(document, "LAMPIRAN")
    text(document, "Sumber data tabel-tabel laporan ini:")
    loop_table(
        document,
        ("Jenis", "Berkas", "SHA-256", "Diimpor oleh", "Pada"),
        "d in sumber",
        ("{{ d.jenis }}", "{{ d.berkas }}", "{{ d.sha256 }}", "{{ d.oleh }}", "{{ d.pada }}"),
        (2.9, 3.7, 4.3, 2.3, 2.8),
    )
    placeholder(document, "Perjanjian Kinerja bertanda tangan, Renstra, dan dokumen pendukung lain")


def draft_lkj() -> DocumentObject:
    document = Document()
    layout.set_page(document.sections[0], landscape=False)
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    layout.one_font(document, ("Normal", "Heading 1", "Heading 2", "Title"))
    layout.page_numbers(document)
    document.core_properties.title = "Laporan Kinerja"
    document.core_properties.author = ""
    cover(document)
    front_matter(document)
    planning(document)
    accountability(document)
    closing(document)
    anchor = next(p for n, p in enumerate(document.paragraphs) if document.paragraphs[n - 1].text == "DAFTAR ISI")
    layout.table_of_contents(document, anchor, skip=("DAFTAR ISI",))
    return document


def main(out: Path = OUT) -> None:
    """Write the draft LKj template into ``out`` (the package's defaults unless told otherwise)."""
    path = out / "draft-lkj.docx"
    draft_lkj().save(str(path))
    print(f"{path} dibuat.")


if __name__ == "__main__":
    main()
