"""The JSON API under /api/v1: every route, its refusals, and its agreement with the command line.

Requests go through the whole app (TestClient) on both database backends; tokens come from
``api_tokens.issue_token``. The case documents are compared with what ``sop case show --json`` and
``sop audit log --json`` print for the same database, both ways round.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pydantic import BaseModel
from starlette.testclient import TestClient

from sop_engine import api_tokens, audit, cases, views
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.definitions import FileRule
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.web.api import MeOut
from sop_engine.web.api_audit import EventListOut, VerifyOut
from sop_engine.web.api_cases import CaseDetailOut, CaseListOut
from sop_engine.web.uploads import upload_dir
from tests.helpers import confirm_paraf, docx, pdf, run_cli
from tests.web_support import client_for, log_in

CODE = "lakip-2021"
CASE_URL = f"/api/v1/cases/{CODE}"
#: Who does the steps of each role in the demo office.
DOERS = {"sekretaris": "sekretaris", "kasubag_program": "kasubag", "staf": "staf1", "ketua": "ketua"}
WWW_AUTHENTICATE = 'Bearer realm="sop-engine"'


@pytest.fixture
def client(ctx: Context) -> TestClient:
    return client_for(ctx)


def bearer(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.issue_token(ctx, username)}"}


def start(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")


def complete_through(ctx: Context, tmp_path: Path, last: int) -> None:
    """Complete steps 1..``last`` of the started case through the services, with a PDF where one is taken."""
    for no in range(1, last + 1):
        step = cases.get_case(ctx, CODE).steps[no - 1]
        taken = step.file_rule != FileRule.NONE
        files = [IncomingFile.from_path(pdf(tmp_path, f"langkah-{no}.pdf"))] if taken else []
        cases.complete_step(ctx, CODE, no, DOERS[step.role], files)
        confirm_paraf(ctx, CODE, no)


def pdf_part(tmp_path: Path, name: str = "dokumen.pdf") -> tuple[str, tuple[str, bytes, str]]:
    return ("files", (name, pdf(tmp_path, name).read_bytes(), "application/pdf"))


def cli_json(ctx: Context, clock: FixedClock, *args: str) -> Any:
    """What ``sop ARGS --json`` prints for the same database and time."""
    run = run_cli([*args, "--json"], ctx.settings, clock)
    assert run.code == 0, run.err
    return json.loads(run.out)


def error_of(response: Any, status: int) -> str:
    """The response's Indonesian error message, after checking the status and the JSON shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


def every_api_request(client: TestClient) -> list[tuple[str, str]]:
    """(method, concrete path) for every operation of /api/v1 in /openapi.json."""
    samples = {
        "{code}": CODE,
        "{no}": "1",
        "{artefact_id}": "3f9a0c1b2d4e",
        "{kind}": "disposisi",
        "{year}": "2021",
        "{seq}": "1",
    }
    requests = []
    for template, operations in client.get("/openapi.json").json()["paths"].items():
        if template.startswith("/api/v1/"):
            path = template
            for name, value in samples.items():
                path = path.replace(name, value)
            requests.extend((method.upper(), path) for method in operations)
    return requests


# --- who is asking ------------------------------------------------------------------------------


def test_me_names_the_holder_of_the_token(ctx: Context, client: TestClient) -> None:
    kasubag = next(person for person in DEMO_PEOPLE if person.username == "kasubag")
    response = client.get("/api/v1/me", headers=bearer(ctx, "kasubag"))
    assert response.status_code == 200
    assert response.json() == {"username": "kasubag", "name": kasubag.name, "roles": ["kasubag_program"]}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer sop_bukan-token-yang-dikeluarkan", "Bearer ", "Basic c2VrcmV0YXJpczpzYW5kaQ==", "sop_tanpa-skema"],
)
def test_every_route_refuses_a_request_without_a_valid_token_with_401(
    ctx: Context, client: TestClient, authorization: str | None
) -> None:
    start(ctx)
    headers = {"Authorization": authorization} if authorization is not None else {}
    requests = every_api_request(client)
    # with GET /api/v1/offices of the pengawas, the 5 document routes, the answer, the 3 of the letter register
    assert len(requests) == 20
    for method, path in requests:
        # A body that would fail validation: the token is checked before anything else.
        response = client.request(method, path, headers={**headers, "content-type": "application/json"}, content="{")
        assert error_of(response, 401), (method, path)
        assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


