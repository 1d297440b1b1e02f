"""The SOP's page on the web: the identity and the same flowchart drawing as `sop workflows document`."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest

from sop_engine.context import Context
from tests.web_support import Site


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    return Site(ctx, tmp_path)


def test_the_sop_page_shows_the_signer_and_the_drawing_of_the_document(site: Site) -> None:
    page = site.as_("staf1").get("/sop/lakip")
    assert page.status_code == 200
    assert "NIP. 19650412 199000 1 001" in page.text and "Drs. Bambang Sutrisno, M.M." in page.text
    assert '<img src="/sop/lakip/dokumen.svg"' in page.text
    drawing = site.as_("staf1").get("/sop/lakip/dokumen.svg")
    assert drawing.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(drawing.content)
    assert len({e.get("data-langkah") for e in root.iter() if e.get("data-langkah")}) == 11


def test_the_docx_downloads_under_the_sop_name_and_an_unknown_kind_is_not_found(site: Site) -> None:
    answer = site.as_("staf1").get("/sop/lakip/dokumen.docx")
    assert answer.status_code == 200
    assert 'filename="SOP-lakip.docx"' in answer.headers["content-disposition"]
    assert docx.Document(io.BytesIO(answer.content)).tables
    missing = site.as_("staf1").get("/sop/lakip/dokumen.odt")
    assert missing.status_code == 404 and "bukan .odt" in missing.text


def test_the_sop_page_needs_a_login(site: Site) -> None:
    assert site.anonymous().get("/sop/lakip").status_code in (303, 401)
