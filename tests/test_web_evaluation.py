"""Evaluasi SOP on the web: the figures and monitoring form of sop evaluasi, for the leaders only."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from sop_engine.clock import FixedClock
from sop_engine.context import Context
from tests.lakip_play import WIB, play_lakip
from tests.web_support import Site, alert, elements


@pytest.fixture
def site(ctx: Context, clock: FixedClock, tmp_path: Path) -> Site:
    """2021 with step 5 over its 4 hari, 2022 on time; the pages opened in June 2022."""
    play_lakip(ctx, clock, 2021, tmp_path / "masuk", spent={5: "5 hari"})
    play_lakip(ctx, clock, 2022, tmp_path / "masuk")
    clock.set(datetime(2022, 6, 1, 9, 0, tzinfo=WIB))
    return Site(ctx, tmp_path)


def test_the_page_shows_each_steps_verdict_and_the_monitoring_form(site: Site) -> None:
    response = site.as_("ketua").get("/evaluasi?sop=lakip&dari=2021-01-01&sampai=2022-12-31")
    assert response.status_code == 200, response.text[:300]
    page = response.text
    assert elements(page, "a", href="/evaluasi", **{"aria-current": "page"})
    steps = [attrs["data-step"] for attrs in elements(page, "tr") if "data-step" in attrs]
    assert steps == [str(no) for no in range(1, 12)]
    assert "1 Januari 2021 s.d. 31 Desember 2022 · 2 kasus" in page
    monitoring = page[page.index('id="monitoring"') : page.index('id="aturan"')]
    assert monitoring.count("Kurang baik") == 1 and monitoring.count("Berjalan baik") == 10
    assert "1 dari 2 pelaksanaan terlambat" in monitoring
    assert "Aturan penilaian: Berjalan baik: paling banyak 25% pelaksanaan terlambat" in page
    (link,) = elements(page, "a", id="unduh-xlsx")
    download = site.as_("ketua").get(link["href"])
    assert download.headers["content-disposition"] == 'attachment; filename="evaluasi-lakip.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert [row[2] for row in book["Monitoring"].iter_rows(min_row=9, max_row=9, values_only=True)] == ["Kurang baik"]
    (link,) = elements(page, "a", id="unduh-pdf")
    assert link["href"] == "/evaluasi.pdf?sop=lakip&dari=2021-01-01&sampai=2022-12-31"
    download = site.as_("ketua").get(link["href"])
    assert download.headers["content-disposition"] == 'attachment; filename="evaluasi-lakip.pdf"'
    assert download.headers["content-type"] == "application/pdf" and download.content.startswith(b"%PDF")
    assert site.as_("staf1").get(link["href"]).status_code == 403
    assert site.as_("ketua").get("/evaluasi.ods?sop=lakip").status_code == 404


def test_the_page_is_refused_to_staff_and_a_bad_date_is_named(site: Site) -> None:
    assert site.as_("staf1").get("/evaluasi").status_code == 403
    assert not elements(site.as_("staf1").get("/tugas").text, "a", href="/evaluasi")
    response = site.as_("sekretaris").get("/evaluasi?sop=lakip&dari=2022-13-01")
    assert response.status_code == 422
    assert "2022-13-01" in alert(response.text, "error")
    missing = site.as_("sekretaris").get("/evaluasi?sop=cuti")
    assert missing.status_code == 404 and "SOP 'cuti' tidak ada" in alert(missing.text, "error")
