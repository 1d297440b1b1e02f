"""A service's refusal in the words of the command line: a field is its flag, a remedy the exact command.

The services say what is wrong in neutral words and carry the fix as data
(:mod:`sop_engine.remedies`); this is the one table that turns that data into ``--reason`` and
```sop case show lakip-2021```. ``sop_engine/web/errors.py`` is its twin for the web pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sop_engine.errors import SopError
from sop_engine.remedies import Field, Hint, Remedy, explain

__all__ = ["COMMANDS", "FLAGS", "advice", "error_text"]

#: Each input as the option that gives it.
FLAGS: Final[Mapping[Field, str]] = {
    Field.REASON: "--reason",
    Field.AT: "--at",
    Field.FILE: "--file PATH",
    Field.YEAR: "--year",
    Field.BY: "--by",
    Field.NAME: "--name",
    Field.SUBJECT: "--subject",
    Field.DATE: "--date",
    Field.AGENDA: "--agenda",
    Field.SENDER: "--from",
    Field.RECIPIENT: "--to",
    Field.INSTRUCTION: "--instruction",
    Field.ATTACHMENT: "--attachment",
    Field.SIGNER: "--signer USER, atau --signer-name dan --signer-title",
    Field.SIGNER_NAME: "--signer-name",
    Field.SIGNER_TITLE: "--signer-title",
    Field.TEMPLATE: "--template",
    Field.ATTACH: "--attach",
    Field.DIVISION: "--division",
    Field.DESTINATION: "--to-city",
    Field.REQUEST: "--request",
    Field.CONFIG: "--config PATH atau variabel SOP_CONFIG",
    Field.KLASIFIKASI: "--klasifikasi",
}

_IMPORT_TARGETS = "`sop lakip targets import BERKAS --year {year}`"
_IMPORT_BUDGET = "`sop lakip budget import BERKAS --year {year}`"

#: Each follow-up as the sentence that names the command to run.
COMMANDS: Final[Mapping[Remedy, str]] = {
    Remedy.LIST_CASES: "Lihat daftarnya dengan `sop case list`.",
    Remedy.SHOW_CASE: "Lihat dengan `sop case show {case}`.",
    Remedy.LIST_ARTEFACTS: "Lihat daftarnya dengan `sop artefacts list {case}`.",
    Remedy.FIND_PERSON: "Lihat daftar dengan `sop people list` atau tambahkan dengan `sop people add`.",
    Remedy.ACTIVATE_PERSON: "Admin dapat mengaktifkannya kembali dengan `sop people activate {user}`.",
    Remedy.RESET_PASSWORD: "Jika lupa kata sandi, minta admin menyetel ulang dengan `sop people set-password`.",
    Remedy.LIST_TOKENS: "Lihat daftarnya dengan `sop people token list {user}`.",
    Remedy.INIT_DATABASE: "Jalankan `sop init` (atau `sop init --demo`) terlebih dahulu.",
    Remedy.UPGRADE_DATABASE: "Jalankan `sop init` untuk memperbaruinya.",
    Remedy.VERIFY_AUDIT: "Periksa dengan `sop audit verify`.",
    Remedy.COPY_CHAIN_HEAD: "Salin kepala rantai seperti yang dicetak `sop audit verify`.",
    Remedy.ATTACH_OR_CANCEL_LETTER: "Lampirkan dengan `sop step done {case} {step} --by {user} --file {path}`, "
    'atau batalkan nomornya dengan `sop letters cancel "{number}" --by {user} --reason ...`.',
    Remedy.ATTACH_SCAN: "Buat dokumennya tanpa --attach, cetak dan tanda tangani, lalu lampirkan pindaiannya "
    "dengan `sop step done {case} {step} --by {user} --file ...`.",
    Remedy.LIST_LETTERS: "Salin nomor lengkap dari `sop letters list --year {year}`.",
    Remedy.IMPORT_TARGETS: f"Impor dengan {_IMPORT_TARGETS}.",
    Remedy.IMPORT_BUDGET: f"Impor dengan {_IMPORT_BUDGET}.",
    Remedy.IMPORT_TARGETS_AND_BUDGET: f"Impor dengan {_IMPORT_TARGETS} dan {_IMPORT_BUDGET}.",
    Remedy.DRAFT_FOR_CASE: "Misalnya `sop lakip draft lakip-2021 -o draf.docx --attach --by USER`.",
    Remedy.LIST_OFFICES: "Lihat kantor yang ada dengan `sop offices list`.",
}

#: What a command shows for a parameter the service did not give.
_PLACEHOLDERS: Final[Mapping[str, str]] = {
    "case": "KASUS",
    "step": "LANGKAH",
    "user": "USER",
    "year": "TAHUN",
    "number": "NOMOR",
    "path": "PATH",
}


def error_text(exc: SopError) -> str:
    """The refusal as ``sop`` prints it: the message, the field's flag, the command that helps."""
    field = exc.field
    return explain(exc.message, f"di baris perintah: {FLAGS[field]}" if field else "", advice(exc.hint))


def advice(hint: Hint | None) -> str:
    """The command that follows up ``hint`` (empty without one)."""
    return hint.fill(COMMANDS[hint.remedy], _PLACEHOLDERS) if hint else ""
