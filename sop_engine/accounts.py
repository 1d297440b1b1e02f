"""Accounts: passwords (Argon2id), login sessions, API tokens and the throttling of failed logins.

A person logs in with a username or NIP and a password. Passwords are stored only as Argon2id
hashes; session ids and API tokens are random values stored only as their sha256, so a copy of
the database lets nobody log in. After ``[web] max_failed_logins`` failures within
``lockout_minutes`` for one account, or from one address, further attempts are refused until
the window has passed, whether or not the password is right.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from sop_engine import audit, textrules
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.models_web import ApiToken, LoginFailure, WebSession
from sop_engine.db.queries import find_person
from sop_engine.errors import InvalidInput, NotAllowed
from sop_engine.formatting import format_instant
from sop_engine.people import SYSTEM_ACTOR

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "sop_"
#: A session's last-seen time is written at most this often (not on every request).
TOUCH_INTERVAL = timedelta(minutes=5)

_hasher = PasswordHasher()  # Argon2id with the RFC 9106 low-memory parameters
#: Verified against when the login names nobody, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

WRONG_LOGIN = (
    "Nama pengguna/NIP atau kata sandi salah. Periksa lalu coba lagi; jika lupa kata sandi, "
    "minta admin menyetel ulang dengan `sop people set-password`."
)


@dataclass(frozen=True)
class Identity:
    """Who is acting through the web or the API."""

    username: str
    name: str
    roles: tuple[str, ...]

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class LoginSession:
    """A session as the web front end uses it: the raw id goes into the cookie, only its hash is stored."""

    session_id: str
    csrf_token: str
    identity: Identity
    expires_at: datetime


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _identity(person: Person) -> Identity:
    return Identity(person.username, person.name, person.role_names)


def _audit(session: Session, office_id: int, by: str, action: str, at: datetime, details: dict[str, Any]) -> None:
    """An account change in the audit trail (never a password, hash or token value)."""
    role = SYSTEM_ACTOR if by == SYSTEM_ACTOR else "admin"
    audit.append(session, office_id, actor=by, role=role, action=action, recorded_at=at, details=details)


# --- passwords --------------------------------------------------------------------------------


def check_password_rules(password: str) -> None:
    """Refuse a password too short or too plain to protect an official's account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Kata sandi terlalu pendek ({len(password)} karakter); gunakan paling sedikit "
            f"{MIN_PASSWORD_LENGTH} karakter, misalnya beberapa kata yang mudah diingat.",
            value=len(password),
        )
    if password != password.strip() or re.fullmatch(r"(.)\1*", password):
        raise InvalidInput(
            "Kata sandi tidak boleh diawali/diakhiri spasi atau berisi satu karakter berulang; pilih yang lain.",
            value="(disembunyikan)",
        )


def set_password(ctx: Context, username: str, password: str, by: str = SYSTEM_ACTOR) -> None:
    """Set a person's password (Argon2id) and end their open sessions; audited without the hash."""
    check_password_rules(password)
    hashed = _hasher.hash(password)
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username)
        person.password_hash = hashed
        session.execute(delete(WebSession).where(WebSession.person_id == person.id))
        _audit(session, office.id, by, "person.password_set", ctx.clock.now(), {"username": person.username})


