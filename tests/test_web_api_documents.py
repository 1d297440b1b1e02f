"""The generated documents in the JSON API: made, attached, downloaded and opened back; refusals.

Through the whole app (TestClient) on both backends, with API tokens; the same services as the
case page's document forms (tests/test_web_documents.py), so these check the API's shape: the
fields under their English names, the case document as the answer, the errors as JSON.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from starlette.testclient import TestClient

from sop_engine import cases
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.lakip import service
from sop_engine.web.api_documents import Kind
from sop_engine.web.document_actions import ACTIONS
from tests.test_web_api import CASE_URL, CODE, bearer, client_for, complete_through, error_of, start

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def client(ctx: Context) -> TestClient:
    service.import_targets(ctx, FIXTURES / "targets-2020.csv", 2020, by="kasubag")
    service.import_targets(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    service.import_budget(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    start(ctx)
    return client_for(ctx)


def test_the_kinds_of_the_api_are_the_actions_of_the_pages() -> None:
    assert set(Kind.__origin__.__args__) == set(ACTIONS)  # type: ignore[attr-defined]


def test_the_disposisi_is_made_attached_and_the_case_document_answered(ctx: Context, client: TestClient) -> None:
    fields = {"to": "Kasubag Program", "instruction": "Siapkan LAKIP 2020", "urgency": "biasa"}
    answer = client.post(f"{CASE_URL}/steps/1/documents/disposisi", data=fields, headers=bearer(ctx, "sekretaris"))
    assert answer.status_code == 200, answer.text
    [document] = answer.json()["steps"][0]["artefacts"]
    assert answer.json()["steps"][0]["status"] == "done" and document["filename"] == f"disposisi-{CODE}.docx"
    download = client.get(f"{CASE_URL}/artefacts/{document['id']}", headers=bearer(ctx, "ketua"))
    opened = docx.Document(io.BytesIO(download.content))
    cells = " ".join(c.text for t in opened.tables for r in t.rows for c in r.cells)
    assert "Siapkan LAKIP 2020" in cells + " ".join(p.text for p in opened.paragraphs)


def test_wrong_role_kind_and_field_are_refused_and_the_case_unchanged(ctx: Context, client: TestClient) -> None:
    before = cases.get_case(ctx, CODE)
    url = f"{CASE_URL}/steps/1/documents/disposisi"
    fields = {"to": "Staf", "instruction": "x"}
    assert error_of(client.post(url, data=fields, headers=bearer(ctx, "kasubag")), 403)
    wrong = client.post(f"{CASE_URL}/steps/1/documents/pengantar", data=fields, headers=bearer(ctx, "sekretaris"))
    assert error_of(wrong, 404).startswith("Langkah 1 kasus lakip-2021 tidak membuat dokumen 'pengantar'")
    unknown = client.post(url, data={**fields, "kepada": "x"}, headers=bearer(ctx, "sekretaris"))
    assert error_of(unknown, 422).startswith("Isian 'kepada' tidak dikenal; isian dokumen: to, instruction")
    assert cases.get_case(ctx, CODE) == before


def test_the_analysis_and_the_archive_and_its_check(ctx: Context, client: TestClient, tmp_path: Path) -> None:
    analysis = client.get(f"{CASE_URL}/analysis", headers=bearer(ctx, "kasubag"))
    assert analysis.status_code == 200 and analysis.json()["year"] == 2020
    complete_through(ctx, tmp_path, 4)
    unattached = client.get(f"{CASE_URL}/draft", headers=bearer(ctx, "kasubag"))
    assert "KATA PENGANTAR" in [p.text for p in docx.Document(io.BytesIO(unattached.content)).paragraphs]
    preview = client.get(f"{CASE_URL}/draft?format=html", headers=bearer(ctx, "kasubag"))
    assert preview.headers["content-type"].startswith("text/html")
    assert error_of(client.get(f"{CASE_URL}/draft?format=pdf", headers=bearer(ctx, "kasubag")), 422)
    drafted = client.post(f"{CASE_URL}/steps/5/documents/draf-lkj", headers=bearer(ctx, "kasubag"))
    assert drafted.status_code == 200 and cases.get_case(ctx, CODE).steps[4].status == StepStatus.DONE
    bundle = client.get(f"{CASE_URL}/archive", headers=bearer(ctx, "staf1"))
    assert bundle.status_code == 200 and "manifest.json" in zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    files = {"file": ("arsip.zip", bundle.content, "application/zip")}
    checked = client.post("/api/v1/archive/verify", files=files, headers=bearer(ctx, "staf1"))
    assert checked.json()["ok"] is True and checked.json()["case"] == CODE and checked.json()["path"] == "arsip.zip"
    broken = client.post(
        "/api/v1/archive/verify", files={"file": ("x.zip", b"bukan", "x")}, headers=bearer(ctx, "staf1")
    )
    assert broken.json()["ok"] is False and broken.json()["problem"]
