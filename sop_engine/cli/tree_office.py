"""The office's commands in the ``sop`` tree: init, demo, backup, offices, people, serve, workflows, calendar.

Their handlers are in :mod:`sop_engine.cli.office` (the backup's in :mod:`sop_engine.cli.backup`, the
offices' in :mod:`sop_engine.cli.offices`),
imported only when one of them runs (see :mod:`.tree`).
"""

from __future__ import annotations

from typing import Any

from sop_engine.cli.parsing import Commands
from sop_engine.definitions import SYSTEM_ACTOR


def register(cli: Commands) -> None:
    p = cli.command(None, "init", "office.cmd_init", "siapkan atau perbarui basis data dan daftarkan SOP")
    p.add_argument("--demo", action="store_true", help="tambahkan pegawai demo (fiktif)")
    p.set_defaults(needs_schema=False, writes_config=True)
    p = cli.command(None, "demo", "office.cmd_demo", "simulasikan satu kasus LAKIP lengkap dan tampilkan lini masanya")
    p.set_defaults(needs_schema=False, demo_office=True)  # plays in a temporary database

    _register_people(cli)

    p = cli.command(None, "serve", "office.cmd_serve", "jalankan halaman web dan API (beserta penjadwal)")
    p.add_argument("--host", help="alamat yang didengarkan (bawaan: [web] host)")
    p.add_argument("--port", type=int, help="port (bawaan: [web] port)")
    p.add_argument(
        "--no-scheduler", action="store_true", help="tanpa penjadwal (jalankan `sop scheduler run` terpisah)"
    )

    _register_backup(cli)
    _register_offices(cli)

    sub = cli.group("config", "konfigurasi (config.toml)")
    p = cli.command(
        sub, "check", "office.cmd_config_check", "tampilkan pengaturan yang berlaku dan periksa masalahnya", True
    )
    p.set_defaults(needs_context=False)

    sub = cli.group("workflows", "definisi SOP")
    cli.command(sub, "list", "office.cmd_workflows_list", "revisi SOP dan jumlah kasusnya", json_flag=True)
    p = cli.command(sub, "show", "office.cmd_workflows_show", "tampilkan satu SOP", json_flag=True)
    p.add_argument("name")
    p = cli.command(sub, "check", "office.cmd_workflows_check", "periksa berkas definisi SOP")
    p.add_argument("file")
    p.set_defaults(needs_context=False)
    _register_sopdoc(cli, sub)

    sub = cli.group("calendar", "kalender kerja kantor")
    p = cli.command(sub, "due", "office.cmd_calendar_due", "hitung tenggat dalam jam kerja", json_flag=True)
    p.set_defaults(needs_schema=False)
    p.add_argument("--from", dest="start", required=True, help="waktu mulai (ISO 8601)")
    p.add_argument("--budget", required=True, help='durasi, misalnya "4 hari", "2 jam", "10 menit"')
    p = cli.command(sub, "holidays", "office.cmd_calendar_holidays", "hari libur dan cuti bersama", json_flag=True)
    p.set_defaults(needs_schema=False)
    p.add_argument("--year", type=int, required=True)


def _register_sopdoc(cli: Commands, sub: Any) -> None:
    """`sop workflows document|import` (handlers in :mod:`.sopdoc`)."""
    p = cli.command(sub, "document", "sopdoc.cmd_workflows_document", "cetak dokumen SOP resmi (.svg, .pdf, .docx)")
    p.add_argument("name", help="id SOP, misalnya lakip")
    p.add_argument("-o", "--output", required=True, help="berkas yang ditulis: .svg, .pdf atau .docx")
    p.add_argument("--kertas", choices=("a4", "f4"), default="a4", help="ukuran kertas, melintang (bawaan: a4)")
    p.set_defaults(needs_schema=False)
    p = cli.command(sub, "import", "sopdoc.cmd_workflows_import", "baca tabel SOP (.docx atau teks) menjadi definisi")
    p.add_argument("file", help="tabel SOP: .docx, atau teks bertabulasi (.txt, .md)")
    p.add_argument("-o", "--output", required=True, help="berkas definisi yang ditulis, misalnya perjanjian.toml")
    p.set_defaults(needs_context=False)


