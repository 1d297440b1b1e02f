"""What every service needs, built once per process: settings, database, clock, calendar.

Front ends build one :class:`Context` and pass it to service functions; tests build one with a
fixed clock. The office of this install is looked up by its satker code in each transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_engine.calendar import WorkingCalendar
from sop_engine.clock import Clock, SystemClock
from sop_engine.config import Settings
from sop_engine.db.models import Office
from sop_engine.db.session import Database
from sop_engine.errors import ConfigError
from sop_engine.holiday_cache import HolidayCache, cache_file
from sop_engine.remedies import Hint, Remedy


@dataclass
class Context:
    """The dependencies of the services for one install."""

    settings: Settings
    db: Database
    clock: Clock
    calendar: WorkingCalendar

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

    def no_office(self) -> ConfigError:
        """The error of a database that has no row for this install's office (``sop init`` not run)."""
        return ConfigError(
            f"Kantor dengan kode satker '{self.settings.office.satker}' belum ada di basis data.",
            value=self.settings.office.satker,
            hint=Hint(Remedy.INIT_DATABASE),
        )
