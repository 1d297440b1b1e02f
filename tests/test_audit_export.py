"""The audit trail exported for people: a ';' CSV with a BOM and an .xlsx, Indonesian words, office time.

Files are read back with the csv module (delimiter ';', as a spreadsheet set to Indonesian splits
them) and with openpyxl; the machine form stays reachable as ``csv-rfc``.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from sop_engine import audit, cases
from sop_engine.cli.tree import AUDIT_EXPORT_FORMATS
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.views import audit_export
from tests.helpers import run_cli
from tests.web_support import client_for, log_in

BOM = b"\xef\xbb\xbf"
REASON = "Diganti SK baru; “Nomor 12/2021” (Sekretariat)"
HEADERS = [
    "No.",
    "Waktu dicatat (WIB)",
    "Waktu kejadian (WIB)",
    "Pelaku",
    "Peran",
    "Tindakan",
    "Kasus",
    "Langkah",
    "Rincian",
    "Hash",
]


def started_and_cancelled(ctx: Context) -> None:
    """A case started at 08.00 WIB on 11 January 2021 (01.00 UTC) and cancelled with a reason holding ';'."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.cancel_case(ctx, "lakip-2021", "sekretaris", REASON)


def people_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM) and not data[len(BOM) :].startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline=""), delimiter=";"))


