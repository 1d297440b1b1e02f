"""The people of an office: who they are, their roles and whom they report to.

Roles decide who may do which SOP step; the supervisor link is the chain the scheduler
escalates along (staf -> kasubag_program -> sekretaris -> ketua).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sop_engine import audit, policy, textrules
from sop_engine.config_notifications import CHANNELS
from sop_engine.context import Context
from sop_engine.db.models import Person, PersonRole
from sop_engine.db.models_web import ApiToken, WebSession
from sop_engine.db.queries import find_person
from sop_engine.errors import Conflict, InvalidInput, NotAllowed, did_you_mean
from sop_engine.policy import SYSTEM_ACTOR, Permission
from sop_engine.remedies import Field

#: Usernames the audit trail uses for the system itself; no person may take them.
RESERVED_USERNAMES = frozenset({SYSTEM_ACTOR, "penjadwal"})

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
_NIP = re.compile(r"^\d{18}$")
#: An address a mail server takes: no spaces, quotes, angle brackets or markup around one @.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class PersonRecord:
    """A person as the services hand it out."""

    username: str
    name: str
    nip: str | None
    roles: tuple[str, ...]
    email: str | None
    phone: str | None
    supervisor: str | None
    active: bool
    chat_id: str | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewPerson:
    """What is needed to add a person."""

    username: str
    name: str
    roles: tuple[str, ...]
    nip: str | None = None
    email: str | None = None
    phone: str | None = None
    supervisor: str | None = None
    chat_id: str | None = None
    #: Preferred channels (email, webhook, log); empty means the office default.
    channels: tuple[str, ...] = ()


def record_of(person: Person) -> PersonRecord:
    return PersonRecord(
        username=person.username,
        name=textrules.scrub_line(person.name),  # a name stored before the text rules shows no U+202E
        nip=person.nip,
        roles=person.role_names,
        email=person.email,
        phone=person.phone,
        supervisor=person.supervisor.username if person.supervisor else None,
        active=person.active,
        chat_id=person.chat_id,
        channels=tuple(c for c in (person.channels or "").split(",") if c),
    )


def normalise_nip(nip: str | None) -> str | None:
    """A NIP without spaces ("19800101 000000 1 001" -> "198001010000001001"), checked for 18 digits."""
    if nip is None or not nip.strip():
        return None
    digits = re.sub(r"\s+", "", nip)
    if not _NIP.match(digits):
        raise InvalidInput(
            f"NIP '{nip}' tidak sah; NIP terdiri dari 18 angka, misalnya 19800101 200501 1 001.", value=nip
        )
    return digits


def _require_known_roles(roles: Sequence[str], known: tuple[str, ...]) -> None:
    """InvalidInput unless ``roles`` is not empty and each is one of the office's roles (``known``)."""
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        raise InvalidInput(
            f"Peran '{', '.join(unknown) or '(kosong)'}' tidak dikenal; peran yang ada: {', '.join(known)}."
            f"{did_you_mean(unknown[0], known) if unknown else ''}",
            value=",".join(unknown),
        )


def _validate(new: NewPerson, known_roles: tuple[str, ...]) -> NewPerson:
    """``new`` with its text fields checked by the text rules and stripped; InvalidInput naming a bad field."""
    if not _USERNAME.match(new.username):
        raise InvalidInput(
            f"Nama pengguna '{new.username}' tidak sah; gunakan huruf kecil, angka, titik, '-' atau '_', "
            "diawali huruf, 2-64 karakter (misalnya staf1).",
            value=new.username,
        )
    if new.username in RESERVED_USERNAMES:
        raise InvalidInput(
            f"Nama pengguna '{new.username}' dipakai sistem untuk jejak audit; pilih nama lain (misalnya staf1).",
            value=new.username,
        )
    name = textrules.line(new.name, "Nama lengkap")
    if not name:
        raise InvalidInput("Nama lengkap wajib diisi.", value=new.name, field=Field.NAME)
    _require_known_roles(new.roles, known_roles)
    unknown_channels = [c for c in new.channels if c not in CHANNELS]
    if unknown_channels:
        raise InvalidInput(
            f"Saluran '{', '.join(unknown_channels)}' tidak dikenal; saluran yang ada: {', '.join(CHANNELS)}.",
            value=",".join(unknown_channels),
        )
    email = textrules.optional_line(new.email, "Alamat email")
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"Alamat email '{email}' tidak sah; contoh: nama@kpu-bangkalan.example.", value=email)
    return replace(
        new,
        name=name,
        email=email,
        phone=textrules.optional_line(new.phone, "Nomor telepon", textrules.MAX_SHORT_CHARS),
        chat_id=textrules.optional_line(new.chat_id, "ID obrolan", textrules.MAX_SHORT_CHARS),
    )