def _register_offices(cli: Commands) -> None:
    """`sop offices add|set|list` (handlers in :mod:`.offices`)."""
    sub = cli.group("offices", "kantor-kantor pada instalasi pusat (satu basis data, banyak kantor)")
    p = cli.command(sub, "add", "offices.cmd_offices_add", "tambahkan kantor dengan pengaturannya sendiri")
    p.add_argument("satker", help="kode satker kantor, misalnya 3527")
    p.add_argument("--name", required=True, help="nama kantor, misalnya 'KPU Kabupaten Sampang'")
    p.add_argument("--zone", default="WIB", help="zona waktu: WIB, WITA atau WIT (bawaan: WIB)")
    p.add_argument("--address", help="alamat pada kop surat")
    p.add_argument("--phone", help="telepon pada kop surat")
    p.add_argument("--website", help="situs web pada kop surat")
    p.add_argument("--parent", metavar="SATKER", help="kantor induk (pengawasnya membaca kantor ini)")
    p.add_argument("--calendar", metavar="BERKAS", help="berkas TOML berisi tabel [calendar] khusus kantor ini")
    p.add_argument("--email", help="alamat pos-el pada kop surat")
    p.add_argument("--logo", metavar="BERKAS", help="logo kop surat dan sampul LKj: gambar PNG atau JPEG (maks. 1 MB)")
    p = cli.command(sub, "set", "offices.cmd_offices_set", "ubah pengaturan kantor; yang tidak disebut tetap")
    p.add_argument("satker", help="kode satker kantor yang diubah")
    p.add_argument("--name", help="nama kantor")
    p.add_argument("--zone", help="zona waktu: WIB, WITA atau WIT (tenggat yang sudah ada tetap)")
    p.add_argument("--address", help="alamat pada kop surat ('' mengosongkan)")
    p.add_argument("--phone", help="telepon pada kop surat ('' mengosongkan)")
    p.add_argument("--website", help="situs web pada kop surat ('' mengosongkan)")
    p.add_argument("--email", help="alamat pos-el pada kop surat ('' mengosongkan)")
    p.add_argument("--logo", metavar="BERKAS", help="logo baru: gambar PNG atau JPEG (maks. 1 MB)")
    parent = p.add_mutually_exclusive_group()
    parent.add_argument("--parent", metavar="SATKER", help="kantor induk yang baru")
    parent.add_argument("--no-parent", action="store_true", help="lepaskan kantor dari induknya")
    p.add_argument("--calendar", metavar="BERKAS", help="berkas TOML berisi tabel [calendar] pengganti")
    p = cli.command(sub, "list", "offices.cmd_offices_list", "daftar kantor, atau kasus LAKIP tiap kantor", True)
    p.add_argument("--year", "--tahun", dest="year", type=int, help="tampilkan kasus LAKIP tahun ini tiap kantor")


def _register_backup(cli: Commands) -> None:
    """`sop backup create|verify|restore` (handlers in :mod:`.backup`)."""
    sub = cli.group("backup", "cadangan seluruh instalasi: basis data, dokumen, manifest")
    p = cli.command(sub, "create", "backup.cmd_backup_create", "buat cadangan selagi layanan berjalan")
    p.add_argument("-o", "--output", required=True, help="berkas cadangan (.zip) yang ditulis")
    p = cli.command(sub, "verify", "backup.cmd_backup_verify", "periksa berkas cadangan (tanpa basis data)")
    p.add_argument("path")
    p.set_defaults(needs_context=False)
    p = cli.command(
        sub, "restore", "backup.cmd_backup_restore", "pulihkan cadangan ke instalasi kosong, lalu periksa jejak audit"
    )
    p.add_argument("path")
    p.set_defaults(needs_schema=False)


def _register_people(cli: Commands) -> None:
    """`sop people ...` and `sop people token ...`."""
    sub = cli.group("people", "pegawai kantor")
    p = cli.command(sub, "add", "office.cmd_people_add", "tambahkan pegawai")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="nama lengkap")
    p.add_argument("--role", action="append", required=True, help="peran (boleh diulang atau dipisah koma)")
    p.add_argument("--nip")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--supervisor", help="nama pengguna atasan (rantai eskalasi)")
    p.add_argument("--chat-id", dest="chat_id", help="id chat WhatsApp/Telegram untuk webhook")
    p.add_argument("--channels", help="saluran pilihan, dipisah koma: email, webhook, log (bawaan: config.toml)")
    p.add_argument("--by", default=SYSTEM_ACTOR, help="siapa yang menambahkan (untuk jejak audit)")
    cli.command(sub, "list", "office.cmd_people_list", "daftar pegawai", json_flag=True)
    p = cli.command(
        sub, "set-password", "office.cmd_people_set_password", "atur kata sandi (dibaca dari stdin atau ditanyakan)"
    )
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=SYSTEM_ACTOR, help="siapa yang mengatur: admin, atau pegawai itu sendiri")
    by_help = "siapa yang melakukannya: admin, atau pegawai itu sendiri (untuk jejak audit; bawaan: sistem)"
    p = cli.command(
        sub, "deactivate", "office.cmd_people_deactivate", "nonaktifkan akun (sesi diakhiri, token dicabut)"
    )
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=SYSTEM_ACTOR, help=by_help)
    p = cli.command(sub, "activate", "office.cmd_people_activate", "aktifkan kembali akun yang dinonaktifkan")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=SYSTEM_ACTOR, help=by_help)
    p = cli.command(sub, "roles", "office.cmd_people_roles", "ganti peran seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--role", action="append", required=True, help="peran baru (boleh diulang atau dipisah koma)")
    p.add_argument("--by", default=SYSTEM_ACTOR, help=by_help)
    _register_tokens(cli, sub, by_help)


def _register_tokens(cli: Commands, people: Any, by_help: str) -> None:
    """`sop people token issue|list|revoke`."""
    tokens = cli.group("token", "token API (Bearer): buat, lihat, cabut", within=people)
    p = cli.command(tokens, "issue", "office.cmd_people_token", "buat token API untuk seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--label", help="keterangan token, misalnya nama aplikasi yang memakainya")
    p.add_argument("--expires-days", dest="expires_days", type=int, help="berlaku sekian hari (bawaan: sampai dicabut)")
    p.add_argument("--by", default=SYSTEM_ACTOR, help=by_help)
    p = cli.command(
        tokens, "list", "office.cmd_people_token_list", "token API seorang pegawai (tanpa nilainya)", json_flag=True
    )
    p.add_argument("username", help="nama pengguna atau NIP")
    p = cli.command(tokens, "revoke", "office.cmd_people_token_revoke", "cabut token API seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--prefix", help="hanya token yang berawalan ini (lihat `sop people token list`); bawaan: semua")
    p.add_argument("--by", default=SYSTEM_ACTOR, help=by_help)