def test_the_session_cookie_of_the_pages_is_no_api_token(ctx: Context, client: TestClient) -> None:
    log_in(client, "sekretaris")
    assert error_of(client.get("/api/v1/me"), 401)


# --- cases: reading -----------------------------------------------------------------------------


def test_the_case_list_holds_only_the_cases_the_holder_may_see(ctx: Context, client: TestClient) -> None:
    start(ctx)
    expected = [views.case_json(cases.get_case(ctx, CODE), ctx.tz)]
    for username, listed in (("staf1", expected), ("inspektorat", expected), ("admin", [])):
        response = client.get("/api/v1/cases", headers=bearer(ctx, username))
        assert response.status_code == 200
        assert response.json() == {"cases": listed, "next": None}, username


def test_the_case_document_is_the_document_of_sop_case_show_json(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 2)
    response = client.get(CASE_URL, headers=bearer(ctx, "staf1"))
    assert response.status_code == 200
    assert response.json() == cli_json(ctx, clock, "case", "show", CODE)


def test_an_unknown_case_is_404_naming_it(ctx: Context, client: TestClient) -> None:
    start(ctx)
    headers = bearer(ctx, "sekretaris")
    assert "lakip-1999" in error_of(client.get("/api/v1/cases/lakip-1999", headers=headers), 404)
    completing = client.post("/api/v1/cases/lakip-1999/steps/1/complete", headers=headers)
    assert "lakip-1999" in error_of(completing, 404)


def test_a_case_the_holder_may_not_see_is_404_like_one_that_does_not_exist(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 1)
    artefact_id = cases.get_case(ctx, CODE).steps[0].artefacts[0].id
    headers = bearer(ctx, "admin")
    assert error_of(client.get(CASE_URL, headers=headers), 404)
    assert error_of(client.get(f"{CASE_URL}/artefacts/{artefact_id}", headers=headers), 404)
    cancelling = client.post(f"{CASE_URL}/cancel", headers=headers, json={"reason": "coba"})
    assert error_of(cancelling, 404)
    assert cases.get_case(ctx, CODE).status == "running"


# --- cases: acting ------------------------------------------------------------------------------


def test_starting_a_case_answers_201_with_its_document_and_location(
    ctx: Context, client: TestClient, clock: FixedClock
) -> None:
    response = client.post("/api/v1/cases", headers=bearer(ctx, "sekretaris"), json={"workflow": "lakip", "year": 2021})
    assert response.status_code == 201, response.text
    assert response.headers["location"] == CASE_URL
    assert response.json() == cli_json(ctx, clock, "case", "show", CODE)
    assert response.json()["steps"][0]["status"] == "active"


def test_only_the_sekretaris_starts_a_case(ctx: Context, client: TestClient) -> None:
    response = client.post("/api/v1/cases", headers=bearer(ctx, "staf1"), json={"workflow": "lakip", "year": 2021})
    assert "staf1" in error_of(response, 403)
    assert cases.list_cases(ctx).items == ()


def test_a_second_case_for_the_year_is_409(ctx: Context, client: TestClient) -> None:
    start(ctx)
    response = client.post("/api/v1/cases", headers=bearer(ctx, "sekretaris"), json={"workflow": "lakip", "year": 2021})
    assert CODE in error_of(response, 409)


def test_completing_a_step_attaches_the_files_and_the_note_and_activates_the_next(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    files = [pdf_part(tmp_path, "Disposisi Sekretaris.pdf"), ("files", ("lampiran.docx", docx(tmp_path).read_bytes()))]
    response = client.post(
        f"{CASE_URL}/steps/1/complete", headers=bearer(ctx, "sekretaris"), files=files, data={"note": "Segera."}
    )
    assert response.status_code == 200, response.text
    step = response.json()["steps"][0]
    assert (step["status"], step["completed_by"], step["note"]) == ("done", "sekretaris", "Segera.")
    assert [a["filename"] for a in step["artefacts"]] == ["Disposisi Sekretaris.pdf", "lampiran.docx"]
    assert response.json()["current_step"] == 2
    assert list(upload_dir(ctx).glob("*")) == []


def test_a_step_that_takes_no_file_completes_without_a_body(ctx: Context, client: TestClient, tmp_path: Path) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 2)  # step 3 (staf) takes an optional file
    response = client.post(f"{CASE_URL}/steps/3/complete", headers=bearer(ctx, "staf1"))
    assert response.status_code == 200, response.text
    assert response.json()["current_step"] == 4


