"""The offices of a central install: adding, changing and listing them, and the LAKIP progress a pengawas reads.

A single install serves the office of config.toml. A central install serves many offices from one
PostgreSQL database: ``sop offices add`` creates an office with its settings kept in its row
(:mod:`sop_engine.config_offices`), its audit trail started and the SOP files registered, as
``sop init`` does for config.toml's office; ``sop offices set`` changes those settings later. Each
office may have a parent (a provincial office over the kabupaten offices); the ``pengawas`` of an office read the
progress of the offices under it, never acting on them (:data:`sop_engine.policy.Permission.READ_OFFICES`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sop_engine import audit, cases, office_fields, policy, workflows
from sop_engine.case_records import CaseRecord, StepRecord
from sop_engine.config_offices import zone_label
from sop_engine.context import Context
from sop_engine.db.models import Case, Office, Person
from sop_engine.db.statuses import CaseStatus
from sop_engine.definitions import SYSTEM_ACTOR
from sop_engine.errors import InvalidInput, NotAllowed, NotFound
from sop_engine.policy import Permission
from sop_engine.remedies import Hint, Remedy

#: The workflow whose yearly case a pengawas follows.
LAKIP = "lakip"


@dataclass(frozen=True)
class NewOffice:
    """What ``sop offices add`` is given."""

    satker: str
    name: str
    zone: str = "WIB"
    address: str = ""
    phone: str = ""
    website: str = ""
    #: The kode satker of the office above it, if any.
    parent: str | None = None
    #: The keys of the office's ``[calendar]`` that differ from the install's.
    calendar: Mapping[str, Any] = field(default_factory=dict)
    #: The kop's e-mail (empty: none) and logo file (PNG or JPEG, None: no logo).
    email: str = ""
    logo: Path | None = None


@dataclass(frozen=True)
class OfficeChange:
    """What ``sop offices set`` is given: each None leaves that setting as it is."""

    name: str | None = None
    zone: str | None = None
    address: str | None = None
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    logo: Path | None = None
    #: The kode satker of the new parent; ``no_parent`` takes the parent away.
    parent: str | None = None
    no_parent: bool = False
    calendar: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class OfficeChanged:
    """What ``sop offices set`` did: the columns changed, each with its old and new value (logo by sha256)."""

    satker: str
    changes: Mapping[str, tuple[Any, Any]]
    #: The office's time zone after the change, as WIB/WITA/WIT.
    zone: str


@dataclass(frozen=True)
class OfficeRecord:
    """An office as listed."""

    satker: str
    name: str
    #: WIB, WITA or WIT (or the IANA name of another zone).
    zone: str
    address: str
    phone: str
    website: str
    parent: str | None
    people: int
    email: str
    #: The sha256 of its logo, None when it has none.
    logo_sha256: str | None
    #: Whether its settings come from config.toml (the office of a single install) rather than its row.
    from_config: bool


@dataclass(frozen=True)
class OfficeProgress:
    """One office's LAKIP case of a year, as a pengawas reads it."""

    satker: str
    name: str
    zone: str
    #: The office's IANA time zone (its deadlines are shown in it).
    timezone: str
    #: None when the office has not started the year's case.
    case: CaseRecord | None
    #: The active step, if the case is running.
    step: StepRecord | None
    #: Working seconds past the active step's deadline in the office's own calendar (0 when on time).
    late_seconds: int


def add_office(ctx: Context, new: NewOffice) -> OfficeRecord:
    """Create an office with its settings, audit trail and the SOP files; refused if the satker exists."""
    satker = _checked_code(new.satker)
    given = {key: getattr(new, key) for key in office_fields.SETTINGS}
    row = Office(code=satker, **office_fields.columns(given))
    definitions = workflows.on_disk(ctx)
    with ctx.db.write() as session:
        policy.resolve(session, ctx.office(session).id, SYSTEM_ACTOR, Permission.MANAGE_OFFICES)
        if session.scalar(select(Office.id).where(Office.code == satker)) is not None:
            raise InvalidInput(f"Kantor dengan kode satker '{satker}' sudah ada.", value=satker)
        row.parent_id = _office_id(session, new.parent) if new.parent else None
        session.add(row)
        session.flush()
        audit.ensure_head(session, row.id)
        details = {"satker": row.code, "name": row.name, "timezone": row.timezone, "parent": new.parent}
        if row.email:
            details["email"] = row.email
        if row.logo is not None:
            details["logo_sha256"] = hashlib.sha256(row.logo).hexdigest()
        audit.append(
            session,
            row.id,
            actor=SYSTEM_ACTOR,
            role="admin",
            action="system.initialised",
            recorded_at=ctx.clock.now(),
            details=details,
        )
        for definition in definitions.values():
            workflows.register(session, ctx, row.id, definition)
    return next(record for record in list_offices(ctx) if record.satker == satker)


