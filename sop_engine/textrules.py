"""One set of rules for the text people type: names, notes, reasons, labels.

Every service checks what it stores with :func:`line` (a one-line value such as a person's name)
or :func:`text` (a note or a reason, which may have line breaks), so the command line, the pages
and the API refuse the same input with the same message. The rules: no NUL or other control
character (a line break in a name ends up in an email header; NUL is refused by PostgreSQL), no
bidirectional override (U+202E shows a name backwards), and a length that fits its column. The
JSON schema of the API uses the same patterns and limits (:data:`TEXT_PATTERN`,
:data:`LINE_PATTERN`).
"""

from __future__ import annotations

import re
import unicodedata

from sop_engine.errors import InvalidInput

#: The longest note, reason or cancellation reason, in characters.
MAX_TEXT_CHARS = 2000
#: The longest person name, email address, office name or label (their columns hold 200).
MAX_LINE_CHARS = 200
#: The longest phone number or chat id (their columns hold 64).
MAX_SHORT_CHARS = 64

#: Bidirectional embeddings, overrides and isolates: they make text read differently than stored.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Text a person typed: anything but control characters other than tab and line breaks, and bidi controls.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f" + _BIDI + "]*$"
#: A one-line value (a name, a label): no control character at all, no bidi controls.
LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f" + _BIDI + "]*$"

_LINE_BAD = re.compile("[\\x00-\\x1f\\x7f-\\x9f" + _BIDI + "]")
_TEXT_BAD = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f" + _BIDI + "]")

_NAMES = {
    "\x00": "NUL",
    "\t": "tab",
    "\n": "baris baru",
    "\r": "awal baris (CR)",
    "\x1b": "ESC",
    "\u202e": "pembalik arah teks",
    "\u202d": "pemaksa arah teks",
}


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = _NAMES.get(char) or unicodedata.name(char, "")
    return f"{code} {name}".strip() if name else code


def _refuse_bad(value: str, what: str, bad: re.Pattern[str], hint: str) -> None:
    found = bad.search(value)
    if found:
        raise InvalidInput(
            f"{what} berisi karakter kendali {_describe(found.group())} pada posisi {found.start() + 1}; {hint}",
            value=value[:80],
            field=what,
            character=f"U+{ord(found.group()):04X}",
        )


def _refuse_long(value: str, what: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInput(
            f"{what} terlalu panjang ({len(value)} karakter); persingkat menjadi paling banyak {limit} karakter.",
            value=value[:80] + "…",
            field=what,
            limit=limit,
        )


def line(value: str, what: str, limit: int = MAX_LINE_CHARS) -> str:
    """``value`` stripped, refused if it holds a control or bidi character or is longer than ``limit``.

    ``what`` names the field for the message ("Nama lengkap").
    """
    _refuse_bad(value, what, _LINE_BAD, "tulis dalam satu baris tanpa karakter kendali (salin ulang dari teks biasa).")
    value = value.strip()
    _refuse_long(value, what, limit)
    return value


def text(value: str, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` with line breaks as ``\\n``, stripped, refused like :func:`line` but for line breaks and tabs."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_bad(value, what, _TEXT_BAD, "kirim teks biasa tanpa karakter kendali (salin ulang dari teks biasa).")
    value = value.strip()
    _refuse_long(value, what, limit)
    return value


def optional_line(value: str | None, what: str, limit: int = MAX_LINE_CHARS) -> str | None:
    """:func:`line` for an optional field: None or blank stays None."""
    if value is None:
        return None
    checked = line(value, what, limit)
    return checked or None


def optional_text(value: str | None, what: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """:func:`text` for an optional field: None or blank stays None."""
    if value is None:
        return None
    checked = text(value, what, limit)
    return checked or None


def scrub_line(value: str) -> str:
    """``value`` made safe for one line (a mail header) whatever it holds: control and bidi characters become spaces.

    For text stored before these rules existed; new text is refused by :func:`line` instead.
    """
    return " ".join(_LINE_BAD.sub(" ", value).split())