def test_a_document_downloads_with_its_bytes_content_type_and_file_name(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    name = "Disposisi «Sekretaris».pdf"
    headers = bearer(ctx, "sekretaris")
    completed = client.post(f"{CASE_URL}/steps/1/complete", headers=headers, files=[pdf_part(tmp_path, name)])
    artefact = completed.json()["steps"][0]["artefacts"][0]
    response = client.get(f"{CASE_URL}/artefacts/{artefact['id']}", headers=bearer(ctx, "inspektorat"))
    assert response.status_code == 200
    assert response.content == (tmp_path / name).read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response.headers["content-disposition"]


def test_an_unknown_document_is_404(ctx: Context, client: TestClient) -> None:
    start(ctx)
    assert error_of(client.get(f"{CASE_URL}/artefacts/000000000000", headers=bearer(ctx, "sekretaris")), 404)


def test_a_staf_completing_the_ketuas_step_is_403_and_the_case_is_unchanged(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 8)  # step 9 (ketua signs) is active
    headers = bearer(ctx, "staf1")
    before, events = cases.get_case(ctx, CODE), audit.list_events(ctx)
    response = client.post(f"{CASE_URL}/steps/9/complete", headers=headers, files=[pdf_part(tmp_path)])
    assert "ketua" in error_of(response, 403)
    assert cases.get_case(ctx, CODE) == before
    assert audit.list_events(ctx) == events
    assert list(upload_dir(ctx).glob("*")) == []


def test_completing_a_completed_step_again_is_409_naming_who_did_it(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    headers = bearer(ctx, "sekretaris")
    first = client.post(f"{CASE_URL}/steps/1/complete", headers=headers, files=[pdf_part(tmp_path)])
    assert first.status_code == 200
    second = client.post(f"{CASE_URL}/steps/1/complete", headers=headers, files=[pdf_part(tmp_path)])
    assert "sudah diselesaikan oleh sekretaris" in error_of(second, 409)
    assert second.json()["completed_by"] == "sekretaris"
    assert len(cases.get_case(ctx, CODE).steps[0].artefacts) == 1


def test_an_oversized_upload_is_413_and_leaves_the_case_unchanged(ctx: Context, tmp_path: Path) -> None:
    storage = dataclasses.replace(ctx.settings.storage, max_upload_bytes=1024)
    small = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, storage=storage))
    start(small)
    before = cases.get_case(small, CODE)
    big = ("files", ("besar.pdf", pdf(tmp_path, "besar.pdf", text="x" * 4000).read_bytes(), "application/pdf"))
    response = client_for(small).post(f"{CASE_URL}/steps/1/complete", headers=bearer(small, "sekretaris"), files=[big])
    assert "besar.pdf" in error_of(response, 413)
    assert response.json()["limit"] == 1024
    assert cases.get_case(small, CODE) == before
    assert list(upload_dir(small).glob("*")) == []


def test_a_file_whose_content_is_not_its_type_is_422_naming_it(
    ctx: Context, client: TestClient, tmp_path: Path
) -> None:
    start(ctx)
    before = cases.get_case(ctx, CODE)
    fake = ("files", ("laporan.pdf", b"#!/bin/sh\necho bukan pdf\n", "application/pdf"))
    response = client.post(f"{CASE_URL}/steps/1/complete", headers=bearer(ctx, "sekretaris"), files=[fake])
    assert "laporan.pdf" in error_of(response, 422)
    assert cases.get_case(ctx, CODE) == before


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({"catatan": "bukan isian API"}, "catatan"),
        ({"note": "x" * 2001}, "2001"),
        ({"note": "a\x00b"}, "karakter kendali"),
        ({"files": "teks, bukan berkas"}, "files"),
    ],
)
def test_a_completion_form_with_anything_but_a_note_and_files_is_422_naming_it(
    ctx: Context, client: TestClient, tmp_path: Path, form: dict[str, str], named: str
) -> None:
    start(ctx)
    before = cases.get_case(ctx, CODE)
    response = client.post(
        f"{CASE_URL}/steps/1/complete", headers=bearer(ctx, "sekretaris"), data=form, files=[pdf_part(tmp_path)]
    )
    assert named in error_of(response, 422)
    assert cases.get_case(ctx, CODE) == before


