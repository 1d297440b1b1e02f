"""A central install as it is deployed: two stateless ``sop serve`` nodes and two ``sop scheduler run``
workers, real processes, sharing nothing but one PostgreSQL database, ``[storage] backend = "database"``.

Each process has its own folder (its ``artefacts_dir``), so nothing passes through a shared disk:

* a document uploaded through node A (larger than ``inline_max_kb``) downloads byte-identical
  through node B, and neither node wrote it to its folder;
* the notifications of 100 cases started in the past, 50 in each of two offices (200 of them due
  now: each reminder is skipped because its due notice is due too) are delivered by the two
  workers, each serving both offices, to a recording webhook gateway, each exactly once.

Time is injected as in ``test_scheduler_processes.py``: the cases are started in process on a
fixed clock in 2021, so their notices are due at the workers' real clock. Every wait is bounded
and waits on a condition (the gateway's condition variable, the database settling).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from sop_engine import api_tokens, cases, outbox
from sop_engine.clock import FixedClock
from sop_engine.config import Settings, load_settings
from sop_engine.context import Context
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.install import initialise
from tests.helpers import large_pdf
from tests.offices_support import OTHER, add_other_office
from tests.servers import SOP, HttpSink, free_port, http_sink, serve_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SOP.exists(), reason="the `sop` script is installed")]

STARTED = datetime.fromisoformat("2021-01-11T08:00:00+07:00")  # Monday; step 1 is 10 menit
STOP_TIMEOUT = 30
#: A row of a worker's pass report: the notification's id, then its kind (as in test_scheduler_processes.py).
SETTLED = re.compile(r"^(\d+)\s{2,}(?:pengingat|tenggat|eskalasi)", re.MULTILINE)


def node_config(folder: Path, url: str, gateway: str) -> Path:
    """The shipped config for one process: the shared database, documents in it, its own folder, webhook only."""
    folder.mkdir(parents=True, exist_ok=True)
    path = serve_config(folder)
    text = path.read_text(encoding="utf-8")
    replacements = {
        'url = "sqlite:///var/sop.db"': f"url = {json.dumps(url)}",
        'artefacts_dir = "var/artefacts"': f"artefacts_dir = {json.dumps(str(folder / 'artefacts'))}",
        'backend = "filesystem"': 'backend = "database"',
        'default_channels = ["email", "log"]': 'default_channels = ["webhook"]',
        "poll_seconds = 15": "poll_seconds = 1",
        'enabled = false\nurl = "https://gateway.example/kirim"': f"enabled = true\nurl = {json.dumps(gateway)}",
        "[notifications.log]\n# Every message also appended to this file as one JSON line (handy without a mail "
        "server).\nenabled = true": "[notifications.log]\nenabled = false",
        "[notifications.digest]\n# Each person's active and late steps, sent at this time on every working "
        "day.\nenabled = true": "[notifications.digest]\nenabled = false",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"config.toml no longer contains {old!r}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Process:
    """One ``sop`` process of the deployment, its output in files of its folder."""

    name: str
    proc: subprocess.Popen[bytes]
    folder: Path

    @property
    def out(self) -> str:
        return (self.folder / "stdout").read_text(encoding="utf-8", errors="replace")

    @property
    def err(self) -> str:
        return (self.folder / "stderr").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=STOP_TIMEOUT)

    def describe(self) -> str:
        return f"--- {self.name} stdout ---\n{self.out}\n--- {self.name} stderr ---\n{self.err}"


@pytest.fixture
def launch() -> Iterator[Callable[..., Process]]:
    """Start ``sop --config CONFIG ARGS...`` processes; any still running at the end are killed."""
    started: list[Process] = []

    def start(name: str, config: Path, *args: str) -> Process:
        env = {k: v for k, v in os.environ.items() if k not in ("SOP_CONFIG", "SOP_DATABASE_URL")}
        with (config.parent / "stdout").open("wb") as out, (config.parent / "stderr").open("wb") as err:
            proc = subprocess.Popen(
                [str(SOP), "--config", str(config), *args],
                cwd=config.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        started.append(Process(name, proc, config.parent))
        return started[-1]

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def office(settings: Settings) -> Iterator[Context]:
    """The demo office and a second one on the test's PostgreSQL database, on a clock in 2021, with 50
    cases each started then."""
    ctx = Context.open(settings, clock=FixedClock(STARTED))
    initialise(ctx, DEMO_PEOPLE)
    other = add_other_office(ctx)
    for year in range(2000, 2100):
        cases.start_case(ctx if year % 2 else other, "lakip", year, "sekretaris", at=STARTED)
    yield ctx
    ctx.db.dispose()


def due_now(ctx: Context) -> set[int]:
    """The notifications a worker must deliver now in both offices: every pending one due, less a reminder
    whose due notice is due."""
    now = datetime.now(UTC)
    every = [*outbox.list_notifications(ctx), *outbox.list_notifications(ctx.for_office(OTHER))]
    notes = [n for n in every if n.status == NotificationStatus.PENDING and n.due_at <= now]
    notices = {(n.case, n.step, n.round, n.recipient) for n in notes if n.kind == NotificationKind.DUE}
    return {
        n.id
        for n in notes
        if not (n.kind == NotificationKind.REMINDER and (n.case, n.step, n.round, n.recipient) in notices)
    }


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` (a database read) until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def upload_through_a_download_through_b(node_a: str, node_b: str, token: str, document: Path) -> bytes:
    """Start a case and complete its step 1 with ``document`` on node A; the bytes node B sends back."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=node_a, headers=headers, timeout=30) as a:
        started = a.post("/api/v1/cases", json={"workflow": "lakip", "year": 2100})
        assert started.status_code == 201, started.text
        with document.open("rb") as handle:
            files = {"files": (document.name, handle, "application/pdf")}
            completed = a.post("/api/v1/cases/lakip-2100/steps/1/complete", files=files)
        assert completed.status_code == 200, completed.text
    (stored,) = completed.json()["steps"][0]["artefacts"]
    with httpx2.Client(base_url=node_b, headers=headers, timeout=30) as b:
        downloaded = b.get(f"/api/v1/cases/lakip-2100/artefacts/{stored['id']}")
    assert downloaded.status_code == 200, downloaded.text
    return downloaded.content


