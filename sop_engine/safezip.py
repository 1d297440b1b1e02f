"""Zip containers (DOCX, XLSX, ODT, ODS) read without trusting them.

A 1 MB upload can declare a member that inflates to a gigabyte, or hundreds of thousands of
members. Everything that opens a zip an office sent us asks :func:`survey` first: it reads the
end-of-central-directory record to count the members before ``zipfile`` parses the directory,
and adds up the sizes the directory declares. ``zipfile`` never inflates a member past its
declared size, so these figures bound the memory any later reader can use. :func:`read_head`
reads the first bytes of one member, the most that identifying a document needs.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sop_engine.formatting import format_size

#: The most members a document may have (a large DOCX or XLSX has a few hundred).
MAX_MEMBERS = 5000
#: The most all members of an upload may inflate to together.
MAX_INFLATED_BYTES = 256 * 1024 * 1024
#: The largest inflated-to-compressed ratio of one member above :data:`RATIO_FLOOR_BYTES`
#: (office XML compresses 5-50 times; deflate's own limit is about 1030).
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024

#: The most an imported spreadsheet (workbook, budget, targets) may inflate to; a filled
#: data-collection workbook inflates to well under 1 MiB, a budget export to a few MiB.
MAX_IMPORT_INFLATED_BYTES = 32 * 1024 * 1024
#: The largest CSV file an importer reads.
MAX_IMPORT_BYTES = 32 * 1024 * 1024
#: The longest text one imported cell may hold.
MAX_CELL_CHARS = 2000

_EOCD = b"PK\x05\x06"
_EOCD_FORMAT = "<4s4H2LH"
_EOCD_SIZE = struct.calcsize(_EOCD_FORMAT)


class UnsafeZip(Exception):
    """The container is not one to open: a zip bomb, too many members, or not a zip at all."""

    def __init__(self, reason: str, bomb: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: True when the container is built to exhaust a reader (inflation or member count).
        self.bomb = bomb


@dataclass(frozen=True)
class Survey:
    """What a zip's central directory declares, checked against the limits."""

    names: frozenset[str]
    members: int
    inflated: int


def member_count(path: Path) -> int:
    """The member count of the end-of-central-directory record, read from the file's tail only."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - (_EOCD_SIZE + 0xFFFF)))
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise UnsafeZip("bukan arsip zip yang utuh")
    total = struct.unpack(_EOCD_FORMAT, tail[at : at + _EOCD_SIZE])[4]
    return int(total)


def survey(path: Path, max_inflated: int = MAX_INFLATED_BYTES) -> Survey:
    """The members of the zip at ``path``; :class:`UnsafeZip` if it breaks a limit or is not a zip."""
    count = member_count(path)
    if count >= min(MAX_MEMBERS, 0xFFFF):
        raise UnsafeZip(f"berisi {count} bagian (paling banyak {MAX_MEMBERS})", bomb=True)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise UnsafeZip(f"arsip zip rusak ({type(exc).__name__})") from exc
    if len(infos) > MAX_MEMBERS:
        raise UnsafeZip(f"berisi {len(infos)} bagian (paling banyak {MAX_MEMBERS})", bomb=True)
    inflated = sum(info.file_size for info in infos)
    if inflated > max_inflated:
        raise UnsafeZip(f"isinya mengembang menjadi {format_size(inflated)}", bomb=True)
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeZip(f"isinya mengembang menjadi {format_size(inflated)}", bomb=True)
    return Survey(frozenset(info.filename for info in infos), len(infos), inflated)


def read_head(path: Path, member: str, limit: int = 256) -> bytes:
    """At most ``limit`` bytes from the start of ``member``."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            return stream.read(limit)
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError, NotImplementedError, EOFError) as exc:
        raise UnsafeZip(f"bagian {member} tidak terbaca ({type(exc).__name__})") from exc
