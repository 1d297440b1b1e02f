"""The identity table of an SOP read back into the ``[sop]`` header: number, dates, who approved it,
its name, and the numbered lists under Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan,
Peralatan/Perlengkapan, Peringatan, Pencatatan dan Pendataan. A list continued in a later row of
the same column (as when a cell breaks across pages) stays with its section."""

from __future__ import annotations

import re
from datetime import date

from sop_engine.sopimport.rows import Rows

_MONTHS = (
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
)
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")
_ITEM = re.compile(r"(\d+)\.\s*(.+)")
_FACTS = {
    "nomor": r"Nomor SOP\s*:?\s*(.+)",
    "tanggal_pembuatan": r"Tanggal Pembuatan\s*:?\s*(.+)",
    "tanggal_revisi": r"Tanggal Revisi\s*:?\s*(.+)",
    "tanggal_pengesahan": r"Tanggal Pengesahan\s*:?\s*(.+)",
    "tanggal_efektif": r"Tanggal Efektif\s*:?\s*(.+)",
    "disahkan_oleh": r"Disahkan Oleh\s*:?\s*(.+)",
    "nama": r"Nama SOP\s*:?\s*(.+)",
}
_SECTIONS = {
    "dasar hukum": "dasar_hukum",
    "kualifikasi pelaksana": "kualifikasi_pelaksana",
    "keterkaitan": "keterkaitan",
    "peralatan/perlengkapan": "peralatan",
    "peralatan": "peralatan",
    "pencatatan dan pendataan": "pencatatan",
    "pencatatan": "pencatatan",
    "peringatan": "peringatan",
}


def parse_day(text: str) -> date | None:
    """An Indonesian date as written, "22 Januari 2021"; None if it is not one."""
    match = _DATE.search(text)
    if not match or match.group(2).lower() not in _MONTHS:
        return None
    try:
        return date(int(match.group(3)), _MONTHS.index(match.group(2).lower()) + 1, int(match.group(1)))
    except ValueError:
        return None


def read_header(rows: Rows) -> dict[str, object]:
    """What the identity table in ``rows`` (those before the first step table) says; missing keys are left out."""
    end = next((i for i, row in enumerate(rows) if row and row[0].strip().upper() == "NO"), len(rows))
    found: dict[str, object] = {}
    current: dict[int, str] = {}
    lists: dict[str, list[str]] = {}
    for row in rows[:end]:
        if "instansi" not in found and len(row) > 1 and "nomor sop" in " ".join(row[1:]).lower():
            found["instansi"] = row[0].split("\n")[0].strip()
        for column, cell in enumerate(row):
            for line in cell.split("\n"):
                _line(line.strip(), column, found, current, lists)
    found.update({key: items for key, items in lists.items() if items})
    return found


def _line(
    line: str, column: int, found: dict[str, object], current: dict[int, str], lists: dict[str, list[str]]
) -> None:
    section = _SECTIONS.get(line.lower().rstrip(":"))
    if section:
        current[column] = section
        lists.setdefault(section, [])
        return
    item = _ITEM.fullmatch(line)
    if item and column in current:
        lists[current[column]].append(item.group(2).strip().rstrip(";").rstrip("."))
        return
    for key, pattern in _FACTS.items():
        match = re.fullmatch(pattern, line, re.IGNORECASE)
        if match and key not in found:
            value = match.group(1).strip()
            if key.startswith("tanggal"):
                found[key] = parse_day(value) or value
            else:
                found[key] = re.sub(r"\s+", "", value) if key == "nomor" else value
            return
