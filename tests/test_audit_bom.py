"""The machine audit CSV (csv-rfc) opens in Excel too: UTF-8 with a byte-order mark, from the CLI and the page.

The bytes are read back as written; the trail holds a cancellation reason with characters outside
ASCII, which Excel garbles without the mark.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sop_engine import audit, cases
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from tests.helpers import run_cli
from tests.web_support import client_for, log_in

BOM = b"\xef\xbb\xbf"
REASON = "Diganti SK baru – “Nomor 12/2021” (Sekretariat)"


def trail_with_a_reason(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.cancel_case(ctx, "lakip-2021", "sekretaris", REASON)


def rows_after_the_mark(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM) and not data[len(BOM) :].startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def test_sop_audit_export_csv_rfc_writes_a_utf8_bom_before_the_header(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
):
    trail_with_a_reason(ctx)
    target = tmp_path / "jejak-audit.csv"
    run = run_cli(["audit", "export", "--format", "csv-rfc", "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    rows = rows_after_the_mark(target.read_bytes())
    assert tuple(rows[0]) == audit.CSV_COLUMNS
    assert REASON in rows[-1][audit.CSV_COLUMNS.index("details")]


def test_the_audit_page_machine_csv_download_starts_with_a_utf8_bom(ctx: Context):
    trail_with_a_reason(ctx)
    client = client_for(ctx)
    log_in(client, "inspektorat")
    response = client.get("/audit-mesin.csv")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = rows_after_the_mark(response.content)
    assert tuple(rows[0]) == audit.CSV_COLUMNS
    assert REASON in rows[-1][audit.CSV_COLUMNS.index("details")]
    assert response.content == BOM + audit.csv_text(audit.list_events(ctx), ctx.tz).encode("utf-8")
