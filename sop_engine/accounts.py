"""Accounts: passwords (Argon2id), login sessions, API tokens and the throttling of failed logins.

A person logs in with a username or NIP and a password. Passwords are stored only as Argon2id
hashes; session ids and API tokens are random values stored only as their sha256, so a copy of
the database lets nobody log in. After ``[web] max_failed_logins`` failures within
``lockout_minutes`` for one account (by username or NIP alike), further attempts are refused
until the window has passed, whether or not the password is right. An address that reaches the
limit waits a delay that doubles with each further failure (from 30 seconds up to the window), so
colleagues behind the same NAT are slowed, not locked out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from sop_engine import audit, policy, textrules
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.models_web import ApiToken, LoginFailure, WebSession
from sop_engine.db.queries import find_person
from sop_engine.errors import InvalidInput, NotAllowed, NotFound
from sop_engine.formatting import format_instant
from sop_engine.people import PersonRecord, end_access, record_of
from sop_engine.policy import SYSTEM_ACTOR, Actor, Permission
from sop_engine.remedies import Hint, Remedy

MIN_PASSWORD_LENGTH = 10
#: How long an address waits after reaching the failure limit; doubles with each further failure.
ADDRESS_DELAY = timedelta(seconds=30)
#: The longest a token may be made to last, in days (ten years).
MAX_TOKEN_DAYS = 3660
TOKEN_PREFIX = "sop_"
#: A session's last-seen time is written at most this often (not on every request).
TOUCH_INTERVAL = timedelta(minutes=5)

_hasher = PasswordHasher()  # Argon2id with the RFC 9106 low-memory parameters
#: Verified against when the login names nobody, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

WRONG_LOGIN = "Nama pengguna/NIP atau kata sandi salah. Periksa lalu coba lagi."


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
    return Identity(person.username, textrules.scrub_line(person.name), person.role_names)


def _audit(session: Session, office_id: int, actor: Actor, action: str, at: datetime, details: dict[str, Any]) -> None:
    """An account change in the audit trail (never a password, hash or token value)."""
    audit.append(
        session, office_id, actor=actor.username, role=actor.role, action=action, recorded_at=at, details=details
    )


def _account_actor(session: Session, office_id: int, by: str, person: Person) -> Actor:
    """Who changes ``person``'s account: the person themselves, or someone who manages people."""
    if by == person.username:
        return Actor(person.username, person.role_names[0] if person.role_names else "")
    return policy.resolve(session, office_id, by, Permission.MANAGE_PEOPLE)


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
    """Set a person's password (Argon2id), end their sessions and revoke their API tokens; audited without the hash.

    ``by`` is the person themselves or someone who manages people (or the system actor).
    """
    check_password_rules(password)
    hashed = _hasher.hash(password)
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username)
        actor = _account_actor(session, office.id, by, person)
        now = ctx.clock.now()
        person.password_hash = hashed
        end_access(session, person.id, now)
        _audit(session, office.id, actor, "person.password_set", now, {"username": person.username})


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
    """Check a username-or-NIP and password, then open a session; NotAllowed if wrong or throttled.

    Each attempt is first recorded as a failure in a write transaction that also counts the
    earlier ones (the account's row locked on PostgreSQL, the database on SQLite), so parallel
    guesses are evaluated at most ``max_failed_logins`` times per account; only then is the
    password checked, outside any transaction, and a success removes the account's failures.
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
        _refuse_if_throttled(ctx, session, office.id, account, address, now)
        session.add(LoginFailure(office_id=office.id, login=account, address=address, at=now))
        stored = found.password_hash if found is not None and found.active else None
        person_id = found.id if found is not None else None
    if not _password_matches(stored, password):
        raise NotAllowed(WRONG_LOGIN, value=login_name, hint=Hint(Remedy.RESET_PASSWORD))
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=ctx.settings.web.session_hours)
    with ctx.db.write() as session:
        person = session.get_one(Person, person_id)
        if stored is not None and _hasher.check_needs_rehash(stored):
            person.password_hash = _hasher.hash(password)
        session.execute(
            delete(LoginFailure).where(LoginFailure.office_id == person.office_id, LoginFailure.login == account)
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


def issue_token(
    ctx: Context, username: str, label: str | None = None, by: str = SYSTEM_ACTOR, expires_days: int | None = None
) -> str:
    """A new Bearer token for ``username``; the value is returned once and stored only as its hash.

    ``expires_days`` (1-3660) makes it stop working after that many days; without it, it works
    until revoked, the password changes or the person is deactivated.
    """
    label = textrules.optional_line(label, "Label token")
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise InvalidInput(
            f"Masa berlaku token {expires_days} hari tidak sah; isikan 1 sampai {MAX_TOKEN_DAYS} hari.",
            value=expires_days,
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock.now()
    expires = now + timedelta(days=expires_days) if expires_days is not None else None
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username)
        actor = _account_actor(session, office.id, by, person)
        session.add(
            ApiToken(
                person_id=person.id,
                token_hash=_digest(token),
                prefix=token[:10],
                label=label,
                created_at=now,
                expires_at=expires,
            )
        )
        details = {
            "username": person.username,
            "prefix": token[:10],
            "label": label,
            "expires_at": expires.isoformat() if expires else None,
        }
        _audit(session, office.id, actor, "person.token_issued", now, details)
    return token


@dataclass(frozen=True)
class TokenRecord:
    """An API token as listed: never its value."""

    prefix: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def list_tokens(ctx: Context, username: str) -> list[TokenRecord]:
    """A person's API tokens, newest first, revoked and expired ones included."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username, include_inactive=True)
        rows = session.scalars(
            select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.created_at.desc(), ApiToken.id)
        )
        return [TokenRecord(r.prefix, r.label, r.created_at, r.last_used_at, r.expires_at, r.revoked_at) for r in rows]


