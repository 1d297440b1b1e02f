"""Who acts through the web or the API, and what the account modules share.

:class:`Identity` is all the front ends know of the person behind a session or a token. The rest
serves :mod:`~sop_engine.passwords`, :mod:`~sop_engine.logins` and :mod:`~sop_engine.api_tokens`:
the sha256 under which session ids and tokens are stored (never their values), who may change an
account, and the audit event of a change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sop_engine import audit, policy, textrules
from sop_engine.db.models import Person
from sop_engine.policy import Actor, Permission

#: A session's last-seen time is written at most this often (not on every request).
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class Identity:
    """Who is acting through the web or the API."""

    username: str
    name: str
    roles: tuple[str, ...]
    #: The row id of the person's office (0: not known, the install's own office).
    office_id: int = 0
    #: The ``settings_version`` of the person's office when they were read (0: not read).
    settings_version: int = 0

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


def digest(value: str) -> str:
    """The sha256 (hex) under which a session id or token is stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def identity_of(person: Person) -> Identity:
    """The :class:`Identity` of ``person`` (the name cleaned for display)."""
    return Identity(person.username, textrules.scrub_line(person.name), person.role_names, person.office_id)


def audit_account_change(
    session: Session, office_id: int, actor: Actor, action: str, at: datetime, details: dict[str, Any]
) -> None:
    """An account change in the audit trail (never a password, hash or token value)."""
    audit.append(
        session, office_id, actor=actor.username, role=actor.role, action=action, recorded_at=at, details=details
    )


def account_actor(session: Session, office_id: int, by: str, person: Person) -> Actor:
    """Who changes ``person``'s account: the person themselves, or someone who manages people."""
    if by == person.username:
        return Actor(person.username, person.role_names[0] if person.role_names else "")
    return policy.resolve(session, office_id, by, Permission.MANAGE_PEOPLE)