def set_office(ctx: Context, satker: str, change: OfficeChange) -> OfficeChanged:
    """Change the settings ``change`` gives of office ``satker``, checked as :func:`add_office` checks them.

    One transaction with one ``office.changed`` event in the office's trail naming each column
    changed with its old and new value (the logo by sha256); nothing when every value given is
    the one the office has. Refused for an unknown office, for a parent under the office itself,
    and, for the office of config.toml, for anything but its parent (config.toml holds the rest).
    A change moves the office's ``settings_version`` on, by which a running ``sop serve`` or
    scheduler rebuilds the office's context on its next request or pass.
    Deadlines already set stay as they are; a new zone or calendar sets the ones computed after it.
    """
    given = {key: getattr(change, key) for key in office_fields.SETTINGS if getattr(change, key) is not None}
    if not given and change.parent is None and not change.no_parent:
        raise InvalidInput(
            f"Tidak ada pengaturan kantor {satker} yang diberikan untuk diubah; sebutkan sedikitnya satu: nama, zona, "
            "alamat, telepon, situs web, pos-el, logo, induk atau kalender.",
            value=satker,
        )
    if change.parent is not None and change.no_parent:
        raise InvalidInput("Pilih kantor induk yang baru atau lepaskan induknya, tidak keduanya.", value=change.parent)
    columns = office_fields.columns(given)
    with ctx.db.write() as session:
        policy.resolve(session, ctx.office(session).id, SYSTEM_ACTOR, Permission.MANAGE_OFFICES)
        row = session.scalar(select(Office).where(Office.code == satker.strip()))
        if row is None:
            raise NotFound(
                f"Kantor dengan kode satker '{satker}' tidak ada.", value=satker, hint=Hint(Remedy.LIST_OFFICES)
            )
        if given and row.code == ctx.home_satker:
            raise InvalidInput(
                f"Kantor {row.code} adalah kantor config.toml: nama, zona, kop dan kalendernya diubah di bagian "
                "[office] dan [calendar] config.toml; di sini hanya kantor induknya yang dapat diubah.",
                value=row.code,
            )
        if change.parent is not None or change.no_parent:
            columns["parent_id"] = None if change.no_parent else _parent_id(session, row, change.parent or "")
        changes = {
            key: (_shown(session, key, getattr(row, key)), _shown(session, key, value))
            for key, value in columns.items()
            if getattr(row, key) != value
        }
        if changes:
            for key, value in columns.items():
                setattr(row, key, value)
            row.settings_version = Office.settings_version + 1  # in SQL, so that concurrent changes both count
            audit.append(
                session,
                row.id,
                actor=SYSTEM_ACTOR,
                role="admin",
                action="office.changed",
                recorded_at=ctx.clock.now(),
                details={
                    "satker": row.code,
                    "changed": {key: {"old": old, "new": new} for key, (old, new) in changes.items()},
                },
            )
        zone = zone_label(row.timezone)
    ctx.forget_office(satker.strip())
    return OfficeChanged(satker.strip(), changes, zone)


def _parent_id(session: Session, row: Office, parent: str) -> int:
    """The row id of ``parent``, refused if it is the office itself or an office under it (a cycle)."""
    found = _office_id(session, parent.strip())
    above: int | None = found
    while above is not None:
        if above == row.id:
            raise InvalidInput(
                f"Kantor {parent.strip()} tidak bisa menjadi induk kantor {row.code}: {parent.strip()} adalah kantor "
                f"{row.code} sendiri atau berada di bawahnya; pilih kantor lain sebagai induk, atau lepaskan induknya.",
                value=parent,
            )
        above = session.scalar(select(Office.parent_id).where(Office.id == above))
    return found