def delivered_ids(sink: HttpSink) -> Counter[int]:
    with sink.condition:
        return Counter(json.loads(request.body)["notification"] for request in sink.requests)


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_web_nodes_and_two_workers_share_one_postgresql_and_nothing_else(
    office: Context, settings: Settings, launch: Callable[..., Process], tmp_path: Path
) -> None:
    url = settings.database.url
    token = api_tokens.issue_token(office, "sekretaris")
    with http_sink() as gateway:
        configs = {name: node_config(tmp_path / name, url, gateway.url) for name in ("a", "b", "w1", "w2")}
        assert load_settings(configs["a"], env={}).storage.in_database
        ports = {name: free_port() for name in ("a", "b")}
        nodes = {n: launch(f"node-{n}", configs[n], "serve", "--no-scheduler", "--port", str(ports[n])) for n in ports}
        for name, node in nodes.items():
            wait_for(f"http://127.0.0.1:{ports[name]}/healthz", node.proc)

        document = large_pdf(tmp_path, "disposisi.pdf", "dua node")
        base_a, base_b = (f"http://127.0.0.1:{ports[n]}" for n in ("a", "b"))
        assert upload_through_a_download_through_b(base_a, base_b, token, document) == document.read_bytes()
        assert document.stat().st_size > settings.storage.inline_max_bytes
        assert [p for n in configs for p in (tmp_path / n / "artefacts").rglob("*") if p.is_file()] == []
        assert httpx2.get(f"{base_b}/readyz").json()["checks"] == {"database": "ok", "schema": "ok", "storage": "ok"}

        expected = due_now(office)
        assert len(expected) == 200  # the 2100 case's notices lie minutes ahead, at the earliest
        workers = [launch(name, configs[name], "scheduler", "run") for name in ("w1", "w2")]
        gateway.wait_for(200, timeout=180)
        wait_until(lambda: not (due_now(office) & expected), timeout=60, what="the 200 notifications to settle")
        assert [w.stop() for w in workers] == [0, 0], "\n".join(w.describe() for w in workers)
        assert [n.stop() for n in nodes.values()] == [0, 0], "\n".join(n.describe() for n in nodes.values())

    counts = delivered_ids(gateway)
    assert set(counts) == expected and set(counts.values()) == {1}, counts.most_common(3)
    both = [*outbox.list_notifications(office), *outbox.list_notifications(office.for_office(OTHER))]
    sent = {n.id for n in both if n.status == NotificationStatus.SENT}
    assert sent == expected
    assert {n.case for n in both if n.id in expected} == {f"lakip-{year}" for year in range(2000, 2100)}
    for process in [*workers, *nodes.values()]:
        assert "Traceback" not in process.err, process.describe()
    settled = [{int(nid) for nid in SETTLED.findall(w.out)} for w in workers]
    assert not settled[0] & settled[1], "a notification was settled by both workers"
    assert expected <= settled[0] | settled[1]
    print(f"[central-nodes] settled by w1: {len(settled[0])}, by w2: {len(settled[1])}")
