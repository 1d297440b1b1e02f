"""``sop serve`` as an operator runs it: a real process with ``[logging] format = "json"`` and metrics on.

Every line it writes to stderr is one JSON object; each request is one line with its id, user,
status and duration; logins are logged without the password; a 500's traceback is logged once,
under the request id its page shows; ``/healthz``, ``/readyz`` and ``/metrics`` answer, and
``/metrics`` parses with the Prometheus text parser.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sop_engine.demo import DEMO_PASSWORD
from tests.servers import SOP, free_port, serve_config, wait_for

WRONG_PASSWORD = "bukan-sandi-yang-benar-77"


def operator_config(folder: Path) -> Path:
    """The shipped config with JSON logs and metrics on (database and files in ``folder``)."""
    config = serve_config(folder)
    text = config.read_text(encoding="utf-8")
    metrics_off = "enabled = false\n\n[planning]"
    for old, new in (('format = "text"', 'format = "json"'), (metrics_off, metrics_off.replace("false", "true"))):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    return config


def sop(config: Path, *args: str) -> str:
    done = subprocess.run([str(SOP), "--config", str(config), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def visit(base: str, token: str, database: Path) -> list[httpx2.Response]:
    """What a monitor, a person and a program ask, then a page after the database broke; the responses in order."""
    seen: list[httpx2.Response] = []
    with httpx2.Client(base_url=base, follow_redirects=False) as client:
        for path in ("/healthz", "/readyz", "/metrics", "/masuk"):
            seen.append(client.get(path))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', seen[-1].text)
        assert csrf
        for password in (WRONG_PASSWORD, DEMO_PASSWORD):
            form = {"login": "sekretaris", "password": password, "csrf_token": csrf.group(1)}
            seen.append(client.post("/masuk", data=form))
        seen.append(client.get("/tugas"))
        seen.append(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}))
        with sqlite3.connect(database) as connection:
            connection.execute("DROP TABLE cases")
        seen.append(client.get("/kasus"))
    return seen


def check_probes(seen: list[httpx2.Response]) -> None:
    healthz, readyz, metrics = seen[:3]
    assert healthz.json() == {"status": "ok"} and readyz.json()["status"] == "ready"
    names = {family.name for family in text_string_to_metric_families(metrics.text)}
    expected = {"sop_http_requests", "sop_http_request_duration_seconds", "sop_notifications_pending"}
    assert expected | {"sop_notifications_failed", "sop_scheduler_lag_seconds", "sop_cases"} <= names
    assert all("content-security-policy" in response.headers for response in seen[:3])


@pytest.mark.skipif(not SOP.exists(), reason="the `sop` script is installed by `make test`")
@pytest.mark.slow
def test_sop_serve_with_json_logging_writes_one_json_line_per_request_and_answers_the_probes(tmp_path: Path):
    config = operator_config(tmp_path)
    sop(config, "init", "--demo")
    token = sop(config, "people", "token", "kasubag").strip()
    port, err = free_port(), tmp_path / "serve.err"
    with err.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(SOP), "--config", str(config), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/healthz", proc)  # its first answer is the first request logged
            seen = visit(base, token, tmp_path / "var" / "sop.db")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    entries = [json.loads(line) for line in err.read_text(encoding="utf-8").splitlines()]  # every line is JSON
    check_probes(seen)
    check_request_lines(entries, seen)
    check_logins_and_the_fault(entries, seen[-1])
    assert WRONG_PASSWORD not in err.read_text(encoding="utf-8") and token not in err.read_text(encoding="utf-8")


def check_request_lines(entries: list[dict[str, Any]], seen: list[httpx2.Response]) -> None:
    access = [e for e in entries if e["logger"] == "sop_engine.access"]
    assert [(e["method"], e["path"], e["status"], e["user"]) for e in access] == [
        ("GET", "/healthz", 200, None),  # wait_for's
        ("GET", "/healthz", 200, None),
        ("GET", "/readyz", 200, None),
        ("GET", "/metrics", 200, None),
        ("GET", "/masuk", 200, None),
        ("POST", "/masuk", 403, None),
        ("POST", "/masuk", 303, None),
        ("GET", "/tugas", 200, "sekretaris"),
        ("GET", "/api/v1/me", 200, "kasubag"),
        ("GET", "/kasus", 500, "sekretaris"),
    ]
    assert [e["request_id"] for e in access[1:]] == [response.headers["x-request-id"] for response in seen]
    assert all(e["duration_ms"] >= 0 and e["client"] == "127.0.0.1" and e["time"] for e in access)


def check_logins_and_the_fault(entries: list[dict[str, Any]], fault: httpx2.Response) -> None:
    logins = [(e["level"], e["message"]) for e in entries if e["logger"] == "sop_engine.logins"]
    assert logins == [
        ("WARNING", "login failed: sekretaris from 127.0.0.1"),
        ("INFO", "login succeeded: sekretaris from 127.0.0.1"),
    ]
    request_id = fault.headers["x-request-id"]
    assert fault.status_code == 500 and f"Kode permintaan: <code>{request_id}</code>" in fault.text
    tracebacks = [e for e in entries if "traceback" in e]
    assert len(tracebacks) == 1  # logged once: not again as the server's "Exception in ASGI application"
    assert tracebacks[0]["request_id"] == request_id and tracebacks[0]["message"] == "unexpected error on GET /kasus"
    assert "no such table: cases" in tracebacks[0]["traceback"]
