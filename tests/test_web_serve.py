"""``sop serve`` as a person starts it: a real process on a real port, web pages and scheduler together."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from sop_engine.demo import DEMO_PASSWORD
from tests.conftest import ROOT, _free_port

SOP = Path(sys.executable).with_name("sop")


def write_config(folder: Path) -> Path:
    """The project's config.toml with the database and files in ``folder`` (paths made absolute)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('dir = "workflows"', f'dir = "{ROOT / "workflows"}"')
    text = re.sub(r'templates_dir = "[^"]*"', f'templates_dir = "{ROOT / "notifications"}"', text)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Poll until the server answers (bounded); fail if the process died first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sop serve exited early with {proc.returncode}")
        try:
            httpx2.get(url, timeout=1.0)
            return
        except httpx2.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"sop serve did not answer at {url} within {timeout} s")


@pytest.mark.skipif(not SOP.exists(), reason="the `sop` script is installed by `make test`")
@pytest.mark.slow
def test_sop_serve_serves_the_demo_office_and_stops_cleanly_on_sigterm(tmp_path: Path):
    config = write_config(tmp_path)
    init = subprocess.run(
        [str(SOP), "--config", str(config), "init", "--demo"], capture_output=True, text=True, check=False
    )
    assert init.returncode == 0, init.stderr
    assert DEMO_PASSWORD in init.stdout
    port = _free_port()
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