def give_missing_passwords(ctx: Context, usernames: tuple[str, ...], password: str) -> tuple[str, ...]:
    """Set ``password`` for those of ``usernames`` who have none yet (the demo office); who got one."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        missing = tuple(
            session.scalars(
                select(Person.username).where(
                    Person.office_id == office.id, Person.username.in_(usernames), Person.password_hash.is_(None)
                )
            )
        )
    for username in missing:
        set_password(ctx, username, password)
    return missing


# --- logging in and out -----------------------------------------------------------------------


def login(ctx: Context, login_name: str, password: str, address: str | None = None) -> LoginSession:
    """Check a username-or-NIP and password, then open a session; NotAllowed if wrong or throttled."""
    name = re.sub(r"\s+", "", textrules.line(login_name or "", "Nama pengguna atau NIP", 64)).lower()
    now = ctx.clock.now()
    window = now - timedelta(minutes=ctx.settings.web.lockout_minutes)
    with ctx.db.read() as session:
        office = ctx.office(session)
        _refuse_if_throttled(ctx, session, office.id, name, address, window)
        person = session.scalar(
            select(Person).where(Person.office_id == office.id, or_(Person.username == name, Person.nip == name))
        )
        stored = person.password_hash if person is not None and person.active else None
        person_id = person.id if person is not None else None
    if not _password_matches(stored, password):
        with ctx.db.write() as session:
            session.add(LoginFailure(office_id=ctx.office(session).id, login=name, address=address, at=now))
        raise NotAllowed(WRONG_LOGIN, value=login_name)
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=ctx.settings.web.session_hours)
    with ctx.db.write() as session:
        person = session.get_one(Person, person_id)
        if stored is not None and _hasher.check_needs_rehash(stored):
            person.password_hash = _hasher.hash(password)
        session.execute(
            delete(LoginFailure).where(LoginFailure.office_id == person.office_id, LoginFailure.login == name)
        )
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                id_hash=_digest(session_id),
                person_id=person.id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
                address=address,
            )
        )
        return LoginSession(session_id, csrf, _identity(person), expires)


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _refuse_if_throttled(
    ctx: Context, session: Session, office_id: int, name: str, address: str | None, window: datetime
) -> None:
    limit = ctx.settings.web.max_failed_logins
    for column, value in ((LoginFailure.login, name), (LoginFailure.address, address)):
        if value is None:
            continue
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.office_id == office_id, column == value, LoginFailure.at > window
            )
        ).one()
        if count >= limit:
            retry = oldest + timedelta(minutes=ctx.settings.web.lockout_minutes)
            raise NotAllowed(
                f"Terlalu banyak percobaan masuk yang gagal ({count} kali dalam "
                f"{ctx.settings.web.lockout_minutes} menit). Coba lagi setelah {format_instant(retry, ctx.tz)}, "
                "atau minta admin memeriksa akun Anda.",
                value=name,
                retry_at=retry.isoformat(),
            )


def session_of(ctx: Context, session_id: str) -> LoginSession | None:
    """The live session with this cookie value, or None (unknown, expired, or person deactivated)."""
    if not session_id:
        return None
    now = ctx.clock.now()
    with ctx.db.read() as session:
        row = session.get(WebSession, _digest(session_id))
        if row is None or row.expires_at <= now:
            return None
        person = session.get_one(Person, row.person_id)
        if not person.active:
            return None
        found = LoginSession(session_id, row.csrf_token, _identity(person), row.expires_at)
        stale = now - row.last_seen_at >= TOUCH_INTERVAL
    if stale:
        with ctx.db.write() as session:
            row = session.get(WebSession, _digest(session_id))
            if row is not None:
                row.last_seen_at = now
                row.expires_at = now + timedelta(hours=ctx.settings.web.session_hours)
    return found


def logout(ctx: Context, session_id: str) -> None:
    """End the session (idempotent)."""
    with ctx.db.write() as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == _digest(session_id)))


# --- API tokens -------------------------------------------------------------------------------


def issue_token(ctx: Context, username: str, label: str | None = None, by: str = SYSTEM_ACTOR) -> str:
    """A new Bearer token for ``username``; the value is returned once and stored only as its hash."""
    label = textrules.optional_line(label, "Label token")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username)
        session.add(
            ApiToken(
                person_id=person.id,
                token_hash=_digest(token),
                prefix=token[:10],
                label=label,
                created_at=now,
            )
        )
        details = {"username": person.username, "prefix": token[:10], "label": label}
        _audit(session, office.id, by, "person.token_issued", now, details)
    return token


def token_identity(ctx: Context, token: str) -> Identity | None:
    """Who holds this Bearer token, or None (unknown, revoked, or person deactivated)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = ctx.clock.now()
    with ctx.db.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        person = session.get_one(Person, row.person_id)
        if not person.active:
            return None
        identity = _identity(person)
        stale = row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL
    if stale:
        with ctx.db.write() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is not None:
                row.last_used_at = now
    return identity
