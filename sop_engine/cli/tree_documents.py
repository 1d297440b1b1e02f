"""The commands of the LAKIP data and documents in the ``sop`` tree: lakip, letters, surat.

``sop lakip`` gathers the data imports and analysis (handlers in :mod:`sop_engine.cli.lakip`),
the data-collection workbook (:mod:`.lakip_workbook`) and the draft (:mod:`.lakip_draft`);
``sop letters`` and ``sop surat`` are in :mod:`.letters`. Each handler's module is imported only
when its command runs (see :mod:`.tree`).
"""

from __future__ import annotations

import argparse
from typing import Any

from sop_engine.cli.parsing import Commands, Parser
from sop_engine.definitions import SYSTEM_ACTOR
from sop_engine.views.labels import DISPOSISI_REQUEST_LABELS, URGENCY_LABELS


def register(cli: Commands) -> None:
    lakip = cli.group("lakip", "data kinerja dan anggaran LAKIP: target, realisasi, analisis, dokumen")
    _register_lakip_data(cli, lakip)
    _register_workbook(cli, lakip)
    p = cli.command(lakip, "draft", "lakip_draft.cmd_draft", "buat draf LKj (.docx) dan pratinjau HTML", True)
    p.add_argument("case_or_year", metavar="KASUS_ATAU_TAHUN", help="kasus LAKIP (lakip-2021 → tahun 2020) atau tahun")
    p.add_argument("-o", "--output", required=True, metavar="BERKAS", help="berkas .docx yang ditulis")
    p.add_argument("--html", metavar="BERKAS", help="tulis juga pratinjau HTML ke berkas ini")
    p.add_argument("--year", type=int, help="tahun yang dilaporkan (mengganti tahun dari kasus)")
    p.add_argument("--attach", action="store_true", help="selesaikan langkah 5 kasus dengan draf ini")
    p.add_argument("--by", help="siapa yang menyelesaikan langkah 5 (dengan --attach)")
    _at_option(p)
    p.add_argument("--declared-realisation", help="realisasi yang disebut di narasi, misalnya 'Rp 2.497.528.462'")
    p.add_argument("--declared-pagu", help="pagu yang disebut di narasi")
    _register_letters(cli)
    _register_surat(cli)


def _sub_group(parent: Any, cli: Commands, name: str, help_text: str) -> Any:
    """A group ``name`` under ``parent`` (``sop lakip NAME ...``); its sub-parsers."""
    p = parent.add_parser(name, help=help_text, description=help_text, parents=[cli.common])
    return p.add_subparsers(dest="action", required=True, metavar="PERINTAH", parser_class=Parser)


_TARGET_COLUMNS = "indikator dan/atau output DIPA"
#: The columns of a targets file, shown under `sop lakip targets import --help`.
_TARGET_EPILOG = """Tabel indikator: kolom wajib indikator, target, polaritas; pilihan kode, sasaran, satuan,
realisasi, kode_output, keterangan, perjanjian (ketua, sekretaris, kegiatan); realisasi_2019
(realisasi tahun sebelumnya, satu kolom per tahun) dan renstra_2024 atau "Target Renstra 2024"
(target Renstra per tahun periode Renstra). Tabel output DIPA: kode, uraian, pagu; pilihan program,
kegiatan. Tabel capaian tahun sebelumnya: tahun, capaian; pilihan serapan (mis. 2019, 96%).
Satu berkas CSV memuat satu tabel; satu berkas XLSX boleh memuat ketiganya, satu per lembar.
Berkas yang salah ditolak seluruhnya, dengan setiap masalah per berkas, lembar dan baris."""