def test_returning_a_step_restarts_the_target_with_a_new_round(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 6)  # step 7 (kasubag corrects) is active
    reason = "Tabel capaian kinerja belum lengkap"
    response = client.post(
        f"{CASE_URL}/steps/7/return", headers=bearer(ctx, "kasubag"), json={"to": 6, "reason": reason}
    )
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]
    assert (steps[5]["status"], steps[5]["round"], steps[6]["status"]) == ("active", 2, "waiting")
    assert response.json() == cli_json(ctx, clock, "case", "show", CODE)


def test_returning_to_a_step_the_sop_does_not_declare_is_403(ctx: Context, client: TestClient, tmp_path: Path) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 6)
    response = client.post(f"{CASE_URL}/steps/7/return", headers=bearer(ctx, "kasubag"), json={"to": 2, "reason": "x"})
    assert "langkah 6" in error_of(response, 403)


def test_cancelling_a_case_records_the_reason(ctx: Context, client: TestClient) -> None:
    start(ctx)
    response = client.post(f"{CASE_URL}/cancel", headers=bearer(ctx, "sekretaris"), json={"reason": "Salah tahun"})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Salah tahun")


def test_only_the_sekretaris_cancels_a_case(ctx: Context, client: TestClient) -> None:
    start(ctx)
    response = client.post(f"{CASE_URL}/cancel", headers=bearer(ctx, "kasubag"), json={"reason": "Salah tahun"})
    assert "kasubag" in error_of(response, 403)
    assert cases.get_case(ctx, CODE).status == "running"


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/v1/cases", '{"workflow": "lakip", "year": "abc"}', "body.year"),
        ("/api/v1/cases", '{"workflow": "lakip", "year": 99999999999999999999}', "body.year"),
        ("/api/v1/cases", '{"workflow": "lakip", "year": 1999}', "body.year"),
        ("/api/v1/cases", '{"workflow": "lakip", "year": true}', "body.year"),
        ("/api/v1/cases", '{"workflow": "lakip"}', "body.year"),
        ("/api/v1/cases", '{"workflow": "lakip", "year": 2021, "tahun": 2021}', "body.tahun"),
        ("/api/v1/cases", '{"workflow": "../lakip", "year": 2021}', "body.workflow"),
        ("/api/v1/cases", "[2021]", "body"),
        ("/api/v1/cases", "bukan JSON", "bukan JSON yang sah"),
        ("/api/v1/cases", '{"workflow": "lakip", "year": 2021', "baris 1"),
        ("/api/v1/cases", b'{"workflow": "\xff"}', "UTF-8"),
        ("/api/v1/cases", "[" * 5000 + "]" * 5000, "bersarang"),
        (f"{CASE_URL}/cancel", '{"reason": "a\\u0000b"}', "body.reason"),
        (f"{CASE_URL}/cancel", '{"reason": "\\ud800"}', "body.reason"),
        (f"{CASE_URL}/cancel", json.dumps({"reason": "x" * 2001}), "body.reason"),
        (f"{CASE_URL}/steps/7/return", '{"to": 0, "reason": "x"}', "body.to"),
        (f"{CASE_URL}/steps/7/return", '{"to": 6.5, "reason": "x"}', "body.to"),
        (f"{CASE_URL}/steps/99999999999999999999/return", '{"to": 6, "reason": "x"}', "path.no"),
    ],
)
def test_a_bad_json_body_is_422_naming_what_is_wrong(
    ctx: Context, client: TestClient, path: str, body: str | bytes, named: str
) -> None:
    start(ctx)
    before = cases.list_cases(ctx).items
    headers = {**bearer(ctx, "sekretaris"), "content-type": "application/json"}
    response = client.post(path, headers=headers, content=body)
    assert named in error_of(response, 422)
    assert cases.list_cases(ctx).items == before