def test_sop_audit_export_csv_is_for_people_semicolons_bom_indonesian_and_office_time(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
):
    started_and_cancelled(ctx)
    target = tmp_path / "jejak-audit.csv"
    run = run_cli(["audit", "export", "--format", "csv", "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    rows = people_rows(target.read_bytes())
    assert rows[0] == HEADERS
    by_action = {row[5]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    started, cancelled = by_action["Kasus dimulai"], by_action["Kasus dibatalkan"]
    assert started["Waktu dicatat (WIB)"] == "11/01/2021 08.00.00"  # 01.00 UTC, shown in the office zone
    assert started["Peran"] == "Sekretaris" and started["Kasus"] == "lakip-2021"
    assert f"alasan: {REASON}" in cancelled["Rincian"]  # the ';' inside is quoted, not a new column
    assert "{" not in cancelled["Rincian"] and "step.completed" not in target.read_text(encoding="utf-8-sig")
    events = audit.list_events(ctx)
    assert [int(r[0]) for r in rows[1:]] == [e.seq for e in events]
    assert [r[9] for r in rows[1:]] == [e.hash for e in events]


def test_sop_audit_export_xlsx_has_the_same_table_with_frozen_header_datetimes_and_widths(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
):
    started_and_cancelled(ctx)
    target = tmp_path / "jejak-audit.xlsx"
    run = run_cli(["audit", "export", "--format", "xlsx", "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    sheet = load_workbook(target).active
    assert sheet.title == "Jejak Audit" and sheet.freeze_panes == "A2"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    csv_rows = people_rows(audit_export.people_csv(audit.list_events(ctx), ctx.tz))
    assert len(values) == len(csv_rows)
    started = next(row for row in values if row[5] == "Kasus dimulai")
    assert started[1] == datetime(2021, 1, 11, 8, 0, tzinfo=UTC).replace(tzinfo=None)  # a date-time cell, office time
    assert [str(v if v is not None else "") for v in values[-1][3:]] == csv_rows[-1][3:]
    assert sheet.column_dimensions["I"].width >= 60 and sheet.column_dimensions["B"].width >= 19
    # printable: A4 landscape one page wide, the header on every page, each row as tall as its wrapped hash
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.print_title_rows) == (
        "landscape",
        1,
        "$1:$1",
    )
    assert all(sheet.row_dimensions[r].height >= 4 * 15 for r in range(2, sheet.max_row + 1))


def test_csv_rfc_keeps_the_machine_form(ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path):
    started_and_cancelled(ctx)
    target = tmp_path / "mesin.csv"
    run = run_cli(["audit", "export", "--format", "csv-rfc", "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    assert target.read_bytes() == audit.csv_file(audit.list_events(ctx), ctx.tz)


def test_the_audit_page_downloads_the_people_csv_and_xlsx_with_the_filters(ctx: Context):
    started_and_cancelled(ctx)
    client = client_for(ctx)
    log_in(client, "inspektorat")
    response = client.get("/audit.csv", params={"aksi": "case.cancelled"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = people_rows(response.content)
    assert rows[0] == HEADERS and [r[5] for r in rows[1:]] == ["Kasus dibatalkan"]
    response = client.get("/audit.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == len(audit.list_events(ctx)) + 1
    page = client.get("/audit").text
    assert 'href="/audit.xlsx"' in page and 'href="/audit-mesin.csv"' in page


def test_the_cli_format_choices_are_the_export_formats():
    assert list(AUDIT_EXPORT_FORMATS) == list(audit_export.FORMATS)


def test_the_audit_filter_names_every_action_in_indonesian_grouped_with_accounts_apart(ctx: Context):
    """An auditor may filter on account changes, but reads them in words under "Akun pegawai", never a code."""
    started_and_cancelled(ctx)
    client = client_for(ctx)
    log_in(client, "inspektorat")
    page = client.get("/audit").text
    select = page.split('<select id="aksi"', 1)[1].split("</select>", 1)[0]
    accounts = select.split('<optgroup label="Akun pegawai">', 1)[1].split("</optgroup>", 1)[0]
    assert '<option value="person.added">Pegawai ditambahkan</option>' in accounts
    assert select.index('label="Pekerjaan SOP"') < select.index('label="Akun pegawai"')
    shown = [part.split("<", 1)[0] for part in select.split(">")[1:]]
    assert not [text for text in shown if "." in text and " " not in text.strip()]  # no bare action code


def test_every_labelled_action_falls_in_a_named_filter_group():
    from sop_engine.views.labels import ACTION_GROUPS, ACTION_LABELS

    prefixes = tuple(p for _, group in ACTION_GROUPS for p in group)
    assert [action for action in ACTION_LABELS if not action.startswith(prefixes)] == []


def test_every_action_the_replay_reads_has_a_label_for_people() -> None:
    from sop_engine.replay import REPLAYED_ACTIONS
    from sop_engine.views.labels import ACTION_LABELS

    assert [action for action in REPLAYED_ACTIONS if action not in ACTION_LABELS] == []
    assert ACTION_LABELS["step.confirmed"] == "Langkah diparaf"  # one paraf of a chain, the step stays open


def test_a_value_that_starts_like_a_formula_stays_text_in_the_csv_and_the_xlsx() -> None:
    tz = ZoneInfo("Asia/Jakarta")
    at = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)
    event = audit.AuditRecord(1, at, at, "=cmd", "sekretaris", "x.custom", None, None, {}, "0" * 64, "1" * 64)
    assert audit_export.inert("=HYPERLINK(1)") == "'=HYPERLINK(1)" and audit_export.inert("Kasus") == "Kasus"
    [row] = people_rows(audit_export.people_csv([event], tz))[1:]
    assert row[3] == "'=cmd"
    sheet = load_workbook(io.BytesIO(audit_export.people_xlsx([event], tz))).active
    assert sheet["D2"].value == "'=cmd" and sheet["D2"].data_type == "s"


def test_sop_audit_export_says_how_many_events_went_where_and_in_which_form(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
):
    started_and_cancelled(ctx)
    count = len(audit.list_events(ctx))
    for name, label in (("csv", "CSV pemisah titik koma, UTF-8"), ("xlsx", "lembar kerja Excel")):
        target = tmp_path / f"jejak.{name}"
        run = run_cli(["audit", "export", "--format", name, "-o", str(target)], settings, clock)
        assert run.out == f"{count} peristiwa diekspor ke {target} ({label}).\n"
