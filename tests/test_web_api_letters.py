"""The letter register in the JSON API: list, issue and cancel, their roles and refusals.

Through the whole app (TestClient) on both backends, with API tokens; the same services as
*Register Surat* and ``sop letters`` (tests/test_web_letters.py, tests/test_letters.py), so these
check the API's shape: the list as ``sop letters list --json`` prints it, the errors as JSON.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sop_engine import letters
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.statuses import LetterStatus
from sop_engine.web.api_letters import LetterListOut, LetterOut
from tests.test_web_api import bearer, cli_json, error_of
from tests.web_support import client_for

URL = "/api/v1/letters"


@pytest.fixture
def client(ctx: Context) -> TestClient:
    return client_for(ctx)


def test_a_number_is_issued_listed_as_the_cli_lists_it_and_cancelled(
    ctx: Context, clock: FixedClock, client: TestClient
) -> None:
    body = {"year": 2021, "subject": "Undangan rapat", "date": "2021-01-04", "klasifikasi": "PR.03-Kpt"}
    issued = client.post(URL, json=body, headers=bearer(ctx, "kasubag"))
    assert issued.status_code == 201, issued.text
    letter = LetterOut.model_validate(issued.json())
    assert (letter.seq, letter.subject, letter.issued_by, letter.date.isoformat()) == (
        1,
        "Undangan rapat",
        "kasubag",
        "2021-01-04",
    )
    [stored] = letters.list_letters(ctx, 2021)
    assert stored.number == letter.number
    listed = client.get(URL, params={"tahun": 2021}, headers=bearer(ctx, "inspektorat"))
    assert listed.status_code == 200
    LetterListOut.model_validate(listed.json())
    assert listed.json() == {"year": 2021, "letters": cli_json(ctx, clock, "letters", "list", "--year", "2021")}
    cancelled = client.post(f"{URL}/2021/1/cancel", json={"reason": "Salah perihal"}, headers=bearer(ctx, "sekretaris"))
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (LetterStatus.CANCELLED, "Salah perihal")
    [after] = letters.list_letters(ctx, 2021)
    assert (after.status, after.cancelled_by) == (LetterStatus.CANCELLED, "sekretaris")
    again = client.post(f"{URL}/2021/1/cancel", json={"reason": "Lagi"}, headers=bearer(ctx, "sekretaris"))
    assert "sudah dibatalkan" in error_of(again, 409)


def test_the_roles_of_the_register_page_hold_in_the_api(ctx: Context, client: TestClient) -> None:
    assert "Register surat" in error_of(client.get(URL, params={"tahun": 2021}, headers=bearer(ctx, "admin")), 403)
    refused = client.post(URL, json={"year": 2021, "subject": "Rapat"}, headers=bearer(ctx, "inspektorat"))
    assert "nomor surat" in error_of(refused, 403)
    assert client.get(URL, params={"tahun": 2021}, headers=bearer(ctx, "inspektorat")).json()["letters"] == []
    assert letters.list_letters(ctx, 2021) == []


def test_refusals_are_indonesian_json_and_change_nothing(ctx: Context, client: TestClient) -> None:
    headers = bearer(ctx, "kasubag")
    bad = client.post(URL, json={"year": 2021, "subject": "Rapat", "klasifikasi": "PR/03"}, headers=headers)
    assert "'PR/03' tidak sah" in error_of(bad, 422)
    no_subject = client.post(URL, json={"year": 2021, "subject": " "}, headers=headers)
    assert "Perihal surat wajib diisi" in error_of(no_subject, 422)
    unknown_case = client.post(URL, json={"year": 2021, "subject": "Rapat", "case": "lakip-1999"}, headers=headers)
    assert "lakip-1999" in error_of(unknown_case, 404)
    missing = client.post(f"{URL}/2021/7/cancel", json={"reason": "Salah"}, headers=headers)
    assert "tidak ada di register tahun 2021" in error_of(missing, 404)
    assert letters.list_letters(ctx, 2021) == []
