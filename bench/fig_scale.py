"""Lists that should not grow with history: 10 cases against 10,000, for the API, /kasus and ``sop case list``.

Two databases are built once per run and kept for every repetition: the demo office with one
real case (``lakip-2021``, started and three steps completed through the Engine), then cloned
with bulk inserts to 10 and to 10,000 cases (a ``--quick`` run: 1,000). The clones are the
same case under other workflow names and years (one case per workflow and year), without
documents. Per repetition: the median of 15 requests of the first page of
``GET /api/v1/cases`` and ``GET /kasus`` (one app server per database), and of 3 ``sop case list``
processes. The first page holds at most 20 cases on the API (``api_cases.API_PAGE``), 50 on
/kasus and ``sop case list`` (``paging.DEFAULT_LIMIT``): 10 rows with 10 cases, 20 or 50 with
10,000. The larger database's page carries two to five times the rows, so the ratio errs against
sop-engine, not for it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, insert, select

from bench.harness import Lab, Metric, Ratio
from bench.install import SOP, Install, checkpoint, timed_process
from bench.webclient import ServerProcess
from sop_engine import api_tokens, logins
from sop_engine.db.models import Case, CaseStep
from sop_engine.demo import DEMO_PASSWORD
from sop_engine.paging import DEFAULT_LIMIT
from sop_engine.web.api_cases import API_PAGE

YEARS = 101  # 2000..2100: the years a case may have


def clone_cases(install: Install, total: int) -> None:
    """Grow the install's one case to ``total`` cases with bulk inserts (same steps, other workflow/year)."""
    engine = create_engine(install.database_url)
    cases, steps = Case.__table__, CaseStep.__table__
    with engine.begin() as conn:
        proto = {k: v for k, v in conn.execute(select(cases)).one()._mapping.items() if k != "id"}
        proto_steps = [
            {k: v for k, v in row._mapping.items() if k not in ("id", "case_id")}
            for row in conn.execute(select(steps).join(cases).where(cases.c.code == proto["code"]))
        ]
        ids = []
        for workflow, year in _names(total - 1, taken=(proto["workflow"], proto["year"])):
            row = {**proto, "workflow": workflow, "year": year, "code": f"{workflow}-{year}"}
            ids.append(conn.execute(insert(cases).values(**row)).inserted_primary_key[0])
        conn.execute(insert(steps), [{**step, "case_id": case_id} for case_id in ids for step in proto_steps])
    engine.dispose()
    checkpoint(install.sqlite_file)


def _names(count: int, taken: tuple[str, int]) -> list[tuple[str, int]]:
    """``count`` (workflow, year) pairs other than ``taken``: lakip for 2000-2100, then lakip001, ..."""
    pairs = ((("lakip" if k < YEARS else f"lakip{k // YEARS:03d}"), 2000 + k % YEARS) for k in range(count + 1))
    return [pair for pair in pairs if pair != taken][:count]


@dataclass
class Size:
    """One database size: its install, its app server and the credentials for it."""

    cases: int
    install: Install
    server: ServerProcess
    api: dict[str, str]
    page: dict[str, str]


@dataclass
class ListScale:
    name: str = "lists"
    title: str = "Lists: first page with 10 cases vs many"
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = ()
    ratios: tuple[Ratio, ...] = ()

    def prepare(self, lab: Lab) -> None:
        self._many = lab.scale(10_000, 1_000)
        self.title = f"Lists: first page with 10 cases vs {self._many:,}"
        self.metrics = tuple(
            Metric(f"{what}_{n}", f"{label}, {n:,} cases", "s")
            for what, label in (("api", "GET /api/v1/cases"), ("kasus", "GET /kasus"), ("cli", "sop case list"))
            for n in (10, self._many)
        )
        self.ratios = tuple(
            Ratio(f"{label}: {self._many:,} / 10 cases", f"{what}_{self._many}", f"{what}_10", "<= 2")
            for what, label in (("api", "API list"), ("kasus", "/kasus"), ("cli", "sop case list"))
        )
        self._sizes = [self._size(lab, n) for n in (10, self._many)]
        # A request takes milliseconds: 15 of them per median (3 were at the mercy of one slow one on a
        # loaded machine); a `sop case list` process takes half a second: 3 of them.
        self._requests = lab.scale(15, 3)
        self._count = lab.scale(3, 1)
        self.notes.append(
            f"first page: at most {API_PAGE} cases (API), {DEFAULT_LIMIT} (/kasus, sop case list); so 10 rows with "
            f"10 cases, {API_PAGE} or {DEFAULT_LIMIT} with {self._many:,}; medians of {self._requests} requests, "
            f"{self._count} processes"
        )

    def _size(self, lab: Lab, cases: int) -> Size:
        install = Install(lab.folder / f"{self.name}-{cases}").init_demo()
        install.with_case(done=3)
        clone_cases(install, cases)
        with install.engine() as engine:
            api = {"Authorization": f"Bearer {api_tokens.issue_token(engine.ctx, 'sekretaris', label='bench')}"}
            page = {"Cookie": f"sop_sesi={logins.login(engine.ctx, 'sekretaris', DEMO_PASSWORD).session_id}"}
        server = ServerProcess("app", str(install.config), "{port}", log=install.folder / "app.log")
        return Size(cases, install, server, api, page)

    def measure(self, lab: Lab) -> dict[str, float]:
        values: dict[str, float] = {}
        for size in self._sizes:
            api = size.server.get("/api/v1/cases", size.api, self._requests, warm_up=1)
            kasus = size.server.get("/kasus", size.page, self._requests, warm_up=1)
            cli = [
                timed_process([SOP, "--config", str(size.install.config), "case", "list"]) for _ in range(self._count)
            ]
            values[f"api_{size.cases}"] = api.median_ms / 1000
            values[f"kasus_{size.cases}"] = kasus.median_ms / 1000
            values[f"cli_{size.cases}"] = statistics.median(t.wall for t in cli)
            note = f"{size.cases:,} cases: API list {api.size:,} B, /kasus {kasus.size:,} B"
            if note not in self.notes:
                self.notes.append(note)
        return values

    def close(self) -> None:
        for size in getattr(self, "_sizes", []):
            size.server.stop()


def figures() -> list[Any]:
    return [ListScale()]
