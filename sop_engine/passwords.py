"""Passwords: Argon2id hashes, the rules a new password must meet, setting one.

Passwords are stored only as Argon2id hashes. A login that names nobody is verified against a
dummy hash of the same cost, so an unknown name takes as long as a wrong password; that hash is
made on first use (or when ``sop serve`` starts), never at import, so no other command pays for it.
"""

from __future__ import annotations

import functools
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.queries import find_person
from sop_engine.errors import InvalidInput
from sop_engine.identity import account_actor, audit_account_change
from sop_engine.people import end_access
from sop_engine.policy import SYSTEM_ACTOR

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # Argon2id with the RFC 9106 low-memory parameters


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random value at ``hasher``'s cost: verified against when the login names nobody,
    so an unknown name costs as long as a wrong password. Made on first use, not at import."""
    return hasher.hash(secrets.token_hex(16))


def prepare_dummy_hash() -> None:
    """Make the dummy hash now (``sop serve`` at start-up), so that not even the first login that
    names nobody takes longer than a wrong password."""
    _dummy_hash(_hasher)


def hash_password(password: str) -> str:
    """The Argon2id hash stored for ``password``."""
    return _hasher.hash(password)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than today's (a login then stores a new hash)."""
    return _hasher.check_needs_rehash(stored)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` hashes; no stored hash (nobody, no password) never
    matches, after the same work as a wrong password."""
    try:
        return _hasher.verify(stored or _dummy_hash(_hasher), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


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
    hashed = hash_password(password)
    with ctx.db.write() as session:
        office = ctx.office(session)
        person = find_person(session, office.id, username)
        actor = account_actor(session, office.id, by, person)
        now = ctx.clock.now()
        person.password_hash = hashed
        end_access(session, person.id, now)
        audit_account_change(session, office.id, actor, "person.password_set", now, {"username": person.username})


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
