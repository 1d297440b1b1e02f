"""Real peers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP sink.

Both record what they receive and let a test wait for a count with a timeout (a condition
variable, not a sleep). The HTTP sink answers with a status the test chooses.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One message as the SMTP server accepted it."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class Inbox:
    """Everything the SMTP sink accepted, with a way to wait for more."""

    messages: list[Received] = field(default_factory=list)
    condition: threading.Condition = field(default_factory=threading.Condition)
    #: When set, the server answers DATA with this SMTP reply instead of accepting.
    refuse_with: str | None = None

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """Block until at least ``count`` messages arrived (or fail after ``timeout`` seconds)."""
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.messages) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} messages, got {len(self.messages)} in {timeout} s")
            return list(self.messages)


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.inbox.refuse_with:
            return self.inbox.refuse_with
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.inbox.condition:
            self.inbox.messages.append(Received(list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
            self.inbox.condition.notify_all()
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(login: tuple[str, str] | None = None) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 for the duration of the block: (inbox, port).

    With ``login`` = (user, password) it requires AUTH (over plain SMTP: loopback only).
    """
    inbox = Inbox()
    port = free_port()
    options: dict[str, Any] = {}
    if login is not None:

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == login
            return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

        options = {"auth_required": True, "auth_require_tls": False, "authenticator": authenticate}
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port, **options)
    controller.start()  # AUTH without TLS is fine on loopback (warning filtered in pyproject.toml)
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


@dataclass
class HttpSink:
    """Every request the HTTP sink received; ``status`` (and ``location``, for a redirect) is what it answers."""

    requests: list[Request] = field(default_factory=list)
    status: int = 200
    location: str | None = None
    condition: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Request]:
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.requests) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)


@contextmanager
def http_sink() -> Iterator[HttpSink]:
    """A local HTTP server that records requests (POST, GET), standing in for a WhatsApp/Telegram gateway."""
    sink = HttpSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with sink.condition:
                sink.requests.append(Request(self.path, {k: v for k, v in self.headers.items()}, body, self.command))
                sink.condition.notify_all()
            self.send_response(sink.status)
            if sink.location is not None:
                self.send_header("Location", sink.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/kirim"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


# --- a real `sop serve` -------------------------------------------------------------------

#: The checkout (its config.toml, workflows and templates).
ROOT = Path(__file__).resolve().parent.parent
#: The `sop` script of this environment (installed by `make test`).
SOP = Path(sys.executable).with_name("sop")


def serve_config(folder: Path) -> Path:
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
