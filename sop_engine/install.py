"""``sop init``: create or upgrade the database, create the office, register the workflows.

Running it again is safe: the schema is only upgraded, the office and workflow revisions that
exist are kept, and demo people that already exist are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_engine import audit, workflows
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.models import Office, Person
from sop_engine.people import NewPerson, add_person_in
from sop_engine.policy import SYSTEM_ACTOR


@dataclass(frozen=True)
class InitReport:
    """What ``sop init`` did."""

    database: str
    schema_revision: str | None
    office_created: bool
    workflows: tuple[str, ...]
    people_added: tuple[str, ...]


def initialise(ctx: Context, demo_people: tuple[NewPerson, ...] = ()) -> InitReport:
    """Bring the database to the newest schema, ensure the office and register ``workflows/``."""
    definitions = workflows.on_disk(ctx)  # validate the files before touching the database
    migrate.upgrade(ctx.db.engine)
    with ctx.db.write() as session:
        office, created = _ensure_office(session, ctx)
        for definition in definitions.values():
            workflows.register(session, ctx, office.id, definition)
        added = tuple(p.username for p in demo_people if _add_if_missing(session, ctx, office.id, p))
    return InitReport(
        database=_redacted(ctx.settings.database.url),
        schema_revision=migrate.current_revision(ctx.db.engine),
        office_created=created,
        workflows=tuple(sorted(definitions)),
        people_added=added,
    )


def _ensure_office(session: Session, ctx: Context) -> tuple[Office, bool]:
    settings = ctx.settings.office
    office = session.scalar(select(Office).where(Office.code == settings.satker))
    if office is not None:
        return office, False
    office = Office(code=settings.satker, name=settings.name, timezone=settings.timezone)
    session.add(office)
    session.flush()
    audit.ensure_head(session, office.id)
    audit.append(
        session,
        office.id,
        actor=SYSTEM_ACTOR,
        role="admin",
        action="system.initialised",
        recorded_at=ctx.clock.now(),
        details={"satker": office.code, "name": office.name, "timezone": office.timezone},
    )
    return office, True


def _add_if_missing(session: Session, ctx: Context, office_id: int, person: NewPerson) -> bool:
    exists = session.scalar(select(Person.id).where(Person.office_id == office_id, Person.username == person.username))
    if exists is not None:
        return False
    add_person_in(session, ctx, office_id, person)
    return True


def _redacted(url: str) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
