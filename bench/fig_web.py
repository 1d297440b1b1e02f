"""One web client: ``GET /api/v1/cases/{id}`` and ``GET /tugas`` against a bare FastAPI app.

sop-engine's app (the app of ``sop serve``, without the scheduler) and a bare FastAPI app run as
two server processes (:mod:`bench.serve`, uvicorn) on the same machine. The bare app answers
the very bodies the real one gave (the case's JSON, re-serialised per request; the Tugas Saya
HTML), so the responses are the same size. One client sends sequential requests on one
keep-alive connection: the median latency, and the server process's CPU per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.harness import Lab, Metric, Ratio
from bench.install import Install
from bench.webclient import ServerProcess
from sop_engine import api_tokens, logins
from sop_engine.demo import DEMO_PASSWORD


@dataclass
class OneClient:
    name: str = "web"
    title: str = "Web, one client: median latency and server CPU per request"
    notes: list[str] = field(default_factory=list)
    metrics: tuple[Metric, ...] = (
        Metric("api_ms", "GET /api/v1/cases/lakip-2021", "ms"),
        Metric("api_cpu", "GET /api/v1/cases/lakip-2021 server CPU", "ms/request"),
        Metric("bare_json_ms", "bare FastAPI, the same JSON", "ms"),
        Metric("bare_json_cpu", "bare FastAPI, the same JSON, server CPU", "ms/request"),
        Metric("tugas_ms", "GET /tugas (staf1)", "ms"),
        Metric("tugas_cpu", "GET /tugas server CPU", "ms/request"),
        Metric("bare_html_ms", "bare FastAPI, the same HTML", "ms"),
        Metric("bare_html_cpu", "bare FastAPI, the same HTML, server CPU", "ms/request"),
    )
    ratios: tuple[Ratio, ...] = (
        Ratio("API case / bare JSON (median latency)", "api_ms", "bare_json_ms", "<= 3"),
        Ratio("Tugas Saya / bare HTML (median latency)", "tugas_ms", "bare_html_ms", "<= 3"),
    )

    def prepare(self, lab: Lab) -> None:
        install = Install(lab.folder / self.name).init_demo()
        install.with_case(done=3)  # step 4 (staf) is active: it is on staf1's Tugas Saya
        with install.engine() as engine:
            token = api_tokens.issue_token(engine.ctx, "sekretaris", label="bench")
            login = logins.login(engine.ctx, "staf1", DEMO_PASSWORD)
        self._api = {"Authorization": f"Bearer {token}"}
        self._page = {"Cookie": f"sop_sesi={login.session_id}"}
        self._app = ServerProcess("app", str(install.config), "{port}", log=install.folder / "app.log")
        case_json, tugas = install.folder / "case.json", install.folder / "tugas.html"
        case_json.write_bytes(self._app.body("/api/v1/cases/lakip-2021", self._api))
        tugas.write_bytes(self._app.body("/tugas", self._page))
        self._bare = ServerProcess("bare", "{port}", str(case_json), str(tugas), log=install.folder / "bare.log")
        self._requests = lab.scale(200, 20)
        self.notes.append(f"{self._requests} requests per measurement after 3 unmeasured ones")

    def measure(self, lab: Lab) -> dict[str, float]:
        api = self._app.get("/api/v1/cases/lakip-2021", self._api, self._requests)
        bare_json = self._bare.get("/json", {}, self._requests)
        tugas = self._app.get("/tugas", self._page, self._requests)
        bare_html = self._bare.get("/html", {}, self._requests)
        if len(self.notes) == 1:  # the first repetition notes the sizes
            self.notes.append(
                f"response sizes: JSON {api.size} / {bare_json.size} B, HTML {tugas.size} / {bare_html.size} B"
            )
        return {
            "api_ms": api.median_ms,
            "api_cpu": api.server_cpu_ms,
            "bare_json_ms": bare_json.median_ms,
            "bare_json_cpu": bare_json.server_cpu_ms,
            "tugas_ms": tugas.median_ms,
            "tugas_cpu": tugas.server_cpu_ms,
            "bare_html_ms": bare_html.median_ms,
            "bare_html_cpu": bare_html.server_cpu_ms,
        }

    def close(self) -> None:
        for server in (getattr(self, "_app", None), getattr(self, "_bare", None)):
            if server is not None:
                server.stop()


def figures() -> list[OneClient]:
    return [OneClient()]
