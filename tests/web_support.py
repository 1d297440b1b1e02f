"""Helpers for the web tests: passwords for the demo people, a test client, logging in, CSRF tokens,
and :class:`Site` (one app, one logged-in browser per user) with the helpers of the page tests.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import update
from starlette.testclient import TestClient

from sop_engine import cases
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.web.app import create_app
from tests.helpers import TEST_HASHER, confirm_paraf, docx, pdf

#: The password every demo person gets in the web tests (fictional, like the people).
PASSWORD = "sandi-uji-coba-2021"
#: Hashed once, at the tests' cost (the app verifies any Argon2id hash by the parameters it carries).
_HASH = TEST_HASHER.hash(PASSWORD)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def give_passwords(ctx: Context) -> None:
    """Every demo person can log in with :data:`PASSWORD` (one Argon2id hash shared)."""
    with ctx.db.write() as session:
        session.execute(update(Person).values(password_hash=_HASH))


def client_for(ctx: Context) -> TestClient:
    """A test client on the app (base URL http://testserver); passwords set; server errors raised."""
    give_passwords(ctx)
    return TestClient(create_app(ctx), follow_redirects=False)


def csrf_in(html: str) -> str:
    """The first CSRF token in a page's forms."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Log ``client`` in as ``login`` through the login form; returns the session's CSRF token."""
    page = client.get("/masuk")
    response = client.post("/masuk", data={"login": login, "password": password, "csrf_token": csrf_in(page.text)})
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    assert home.status_code == 200, home.text
    return csrf_in(home.text)


# --- the pages of one case, as the page tests walk them ----------------------------------------

CASE = "lakip-2021"


@dataclass
class User:
    """A logged-in browser: its client and the CSRF token of its session."""

    client: TestClient
    csrf: str

    def get(self, path: str) -> httpx2.Response:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None, files: Any = None) -> httpx2.Response:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, files=files)


@dataclass
class Site:
    """One app over ``ctx``; one logged-in browser per user, made on first use."""

    ctx: Context
    folder: Path
    users: dict[str, User] = field(default_factory=dict)

    def __post_init__(self) -> None:
        give_passwords(self.ctx)
        self.app = create_app(self.ctx)

    def anonymous(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def as_(self, username: str) -> User:
        if username not in self.users:
            client = self.anonymous()
            self.users[username] = User(client, log_in(client, username))
        return self.users[username]

    def upload(self, name: str) -> tuple[str, bytes, str]:
        """A file field value for ``files=``: a real PDF or DOCX by the name's extension."""
        path = docx(self.folder, name) if name.endswith(".docx") else pdf(self.folder, name)
        return (name, path.read_bytes(), "application/octet-stream")

    def complete(self, username: str, no: int, *names: str, note: str = "") -> httpx2.Response:
        files = [("berkas", self.upload(name)) for name in names] or None
        return self.as_(username).post(f"/kasus/{CASE}/langkah/{no}/selesai", {"catatan": note}, files=files)


def start(site: Site, year: int = 2021) -> httpx2.Response:
    return site.as_("sekretaris").post("/kasus/baru", {"workflow": "lakip", "tahun": str(year)})


def advance_to(ctx: Context, tmp_path: Path, last: int) -> None:
    """Complete steps 1..``last`` of the started case through the services (with documents where needed)."""
    actors = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf1", 5: "kasubag", 6: "staf1", 7: "kasubag"}
    actors.update({8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf1"})
    for no in range(1, last + 1):
        files = [] if no in (3, 8, 11) else [IncomingFile.from_path(pdf(tmp_path, f"langkah-{no}.pdf"))]
        cases.complete_step(ctx, CASE, no, actors[no], files=files)
        confirm_paraf(ctx, CASE, no)


def alert(html: str, kind: str) -> str:
    """The text of the page's ``.alert-<kind>`` message ("" when there is none)."""
    found = re.search(rf'<p class="alert alert-{kind}"[^>]*>(.*?)</p>', html, re.DOTALL)
    return html_lib.unescape(found.group(1).strip()) if found else ""


def step_html(html: str, no: int) -> str:
    """The ``li#langkah-<no>`` element of the timeline."""
    # The timeline's own </ol> starts its line; a list inside a step (the paraf chain) is indented.
    found = re.search(rf'<li id="langkah-{no}".*?(?=<li id="langkah-|^</ol>)', html, re.DOTALL | re.MULTILINE)
    assert found, f"the page has no li#langkah-{no}"
    return found.group(0)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str, tag: str, **wanted: str) -> list[dict[str, str]]:
    """The attributes of each ``tag`` whose attributes include ``wanted`` (``class_`` matches one class)."""
    parser = _Elements()
    parser.feed(html)
    result = []
    for name, attrs in parser.found:
        if name != tag:
            continue
        classes = attrs.get("class", "").split()
        if "class_" in wanted and wanted["class_"] not in classes:
            continue
        if all(attrs.get(key) == value for key, value in wanted.items() if key != "class_"):
            result.append(attrs)
    return result
