"""Accounts: Argon2id passwords, login by username or NIP, throttling, sessions and API tokens."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from sop_engine import api_tokens, audit, logins, passwords
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
    passwords.set_password(ctx, "staf1", GOOD)
    hashed = stored_hash(ctx, "staf1")
    assert hashed is not None and hashed.startswith("$argon2id$") and GOOD not in hashed


def test_setting_a_password_is_audited_without_the_hash(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    event = audit.list_events(ctx)[-1]
    assert event.action == "person.password_set" and event.details == {"username": "staf1"}
    assert audit.verify(ctx).ok


@pytest.mark.parametrize("weak", ["pendek", "          ", "aaaaaaaaaaaa", " spasi-di-depan-saja"])
def test_a_weak_password_is_refused_and_nothing_stored(ctx: Context, weak: str):
    with pytest.raises(InvalidInput):
        passwords.set_password(ctx, "staf1", weak)
    assert stored_hash(ctx, "staf1") is None


def test_login_by_username_or_nip_opens_a_session(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    by_name = logins.login(ctx, "staf1", GOOD, "10.0.0.1")
    by_nip = logins.login(ctx, demo_nip(ctx, "staf1"), GOOD, "10.0.0.1")
    assert by_name.identity.username == by_nip.identity.username == "staf1"
    assert by_name.identity.roles == ("staf",)
    assert logins.session_of(ctx, by_name.session_id) is not None
    assert by_name.session_id != by_nip.session_id and by_name.csrf_token != by_nip.csrf_token


def test_wrong_password_unknown_user_and_no_password_get_the_same_answer(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    messages = set()
    for login, password in (("staf1", "salah-sekali-123"), ("tidakada", GOOD), ("staf2", GOOD)):
        with pytest.raises(NotAllowed) as caught:
            logins.login(ctx, login, password)
        messages.add(caught.value.message)
    assert len(messages) == 1 and "salah" in messages.pop()


def test_an_inactive_person_cannot_log_in(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    with ctx.db.write() as session:
        session.scalars(select(Person).where(Person.username == "staf1")).one().active = False
    with pytest.raises(NotAllowed):
        logins.login(ctx, "staf1", GOOD)


def test_failed_logins_lock_the_account_until_the_window_passes(ctx: Context, clock: FixedClock):
    passwords.set_password(ctx, "staf1", GOOD)
    limit = ctx.settings.web.max_failed_logins
    for i in range(limit):
        with pytest.raises(NotAllowed, match="salah"):
            logins.login(ctx, "staf1", f"tebakan-{i}-xxxx", f"10.0.0.{i}")
    with pytest.raises(NotAllowed, match="Terlalu banyak percobaan") as caught:
        logins.login(ctx, "staf1", GOOD, "10.0.9.9")  # even the right password waits
    assert "Coba lagi setelah" in caught.value.message
    clock.advance(timedelta(minutes=ctx.settings.web.lockout_minutes, seconds=1))
    assert logins.login(ctx, "staf1", GOOD, "10.0.9.9").identity.username == "staf1"


def test_failed_logins_from_one_address_are_throttled_across_accounts(ctx: Context):
    passwords.set_password(ctx, "staf2", GOOD)
    for i in range(ctx.settings.web.max_failed_logins):
        with pytest.raises(NotAllowed):
            logins.login(ctx, f"tebak{i}", "apa-saja-12345", "192.0.2.7")
    with pytest.raises(NotAllowed, match="Terlalu banyak"):
        logins.login(ctx, "staf2", GOOD, "192.0.2.7")
    assert logins.login(ctx, "staf2", GOOD, "192.0.2.8").identity.username == "staf2"


def test_a_session_expires_after_its_idle_hours_and_logout_ends_it(ctx: Context, clock: FixedClock):
    passwords.set_password(ctx, "staf1", GOOD)
    first = logins.login(ctx, "staf1", GOOD)
    second = logins.login(ctx, "staf1", GOOD)
    logins.logout(ctx, first.session_id)
    assert logins.session_of(ctx, first.session_id) is None
    clock.advance(timedelta(hours=ctx.settings.web.session_hours, seconds=1))
    assert logins.session_of(ctx, second.session_id) is None


def test_use_keeps_a_session_alive(ctx: Context, clock: FixedClock):
    passwords.set_password(ctx, "staf1", GOOD)
    opened = logins.login(ctx, "staf1", GOOD)
    for _ in range(3):
        clock.advance(timedelta(hours=ctx.settings.web.session_hours - 1))
        assert logins.session_of(ctx, opened.session_id) is not None


def test_a_new_password_ends_the_open_sessions(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    opened = logins.login(ctx, "staf1", GOOD)
    passwords.set_password(ctx, "staf1", "teh-sore-di-sampang")
    assert logins.session_of(ctx, opened.session_id) is None


def test_an_api_token_identifies_its_person_and_is_stored_hashed(ctx: Context):
    token = api_tokens.issue_token(ctx, "inspektorat", "dasbor")
    identity = api_tokens.token_identity(ctx, token)
    assert identity is not None and identity.username == "inspektorat"
    assert api_tokens.token_identity(ctx, token + "x") is None
    assert api_tokens.token_identity(ctx, "bukan-token") is None
    with ctx.db.read() as session:
        hashed, prefix, label = session.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.label)).one()
    assert token not in (hashed, prefix) and label == "dasbor"
    assert audit.list_events(ctx)[-1].action == "person.token_issued"


def test_a_token_for_an_unknown_person_is_refused(ctx: Context):
    with pytest.raises(NotFound, match="hantu"):
        api_tokens.issue_token(ctx, "hantu")


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_set_password_reads_stdin(settings: Settings, ctx: Context, clock: FixedClock, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    run = run_cli(["people", "set-password", "kasubag"], settings, clock)
    assert run.code == 0 and "disimpan" in run.out
    assert logins.login(ctx, "kasubag", GOOD).identity.username == "kasubag"


def test_cli_set_password_refuses_a_short_one_with_exit_1(settings: Settings, ctx: Context, clock, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    run = run_cli(["people", "set-password", "kasubag"], settings, clock)
    assert run.code == 1 and "terlalu pendek" in run.err and stored_hash(ctx, "kasubag") is None


def test_cli_token_prints_only_the_token_on_stdout(settings: Settings, ctx: Context, clock: FixedClock):
    run = run_cli(["people", "token", "ketua", "--label", "integrasi"], settings, clock)
    token = run.out.strip()
    assert run.code == 0 and "\n" not in token and "tidak ditampilkan lagi" in run.err
    identity = api_tokens.token_identity(ctx, token)
    assert identity is not None and identity.username == "ketua"


def test_init_demo_gives_the_demo_password_once(settings: Settings, ctx: Context, clock: FixedClock):
    from sop_engine.demo import DEMO_PASSWORD

    first = run_cli(["init", "--demo"], settings, clock)
    assert first.code == 0 and DEMO_PASSWORD in first.out
    passwords.set_password(ctx, "sekretaris", GOOD)
    second = run_cli(["init", "--demo"], settings, clock)
    assert DEMO_PASSWORD not in second.out  # nobody is missing one now; changed passwords stay
    assert logins.login(ctx, "sekretaris", GOOD).identity.username == "sekretaris"


def test_web_settings_are_validated(tmp_path):
    from sop_engine.config import settings_from_mapping
    from sop_engine.errors import ConfigError

    with pytest.raises(ConfigError, match="port"):
        settings_from_mapping({"web": {"port": 0}}, tmp_path / "config.toml", {})
    ok = settings_from_mapping({"web": {"port": 8080, "session_hours": 2}}, tmp_path / "config.toml", {})
    assert dataclasses.astuple(ok.web)[1:3] == (8080, 2)


# --- hardening: accounts that can be taken back (findings 3, 8, 9) ---------------------------------


def test_a_token_stops_working_after_a_password_change(ctx: Context):
    token = api_tokens.issue_token(ctx, "staf1")
    assert api_tokens.token_identity(ctx, token) is not None
    passwords.set_password(ctx, "staf1", GOOD)
    assert api_tokens.token_identity(ctx, token) is None
    assert [t.revoked_at is not None for t in api_tokens.list_tokens(ctx, "staf1")] == [True]


def test_a_token_is_revoked_by_its_prefix_and_the_others_keep_working(ctx: Context):
    first = api_tokens.issue_token(ctx, "staf1", label="laptop")
    second = api_tokens.issue_token(ctx, "staf1", label="ponsel")
    assert api_tokens.revoke_tokens(ctx, "staf1", by="admin", prefix=first[:10]) == 1
    assert api_tokens.token_identity(ctx, first) is None
    assert api_tokens.token_identity(ctx, second) is not None
    event = audit.list_events(ctx)[-1]
    assert (event.action, event.actor, event.role) == ("person.token_revoked", "admin", "admin")
    assert event.details["prefixes"] == [first[:10]]


def test_revoking_when_nothing_is_live_says_so(ctx: Context):
    with pytest.raises(NotFound, match="tidak punya token aktif"):
        api_tokens.revoke_tokens(ctx, "staf1", by="admin")


def test_a_token_with_an_expiry_stops_working_after_it(ctx: Context, clock: FixedClock):
    token = api_tokens.issue_token(ctx, "staf1", expires_days=1)
    clock.advance(timedelta(hours=23))
    assert api_tokens.token_identity(ctx, token) is not None
    clock.advance(timedelta(hours=1))
    assert api_tokens.token_identity(ctx, token) is None


@pytest.mark.parametrize("days", [0, 3661])
def test_a_token_expiry_out_of_range_is_refused(ctx: Context, days: int):
    with pytest.raises(InvalidInput, match="Masa berlaku token"):
        api_tokens.issue_token(ctx, "staf1", expires_days=days)


def test_a_deactivated_person_loses_sessions_and_tokens_and_cannot_log_in_until_activated(ctx: Context):
    from sop_engine import people

    passwords.set_password(ctx, "staf1", GOOD)
    opened = logins.login(ctx, "staf1", GOOD, "10.0.0.1")
    token = api_tokens.issue_token(ctx, "staf1")
    people.set_active(ctx, "staf1", False, by="admin")
    assert logins.session_of(ctx, opened.session_id) is None
    assert api_tokens.token_identity(ctx, token) is None
    with pytest.raises(NotAllowed, match="salah"):
        logins.login(ctx, "staf1", GOOD, "10.0.0.2")
    event = audit.list_events(ctx)[-1]
    assert (event.action, event.actor, event.role, event.details["active"]) == (
        "person.deactivated",
        "admin",
        "admin",
        False,
    )
    people.set_active(ctx, "staf1", True, by="admin")
    assert logins.login(ctx, "staf1", GOOD, "10.0.0.3").identity.username == "staf1"
    assert api_tokens.token_identity(ctx, token) is None  # revoked tokens stay revoked


def test_an_admin_cannot_deactivate_themselves(ctx: Context):
    from sop_engine import people

    with pytest.raises(NotAllowed, match="akun sendiri"):
        people.set_active(ctx, "admin", False, by="admin")


def test_a_role_change_is_audited_with_before_and_after(ctx: Context):
    from sop_engine import people

    changed = people.set_roles(ctx, "staf1", ["staf", "inspektorat"], by="admin")
    assert changed.roles == ("staf", "inspektorat")
    event = audit.list_events(ctx)[-1]
    assert event.action == "person.roles_changed" and event.role == "admin"
    assert event.details["before"] == ["staf"] and event.details["roles"] == ["staf", "inspektorat"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["people", "add", "staf3", "--name", "Sari", "--role", "staf", "--by", "orang-tak-dikenal"], "tidak dikenal"),
        (["people", "add", "staf3", "--name", "Sari", "--role", "staf", "--by", "staf1"], "hanya untuk peran admin"),
        (["people", "token", "ketua", "--by", "staf1"], "hanya untuk peran admin"),
        (["people", "token", "issue", "ketua", "--by", "staf1"], "hanya untuk peran admin"),
        (["people", "roles", "staf1", "--role", "ketua", "--by", "staf1"], "hanya untuk peran admin"),
        (["people", "deactivate", "ketua", "--by", "kasubag"], "hanya untuk peran admin"),
        (["deadlines", "recompute", "--by", "staf1"], "hanya untuk peran admin"),
    ],
)
def test_every_people_command_resolves_and_checks_by(
    settings: Settings, ctx: Context, clock: FixedClock, args: list[str], message: str
):
    before = audit.list_events(ctx)
    result = run_cli(args, settings, clock)
    assert result.code == 1 and message in result.err, result.err
    assert audit.list_events(ctx) == before


def test_the_audit_records_the_real_actor_and_role_of_an_account_change(settings, ctx: Context, clock: FixedClock):
    assert (
        run_cli(["people", "add", "staf3", "--name", "Sari", "--role", "staf", "--by", "admin"], settings, clock).code
        == 0
    )
    assert (audit.list_events(ctx)[-1].actor, audit.list_events(ctx)[-1].role) == ("admin", "admin")
    assert run_cli(["people", "add", "staf4", "--name", "Dewi", "--role", "staf"], settings, clock).code == 0
    assert (audit.list_events(ctx)[-1].actor, audit.list_events(ctx)[-1].role) == ("sistem", "sistem")


def test_the_cli_lists_revokes_and_deactivates(settings: Settings, ctx: Context, clock: FixedClock):
    issued = run_cli(["people", "token", "staf1", "--label", "laptop", "--by", "admin"], settings, clock)
    assert issued.code == 0
    token = issued.out.strip()
    listed = run_cli(["people", "token", "list", "staf1"], settings, clock)
    assert token[:10] in listed.out and "laptop" in listed.out and "berlaku" in listed.out
    revoked = run_cli(["people", "token", "revoke", "staf1", "--by", "admin"], settings, clock)
    assert revoked.code == 0 and "1 token API milik staf1 dicabut" in revoked.out
    assert "dicabut" in run_cli(["people", "token", "list", "staf1"], settings, clock).out
    off = run_cli(["people", "deactivate", "staf2", "--by", "admin"], settings, clock)
    assert off.code == 0 and "dinonaktifkan" in off.out
    assert "nonaktif" in run_cli(["people", "list"], settings, clock).out
    again = run_cli(["people", "deactivate", "staf2", "--by", "admin"], settings, clock)
    assert again.code == 1 and "sudah nonaktif" in again.err


def test_forty_parallel_wrong_guesses_are_evaluated_at_most_the_limit(ctx: Context, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    passwords.set_password(ctx, "staf1", GOOD)
    evaluated = []
    lock = threading.Lock()
    real = passwords.password_matches

    def counting(stored: str | None, password: str) -> bool:
        with lock:
            evaluated.append(password)
        return real(stored, password)

    monkeypatch.setattr(passwords, "password_matches", counting)

    def guess(number: int) -> str:
        try:
            logins.login(ctx, "staf1", f"tebakan-{number}-xxxx", f"10.1.0.{number}")
        except NotAllowed as exc:
            return exc.message
        return "masuk"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(40)))
    assert len(evaluated) <= ctx.settings.web.max_failed_logins
    assert "masuk" not in answers


def test_guesses_by_username_and_by_nip_count_against_one_account(ctx: Context):
    passwords.set_password(ctx, "staf1", GOOD)
    nip = demo_nip(ctx, "staf1")
    for i in range(ctx.settings.web.max_failed_logins):
        with pytest.raises(NotAllowed, match="salah"):
            logins.login(ctx, "staf1" if i % 2 else nip, f"tebakan-{i}-xxxx", f"10.2.0.{i}")
    with pytest.raises(NotAllowed, match="Terlalu banyak percobaan masuk yang gagal untuk akun ini"):
        logins.login(ctx, nip, GOOD, "10.2.9.9")


def test_an_address_at_the_limit_waits_a_growing_delay_not_the_whole_window(ctx: Context, clock: FixedClock):
    """Colleagues behind one NAT: five failures slow the address down; the right password gets in after the delay."""
    passwords.set_password(ctx, "staf2", GOOD)
    limit = ctx.settings.web.max_failed_logins
    for i in range(limit):
        with pytest.raises(NotAllowed, match="salah"):
            logins.login(ctx, f"tebak{i}", "apa-saja-12345", "192.0.2.7")
    with pytest.raises(NotAllowed, match="untuk alamat ini"):
        logins.login(ctx, "staf2", GOOD, "192.0.2.7")
    clock.advance(logins.ADDRESS_DELAY)
    assert logins.login(ctx, "staf2", GOOD, "192.0.2.7").identity.username == "staf2"


def test_the_address_delay_doubles_and_is_capped_by_the_window() -> None:
    cap = timedelta(minutes=15)
    delays = [logins.address_delay(n, 5, cap) for n in range(4, 12)]
    assert delays[:4] == [timedelta(0), timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert delays[-1] == cap


def test_x_forwarded_for_is_ignored_unless_a_trusted_proxy_is_configured(ctx: Context):
    from sop_engine.web.server import uvicorn_config

    plain = uvicorn_config(ctx, "127.0.0.1", 8000)
    assert plain.proxy_headers is False
    proxied = dataclasses.replace(
        ctx,
        settings=dataclasses.replace(
            ctx.settings, web=dataclasses.replace(ctx.settings.web, trusted_proxies=("10.0.0.5/32",))
        ),
    )
    behind = uvicorn_config(proxied, "127.0.0.1", 8000)
    assert behind.proxy_headers is True and behind.forwarded_allow_ips == "10.0.0.5/32"


def test_trusted_proxies_must_be_addresses(tmp_path):
    from sop_engine.config import load_settings
    from sop_engine.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('[office]\nsatker = "3526"\nname = "KPU"\n[web]\ntrusted_proxies = ["proksi-kantor"]\n')
    with pytest.raises(ConfigError, match="trusted_proxies berisi 'proksi-kantor'"):
        load_settings(path, env={})


def test_the_old_token_command_still_issues_with_options_before_it():
    from sop_engine.cli import _compatible

    for args in (["people", "token", "staf1"], ["--config", "x.toml", "people", "token", "staf1", "--label", "a"]):
        assert _compatible(args)[args.index("token") + 1] == "issue"
    assert _compatible(["people", "token", "list", "staf1"]) == ["people", "token", "list", "staf1"]
