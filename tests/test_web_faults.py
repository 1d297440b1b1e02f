"""A fault of our own (not a refusal): 500 in Indonesian, and the connection announced closed.

The fault is real: the ``cases`` table is dropped under the running app, as a broken migration or
a damaged database would leave it. Server exceptions are not raised into the test, so the client
sees what a browser would.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from sop_engine import api_tokens
from sop_engine.context import Context
from sop_engine.web.app import GENERIC, create_app
from tests.web_support import give_passwords, log_in


def break_the_database(ctx: Context) -> None:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DROP TABLE cases" if ctx.db.is_sqlite else "DROP TABLE cases CASCADE"))


@pytest.mark.parametrize("route", ["/kasus", "/api/v1/cases"])
def test_a_server_fault_answers_500_with_connection_close(ctx: Context, route: str, caplog: pytest.LogCaptureFixture):
    give_passwords(ctx)
    client = TestClient(create_app(ctx), follow_redirects=False, raise_server_exceptions=False)
    log_in(client, "sekretaris")
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(ctx, 'sekretaris')}"}
    break_the_database(ctx)
    with caplog.at_level(logging.ERROR, logger="sop_engine.web.app"):
        response = client.get(route, headers=headers if route.startswith("/api/") else {})
    assert response.status_code == 500
    assert response.headers["connection"] == "close"
    assert GENERIC[500] in response.text
    assert [r.getMessage() for r in caplog.records] == [f"unexpected error on GET {route}"]