def _shown(session: Session, column: str, value: Any) -> Any:
    """A column's value as the audit event names it: the logo by sha256, the parent by kode satker."""
    if column == "logo":
        return None if value is None else hashlib.sha256(value).hexdigest()
    if column == "parent_id":
        return None if value is None else session.scalar(select(Office.code).where(Office.id == value))
    return value


def list_offices(ctx: Context) -> tuple[OfficeRecord, ...]:
    """Every office of the database by kode satker, with its parent and number of people."""
    parent = Office.__table__.alias("parent")
    people = select(func.count(Person.id)).where(Person.office_id == Office.id).scalar_subquery()
    query = (
        select(Office, parent.c.code, people).outerjoin(parent, parent.c.id == Office.parent_id).order_by(Office.code)
    )
    home = ctx.home_satker
    with ctx.db.read() as session:
        return tuple(
            OfficeRecord(
                satker=row.code,
                name=row.name,
                zone=zone_label(row.timezone),
                address=row.address,
                phone=row.phone,
                website=row.website,
                parent=parent_code,
                people=count,
                email=row.email,
                logo_sha256=None if row.logo is None else hashlib.sha256(row.logo).hexdigest(),
                from_config=row.code == home,
            )
            for row, parent_code, count in session.execute(query)
        )


def office_count(ctx: Context) -> int:
    """How many offices the database holds (the login asks for a satker only when more than one)."""
    with ctx.db.read() as session:
        return session.scalar(select(func.count(Office.id))) or 0


def login_office(ctx: Context, satker: str) -> Context:
    """The office a login names by kode satker (blank: the install's own); NotAllowed if there is none.

    The refusal names no other office: the login page is open to anyone.
    """
    if not satker.strip():
        return ctx
    try:
        return ctx.for_office(satker.strip())
    except NotFound:
        raise NotAllowed(
            f"Kode satker '{satker.strip()}' tidak dikenal. Periksa lalu coba lagi.", value=satker
        ) from None


def offices_under(ctx: Context) -> tuple[str, ...]:
    """The kode satker of every office below ``ctx``'s office (children, their children, ...)."""
    with ctx.db.read() as session:
        level = [ctx.office(session).id]
        found: list[str] = []
        while level:
            rows = session.execute(select(Office.id, Office.code).where(Office.parent_id.in_(level))).all()
            level = [row.id for row in rows if row.code not in found]
            found.extend(row.code for row in rows if row.code not in found)
    return tuple(sorted(found))


def lakip_progress(ctx: Context, satkers: tuple[str, ...], year: int) -> tuple[OfficeProgress, ...]:
    """The LAKIP case of ``year`` of each office named, with its active step and how late it is."""
    with ctx.db.read() as session:
        query = (
            select(Office.code, Case.code)
            .join(Case, Case.office_id == Office.id)
            .where(Office.code.in_(satkers), Case.workflow == LAKIP, Case.year == year)
        )
        started = {satker: code for satker, code in session.execute(query)}
    now = ctx.clock.now()
    return tuple(_progress(ctx.for_office(satker), started.get(satker), now) for satker in satkers)


def _progress(ctx: Context, code: str | None, now: datetime) -> OfficeProgress:
    office = ctx.settings.office
    case = cases.get_case(ctx, code) if code else None
    step = None
    if case is not None and case.status == CaseStatus.RUNNING:
        step = next((s for s in case.steps if s.no == case.current_step), None)
    late = 0
    if step is not None and step.due_at is not None and step.due_at < now:
        late = ctx.calendar.working_seconds_between(step.due_at, now)
    return OfficeProgress(office.satker, office.name, zone_label(office.timezone), office.timezone, case, step, late)


def _office_id(session: Session, satker: str) -> int:
    found = session.scalar(select(Office.id).where(Office.code == satker))
    if found is None:
        raise NotFound(f"Kantor induk dengan kode satker '{satker}' tidak ada; tambahkan dahulu.", value=satker)
    return found


def _checked_code(satker: str) -> str:
    code = satker.strip()
    if not code.isascii() or not code.isalnum() or len(code) > 32:
        raise InvalidInput(
            f"Kode satker '{satker}' tidak sah; tulis huruf dan angka saja (paling banyak 32), misalnya 3527.",
            value=satker,
        )
    return code