def _register_lakip_data(cli: Commands, lakip: Any) -> None:
    """`sop lakip targets|budget import` and `sop lakip analyse`."""
    for name, handler, help_text, what in (
        ("targets", "lakip.cmd_targets_import", "target Perjanjian Kinerja dan output DIPA", _TARGET_COLUMNS),
        ("budget", "lakip.cmd_budget_import", "realisasi anggaran per output", "kode, uraian, pagu, realisasi"),
    ):
        sub = _sub_group(lakip, cli, name, help_text)
        p = cli.command(sub, "import", handler, f"impor berkas CSV/XLSX ({what})", json_flag=True)
        if name == "targets":
            p.epilog, p.formatter_class = _TARGET_EPILOG, argparse.RawDescriptionHelpFormatter
        p.add_argument("file", metavar="BERKAS", help="berkas .csv atau .xlsx dengan baris judul")
        p.add_argument("--year", type=int, required=True, help="tahun anggaran yang dilaporkan, misalnya 2020")
        p.add_argument("--by", default=SYSTEM_ACTOR, help="siapa yang mengimpor (untuk jejak audit)")

    p = cli.command(lakip, "analyse", "lakip.cmd_analyse", "analisis capaian kinerja dan serapan anggaran", True)
    p.add_argument("case_or_year", metavar="KASUS_ATAU_TAHUN", help="kasus LAKIP (lakip-2021 → tahun 2020) atau tahun")
    p.add_argument("--year", type=int, help="tahun yang dianalisis (mengganti tahun dari kasus)")
    p.add_argument("--declared-realisation", help="realisasi yang disebut di narasi, misalnya 'Rp 2.497.528.462'")
    p.add_argument("--declared-pagu", help="pagu yang disebut di narasi")


def _register_workbook(cli: Commands, lakip: Any) -> None:
    """`sop lakip workbook generate|send|import|status` (steps 2-4)."""
    sub = _sub_group(lakip, cli, "workbook", "buku kerja pengumpulan data (langkah 2-4)")
    p = cli.command(
        sub, "generate", "lakip_workbook.cmd_generate", "buat buku kerja .xlsx berisi target tiap subbagian"
    )
    p.add_argument("--year", type=int, required=True, help="tahun yang dilaporkan, misalnya 2020")
    p.add_argument("-o", "--output", required=True, metavar="BERKAS", help="berkas .xlsx yang ditulis")
    p.add_argument("--division", action="append", help="subbagian (boleh berulang; bawaan: empat subbagian)")
    p.add_argument(
        "--kembali-paling-lambat",
        dest="due",
        metavar="WAKTU",
        help='batas pengembalian, "YYYY-MM-DD" atau "YYYY-MM-DD HH:MM" (bawaan: waktu langkah 4 SOP sejak sekarang)',
    )

    p = cli.command(sub, "send", "lakip_workbook.cmd_send", "catat subbagian yang menerima buku kerja (langkah 3)")
    p.add_argument("case", metavar="KASUS", help="kasus LAKIP, misalnya lakip-2021")
    p.add_argument("--division", action="append", required=True, help="subbagian penerima (boleh berulang)")
    p.add_argument("--by", required=True, help="siapa yang mengirim")
    p.add_argument("--file", help="buku kerja yang dikirim (sha256-nya dicatat)")

    p = cli.command(
        sub, "import", "lakip_workbook.cmd_import", "impor buku kerja yang sudah diisi (langkah 4)", json_flag=True
    )
    p.add_argument("files", nargs="+", metavar="BERKAS", help="buku kerja .xlsx yang sudah diisi")
    p.add_argument("--year", type=int, required=True, help="tahun yang dilaporkan")
    p.add_argument("--by", required=True, help="siapa yang mengimpor")

    p = cli.command(
        sub, "status", "lakip_workbook.cmd_status", "subbagian yang sudah menerima dan mengembalikan", json_flag=True
    )
    p.add_argument("case", metavar="KASUS", help="kasus LAKIP, misalnya lakip-2021")