def revoke_tokens(ctx: Context, username: str, by: str = SYSTEM_ACTOR, prefix: str | None = None) -> int:
    """Revoke a person's live tokens (those starting with ``prefix``, or all); how many were revoked."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username, include_inactive=True)
        actor = _account_actor(session, office.id, by, person)
        query = select(ApiToken).where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        if prefix:
            query = query.where(ApiToken.prefix.startswith(prefix, autoescape=True))
        rows = list(session.scalars(query))
        if not rows:
            which = f"berawalan '{prefix}' " if prefix else ""
            raise NotFound(
                f"'{person.username}' tidak punya token aktif {which}untuk dicabut.",
                value=prefix or person.username,
                hint=Hint(Remedy.LIST_TOKENS, user=person.username),
            )
        for row in rows:
            row.revoked_at = now
        details = {"username": person.username, "prefixes": [r.prefix for r in rows]}
        _audit(session, office.id, actor, "person.token_revoked", now, details)
        return len(rows)


def token_identity(ctx: Context, token: str) -> Identity | None:
    """Who holds this Bearer token, or None (unknown, revoked, or person deactivated)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = ctx.clock.now()
    with ctx.db.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
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


# --- the admin's view of an account -----------------------------------------------------------


@dataclass(frozen=True)
class AccountRecord:
    """A person's account as the admin's page shows it: never a password, its hash or a token's value."""

    person: PersonRecord
    has_password: bool
    #: Newest first, revoked and expired ones included (as :func:`list_tokens`).
    tokens: tuple[TokenRecord, ...]


def account_of(ctx: Context, username: str) -> AccountRecord:
    """The account of ``username`` (or NIP), deactivated or not: the person, whether a password is set, the tokens."""
    with ctx.db.read() as session:
        person = find_person(session, ctx.office(session).id, username, include_inactive=True)
        record, has_password = record_of(person), person.password_hash is not None
    return AccountRecord(record, has_password, tuple(list_tokens(ctx, record.username)))


class TokenStatus(StrEnum):
    """Whether a listed token still opens the API."""

    LIVE = "live"
    REVOKED = "revoked"
    EXPIRED = "expired"


def token_status(token: TokenRecord, now: datetime) -> TokenStatus:
    """What ``token`` is at ``now`` (the rule :func:`token_identity` applies)."""
    if token.revoked_at is not None:
        return TokenStatus.REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return TokenStatus.EXPIRED
    return TokenStatus.LIVE
