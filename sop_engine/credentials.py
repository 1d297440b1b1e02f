"""Who holds a session cookie or an API token: one indexed query per request, the roles kept per process.

Every page and every API call asks who is behind its cookie or token. The session (or token) row,
its holder's name and activity, and the ``people_version`` and ``settings_version`` of the
holder's office come in one query by the stored hash (the primary key of ``web_sessions``, the unique index of
``api_tokens``; sent on the driver's cursor, :mod:`sop_engine.db.direct_reads`), so a logout, a
revoked token, a password change (which ends sessions and revokes tokens) or a deactivation
counts from the next request on, whichever process made it.

The holder's roles are kept in the process under that ``people_version``, which database triggers
move whenever a role of the office is given or taken (migration 0010, :mod:`sop_engine.directory`):
a role is read again as soon as the version it was read at is not the office's any more.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, select

from sop_engine import textrules
from sop_engine.db.direct_reads import DirectQuery
from sop_engine.db.models import Office, Person, PersonRole
from sop_engine.db.models_web import ApiToken, WebSession
from sop_engine.db.queries import table
from sop_engine.identity import Identity

_sessions = table(WebSession).c
_tokens = table(ApiToken).c
_people = table(Person).c
_offices = table(Office).c
_roles = table(PersonRole).c

#: What a request needs of the holder of a session or token, after the row's own columns.
_HOLDER = (
    _people.id,
    _people.username,
    _people.name,
    _people.active,
    _people.office_id,
    _offices.people_version,
    _offices.settings_version,
)

_SESSION = DirectQuery(
    select(_sessions.csrf_token, _sessions.expires_at, _sessions.last_seen_at, *_HOLDER)
    .join(table(Person), _people.id == _sessions.person_id)
    .join(table(Office), _offices.id == _people.office_id)
    .where(_sessions.id_hash == bindparam("digest"))
)
_TOKEN = DirectQuery(
    select(_tokens.revoked_at, _tokens.expires_at, _tokens.last_used_at, *_HOLDER)
    .join(table(Person), _people.id == _tokens.person_id)
    .join(table(Office), _offices.id == _people.office_id)
    .where(_tokens.token_hash == bindparam("digest"))
)
_ROLES = select(_roles.role).where(_roles.person_id == bindparam("person")).order_by(_roles.role)

#: The roles read by this process, per engine and person: (the office's people_version then, roles).
_kept: WeakKeyDictionary[Engine, dict[int, tuple[int, tuple[str, ...]]]] = WeakKeyDictionary()


def session_row(conn: Connection, digest: str) -> Any | None:
    """The session stored under ``digest`` with its holder (:func:`identity_of` reads it); None if there is none."""
    return _SESSION.first(conn, {"digest": digest})


def token_row(conn: Connection, digest: str) -> Any | None:
    """The API token stored under ``digest`` with its holder; None if there is none."""
    return _TOKEN.first(conn, {"digest": digest})


def identity_of(conn: Connection, row: Any) -> Identity | None:
    """The :class:`Identity` of the holder in a :func:`session_row` or :func:`token_row`; None if deactivated."""
    if not row.active:
        return None
    roles = roles_of(conn, row.id, row.people_version)
    return Identity(row.username, textrules.scrub_line(row.name), roles, row.office_id, row.settings_version)


def roles_of(conn: Connection, person_id: int, version: int) -> tuple[str, ...]:
    """The roles of ``person_id``, by name: the kept ones if read at the office's ``version``, else read now."""
    kept = _kept.setdefault(conn.engine, {})
    found = kept.get(person_id)
    if found is not None and found[0] == version:
        return found[1]
    roles = tuple(conn.scalars(_ROLES, {"person": person_id}))
    kept[person_id] = (version, roles)
    return roles
