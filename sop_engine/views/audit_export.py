"""The audit trail as files: for people (Indonesian CSV and .xlsx) and for machines (RFC 4180 CSV).

An Inspektorat auditor opens the trail in a spreadsheet set to Indonesian: there the list
separator is ``;`` (the comma is the decimal mark), so the people's CSV is written with ``;``,
a UTF-8 byte-order mark (else Excel reads the code page and garbles names), Indonesian headers,
action and role labels (:mod:`sop_engine.views.labels`), times in the office zone and the details
in words. The .xlsx holds the same table with real date-times, readable column widths and the
header row frozen. ``csv-rfc`` is the machine form of :func:`sop_engine.audit.csv_text`: UTC
instants exactly as hashed and canonical JSON, so the chain can be re-checked from the file alone.

:data:`FORMATS` is the one table of export formats, shared by ``sop audit export --format``, the
web downloads and the archive: a new format is one :class:`ExportFormat` entry.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_engine.clock import to_utc
from sop_engine.definitions import ROLE_LABELS
from sop_engine.formatting import zone_abbreviation
from sop_engine.views.audit_text import details_text
from sop_engine.views.labels import ACTION_LABELS

if TYPE_CHECKING:  # records only (see views/cases.py)
    from zoneinfo import ZoneInfo

    from sop_engine.audit import AuditRecord

#: The people's columns; the two times carry the office zone in their header ("Waktu dicatat (WIB)").
PEOPLE_COLUMNS = (
    "No.",
    "Waktu dicatat",
    "Waktu kejadian",
    "Pelaku",
    "Peran",
    "Tindakan",
    "Kasus",
    "Langkah",
    "Rincian",
    "Hash",
)
#: The separator of the people's CSV: the list separator of a spreadsheet set to Indonesian.
PEOPLE_DELIMITER = ";"
#: Instants in the people's CSV, office time: "11/01/2021 08.00.00" (the .xlsx holds date-times).
_TIME_FORMAT = "%d/%m/%Y %H.%M.%S"
_XLSX_TIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
#: Column widths of the .xlsx, in characters, in the order of :data:`PEOPLE_COLUMNS`.
_XLSX_WIDTHS = (7, 20, 20, 16, 16, 30, 14, 9, 80, 18)
#: The date of an .xlsx of no events.
_NO_EVENTS = datetime(2000, 1, 1, tzinfo=UTC)
#: The first characters that make a spreadsheet read a cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The xlsx sheet's name (at most 31 characters).
SHEET_TITLE = "Jejak Audit"

Writer = Callable[[Sequence["AuditRecord"], "ZoneInfo"], bytes]


@dataclass(frozen=True)
class ExportFormat:
    """One way of writing the trail to a file."""

    name: str
    #: The file name's ending, with the dot.
    suffix: str
    media_type: str
    #: What people are told they get, in "N peristiwa diekspor ke BERKAS (LABEL)."
    label: str
    write: Writer


def people_headers(tz: ZoneInfo) -> list[str]:
    """:data:`PEOPLE_COLUMNS` with the office zone named on the two times."""
    zone = zone_abbreviation(tz)
    return [f"{c} ({zone})" if c.startswith("Waktu") else c for c in PEOPLE_COLUMNS]


def people_row(e: AuditRecord, tz: ZoneInfo) -> list[Any]:
    """One event as people read it: local date-times, labels, the details in words, the whole hash."""
    return [
        e.seq,
        e.recorded_at.astimezone(tz).replace(tzinfo=None),
        e.stated_at.astimezone(tz).replace(tzinfo=None),
        inert(e.actor),
        inert(ROLE_LABELS.get(e.role, e.role)),
        inert(ACTION_LABELS.get(e.action, e.action)),
        inert(e.case or ""),
        "" if e.step is None else e.step,
        inert(details_text(e.details, tz)),
        e.hash,
    ]


def inert(text: str) -> str:
    """``text`` that a spreadsheet shows as text: one starting like a formula (= + - @) gets a leading '.

    A typed reason such as ``=HYPERLINK(...)`` would otherwise run when the auditor opens the file
    (and openpyxl would store it as a formula).
    """
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def people_csv(records: Sequence[AuditRecord], tz: ZoneInfo) -> bytes:
    """The events as a CSV for people: ``;``-separated, UTF-8 with a byte-order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=PEOPLE_DELIMITER)
    writer.writerow(people_headers(tz))
    for e in records:
        row = people_row(e, tz)
        writer.writerow([v.strftime(_TIME_FORMAT) if isinstance(v, datetime) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def people_xlsx(records: Sequence[AuditRecord], tz: ZoneInfo) -> bytes:
    """The events as an .xlsx workbook: one sheet, bold frozen header, date-time cells, set widths, printable."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information

    from sop_engine.lakip.workbook_print import page_setup, wrapped_heights

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(people_headers(tz))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for e in records:
        sheet.append(people_row(e, tz))
    for column, width in enumerate(_XLSX_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = row[2].number_format = _XLSX_TIME_FORMAT
        for cell in row:  # printed, each row is as tall as its details or hash, all read from the top
            cell.alignment = Alignment(wrap_text=cell.column in (9, 10), vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    wrapped_heights(sheet, {"I": _XLSX_WIDTHS[8] * 0.9, "J": _XLSX_WIDTHS[9] * 0.9}, 2)
    page_setup(sheet, landscape=True, title_rows="1:1")  # printed: A4 landscape, one page wide, header on each page
    return _dated_xlsx(book, to_utc(records[-1].recorded_at) if records else None)


class _DatedZip(zipfile.ZipFile):
    """A zip whose members all carry one date, so that the same trail gives the same bytes (archives)."""

    date_time = (2000, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, self.date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        self.writestr(arcname or str(filename), Path(filename).read_bytes())


def _dated_xlsx(book: Any, stamp: datetime | None) -> bytes:
    """``book`` saved with its properties and members dated ``stamp`` (the newest event), not the system clock."""
    from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information

    moment = (stamp or _NO_EVENTS).replace(tzinfo=None, microsecond=0)
    book.properties.created = book.properties.modified = moment
    buffer = io.BytesIO()
    archive = _DatedZip(buffer, "w", zipfile.ZIP_DEFLATED)
    archive.date_time = moment.timetuple()[:6]
    ExcelWriter(book, archive).save()  # as openpyxl's save_workbook, less its modified = now
    return buffer.getvalue()


def machine_csv(records: Sequence[AuditRecord], tz: ZoneInfo) -> bytes:
    """The machine form (:func:`sop_engine.audit.csv_file`): RFC 4180, UTC instants, canonical JSON."""
    from sop_engine.audit import csv_file  # the service's one CSV spelling (views import services lazily)

    return csv_file(records, tz)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", ".csv", "text/csv; charset=utf-8", "CSV pemisah titik koma, UTF-8", people_csv),
        ExportFormat(
            "xlsx",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "lembar kerja Excel",
            people_xlsx,
        ),
        ExportFormat("csv-rfc", ".csv", "text/csv; charset=utf-8", "CSV mesin RFC 4180, waktu UTC", machine_csv),
    )
}
