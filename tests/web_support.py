"""Helpers for the web tests: passwords for the demo people, a test client, logging in, CSRF tokens."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from sqlalchemy import update
from starlette.testclient import TestClient

from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.web.app import create_app

#: The password every demo person gets in the web tests (fictional, like the people).
PASSWORD = "sandi-uji-coba-2021"
_HASH = PasswordHasher().hash(PASSWORD)  # hashed once: Argon2id is deliberately slow

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def give_passwords(ctx: Context) -> None:
    """Every demo person can log in with :data:`PASSWORD` (one Argon2id hash shared, for speed)."""
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
