"""The web application's common ground: login and logout, cookies, headers, and one error policy."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from starlette.testclient import TestClient

from sop_engine import api_tokens, cases
from sop_engine.context import Context
from sop_engine.db.session import Database
from sop_engine.web.app import create_app
from tests.web_support import PASSWORD, client_for, csrf_in, give_passwords, log_in


@pytest.fixture
def client(ctx: Context) -> TestClient:
    return client_for(ctx)


def login_form(client: TestClient) -> str:
    return csrf_in(client.get("/masuk").text)


@pytest.mark.parametrize("path", ["/masuk", "/static/app.css", "/api/v1/cases", "/tidak-ada", "/openapi.json"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str):
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_a_page_behind_the_login_sends_the_browser_to_the_login_form(client: TestClient):
    response = client.get("/kasus?tahun=2021")
    assert response.status_code == 303 and response.headers["location"] == "/masuk?lanjut=/kasus%3Ftahun%3D2021"


def test_login_sets_an_httponly_samesite_cookie_and_goes_home(client: TestClient):
    token = login_form(client)
    response = client.post("/masuk", data={"login": "inspektorat", "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["set-cookie"]
    assert response.status_code == 303 and response.headers["location"] == "/audit"
    assert "sop_sesi=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_behind_https_the_session_cookie_is_secure(ctx: Context):
    give_passwords(ctx)
    secure_ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, base_url="https://sop.example"))
    client = TestClient(create_app(secure_ctx), base_url="https://testserver", follow_redirects=False)
    token = login_form(client)
    response = client.post("/masuk", data={"login": "staf1", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in response.headers["set-cookie"]


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(client: TestClient):
    token = login_form(client)
    data = {"login": "staf1", "password": PASSWORD, "csrf_token": token, "lanjut": "/kasus"}
    assert client.post("/masuk", data=data).headers["location"] == "/kasus"
    client.cookies.clear()
    token = login_form(client)
    data = {"login": "staf1", "password": PASSWORD, "csrf_token": token, "lanjut": "//jahat.example/x"}
    assert client.post("/masuk", data=data).headers["location"] == "/tugas"


def test_a_wrong_password_is_refused_in_indonesian_and_keeps_the_name_typed(client: TestClient):
    token = login_form(client)
    response = client.post("/masuk", data={"login": "staf1", "password": "bukan-ini-123", "csrf_token": token})
    assert response.status_code == 403
    assert "kata sandi salah" in response.text and 'value="staf1"' in response.text
    assert "sop_sesi" not in response.headers.get("set-cookie", "")


def test_the_login_form_without_its_csrf_token_is_refused(client: TestClient):
    client.get("/masuk")
    response = client.post("/masuk", data={"login": "staf1", "password": PASSWORD})
    assert response.status_code == 403 and "CSRF" in response.text


def test_logout_needs_the_csrf_token_and_then_ends_the_session(client: TestClient):
    token = log_in(client, "staf1")
    assert client.post("/keluar", data={}).status_code == 403
    assert client.get("/tugas").status_code == 200
    response = client.post("/keluar", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/masuk?keluar=1"
    assert client.get("/tugas").status_code == 303


def test_an_unknown_page_is_a_404_page_in_indonesian(client: TestClient):
    response = client.get("/tidak-ada")
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "Tidak ditemukan" in response.text


def test_an_unknown_api_route_is_json(client: TestClient):
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code in (401, 404) and "error" in response.json()


def test_the_api_without_a_token_is_401_with_a_bearer_challenge(client: TestClient):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["error"]


def test_the_openapi_document_describes_the_api_only(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and all(path.startswith("/api/v1/") for path in paths)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_database_locked_past_the_wait_answers_503_with_retry_after_and_changes_nothing(ctx: Context):
    """Another process holds the write lock longer than the busy timeout: 503 in Indonesian, not 500."""
    impatient = dataclasses.replace(ctx, db=Database(ctx.settings.database.url, busy_timeout_ms=50))
    client = client_for(impatient)
    token = api_tokens.issue_token(ctx, "sekretaris")
    holder = sqlite3.connect(ctx.settings.database.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post(
            "/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, json={"workflow": "lakip", "year": 2021}
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.db.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "Basis data sedang sibuk" in response.json()["error"]
    assert cases.list_cases(ctx).items == ()
