"""``sop serve`` as a person starts it: a real process on a real port, web pages and scheduler together."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import httpx2
import pytest

from sop_engine.demo import DEMO_PASSWORD
from tests.servers import SOP, free_port, serve_config, wait_for


@pytest.mark.skipif(not SOP.exists(), reason="the `sop` script is installed by `make test`")
@pytest.mark.slow
def test_sop_serve_serves_the_demo_office_and_stops_cleanly_on_sigterm(tmp_path: Path):
    config = serve_config(tmp_path)
    init = subprocess.run(
        [str(SOP), "--config", str(config), "init", "--demo"], capture_output=True, text=True, check=False
    )
    assert init.returncode == 0, init.stderr
    assert DEMO_PASSWORD in init.stdout
    port = free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(SOP), "--config", str(config), "serve", "--port", str(port)],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/masuk", proc)
            with httpx2.Client(base_url=base, follow_redirects=False) as client:
                page = client.get("/masuk")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                assert page.status_code == 200 and token
                login = client.post(
                    "/masuk",
                    data={"login": "sekretaris", "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
                )
                assert login.status_code == 303 and login.headers["location"] == "/tugas"
                assert "sop_sesi" in client.cookies
                home = client.get("/tugas")
                assert home.status_code == 200 and "Tugas Saya" in home.text
                assert client.get("/openapi.json").json()["info"]["title"] == "sop-engine API"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    printed = out.read_text(encoding="utf-8")
    assert f"berjalan di http://localhost:{port}/" in printed and "berhenti" in printed
    assert "Traceback" not in err.read_text(encoding="utf-8")
