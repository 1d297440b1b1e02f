"""The holder of a session or token in one query, the roles kept per process: every change counts at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from sop_engine import api_tokens, logins, passwords, people
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Person, PersonRole
from sop_engine.db.models_web import ApiToken, WebSession
from sop_engine.identity import TOUCH_INTERVAL
from tests.helpers import statements
from tests.web_support import Site

GOOD = "kopi-pagi-di-bangkalan"


def _roles(ctx: Context, token: str, session_id: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    by_token = api_tokens.token_identity(ctx, token)
    by_session = logins.session_of(ctx, session_id)
    return (
        by_token.roles if by_token else None,
        by_session.identity.roles if by_session else None,
    )


def _opened(ctx: Context, username: str) -> tuple[str, str]:
    passwords.set_password(ctx, username, GOOD)
    return api_tokens.issue_token(ctx, username), logins.login(ctx, username, GOOD).session_id


def test_a_known_holder_costs_one_query(ctx: Context):
    token, session_id = _opened(ctx, "staf1")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))  # the roles are kept from here on
    for look_up in (lambda: api_tokens.token_identity(ctx, token), lambda: logins.session_of(ctx, session_id)):
        with statements(ctx) as sent:
            assert look_up() is not None
        assert [s for s in sent if not s.startswith("BEGIN")] == [sent[-1]] and sent[-1].lstrip().startswith("SELECT")


def test_a_role_given_or_taken_counts_from_the_next_request(ctx: Context):
    token, session_id = _opened(ctx, "staf1")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))
    people.set_roles(ctx, "staf1", ["staf", "inspektorat"], by="admin")
    assert _roles(ctx, token, session_id) == (("inspektorat", "staf"), ("inspektorat", "staf"))
    people.set_roles(ctx, "staf1", ["staf"], by="admin")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))


def test_a_role_changed_by_another_process_counts_at_once(ctx: Context):
    """Written beside the services (an administrator's SQL, another process): the triggers move the version."""
    token, session_id = _opened(ctx, "staf1")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))
    with ctx.db.engine.begin() as conn:  # a plain connection, not the services
        person = conn.scalar(select(Person.id).where(Person.username == "staf1"))
        conn.execute(insert(PersonRole).values(person_id=person, role="ketua"))
    assert _roles(ctx, token, session_id) == (("ketua", "staf"), ("ketua", "staf"))
    with ctx.db.engine.begin() as conn:
        conn.execute(delete(PersonRole).where(PersonRole.person_id == person, PersonRole.role == "staf"))
    assert _roles(ctx, token, session_id) == (("ketua",), ("ketua",))


def test_a_revoked_token_a_logout_and_a_new_password_count_right_after_a_lookup(ctx: Context):
    token, session_id = _opened(ctx, "staf1")
    other_token, other_session = _opened(ctx, "staf2")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))
    assert _roles(ctx, other_token, other_session) == (("staf",), ("staf",))
    api_tokens.revoke_tokens(ctx, "staf1", by="admin")
    logins.logout(ctx, session_id)
    assert _roles(ctx, token, session_id) == (None, None)
    passwords.set_password(ctx, "staf2", "teh-sore-di-sampang")
    assert _roles(ctx, other_token, other_session) == (None, None)


def test_a_deactivation_counts_right_after_a_lookup(ctx: Context):
    token, session_id = _opened(ctx, "staf1")
    assert _roles(ctx, token, session_id) == (("staf",), ("staf",))
    with ctx.db.engine.begin() as conn:  # switched off beside the services: nothing revoked, nothing ended
        conn.execute(Person.__table__.update().where(Person.username == "staf1").values(active=False))
    assert _roles(ctx, token, session_id) == (None, None)


def test_pages_and_the_api_write_the_last_use_at_most_every_few_minutes(ctx: Context, clock: FixedClock, tmp_path):
    """The web looks the holder up, then writes the last use only when it is due (identity.TOUCH_INTERVAL)."""
    site = Site(ctx, tmp_path)
    browser, api = site.as_("staf1"), site.anonymous()
    token = api_tokens.issue_token(ctx, "staf1")

    def last_use() -> tuple[datetime | None, datetime | None]:
        with ctx.db.read() as session:
            seen = session.scalar(select(func.max(WebSession.last_seen_at)))
            used = session.scalar(select(ApiToken.last_used_at))
        return seen, used

    def visit() -> None:
        assert browser.get("/tugas").status_code == 200
        assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    opened = clock.now()
    visit()
    assert last_use() == (opened, opened)
    clock.advance(TOUCH_INTERVAL - timedelta(seconds=1))
    visit()
    assert last_use() == (opened, opened)
    clock.advance(timedelta(seconds=1))
    visit()
    assert last_use() == (clock.now(), clock.now())