def test_a_json_body_past_the_limit_is_413(ctx: Context, client: TestClient) -> None:
    start(ctx)
    huge = json.dumps({"reason": "x" * 100_000})
    response = client.post(f"{CASE_URL}/cancel", headers=bearer(ctx, "sekretaris"), content=huge)
    assert "64 KB" in error_of(response, 413)
    assert cases.get_case(ctx, CODE).status == "running"


def test_a_body_that_is_not_json_by_its_content_type_is_415(ctx: Context, client: TestClient) -> None:
    response = client.post(
        "/api/v1/cases",
        headers={**bearer(ctx, "sekretaris"), "content-type": "text/plain"},
        content='{"workflow": "lakip", "year": 2021}',
    )
    assert "text/plain" in error_of(response, 415)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/cases/LAKIP-2021", 422),
        ("GET", "/api/v1/cases/lakip-2021%00", 422),
        ("GET", "/api/v1/cases/lakip%2F..%2F2021", 404),
        ("GET", "/api/v1/cases/" + "a" * 5000, 422),
        ("GET", "/api/v1/cases/lakip-%F0%9F%98%80", 422),
        ("GET", "/api/v1/cases/lakip-2021/artefacts/%FF%FE", 422),
        ("GET", "/api/v1/cases/lakip-2021/artefacts/.%2E", 422),
        ("POST", "/api/v1/cases/lakip-2021/steps/abc/complete", 422),
        ("POST", "/api/v1/cases/lakip-2021/steps/99999999999999999999/complete", 422),
        ("POST", "/api/v1/cases/lakip-2021/steps/12/complete", 404),
        ("GET", "/api/v1/audit?case=lakip%002021", 422),
        ("GET", "/api/v1/audit?limit=0", 422),
    ],
)
def test_an_odd_path_or_query_is_refused_without_a_server_error(
    ctx: Context, client: TestClient, method: str, path: str, status: int
) -> None:
    start(ctx)
    assert error_of(client.request(method, path, headers=bearer(ctx, "sekretaris")), status)


# --- the audit trail ----------------------------------------------------------------------------


def test_the_audit_trail_is_the_events_of_sop_audit_log_json_with_the_same_filters(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 3)
    query = {"case": CODE, "action": "step.completed", "actor": "kasubag", "since": "2021-01-11", "until": "2021-01-11"}
    response = client.get("/api/v1/audit", params=query, headers=bearer(ctx, "inspektorat"))
    assert response.status_code == 200
    expected = cli_json(
        ctx, clock, "audit", "log", *[part for key, value in query.items() for part in (f"--{key}", value)]
    )
    assert response.json() == {"events": expected}
    assert [(e["actor"], e["step"]) for e in response.json()["events"]] == [("kasubag", 2)]


def test_the_audit_trail_is_for_the_inspektorat_ketua_and_sekretaris_only(ctx: Context, client: TestClient) -> None:
    for username, status in (
        ("inspektorat", 200),
        ("ketua", 200),
        ("sekretaris", 200),
        ("kasubag", 403),
        ("staf1", 403),
        ("admin", 403),
    ):
        headers = bearer(ctx, username)
        assert client.get("/api/v1/audit", headers=headers).status_code == status, username
        assert client.get("/api/v1/audit/verify", headers=headers).status_code == status, username
    assert "admin" in error_of(client.get("/api/v1/audit", headers=bearer(ctx, "admin")), 403)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"since": "2021-13-01"}, "2021-13-01"),
        ({"until": "kemarin"}, "kemarin"),
        ({"since": "2021-02-01", "until": "2021-01-01"}, "terbalik"),
    ],
)
def test_a_bad_audit_date_is_422_naming_it(ctx: Context, client: TestClient, query: dict[str, str], named: str) -> None:
    response = client.get("/api/v1/audit", params=query, headers=bearer(ctx, "inspektorat"))
    assert named in error_of(response, 422)


