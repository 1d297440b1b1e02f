"""The admin's view of an account: the person, whether a password is set, the API tokens.

The parts of an account have their own modules: :mod:`~sop_engine.passwords`,
:mod:`~sop_engine.logins` (logging in, sessions, throttling), :mod:`~sop_engine.api_tokens`, and
:mod:`~sop_engine.identity` (who acts, and what they share).
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_engine.api_tokens import TokenRecord, list_tokens
from sop_engine.context import Context
from sop_engine.db.queries import find_person
from sop_engine.people import PersonRecord, record_of


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
