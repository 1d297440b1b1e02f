"""What every service needs, built once per process: settings, database, clock, calendar.

Front ends build one :class:`Context` and pass it to service functions; tests build one with a
fixed clock. The office of this install is looked up by its satker code in each transaction.

A context serves one office. In a central install the other offices (``sop offices add``) keep
their settings in their rows; :meth:`Context.for_office` (by satker, for ``--kantor``) and
:meth:`Context.for_office_id` (by row id, for the person behind a web session or token) give the
context of such an office: the same database and clock, that office's settings and calendar, so
every service called with it reads and writes that office's rows only. The office of config.toml
is the context itself, as in a single install. Such a context is kept; :meth:`Context.for_office_at`
builds it again once the row's ``settings_version`` shows that ``sop offices set`` changed it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_engine.calendar import WorkingCalendar
from sop_engine.clock import Clock, SystemClock
from sop_engine.config import Settings
from sop_engine.db.models import Office
from sop_engine.db.session import Database
from sop_engine.errors import ConfigError, NotFound
from sop_engine.holiday_cache import HolidayCache, cache_file
from sop_engine.remedies import Hint, Remedy


@dataclass
class Context:
    """The dependencies of the services for one install."""

    settings: Settings
    db: Database
    clock: Clock
    calendar: WorkingCalendar
    #: The settings of config.toml when this is the context of another office (None: it is config.toml's).
    home: Settings | None = field(default=None, repr=False, compare=False)
    #: The contexts of the offices of this install by satker and by row id, shared by all of them.
    offices: dict[str | int, Context] = field(default_factory=dict, repr=False, compare=False)
    #: The ``settings_version`` of the office's row this context was built from (0: config.toml's office).
    settings_version: int = field(default=0, compare=False)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, db: Database | None = None) -> Context:
        """A context on the configured database and the system clock (unless given)."""
        return cls(
            settings=settings,
            db=db or Database(settings.database.url),
            clock=clock or SystemClock(),
            calendar=WorkingCalendar.from_settings(settings, HolidayCache(cache_file(settings))),
        )

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.office.tz

    def office(self, session: Session) -> Office:
        """This install's office row; ConfigError if ``sop init`` has not created it."""
        office = session.scalar(select(Office).where(Office.code == self.settings.office.satker))
        if office is None:
            raise self.no_office()
        return office

    def for_office(self, satker: str) -> Context:
        """The context of the office with kode satker ``satker``; NotFound naming the offices if none."""
        home = self.offices.get(self.home_satker, self)
        if satker == home.settings.office.satker:
            return home
        found = self.offices.get(satker)
        if found is None:
            with self.db.read() as session:
                row = session.scalar(select(Office).where(Office.code == satker))
                if row is None:
                    known = ", ".join(session.scalars(select(Office.code).order_by(Office.code))) or "belum ada"
                    raise NotFound(
                        f"Kantor dengan kode satker '{satker}' tidak ada; kantor yang ada: {known}.", value=satker
                    )
                found = self._remember(home._sibling(row))
        return found

    def for_office_id(self, office_id: int) -> Context:
        """The context of the office whose row id is ``office_id`` (the office of a person)."""
        found = self.offices.get(office_id)
        if found is None:
            with self.db.read() as session:
                code = session.scalar(select(Office.code).where(Office.id == office_id))
            if code is None:
                raise NotFound(f"Kantor nomor {office_id} tidak ada.", value=office_id)
            found = self.offices[office_id] = self.for_office(code)
        return found

    def for_office_at(self, office_id: int, version: int) -> Context:
        """The context of office ``office_id`` built from its row at ``settings_version`` ``version`` or later.

        A running service learns an office's version with what it reads anyway (the person behind
        a request, the offices of a scheduler pass); a kept context built from an older row
        (``sop offices set`` ran since, in any process) is dropped and built again from the row.
        """
        found = self.for_office_id(office_id)
        if found.home is not None and found.settings_version < version:
            self.forget_office(found.settings.office.satker)
            found = self.for_office_id(office_id)
        return found

    def forget_office(self, satker: str) -> None:
        """Drop the kept context of office ``satker`` (its row changed): the next look-up reads the row again."""
        for key, found in list(self.offices.items()):
            if found.home is not None and found.settings.office.satker == satker:
                del self.offices[key]

    @property
    def home_satker(self) -> str:
        """The kode satker of config.toml's office."""
        return (self.home or self.settings).office.satker

    def _sibling(self, row: Office) -> Context:
        """The context of ``row``'s office, built on config.toml's settings (``self`` is config.toml's)."""
        from sop_engine.config_offices import office_settings

        settings = office_settings(
            self.settings,
            satker=row.code,
            name=row.name,
            timezone=row.timezone,
            lines=(row.address, row.phone, row.website, row.email),
            calendar=row.calendar,
            logo=None if row.logo is None else _logo_file(self.settings, row.logo),
        )
        calendar = WorkingCalendar.from_settings(settings, HolidayCache(cache_file(settings)))
        return Context(
            settings,
            self.db,
            self.clock,
            calendar,
            home=self.settings,
            offices=self.offices,
            settings_version=row.settings_version,
        )

    def _remember(self, ctx: Context) -> Context:
        if not self.offices:
            self.offices[self.settings.office.satker] = self
        self.offices[ctx.settings.office.satker] = ctx
        return ctx

    def no_office(self) -> ConfigError:
        """The error of a database that has no row for this install's office (``sop init`` not run)."""
        return ConfigError(
            f"Kantor dengan kode satker '{self.settings.office.satker}' belum ada di basis data.",
            value=self.settings.office.satker,
            hint=Hint(Remedy.INIT_DATABASE),
        )


def _logo_file(settings: Settings, content: bytes) -> Path:
    """A file holding an office's logo (kept in its row), for the documents that place it by path.

    Written once per content under ``cache/logos/<sha256>.png|.jpg`` beside the artefact store,
    as the holiday cache is; a changed logo is another file.
    """
    suffix = ".png" if content.startswith(b"\x89PNG") else ".jpg"
    path = settings.storage.artefacts_dir.parent / "cache" / "logos" / f"{hashlib.sha256(content).hexdigest()}{suffix}"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(content)
        partial.replace(path)
    return path
