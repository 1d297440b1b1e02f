"""A service's refusal in the words of the web pages: a field is its form label, a remedy the page to use.

The services say what is wrong in neutral words and carry the fix as data
(:mod:`sop_engine.remedies`); this is the one table that turns that data into "isian Alasan"
and "halaman kasus lakip-2021" for the page alerts, the form handlers and the error page.
The JSON API keeps the neutral message and returns the data as ``field`` and ``remedy``.
``sop_engine/cli/errors.py`` is its twin for the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sop_engine.errors import SopError
from sop_engine.remedies import Field, Hint, Remedy, explain

__all__ = ["LABELS", "PAGES", "advice_text", "page_text"]

#: Each input as the label of the form field (or the choice) that gives it.
LABELS: Final[Mapping[Field, str]] = {
    Field.REASON: "isian Alasan",
    Field.AT: "isian Waktu kejadian",
    Field.FILE: "isian Lampiran",
    Field.YEAR: "isian Tahun",
    Field.BY: "akun yang masuk",
    Field.NAME: "isian Nama lengkap",
    Field.SUBJECT: "isian Perihal",
    Field.DATE: "isian Tanggal surat",
    Field.AGENDA: "isian Nomor agenda",
    Field.SENDER: "isian Pengirim",
    Field.RECIPIENT: "isian Kepada",
    Field.INSTRUCTION: "isian Isi disposisi",
    Field.ATTACHMENT: "isian Uraian lampiran",
    Field.SIGNER: "isian Penanda tangan",
    Field.SIGNER_NAME: "isian Nama penanda tangan",
    Field.SIGNER_TITLE: "isian Jabatan penanda tangan",
    Field.TEMPLATE: "isian Templat",
    Field.ATTACH: "pilihan Lampirkan ke langkah",
    Field.DIVISION: "isian Subbagian",
    Field.DESTINATION: "isian Kota tujuan",
    Field.REQUEST: "pilihan Dengan hormat harap",
    Field.CONFIG: "berkas konfigurasi server",
    Field.KLASIFIKASI: "isian Klasifikasi surat",
}

_PLANS = "Minta Kasubag Program mengimpor {what} tahun {year}."

#: Each follow-up as the page or button that does it (or whom to ask, where no page does).
PAGES: Final[Mapping[Remedy, str]] = {
    Remedy.LIST_CASES: "Pilih dari daftar di halaman Kasus.",
    Remedy.SHOW_CASE: "Lihat di halaman kasus {case}.",
    Remedy.LIST_ARTEFACTS: "Lihat dokumen yang ada di halaman kasus {case}.",
    Remedy.FIND_PERSON: "Lihat daftar pegawai, atau tambahkan pegawai, di halaman Orang.",
    Remedy.ACTIVATE_PERSON: "Admin dapat mengaktifkannya kembali di halaman pegawai {user} (tombol Aktifkan kembali).",
    Remedy.RESET_PASSWORD: "Jika lupa kata sandi, minta admin menyetel ulang kata sandi Anda.",
    Remedy.LIST_TOKENS: "Lihat bagian Token API di halaman pegawai {user}.",
    Remedy.INIT_DATABASE: "Minta administrator menyiapkan basis data terlebih dahulu.",
    Remedy.UPGRADE_DATABASE: "Minta administrator memperbarui basis data.",
    Remedy.VERIFY_AUDIT: "Periksa dengan tombol Verifikasi rantai di halaman Jejak Audit.",
    Remedy.COPY_CHAIN_HEAD: "Salin kepala rantai seperti yang ditampilkan hasil Verifikasi rantai.",
    Remedy.ATTACH_OR_CANCEL_LETTER: "Lampirkan suratnya pada langkah {step} di halaman kasus {case}, "
    "atau minta pemegang register membatalkan nomor {number}.",
    Remedy.ATTACH_SCAN: "Cetak dokumennya, tanda tangani, lalu lampirkan pindaiannya pada langkah {step} "
    "di halaman kasus {case}.",
    Remedy.LIST_LETTERS: "Minta pemegang register menyalin nomor lengkapnya dari register surat.",
    Remedy.IMPORT_TARGETS: _PLANS.replace("{what}", "target kinerja"),
    Remedy.IMPORT_BUDGET: _PLANS.replace("{what}", "realisasi anggaran"),
    Remedy.IMPORT_TARGETS_AND_BUDGET: _PLANS.replace("{what}", "target kinerja dan realisasi anggaran"),
    Remedy.DRAFT_FOR_CASE: "Buat drafnya untuk kasus LAKIP tahun itu.",
    Remedy.LIST_OFFICES: "Periksa kode satker kantor itu pada daftar kantor.",
}

#: What a page shows for a parameter the service did not give.
_PLACEHOLDERS: Final[Mapping[str, str]] = {
    "case": "itu",
    "step": "itu",
    "user": "pegawai itu",
    "year": "itu",
    "number": "itu",
    "path": "",
}


def page_text(exc: SopError) -> str:
    """The refusal as a page shows it: the message, the field's label, the page that helps."""
    field = exc.field
    return explain(exc.message, LABELS[field] if field else "", advice_text(exc.hint))


def advice_text(hint: Hint | None) -> str:
    """The follow-up as a page words it ("" without one)."""
    return hint.fill(PAGES[hint.remedy], _PLACEHOLDERS) if hint else ""
