"""``/healthz``, ``/readyz``, ``/metrics`` and the request log, in-process on both backends.

The probes need no login and carry the security headers; ``/readyz`` names the check that fails;
``/metrics`` is 404 until ``[metrics] enabled`` and then parses as Prometheus text, with the
office's figures read at the scrape. Every request is logged once with its id, and a 500 page
shows the id under which its traceback was logged. The real ``sop serve`` process is tested in
``test_web_serve_ops.py``.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from starlette.testclient import TestClient

from sop_engine import api_tokens, cases, outbox
from sop_engine.clock import FixedClock
from sop_engine.config_ops import MetricsSettings
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.web.app import create_app
from tests.web_support import client_for, csrf_in, give_passwords, log_in

CSP = "content-security-policy"


def with_metrics(ctx: Context) -> TestClient:
    ctx.settings = dataclasses.replace(ctx.settings, metrics=MetricsSettings(enabled=True))
    return client_for(ctx)


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, by (name, sorted labels); fails if it does not parse."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_healthz_answers_without_a_login_with_the_security_headers_and_a_request_id(ctx: Context):
    response = TestClient(create_app(ctx)).get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "frame-ancestors 'none'" in response.headers[CSP] and response.headers["cache-control"] == "no-store"
    assert len(response.headers["x-request-id"]) == 16


def test_readyz_is_ready_when_the_database_schema_and_store_are(ctx: Context):
    response = TestClient(create_app(ctx)).get("/readyz")
    assert response.status_code == 200 and CSP in response.headers
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "schema": "ok", "storage": "ok"}}


def test_readyz_is_503_naming_the_schema_when_the_database_is_at_an_older_revision(
    ctx: Context, caplog: pytest.LogCaptureFixture
):
    with ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with caplog.at_level(logging.WARNING, logger="sop_engine.web.ops"):
        response = TestClient(create_app(ctx)).get("/readyz")
    assert response.status_code == 503 and CSP in response.headers
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "schema": "failed", "storage": "ok"},
        "failed": ["schema"],
    }
    assert [r.getMessage() for r in caplog.records if r.name == "sop_engine.web.ops"] == [
        f"readiness check schema failed: the database is at schema 0001, this version needs {migrate.head_revision()}"
    ]


def test_readyz_is_503_naming_the_store_when_it_cannot_take_a_file(ctx: Context):
    blocker = ctx.settings.storage.artefacts_dir.parent / "not-a-folder"
    blocker.write_text("a file where the store's folder should be", encoding="utf-8")
    ctx.settings = dataclasses.replace(
        ctx.settings, storage=dataclasses.replace(ctx.settings.storage, artefacts_dir=blocker / "artefacts")
    )
    response = TestClient(create_app(ctx)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"] and response.json()["checks"]["database"] == "ok"


def test_metrics_is_not_found_unless_enabled(ctx: Context):
    response = TestClient(create_app(ctx)).get("/metrics")
    assert response.status_code == 404 and "Tidak ditemukan" in response.text


def test_metrics_count_requests_by_route_template_and_status_and_time_them(ctx: Context):
    client = with_metrics(ctx)
    log_in(client, "sekretaris")
    assert client.get("/kasus/lakip-2099").status_code == 404
    assert client.get("/tidak-ada").status_code == 404
    token = api_tokens.issue_token(ctx, "sekretaris")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    requests = {labels: value for (name, labels), value in found.items() if name == "sop_http_requests_total"}
    assert requests[(("method", "GET"), ("route", "/kasus/{code}"), ("status", "404"))] == 1
    assert requests[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    assert requests[(("method", "POST"), ("route", "/masuk"), ("status", "303"))] == 1
    assert requests[(("method", "GET"), ("route", "/api/v1/me"), ("status", "200"))] == 1
    assert found[("sop_http_request_duration_seconds_count", (("method", "GET"), ("route", "/api/v1/me")))] == 1
    assert not [labels for labels in requests if ("route", "/tidak-ada") in labels]  # no unbounded series


def test_metrics_read_cases_pending_and_failed_notifications_and_the_scheduler_lag_at_the_scrape(
    ctx: Context, clock: FixedClock
):
    client = with_metrics(ctx)
    before = samples(client.get("/metrics").text)
    assert before[("sop_cases", (("status", "running"),))] == 0 and before[("sop_database_up", ())] == 1
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    pending = [n for n in outbox.list_notifications(ctx, "lakip-2021") if n.status == "pending"]
    first_due = min(n.due_at for n in pending)
    clock.set(first_due + timedelta(minutes=7))
    with ctx.db.engine.begin() as connection:  # one delivery has failed for good
        connection.execute(text("UPDATE notifications SET status = 'failed' WHERE id = :id"), {"id": pending[-1].id})
    after = samples(client.get("/metrics").text)
    assert after[("sop_cases", (("status", "running"),))] == 1
    assert after[("sop_notifications_failed", (("kind", str(pending[-1].kind)),))] == 1
    for kind in ("reminder", "due", "escalation", "digest"):
        expected = sum(1 for n in pending[:-1] if n.kind == kind)
        assert after[("sop_notifications_pending", (("kind", kind),))] == expected
    assert after[("sop_scheduler_lag_seconds", ())] == 7 * 60


def test_each_request_is_logged_once_with_its_id_user_status_and_duration_and_no_secret(
    ctx: Context, caplog: pytest.LogCaptureFixture
):
    client = client_for(ctx)
    token = api_tokens.issue_token(ctx, "kasubag")
    with caplog.at_level(logging.INFO):
        log_in(client, "sekretaris")  # GET /masuk, POST /masuk, GET /tugas
        api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    lines = [r for r in caplog.records if r.name == "sop_engine.access"]
    assert [(r.method, r.route, r.status, r.user) for r in lines] == [  # type: ignore[attr-defined]
        ("GET", "/masuk", 200, None),
        ("POST", "/masuk", 303, None),
        ("GET", "/tugas", 200, "sekretaris"),
        ("GET", "/api/v1/me", 200, "kasubag"),
    ]
    assert lines[-1].request_id == api.headers["x-request-id"]  # type: ignore[attr-defined]
    assert all(r.duration_ms >= 0 and r.client for r in lines)  # type: ignore[attr-defined]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert token not in logged and client.cookies["sop_sesi"] not in logged and "sandi-uji-coba" not in logged


def test_logins_are_logged_with_their_outcome_and_never_the_password(ctx: Context, caplog: pytest.LogCaptureFixture):
    client = client_for(ctx)
    with caplog.at_level(logging.INFO, logger="sop_engine.logins"):
        log_in(client, "sekretaris")
        stranger = TestClient(client.app, follow_redirects=False)
        csrf = csrf_in(stranger.get("/masuk").text)
        for login in ("kasubag", "rahasia-123-salah-ketik"):
            wrong = {"login": login, "password": "salah-sekali-99", "csrf_token": csrf}
            assert stranger.post("/masuk", data=wrong).status_code == 403
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "sop_engine.logins"] == [
        ("INFO", "login succeeded: sekretaris from testclient"),
        ("WARNING", "login failed: kasubag from testclient"),
        ("WARNING", "login failed: an unknown account from testclient"),
    ]
    assert "salah-sekali-99" not in caplog.text and "rahasia-123" not in caplog.text


@pytest.mark.parametrize("route", ["/kasus", "/api/v1/cases"])
def test_a_500_shows_the_request_id_under_which_its_traceback_was_logged(
    ctx: Context, route: str, caplog: pytest.LogCaptureFixture
):
    give_passwords(ctx)
    client = TestClient(create_app(ctx), follow_redirects=False, raise_server_exceptions=False)
    log_in(client, "sekretaris")
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(ctx, 'sekretaris')}"}
    with ctx.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE cases" if ctx.db.is_sqlite else "DROP TABLE cases CASCADE"))
    with caplog.at_level(logging.INFO):
        response = client.get(route, headers=headers if route.startswith("/api/") else {})
    request_id = response.headers["x-request-id"]
    assert response.status_code == 500
    if route.startswith("/api/"):
        assert response.json()["request_id"] == request_id
    else:
        assert f"Kode permintaan: <code>{request_id}</code>" in response.text
    [fault] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert fault.request_id == request_id and fault.exc_info is not None  # type: ignore[attr-defined]
    [line] = [r for r in caplog.records if r.name == "sop_engine.access"]
    assert (line.status, line.request_id, line.user) == (500, request_id, "sekretaris")  # type: ignore[attr-defined]
