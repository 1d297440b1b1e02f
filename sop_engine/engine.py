"""The Python API: sop-engine embedded in a program, through the same services as ``sop``.

    from sop_engine import Engine

    with Engine.open("config.toml") as engine:
        case = engine.start_case("lakip", year=2021, by="sekretaris")
        engine.complete_step(case.id, 1, by="sekretaris", files=["disposisi.pdf"])
        print(engine.case(case.id).to_json())

:class:`Engine` is a front end like the command line: each method parses its arguments, calls
one service function (:mod:`sop_engine.cases`, :mod:`sop_engine.planning`, :mod:`sop_engine.audit`)
and hands back a plain record; it holds no rules of its own. Errors are the
:mod:`sop_engine.errors` classes the command line reports (``NotAllowed``, ``Conflict``, ...).
Instants are aware datetimes; ``at`` records work done earlier, as ``--at`` does.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sop_engine import audit, cases, planning, views
from sop_engine.artefacts import IncomingFile
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.chain import VerifyResult
from sop_engine.clock import Clock
from sop_engine.config import load_settings, require_office
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.statuses import CaseStatus
from sop_engine.errors import InvalidInput

__all__ = ["CasePage", "CaseSnapshot", "Engine"]


def _case_document(ctx: Context, record: CaseRecord) -> dict[str, Any]:
    """The ``sop case show --json`` document of ``record``: the one place the engine asks for it."""
    projection = planning.case_projection(ctx, record)
    return dict(views.case_detail_json(record, projection, ctx.tz, ctx.calendar.jam_kerja_per_hari))


@dataclass(frozen=True)
class CaseSnapshot:
    """A case as it stood when the engine read or changed it.

    ``record`` is the service's :class:`~sop_engine.cases.CaseRecord`; :meth:`to_json` is the
    document ``sop case show CASE --json`` prints, projection included.
    """

    record: CaseRecord
    _ctx: Context = field(repr=False, compare=False)
    _document: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The case code, e.g. ``lakip-2021``: what the other methods take as ``case``."""
        return self.record.id

    @property
    def status(self) -> CaseStatus:
        return self.record.status

    @property
    def current_step(self) -> int | None:
        return self.record.current_step

    @property
    def steps(self) -> tuple[StepRecord, ...]:
        return self.record.steps

    def to_json(self) -> dict[str, Any]:
        """The ``sop case show --json`` document; the projection is computed on the first call
        (against the engine's clock then), so call it while the engine is open."""
        if not self._document:
            self._document.update(_case_document(self._ctx, self.record))
        return copy.deepcopy(self._document)


@dataclass(frozen=True)
class CasePage:
    """One page of :meth:`Engine.cases`: the cases, newest year first, and the cursor of the next page."""

    items: tuple[CaseSnapshot, ...]
    #: Pass as ``after`` for the next page; None on the last page.
    next: str | None


class Engine:
    """One install of sop-engine (its settings, database, clock and calendar), as a Python object.

    Open it with :meth:`open` as a context manager; it closes the database connections on exit.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @classmethod
    def open(
        cls,
        config: str | os.PathLike[str] | None = None,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
        office: str | None = None,
    ) -> Engine:
        """The install of ``config`` (a config.toml; else ``$SOP_CONFIG``, else ./config.toml).

        ``database_url`` replaces the config's database (like ``SOP_DATABASE_URL``); ``clock``
        replaces the system clock (tests, simulations); ``office`` (a kode satker, like ``sop
        --kantor``) works in another office of a central install. The database must have been
        prepared with ``sop init``: ConfigError otherwise.
        """
        env = dict(os.environ) if database_url is None else {**os.environ, "SOP_DATABASE_URL": database_url}
        settings = load_settings(None if config is None else Path(config), env=env)
        require_office(settings)
        ctx = Context.open(settings, clock=clock)
        try:
            migrate.require_current(ctx.db.engine)
            return cls(ctx.for_office(office) if office else ctx)
        except BaseException:
            ctx.db.dispose()
            raise

    def close(self) -> None:
        """Release the database connections."""
        self.ctx.db.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- acting ----------------------------------------------------------------------------

    def start_case(self, workflow: str, *, year: int, by: str, at: datetime | None = None) -> CaseSnapshot:
        """Start the yearly case of ``workflow`` (``sop case start``)."""
        return self._snapshot(cases.start_case(self.ctx, workflow, year, by, _instant(at)))

    def complete_step(
        self,
        case: str,
        step: int,
        *,
        by: str,
        files: Iterable[str | os.PathLike[str]] = (),
        note: str | None = None,
        at: datetime | None = None,
    ) -> CaseSnapshot:
        """Complete the active ``step`` with its documents at ``files`` (``sop step done``)."""
        incoming = [IncomingFile.from_path(Path(f)) for f in files]
        return self._snapshot(cases.complete_step(self.ctx, case, step, by, incoming, note, _instant(at)))

    def return_step(
        self, case: str, step: int, *, to: int, by: str, reason: str, at: datetime | None = None
    ) -> CaseSnapshot:
        """Send the active ``step`` back to the earlier step ``to`` (``sop step return``)."""
        return self._snapshot(cases.return_step(self.ctx, case, step, to, by, reason, _instant(at)))

    def cancel_case(self, case: str, *, by: str, reason: str, at: datetime | None = None) -> CaseSnapshot:
        """Cancel a running case (``sop case cancel``)."""
        return self._snapshot(cases.cancel_case(self.ctx, case, by, reason, _instant(at)))

    # --- reading ---------------------------------------------------------------------------

    def case(self, case: str) -> CaseSnapshot:
        """One case (``sop case show``); its ``to_json()`` is computed now."""
        snapshot = self._snapshot(cases.get_case(self.ctx, case))
        snapshot.to_json()
        return snapshot

    def cases(self, *, limit: int = 50, after: str | None = None) -> CasePage:
        """The office's cases, newest year first then by code, ``limit`` (1-1000) at a time, from the
        one after the cursor ``after`` (a page's ``next``), as ``sop case list --limit --after``."""
        page = cases.list_cases(self.ctx, limit=limit, after=after)
        return CasePage(items=tuple(self._snapshot(record) for record in page.items), next=page.next)

    def verify_audit(self, *, head: str | None = None) -> VerifyResult:
        """Walk the audit chain and reconcile it with the tables (``sop audit verify [--head N:HASH]``)."""
        return audit.verify(self.ctx, audit.parse_anchor(head) if head else None)

    def _snapshot(self, record: CaseRecord) -> CaseSnapshot:
        return CaseSnapshot(record, self.ctx)


def _instant(at: datetime | None) -> datetime | None:
    """``at`` as given, once it is known to be aware (a naive time would be ambiguous)."""
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise InvalidInput(
            f"Waktu {at.isoformat()} tidak memiliki zona waktu; berikan datetime yang sadar zona waktu, "
            "misalnya datetime(2021, 1, 11, 8, 0, tzinfo=ZoneInfo('Asia/Jakarta')).",
            value=at.isoformat(),
        )
    return at