def add_person_in(session: Session, ctx: Context, office_id: int, new: NewPerson, by: str = SYSTEM_ACTOR) -> Person:
    """Add a person inside the caller's transaction (used by ``add_person`` and the demo loader)."""
    new = _validate(new, ctx.settings.roles.ids)
    nip = normalise_nip(new.nip)
    clash = session.scalar(
        select(Person).where(
            Person.office_id == office_id, (Person.username == new.username) | ((Person.nip == nip) if nip else False)
        )
    )
    if clash is not None:
        what = f"nama pengguna '{new.username}'" if clash.username == new.username else f"NIP {nip}"
        raise Conflict(f"Sudah ada pegawai dengan {what} ({clash.name}); gunakan yang lain.", value=new.username)
    actor = policy.resolve(session, office_id, by, Permission.MANAGE_PEOPLE)
    supervisor = find_person(session, office_id, new.supervisor) if new.supervisor else None
    person = Person(
        office_id=office_id,
        username=new.username,
        name=new.name,
        nip=nip,
        email=new.email,
        phone=new.phone,
        chat_id=new.chat_id,
        channels=",".join(new.channels) or None,
        supervisor_id=supervisor.id if supervisor else None,
        active=True,
        created_at=ctx.clock.now(),
    )
    person.roles = [PersonRole(role=r) for r in dict.fromkeys(new.roles)]
    session.add(person)
    session.flush()
    audit.append(
        session,
        office_id,
        actor=actor.username,
        role=actor.role,
        action="person.added",
        recorded_at=ctx.clock.now(),
        details={
            "username": new.username,
            "name": person.name,
            "nip": nip,
            "roles": list(person.role_names),
            "supervisor": new.supervisor,
        },
    )
    return person


def add_person(ctx: Context, new: NewPerson, by: str = SYSTEM_ACTOR) -> PersonRecord:
    """Add a person to this install's office."""
    with ctx.db.write() as session:
        person = add_person_in(session, ctx, ctx.office(session).id, new, by)
        return record_of(person)


def list_people(ctx: Context) -> list[PersonRecord]:
    """Everyone in the office, by username."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        people = session.scalars(select(Person).where(Person.office_id == office.id).order_by(Person.username))
        return [record_of(p) for p in people]


def set_active(ctx: Context, username: str, active: bool, by: str) -> PersonRecord:
    """Deactivate a person (their sessions end, their tokens are revoked, they can no longer log in or act)
    or activate them again; audited with the real actor."""
    with ctx.db.write() as session:
        office_id = ctx.office(session).id
        actor = policy.resolve(session, office_id, by, Permission.MANAGE_PEOPLE)
        person = find_person(session, office_id, username, include_inactive=True)
        if person.active == active:
            state = "aktif" if active else "nonaktif"
            raise Conflict(f"Akun '{person.username}' sudah {state}; tidak ada yang diubah.", value=person.username)
        if not active and person.username == actor.username:
            raise NotAllowed(
                "Anda tidak dapat menonaktifkan akun sendiri; minta admin lain melakukannya.", value=person.username
            )
        now = ctx.clock.now()
        person.active = active
        if not active:
            end_access(session, person.id, now)
        _audit_person(session, office_id, actor, "person.activated" if active else "person.deactivated", now, person)
        return record_of(person)


def set_roles(ctx: Context, username: str, roles: Sequence[str], by: str) -> PersonRecord:
    """Replace a person's roles; audited with the roles before and after."""
    roles = tuple(dict.fromkeys(r.strip() for r in roles if r.strip()))
    _require_known_roles(roles, ctx.settings.roles.ids)
    with ctx.db.write() as session:
        office_id = ctx.office(session).id
        actor = policy.resolve(session, office_id, by, Permission.MANAGE_PEOPLE)
        person = find_person(session, office_id, username, include_inactive=True)
        before = person.role_names
        if set(before) == set(roles):
            raise Conflict(
                f"'{person.username}' sudah berperan {', '.join(before)}; tidak ada yang diubah.", value=person.username
            )
        if person.username == actor.username and not policy.role_for(roles, Permission.MANAGE_PEOPLE):
            raise NotAllowed(
                "Anda tidak dapat melepas peran admin dari akun sendiri; minta admin lain melakukannya.",
                value=person.username,
            )
        person.roles = [PersonRole(role=r) for r in roles]
        session.flush()
        _audit_person(session, office_id, actor, "person.roles_changed", ctx.clock.now(), person, before=list(before))
        return record_of(person)


def end_access(session: Session, person_id: int, now: datetime) -> None:
    """End every browser session of a person and revoke their API tokens (in the caller's transaction)."""
    session.execute(delete(WebSession).where(WebSession.person_id == person_id))
    session.execute(
        update(ApiToken)
        .where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def _audit_person(
    session: Session,
    office_id: int,
    actor: policy.Actor,
    action: str,
    now: datetime,
    person: Person,
    **details: Any,
) -> None:
    audit.append(
        session,
        office_id,
        actor=actor.username,
        role=actor.role,
        action=action,
        recorded_at=now,
        details={"username": person.username, "roles": list(person.role_names), "active": person.active, **details},
    )


def require_role(person: Person, roles: Sequence[str]) -> str:
    """The first of ``roles`` that ``person`` holds; the caller turns None-results into errors."""
    for role in roles:
        if role in person.role_names:
            return role
    return ""
