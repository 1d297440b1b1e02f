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
sop-engine, not for it; like with like, the API and the CLI are also asked for 10 rows of the
large database (``?limit=10``, ``--limit 10``; /kasus takes no page size).
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
        lists = (("api", "GET /api/v1/cases", "API list"), ("kasus", "GET /kasus", "/kasus"))
        lists += (("cli", "sop case list", "sop case list"),)
        many = self._many
        self.metrics = (
            *(Metric(f"{what}_{n}", f"{shown}, {n:,} cases", "s") for what, shown, _ in lists for n in (10, many)),
            Metric(f"api_{many}_10", f"GET /api/v1/cases?limit=10, {many:,} cases", "s"),
            Metric(f"cli_{many}_10", f"sop case list --limit 10, {many:,} cases", "s"),
        )
        self.ratios = (
            *(
                Ratio(f"{label}: {many:,} / 10 cases", f"{what}_{many}", f"{what}_10", "<= 2")
                for what, _, label in lists
            ),
            # like with like: 10 rows on both sides (/kasus takes no page size)
            Ratio(f"API list, 10 rows each: {many:,} / 10 cases", f"api_{many}_10", "api_10", "<= 2"),
            Ratio(f"sop case list, 10 rows each: {many:,} / 10 cases", f"cli_{many}_10", "cli_10", "<= 2"),
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
            if size.cases != 10:  # the first 10 rows of the large database, as many as the small one has
                config = str(size.install.config)
                ten = size.server.get("/api/v1/cases?limit=10", size.api, self._requests, warm_up=1)
                cli_ten = [timed_process([SOP, "--config", config, "case", "list", "--limit", "10"]) for _ in cli]
                values[f"api_{size.cases}_10"] = ten.median_ms / 1000
                values[f"cli_{size.cases}_10"] = statistics.median(t.wall for t in cli_ten)
            note = f"{size.cases:,} cases: API list {api.size:,} B, /kasus {kasus.size:,} B"
            if note not in self.notes:
                self.notes.append(note)
        return values

    def close(self) -> None:
        for size in getattr(self, "_sizes", []):
            size.server.stop()


def figures() -> list[Any]:
    return [ListScale()]
