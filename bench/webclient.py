"""One HTTP client against a server process: median latency and the server's CPU per request."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.install import PYTHON, ROOT

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass(frozen=True)
class Latency:
    median_ms: float
    server_cpu_ms: float
    size: int


class ServerProcess:
    """``python -m bench.serve ARGS`` on a free port, stopped by :meth:`stop`."""

    def __init__(self, *args: str, log: Path) -> None:
        self.port = free_port()
        argv = [a.replace("{port}", str(self.port)) for a in args]
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "bench.serve", *argv], cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bench.serve {' '.join(argv)} exited: see {log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"bench.serve {' '.join(argv)} did not listen within 60 s")

    def get(self, path: str, headers: dict[str, str], count: int, warm_up: int = 3) -> Latency:
        """``count`` sequential GETs on one keep-alive connection, after ``warm_up`` unmeasured ones."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        size = 0
        try:
            for _ in range(warm_up):
                size = len(_fetch(conn, path, headers))
            cpu = process_cpu(self.proc.pid)
            times = []
            for _ in range(count):
                start = time.perf_counter()
                size = len(_fetch(conn, path, headers))
                times.append(time.perf_counter() - start)
            used = process_cpu(self.proc.pid) - cpu
        finally:
            conn.close()
        return Latency(1000 * statistics.median(times), 1000 * used / count, size)

    def body(self, path: str, headers: dict[str, str]) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            return _fetch(conn, path, headers)
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def _fetch(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> bytes:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {data[:300]!r}")
    return data
