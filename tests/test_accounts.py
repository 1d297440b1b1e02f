"""Accounts: Argon2id passwords, login by username or NIP, throttling, sessions and API tokens."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from sop_engine import accounts, audit
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.models_web import ApiToken
from sop_engine.errors import InvalidInput, NotAllowed, NotFound
from tests.helpers import run_cli

GOOD = "kopi-pagi-di-bangkalan"


def stored_hash(ctx: Context, username: str) -> str | None:
    with ctx.db.read() as session:
        return session.scalar(select(Person.password_hash).where(Person.username == username))


def demo_nip(ctx: Context, username: str) -> str:
    with ctx.db.read() as session:
        nip = session.scalar(select(Person.nip).where(Person.username == username))
    assert nip
    return nip


def test_password_is_stored_as_an_argon2id_hash_only(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    hashed = stored_hash(ctx, "staf1")
    assert hashed is not None and hashed.startswith("$argon2id$") and GOOD not in hashed


def test_setting_a_password_is_audited_without_the_hash(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    event = audit.list_events(ctx)[-1]
    assert event.action == "person.password_set" and event.details == {"username": "staf1"}
    assert audit.verify(ctx).ok


@pytest.mark.parametrize("weak", ["pendek", "          ", "aaaaaaaaaaaa", " spasi-di-depan-saja"])
def test_a_weak_password_is_refused_and_nothing_stored(ctx: Context, weak: str):
    with pytest.raises(InvalidInput):
        accounts.set_password(ctx, "staf1", weak)
    assert stored_hash(ctx, "staf1") is None


def test_login_by_username_or_nip_opens_a_session(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    by_name = accounts.login(ctx, "staf1", GOOD, "10.0.0.1")
    by_nip = accounts.login(ctx, demo_nip(ctx, "staf1"), GOOD, "10.0.0.1")
    assert by_name.identity.username == by_nip.identity.username == "staf1"
    assert by_name.identity.roles == ("staf",)
    assert accounts.session_of(ctx, by_name.session_id) is not None
    assert by_name.session_id != by_nip.session_id and by_name.csrf_token != by_nip.csrf_token


def test_wrong_password_unknown_user_and_no_password_get_the_same_answer(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    messages = set()
    for login, password in (("staf1", "salah-sekali-123"), ("tidakada", GOOD), ("staf2", GOOD)):
        with pytest.raises(NotAllowed) as caught:
            accounts.login(ctx, login, password)
        messages.add(caught.value.message)
    assert len(messages) == 1 and "salah" in messages.pop()


def test_an_inactive_person_cannot_log_in(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    with ctx.db.write() as session:
        session.scalars(select(Person).where(Person.username == "staf1")).one().active = False
    with pytest.raises(NotAllowed):
        accounts.login(ctx, "staf1", GOOD)


def test_failed_logins_lock_the_account_until_the_window_passes(ctx: Context, clock: FixedClock):
    accounts.set_password(ctx, "staf1", GOOD)
    limit = ctx.settings.web.max_failed_logins
    for i in range(limit):
        with pytest.raises(NotAllowed, match="salah"):
            accounts.login(ctx, "staf1", f"tebakan-{i}-xxxx", f"10.0.0.{i}")
    with pytest.raises(NotAllowed, match="Terlalu banyak percobaan") as caught:
        accounts.login(ctx, "staf1", GOOD, "10.0.9.9")  # even the right password waits
    assert "Coba lagi setelah" in caught.value.message
    clock.advance(timedelta(minutes=ctx.settings.web.lockout_minutes, seconds=1))
    assert accounts.login(ctx, "staf1", GOOD, "10.0.9.9").identity.username == "staf1"


def test_failed_logins_from_one_address_are_throttled_across_accounts(ctx: Context):
    accounts.set_password(ctx, "staf2", GOOD)
    for i in range(ctx.settings.web.max_failed_logins):
        with pytest.raises(NotAllowed):
            accounts.login(ctx, f"tebak{i}", "apa-saja-12345", "192.0.2.7")
    with pytest.raises(NotAllowed, match="Terlalu banyak"):
        accounts.login(ctx, "staf2", GOOD, "192.0.2.7")
    assert accounts.login(ctx, "staf2", GOOD, "192.0.2.8").identity.username == "staf2"


def test_a_session_expires_after_its_idle_hours_and_logout_ends_it(ctx: Context, clock: FixedClock):
    accounts.set_password(ctx, "staf1", GOOD)
    first = accounts.login(ctx, "staf1", GOOD)
    second = accounts.login(ctx, "staf1", GOOD)
    accounts.logout(ctx, first.session_id)
    assert accounts.session_of(ctx, first.session_id) is None
    clock.advance(timedelta(hours=ctx.settings.web.session_hours, seconds=1))
    assert accounts.session_of(ctx, second.session_id) is None


def test_use_keeps_a_session_alive(ctx: Context, clock: FixedClock):
    accounts.set_password(ctx, "staf1", GOOD)
    opened = accounts.login(ctx, "staf1", GOOD)
    for _ in range(3):
        clock.advance(timedelta(hours=ctx.settings.web.session_hours - 1))
        assert accounts.session_of(ctx, opened.session_id) is not None


def test_a_new_password_ends_the_open_sessions(ctx: Context):
    accounts.set_password(ctx, "staf1", GOOD)
    opened = accounts.login(ctx, "staf1", GOOD)
    accounts.set_password(ctx, "staf1", "teh-sore-di-sampang")
    assert accounts.session_of(ctx, opened.session_id) is None


def test_an_api_token_identifies_its_person_and_is_stored_hashed(ctx: Context):
    token = accounts.issue_token(ctx, "inspektorat", "dasbor")
    identity = accounts.token_identity(ctx, token)
    assert identity is not None and identity.username == "inspektorat"
    assert accounts.token_identity(ctx, token + "x") is None
    assert accounts.token_identity(ctx, "bukan-token") is None
    with ctx.db.read() as session:
        hashed, prefix, label = session.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.label)).one()
    assert token not in (hashed, prefix) and label == "dasbor"
    assert audit.list_events(ctx)[-1].action == "person.token_issued"


def test_a_token_for_an_unknown_person_is_refused(ctx: Context):
    with pytest.raises(NotFound, match="hantu"):
        accounts.issue_token(ctx, "hantu")


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_set_password_reads_stdin(settings: Settings, ctx: Context, clock: FixedClock, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    run = run_cli(["people", "set-password", "kasubag"], settings, clock)
    assert run.code == 0 and "disimpan" in run.out
    assert accounts.login(ctx, "kasubag", GOOD).identity.username == "kasubag"


def test_cli_set_password_refuses_a_short_one_with_exit_1(settings: Settings, ctx: Context, clock, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    run = run_cli(["people", "set-password", "kasubag"], settings, clock)
    assert run.code == 1 and "terlalu pendek" in run.err and stored_hash(ctx, "kasubag") is None


def test_cli_token_prints_only_the_token_on_stdout(settings: Settings, ctx: Context, clock: FixedClock):
    run = run_cli(["people", "token", "ketua", "--label", "integrasi"], settings, clock)
    token = run.out.strip()
    assert run.code == 0 and "\n" not in token and "tidak ditampilkan lagi" in run.err
    identity = accounts.token_identity(ctx, token)
    assert identity is not None and identity.username == "ketua"


def test_init_demo_gives_the_demo_password_once(settings: Settings, ctx: Context, clock: FixedClock):
    from sop_engine.demo import DEMO_PASSWORD

    first = run_cli(["init", "--demo"], settings, clock)
    assert first.code == 0 and DEMO_PASSWORD in first.out
    accounts.set_password(ctx, "sekretaris", GOOD)
    second = run_cli(["init", "--demo"], settings, clock)
    assert DEMO_PASSWORD not in second.out  # nobody is missing one now; changed passwords stay
    assert accounts.login(ctx, "sekretaris", GOOD).identity.username == "sekretaris"


def test_web_settings_are_validated(tmp_path):
    from sop_engine.config import settings_from_mapping
    from sop_engine.errors import ConfigError

    with pytest.raises(ConfigError, match="port"):
        settings_from_mapping({"web": {"port": 0}}, tmp_path / "config.toml", {})
    ok = settings_from_mapping({"web": {"port": 8080, "session_hours": 2}}, tmp_path / "config.toml", {})
    assert dataclasses.astuple(ok.web)[1:3] == (8080, 2)