def _register_letters(cli: Commands) -> None:
    """`sop letters list|issue|cancel`: the register of outgoing letter numbers."""
    sub = cli.group("letters", "register nomor surat keluar (per kantor per tahun)")
    p = cli.command(
        sub, "list", "letters.cmd_letters_list", "daftar nomor surat satu tahun (termasuk yang dibatalkan)", True
    )
    p.add_argument("--year", type=int, required=True)
    p = cli.command(sub, "issue", "letters.cmd_letters_issue", "ambil nomor surat berikutnya", json_flag=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--subject", required=True, help="perihal surat")
    p.add_argument("--by", required=True)
    p.add_argument("--case", help="kasus yang berkaitan, misalnya lakip-2021")
    p.add_argument("--date", help="tanggal surat YYYY-MM-DD (bawaan: hari ini)")
    _klasifikasi_option(p)
    p = cli.command(sub, "cancel", "letters.cmd_letters_cancel", "batalkan nomor surat (tetap tercatat)", True)
    p.add_argument("number", help="nomor lengkap seperti di `sop letters list`, atau urutannya bersama --year")
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--year", type=int)


def _register_surat(cli: Commands) -> None:
    """`sop surat disposisi|pengantar`: the case's letters from the office templates."""
    sub = cli.group("surat", "surat kasus dari templat .docx (templat kantor atau bawaan)")
    p = cli.command(sub, "disposisi", "letters.cmd_surat_disposisi", "buat lembar disposisi (langkah 1)", True)
    p.add_argument("case")
    p.add_argument("--by", required=True, help="pemberi disposisi")
    p.add_argument("--to", required=True, help="penerima disposisi")
    p.add_argument("--instruction", required=True, help="isi disposisi")
    p.add_argument("--urgency", default="segera", choices=list(URGENCY_LABELS), help="sifat (bawaan: segera)")
    p.add_argument("--agenda", default="-", help="nomor agenda")
    p.add_argument("--from", dest="from_", help="pengirim (bawaan: jabatan --by)")
    p.add_argument("--subject", help="perihal (bawaan: judul SOP)")
    p.add_argument("--letter-from", help="surat dari (instansi pengirim surat masuk)")
    p.add_argument("--letter-number", help="nomor surat masuk")
    p.add_argument("--letter-date", help="tanggal surat masuk YYYY-MM-DD")
    p.add_argument("--received", help="tanggal surat diterima YYYY-MM-DD")
    p.add_argument(
        "--request",
        action="append",
        choices=list(DISPOSISI_REQUEST_LABELS),
        help="dengan hormat harap (boleh diulang; bawaan: proses lebih lanjut)",
    )
    _document_options(p)
    p = cli.command(sub, "pengantar", "letters.cmd_surat_pengantar", "buat surat pengantar bernomor (langkah 10)", True)
    p.add_argument("case")
    p.add_argument("--by", required=True, help="yang mengambil nomor (dan menyelesaikan langkah 10)")
    p.add_argument("--to", required=True, help='jabatan tujuan, misalnya "Ketua KPU Provinsi Jawa Timur"')
    p.add_argument("--to-office", help='instansi tujuan di bawah jabatannya, misalnya "KPU Provinsi Jawa Timur"')
    p.add_argument(
        "--to-city", help='kota tujuan ("di Surabaya"); tanpa kota hanya penerima di kantor sendiri: "di Tempat"'
    )
    p.add_argument("--subject", help="perihal (bawaan: Penyampaian Dokumen LAKIP + nama kantor)")
    p.add_argument("--attachment", action="append", default=[], help="URAIAN[;BANYAKNYA[;KETERANGAN]] (boleh diulang)")
    p.add_argument("--signer", help="penanda tangan, nama pengguna (bawaan: sekretaris kantor)")
    p.add_argument("--signer-name")
    p.add_argument("--signer-title")
    p.add_argument("--signer-nip")
    p.add_argument("--place", help="tempat surat, misalnya Bangkalan")
    _klasifikasi_option(p)
    _document_options(p)


def _klasifikasi_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--klasifikasi",
        help="kode klasifikasi surat di nomornya, misalnya PR.03-Kpt (bawaan: [letters] klasifikasi)",
    )


def _document_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", help="tanggal surat YYYY-MM-DD (bawaan: hari ini; disposisi: hari langkah 1 dimulai)")
    p.add_argument("--address", help="baris alamat kop surat (bawaan: [office] di config.toml)")
    p.add_argument(
        "--template", help="templat .docx lain (bawaan: [documents] dir di config.toml, atau templat bawaan)"
    )
    p.add_argument("-o", "--output", required=True, help="berkas .docx yang dibuat")
    p.add_argument("--attach", action="store_true", help="lampirkan ke langkahnya dan selesaikan langkah itu")
    _at_option(p)


def _at_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", help="dengan --attach: waktu langkah diselesaikan bila dicatat belakangan (ISO 8601)")
