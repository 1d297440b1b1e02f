"""*Register Surat* from the web: the year's numbers, taking one, cancelling one, and who may.

Through the real app (TestClient) on both backends; the register is read back through the
service (:func:`letters.list_letters`) after every post.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sop_engine import letters
from sop_engine.context import Context
from tests.web_support import CASE, Site, advance_to, alert, elements, start


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    made = Site(ctx, tmp_path)
    assert start(made).status_code == 303
    return made


def test_a_number_is_taken_and_cancelled_from_the_register_page(site: Site) -> None:
    taken = site.as_("kasubag").post("/surat/ambil", {"tahun": "2021", "perihal": "Undangan rapat", "kasus": ""})
    assert taken.status_code == 303 and taken.headers["location"] == "/surat?tahun=2021&pesan=diambil"
    [letter] = letters.list_letters(site.ctx, 2021)
    page = site.as_("kasubag").get(taken.headers["location"]).text
    assert alert(page, "ok") == "Nomor surat telah diambil dan tercatat di register."
    [row] = elements(page, "tr", class_="letter")
    assert row["data-seq"] == "1" and letter.number in page and "Undangan rapat" in page
    cancelled = site.as_("sekretaris").post(
        "/surat/batal", {"tahun": "2021", "nomor": letter.number, "alasan": "Salah perihal"}
    )
    assert cancelled.status_code == 303
    [after] = letters.list_letters(site.ctx, 2021)
    assert (after.cancelled_by, after.cancel_reason) == ("sekretaris", "Salah perihal")
    assert "oleh sekretaris" in site.as_("inspektorat").get("/surat?tahun=2021").text


def test_a_refused_number_keeps_what_was_typed_and_the_register_unchanged(site: Site) -> None:
    refused = site.as_("kasubag").post("/surat/ambil", {"tahun": "2021", "perihal": "Rapat", "kasus": "lakip-1999"})
    assert refused.status_code == 404
    assert "lakip-1999" in alert(refused.text, "error")
    assert elements(refused.text, "input", id="ambil-perihal", value="Rapat")
    no_reason = site.as_("kasubag").post("/surat/batal", {"tahun": "2021", "nomor": "1", "alasan": ""})
    assert no_reason.status_code == 422
    assert letters.list_letters(site.ctx, 2021) == []


def test_who_may_open_the_register_and_who_may_write_in_it(site: Site) -> None:
    assert site.as_("admin").get("/surat").status_code == 403
    reader = site.as_("inspektorat").get("/surat").text
    assert not elements(reader, "form", id="form-ambil-nomor")
    writer = site.as_("staf1").get("/surat").text
    assert elements(writer, "form", id="form-ambil-nomor") and elements(writer, "a", href="/surat")
    refused = site.as_("inspektorat").post("/surat/ambil", {"tahun": "2021", "perihal": "Rapat"})
    assert refused.status_code == 403 and letters.list_letters(site.ctx, 2021) == []


def test_the_klasifikasi_typed_goes_into_the_number_in_the_register_and_on_the_pengantar(
    ctx: Context, tmp_path: Path
) -> None:
    kpu = Context(
        dataclasses.replace(
            ctx.settings, letter_number_format="{nomor}/{klasifikasi}/{satker}/KPU-Kab/{bulan_romawi}/{tahun}"
        ),
        ctx.db,
        ctx.clock,
        ctx.calendar,
    )
    site = Site(kpu, tmp_path)
    assert start(site).status_code == 303
    bad = site.as_("kasubag").post("/surat/ambil", {"tahun": "2021", "perihal": "Rapat", "klasifikasi": "PR/03"})
    assert bad.status_code == 422 and "'PR/03' tidak sah" in alert(bad.text, "error")
    assert elements(bad.text, "input", id="ambil-klasifikasi", value="PR/03")
    taken = site.as_("kasubag").post("/surat/ambil", {"tahun": "2021", "perihal": "Rapat", "klasifikasi": "PR.03-Kpt"})
    assert taken.status_code == 303
    advance_to(kpu, tmp_path, 9)
    data = {"kepada": "Ketua KPU Provinsi Jawa Timur", "tempat": "Surabaya", "klasifikasi": "PR.04-SD"}
    made = site.as_("kasubag").post(f"/kasus/{CASE}/langkah/10/dokumen/pengantar", data)
    assert made.status_code == 303, alert(made.text, "error")
    assert [letter.number for letter in letters.list_letters(kpu, 2021)] == [
        "1/PR.03-Kpt/3526/KPU-Kab/I/2021",
        "2/PR.04-SD/3526/KPU-Kab/I/2021",
    ]
