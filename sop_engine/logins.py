"""Logging in and out: the throttling of failed logins, and the sessions a login opens.

A person logs in with a username or NIP and a password. Session ids are random values stored only
as their sha256, so a copy of the database lets nobody log in. After ``[web] max_failed_logins``
failures within ``lockout_minutes`` for one account (by username or NIP alike), further attempts
are refused until the window has passed, whether or not the password is right. An address that
reaches the limit waits a delay that doubles with each further failure (from 30 seconds up to the
window), so colleagues behind the same NAT are slowed, not locked out.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from sop_engine import credentials, passwords, textrules
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.models_web import LoginFailure, WebSession
from sop_engine.errors import NotAllowed
from sop_engine.formatting import format_instant
from sop_engine.identity import TOUCH_INTERVAL, Identity, digest, identity_of
from sop_engine.remedies import Hint, Remedy

log = logging.getLogger(__name__)

#: How an attempt naming no account is logged (what was typed may be a password typed in the wrong field).
UNKNOWN_ACCOUNT = "an unknown account"

#: How long an address waits after reaching the failure limit; doubles with each further failure.
ADDRESS_DELAY = timedelta(seconds=30)

WRONG_LOGIN = "Nama pengguna/NIP atau kata sandi salah. Periksa lalu coba lagi."


@dataclass(frozen=True)
class LoginSession:
    """A session as the web front end uses it: the raw id goes into the cookie, only its hash is stored."""

    session_id: str
    csrf_token: str
    identity: Identity
    expires_at: datetime


def login(ctx: Context, login_name: str, password: str, address: str | None = None) -> LoginSession:
    """Check a username-or-NIP and password, then open a session; NotAllowed if wrong or throttled.

    Each attempt is first recorded as a failure in a write transaction that also counts the
    earlier ones (the account's row locked on PostgreSQL, the database on SQLite), so parallel
    guesses are evaluated at most ``max_failed_logins`` times per account; only then is the
    password checked, outside any transaction, and a success removes the account's failures.
    Every attempt is logged with its outcome, the account (if there is one) and the address, never the password.
    """
    typed = re.sub(r"\s+", "", textrules.line(login_name or "", "Nama pengguna atau NIP", 64)).lower()
    now = ctx.clock.now()
    with ctx.db.write() as session:
        office = ctx.office(session)
        found = session.execute(
            select(Person.id, Person.username, Person.password_hash, Person.active)
            .where(Person.office_id == office.id, or_(Person.username == typed, Person.nip == typed))
            .with_for_update()
        ).first()
        account = found.username if found is not None else typed
        shown = found.username if found is not None else UNKNOWN_ACCOUNT
        try:
            _refuse_if_throttled(ctx, session, office.id, account, address, now)
        except NotAllowed:
            _log_attempt("refused (too many failed logins)", shown, address)
            raise
        session.add(LoginFailure(office_id=office.id, login=account, address=address, at=now))
        stored = found.password_hash if found is not None and found.active else None
        person_id = found.id if found is not None else None
    if not passwords.password_matches(stored, password):
        _log_attempt("failed", shown, address)
        raise NotAllowed(WRONG_LOGIN, value=login_name, hint=Hint(Remedy.RESET_PASSWORD))
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=ctx.settings.web.session_hours)
    with ctx.db.write() as session:
        person = session.get_one(Person, person_id)
        if stored is not None and passwords.needs_rehash(stored):
            person.password_hash = passwords.hash_password(password)
        session.execute(
            delete(LoginFailure).where(LoginFailure.office_id == person.office_id, LoginFailure.login == account)
        )
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                id_hash=digest(session_id),
                person_id=person.id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
                address=address,
            )
        )
        opened = LoginSession(session_id, csrf, identity_of(person), expires)
    _log_attempt("succeeded", shown, address)
    return opened


def _log_attempt(outcome: str, account: str, address: str | None) -> None:
    """One line per login attempt: a success at INFO, a failure or refusal at WARNING."""
    level = logging.INFO if outcome == "succeeded" else logging.WARNING
    log.log(level, "login %s: %s from %s", outcome, account, address or "-", extra={"user": account, "client": address})


def address_delay(failures: int, limit: int, cap: timedelta) -> timedelta:
    """How long an address waits after its latest failure: nothing below ``limit`` failures, then
    :data:`ADDRESS_DELAY` doubling with each further failure, at most ``cap``."""
    if failures < limit:
        return timedelta(0)
    return min(ADDRESS_DELAY * (1 << min(failures - limit, 20)), cap)


def _refuse_if_throttled(
    ctx: Context, session: Session, office_id: int, account: str, address: str | None, now: datetime
) -> None:
    """NotAllowed if the account has had its failures in the window, or the address must still wait."""
    lockout = timedelta(minutes=ctx.settings.web.lockout_minutes)
    limit = ctx.settings.web.max_failed_logins
    recent = (LoginFailure.office_id == office_id, LoginFailure.at > now - lockout)
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(*recent, LoginFailure.login == account)
    ).one()
    if count >= limit:
        _refuse(ctx, count, oldest + lockout, account, "akun ini")
    if address is None:
        return
    count, latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*recent, LoginFailure.address == address)
    ).one()
    wait = address_delay(count, limit, lockout)
    if wait and latest + wait > now:
        _refuse(ctx, count, latest + wait, address, "alamat ini")


def _refuse(ctx: Context, count: int, retry: datetime, value: str, source: str) -> None:
    raise NotAllowed(
        f"Terlalu banyak percobaan masuk yang gagal untuk {source} ({count} kali dalam "
        f"{ctx.settings.web.lockout_minutes} menit). Coba lagi setelah {format_instant(retry, ctx.tz)}, "
        "atau minta admin memeriksa akun Anda.",
        value=value,
        retry_at=retry.isoformat(),
    )


def session_of(ctx: Context, session_id: str) -> LoginSession | None:
    """The live session with this cookie value, or None (unknown, expired, or person deactivated)."""
    found, stale = look_up_session(ctx, session_id)
    if stale:
        touch_session(ctx, session_id)
    return found


def look_up_session(ctx: Context, session_id: str) -> tuple[LoginSession | None, bool]:
    """:func:`session_of` without its write: the session (or None), and whether :func:`touch_session` is due.

    One read (:mod:`sop_engine.credentials`), so that the web may do it without a worker thread.
    """
    if not session_id:
        return None, False
    now = ctx.clock.now()
    with ctx.db.read_rows(snapshot=False) as conn:
        row = credentials.session_row(conn, digest(session_id))
        if row is None or row.expires_at <= now:
            return None, False
        identity = credentials.identity_of(conn, row)
    if identity is None:
        return None, False
    return LoginSession(session_id, row.csrf_token, identity, row.expires_at), now - row.last_seen_at >= TOUCH_INTERVAL


def touch_session(ctx: Context, session_id: str) -> None:
    """Note that the session is in use: its last-seen time now, its expiry ``session_hours`` from now."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        seen = session.get(WebSession, digest(session_id))
        if seen is not None:
            seen.last_seen_at = now
            seen.expires_at = now + timedelta(hours=ctx.settings.web.session_hours)


def logout(ctx: Context, session_id: str) -> None:
    """End the session (idempotent)."""
    with ctx.db.write() as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(session_id)))
