"""Lookups shared by the services, each raising a NotFound that names the value and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from sop_engine.db.models import Base, Case, Person
from sop_engine.errors import NotFound
from sop_engine.remedies import Hint, Remedy


def table(model: type[Base]) -> Table:
    """The Core table of a mapped class, for the statements of the hot paths that skip the ORM."""
    return cast(Table, model.__table__)


def find_case(session: Session, office_id: int, code: str, *, for_update: bool = False) -> Case:
    """The case ``code`` of the office (e.g. ``lakip-2021``)."""
    code = printable(code)
    query = select(Case).where(Case.office_id == office_id, Case.code == code)
    case = session.scalar(query.with_for_update() if for_update else query)
    if case is None:
        raise case_not_found(session, office_id, code)
    return case


def case_row(session: Session, office_id: int, code: str) -> Row[Any] | None:
    """The row of the case ``code`` read without the ORM (its columns only); None if there is none."""
    return (
        session.connection()
        .execute(select(Case.__table__).where(Case.office_id == office_id, Case.code == printable(code)))
        .one_or_none()
    )


#: How many of the office's case codes a "no such case" message names (the newest).
NAMED_CASES = 10


def case_not_found(session: Session, office_id: int, code: str) -> NotFound:
    """The NotFound for a case code the office does not have, naming its newest codes and how many more there are."""
    ours = Case.office_id == office_id
    total = session.scalar(select(func.count()).select_from(Case).where(ours)) or 0
    newest = session.scalars(
        select(Case.code).where(ours).order_by(Case.year.desc(), Case.code).limit(NAMED_CASES)
    ).all()
    listing = ", ".join(newest) if newest else "belum ada kasus"
    if total > len(newest):
        listing += f" (dan {total - len(newest):,} lainnya)".replace(",", ".")
    return NotFound(f"Kasus '{code}' tidak ada; kasus yang ada: {listing}.", value=code, hint=Hint(Remedy.LIST_CASES))


def find_person(session: Session, office_id: int, username: str, *, include_inactive: bool = False) -> Person:
    """The person ``username`` (or NIP) of the office; a deactivated one only with ``include_inactive``."""
    username = printable(username)
    person = session.scalar(
        select(Person).where(Person.office_id == office_id, (Person.username == username) | (Person.nip == username))
    )
    if person is None or (not person.active and not include_inactive):
        raise person_not_found(username, None if person is None else person.username)
    return person


def person_not_found(username: str, deactivated: str | None) -> NotFound:
    """The NotFound for ``username``: nobody of that name, or the account ``deactivated`` is switched off."""
    if deactivated is None:
        return NotFound(
            f"Pengguna '{username}' tidak dikenal di kantor ini.", value=username, hint=Hint(Remedy.FIND_PERSON)
        )
    return NotFound(
        f"Pengguna '{username}' sudah dinonaktifkan.",
        value=username,
        hint=Hint(Remedy.ACTIVATE_PERSON, user=deactivated),
    )


def printable(value: str) -> str:
    """``value`` with its control and bidi characters made visible (\x00 -> U+0000): such a name
    can match no row, is still named in the NotFound, and never reaches the database driver
    (PostgreSQL refuses NUL)."""
    return "".join(f"U+{ord(c):04X}" if not c.isprintable() else c for c in value)


def rows_of(columns: ReadOnlyColumnCollection[str, Any], names: Sequence[str], prefix: str, count: int) -> Any:
    """``count`` rows of parameters for an INSERT ... SELECT (row i takes the ``{prefix}{i}_*`` values, typed
    as ``columns``): one statement SQLAlchemy can cache, where it caches no multi-row VALUES."""
    rows = [select(*(bindparam(f"{prefix}{i}_{n}", type_=columns[n].type) for n in names)) for i in range(count)]
    return rows[0] if count == 1 else union_all(*rows)
