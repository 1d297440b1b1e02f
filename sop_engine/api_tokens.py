"""API tokens: Bearer tokens issued to a person, listed, revoked, and looked up on each request.

A token is a random value shown once and stored only as its sha256. It works until it is revoked,
expires, its holder's password changes or its holder is deactivated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from sop_engine import credentials, textrules
from sop_engine.context import Context
from sop_engine.db.models_web import ApiToken
from sop_engine.db.queries import find_person
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.identity import (
    TOUCH_INTERVAL,
    Identity,
    account_actor,
    audit_account_change,
    digest,
)
from sop_engine.policy import SYSTEM_ACTOR
from sop_engine.remedies import Hint, Remedy

#: The longest a token may be made to last, in days (ten years).
MAX_TOKEN_DAYS = 3660
TOKEN_PREFIX = "sop_"


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
        actor = account_actor(session, office.id, by, person)
        session.add(
            ApiToken(
                person_id=person.id,
                token_hash=digest(token),
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
        audit_account_change(session, office.id, actor, "person.token_issued", now, details)
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
        actor = account_actor(session, office.id, by, person)
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
        audit_account_change(session, office.id, actor, "person.token_revoked", now, details)
        return len(rows)


def token_identity(ctx: Context, token: str) -> Identity | None:
    """Who holds this Bearer token, or None (unknown, revoked, or person deactivated)."""
    found, stale = look_up_token(ctx, token)
    if stale:
        touch_token(ctx, token)
    return found


def look_up_token(ctx: Context, token: str) -> tuple[Identity | None, bool]:
    """:func:`token_identity` without its write: the holder (or None), and whether :func:`touch_token` is due.

    One read (:mod:`sop_engine.credentials`), so that the web may do it without a worker thread.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None, False
    now = ctx.clock.now()
    with ctx.db.read_rows(snapshot=False) as conn:
        row = credentials.token_row(conn, digest(token))
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None, False
        identity = credentials.identity_of(conn, row)
    if identity is None:
        return None, False
    return identity, row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL


def touch_token(ctx: Context, token: str) -> None:
    """Note that the token is in use (its last-used time, shown in the listings)."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        used = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
        if used is not None:
            used.last_used_at = now


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
