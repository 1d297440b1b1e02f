"""The rows of cells of an SOP as offices keep it: the tables of a .docx, or a text export whose
cells are separated by tabs (the seed's form). HTML-like markup in a text cell (``<p>``, ``<li>``,
``<b>``) is reduced to its lines."""

from __future__ import annotations

import html
import re
from pathlib import Path

from docx import Document

from sop_engine.errors import InvalidInput

_BREAKS = re.compile(r"</p>|<br\s*/?>|</li>|<li>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")

Rows = list[list[str]]


def clean(cell: str) -> str:
    """A cell's text with markup turned into lines, spaces collapsed within each line."""
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", cell)))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def read_rows(path: Path) -> Rows:
    """Every row of ``path``: the rows of every table of a .docx, or every line of a text file split at tabs."""
    try:
        if path.suffix.lower() == ".docx":
            return _docx_rows(path)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InvalidInput(f"Berkas {path} tidak ditemukan.", value=str(path)) from exc
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InvalidInput(
            f"Berkas {path} tidak dapat dibaca sebagai .docx atau teks UTF-8 ({exc}).", value=str(path)
        ) from exc
    return [[clean(cell) for cell in line.split("\t")] for line in text.splitlines()]


def _docx_rows(path: Path) -> Rows:
    rows: Rows = []
    for table in Document(str(path)).tables:
        for row in table.rows:
            rows.append([clean(cell.text) for cell in row.cells])
    return rows
