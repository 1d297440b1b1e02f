"""An office's people as one action needs them: who is who, their roles and the supervisor chain.

The directory of an office is read in one query (people left-joined with their roles), never as
ORM objects with lazy supervisor loads, and kept in the process, per database engine and office,
under the office's ``people_version``: a number that database triggers move on whenever a
person, a role or a supervisor link of the office changes, whoever writes it (this process,
another one, an administrator's SQL; migration 0010). An action reads that number with its case
(:func:`sop_engine.case_rows.load`) and takes the kept directory only if it is of that version,
so a change committed a moment ago elsewhere is always seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, select

from sop_engine.db.models import Office, Person, PersonRole
from sop_engine.db.queries import person_not_found, printable, table

_people = table(Person).c
_roles = table(PersonRole).c
_offices = table(Office).c

#: Longest supervisor chain followed, as a guard against a loop in the supervisor links.
MAX_CHAIN = 10


@dataclass(frozen=True, slots=True)
class Member:
    """One person of the office: what the checks and the notification plan read of them."""

    id: int
    username: str
    nip: str | None
    active: bool
    supervisor_id: int | None
    role_names: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    """The people of one office, by username and by id."""

    office_id: int
    members: tuple[Member, ...]
    #: The office's ``people_version`` these members are of.
    version: int = 0
    _by_id: dict[int, Member] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Member] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.members})
        names = {m.nip: m for m in self.members if m.nip} | {m.username: m for m in self.members}
        object.__setattr__(self, "_by_name", names)

    def person(self, username: str, *, include_inactive: bool = False) -> Member:
        """The person ``username`` (or NIP), as :func:`~sop_engine.db.queries.find_person` finds them."""
        username = printable(username)
        member = self._by_name.get(username)
        if member is None or (not member.active and not include_inactive):
            raise person_not_found(username, None if member is None else member.username)
        return member

    def assignees(self, role: str) -> list[Member]:
        """The active people who hold ``role`` (any of them may do the step), by username."""
        return [m for m in self.members if m.active and role in m.role_names]

    def supervisor_at(self, person: Member, level: int) -> Member | None:
        """The ``level``-th active supervisor up ``person``'s chain (inactive ones are passed over)."""
        chain: list[Member] = []
        current, seen = self._by_id.get(person.supervisor_id or 0), {person.id}
        while current is not None and current.id not in seen and len(chain) < level:
            seen.add(current.id)
            if current.active:
                chain.append(current)
            current = self._by_id.get(current.supervisor_id or 0)
        return chain[level - 1] if len(chain) >= level else None


_COLUMNS = (
    _offices.id,
    _offices.people_version,
    _people.id,
    _people.username,
    _people.nip,
    _people.active,
    _people.supervisor_id,
    _roles.role,
)
_QUERY = (
    select(*_COLUMNS)
    .select_from(table(Office))
    .outerjoin(table(Person), _people.office_id == _offices.id)
    .outerjoin(table(PersonRole), _roles.person_id == _people.id)
    .order_by(_people.username, _roles.role)
)
_BY_ID = _QUERY.where(_offices.id == bindparam("office"))
_BY_CODE = _QUERY.where(_offices.code == bindparam("office"))


#: The directories read by this process, per engine and office id (each knows its version).
_kept: WeakKeyDictionary[Engine, dict[int, Directory]] = WeakKeyDictionary()


def load(conn: Connection, office: int | str) -> Directory | None:
    """The directory of the office with id ``office`` (or satker code), read now; None if there is no such office."""
    query = _BY_ID if isinstance(office, int) else _BY_CODE
    rows = conn.execute(query, {"office": office}).all()
    if not rows:
        return None
    people = Directory(rows[0][0], tuple(_members(rows)), rows[0][1])
    _kept.setdefault(conn.engine, {})[people.office_id] = people
    return people


def of_version(conn: Connection, office_id: int, version: int) -> Directory | None:
    """The directory of office ``office_id`` at ``people_version`` ``version``: the kept one if it is of
    that version, else read now."""
    people = _kept.get(conn.engine, {}).get(office_id)
    if people is not None and people.version == version:
        return people
    return load(conn, office_id)


def _members(rows: Sequence[Sequence[Any]]) -> Iterable[Member]:
    """One Member per person of the rows (a person's rows are adjacent: they are ordered by username)."""
    roles: list[str] = []
    for index, (_, _, person_id, username, nip, active, supervisor_id, role) in enumerate(rows):
        if person_id is None:  # an office with nobody yet
            continue
        if role is not None:
            roles.append(role)
        if index + 1 == len(rows) or rows[index + 1][2] != person_id:
            yield Member(person_id, username, nip, bool(active), supervisor_id, tuple(roles))
            roles = []