@pytest.mark.parametrize("query", [{"since": "0001-01-01"}, {"until": "9999-12-31"}])
def test_an_audit_date_at_the_ends_of_the_calendar_is_422_not_a_server_error(
    ctx: Context, client: TestClient, query: dict[str, str]
) -> None:
    response = client.get("/api/v1/audit", params=query, headers=bearer(ctx, "inspektorat"))
    assert error_of(response, 422)


def test_verifying_the_chain_answers_the_document_of_sop_audit_verify_json(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 1)
    response = client.get("/api/v1/audit/verify", headers=bearer(ctx, "inspektorat"))
    assert response.status_code == 200
    assert response.json() == cli_json(ctx, clock, "audit", "verify")
    assert response.json()["ok"] is True


def test_verifying_against_a_head_in_a_bad_format_is_422(ctx: Context, client: TestClient) -> None:
    response = client.get("/api/v1/audit/verify", params={"head": "23:abc"}, headers=bearer(ctx, "inspektorat"))
    assert "23:abc" in error_of(response, 422)


# --- the API and the command line agree ---------------------------------------------------------


def test_a_case_changed_through_the_api_shows_identically_through_the_cli(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    headers = bearer(ctx, "sekretaris")
    answers = [client.post("/api/v1/cases", headers=headers, json={"workflow": "lakip", "year": 2021})]
    clock.advance(timedelta(minutes=7))
    answers.append(
        client.post(f"{CASE_URL}/steps/1/complete", headers=headers, files=[pdf_part(tmp_path)], data={"note": "Ok"})
    )
    answers.append(client.post(f"{CASE_URL}/cancel", headers=headers, json={"reason": "Diganti kasus baru"}))
    assert [answer.status_code for answer in answers] == [201, 200, 200]
    assert answers[-1].json() == cli_json(ctx, clock, "case", "show", CODE)
    assert client.get(CASE_URL, headers=headers).json() == cli_json(ctx, clock, "case", "show", CODE)


def test_a_case_changed_through_the_cli_shows_identically_through_the_api(
    ctx: Context, client: TestClient, clock: FixedClock, tmp_path: Path
) -> None:
    for args in (
        ["case", "start", "lakip", "--year", "2021", "--by", "sekretaris"],
        ["step", "done", CODE, "1", "--by", "sekretaris", "--file", str(pdf(tmp_path)), "--note", "Lanjutkan"],
        ["step", "done", CODE, "2", "--by", "kasubag", "--file", str(docx(tmp_path))],
    ):
        run = run_cli(args, ctx.settings, clock)
        assert run.code == 0, run.err
    headers = bearer(ctx, "kasubag")
    assert client.get(CASE_URL, headers=headers).json() == cli_json(ctx, clock, "case", "show", CODE)
    listed = client.get("/api/v1/cases", headers=headers).json()
    assert listed == {"cases": cli_json(ctx, clock, "case", "list"), "next": None}


# --- /openapi.json ------------------------------------------------------------------------------


def test_the_answers_fit_the_models_openapi_documents(ctx: Context, client: TestClient, tmp_path: Path) -> None:
    start(ctx)
    complete_through(ctx, tmp_path, 2)  # documents, notes and deadlines in the answers
    headers = bearer(ctx, "inspektorat")
    documents: list[tuple[type[BaseModel], str]] = [
        (MeOut, "/api/v1/me"),
        (CaseListOut, "/api/v1/cases"),
        (CaseDetailOut, CASE_URL),
        (EventListOut, "/api/v1/audit"),
        (VerifyOut, "/api/v1/audit/verify"),
    ]
    for model, path in documents:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        model.model_validate(response.json())  # extra keys are forbidden: the models list every key


def test_openapi_documents_the_completion_body_as_multipart_and_the_bearer_scheme(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    body = document["paths"]["/api/v1/cases/{code}/steps/{no}/complete"]["post"]["requestBody"]
    properties = body["content"]["multipart/form-data"]["schema"]["properties"]
    assert properties["files"]["items"] == {"type": "string", "format": "binary"}
    assert properties["note"]["type"] == "string"
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
