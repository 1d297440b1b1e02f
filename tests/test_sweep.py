"""The start-up sweep of what killed processes leave: temp uploads and partial files of the store.

A file's age is its mtime, set with ``os.utime``, against an injected ``now``; nothing sleeps.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sop_engine import artefacts
from sop_engine.artefacts import ArtefactStore
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.leftovers import STALE_AFTER, Swept
from sop_engine.web import server
from sop_engine.web.uploads import sweep_stale_uploads, upload_dir
from tests.helpers import pdf

NOW = datetime.fromisoformat("2021-01-11T08:00:00+07:00")
OLD = NOW - STALE_AFTER - timedelta(seconds=1)
FRESH = NOW - STALE_AFTER + timedelta(seconds=1)


def leftover(path: Path, size: int, written: datetime) -> Path:
    """A file of ``size`` bytes last written at ``written``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (written.timestamp(), written.timestamp()))
    return path


def test_stale_temp_uploads_are_removed_and_fresh_ones_and_other_files_kept(tmp_path: Path):
    folder = tmp_path / "tmp-uploads"
    stale = [leftover(folder / "upload-a1b2", 300, OLD), leftover(folder / "upload-c3d4", 700, NOW - timedelta(days=9))]
    fresh = leftover(folder / "upload-e5f6", 50, FRESH)  # another process's upload in flight
    at_the_edge = leftover(folder / "upload-g7h8", 10, NOW - STALE_AFTER)
    not_an_upload = leftover(folder / "catatan.txt", 10, OLD)
    elsewhere = leftover(tmp_path / "lain" / "upload-i9j0", 10, OLD)
    (folder / "upload-folder").mkdir()

    assert sweep_stale_uploads(folder, NOW) == Swept(files=2, bytes=1000)
    assert not any(path.exists() for path in stale)
    assert fresh.exists() and at_the_edge.exists() and not_an_upload.exists() and elsewhere.exists()
    assert (folder / "upload-folder").is_dir()


def test_sweeping_a_missing_upload_folder_removes_nothing(tmp_path: Path):
    assert sweep_stale_uploads(tmp_path / "tmp-uploads", NOW) == Swept()


def test_stale_store_partials_are_removed_while_documents_and_fresh_partials_stay(tmp_path: Path):
    store = ArtefactStore(tmp_path / "artefacts")
    document = pdf(tmp_path, "laporan.pdf")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    store.put(document, digest)
    stored = store.path_for(digest)
    os.utime(stored, (OLD.timestamp(), OLD.timestamp()))  # an old document is no leftover
    partial = leftover(stored.parent / ".incoming-k1l2", 4096, OLD)
    other_partial = leftover(store.root / "00" / "11" / ".incoming-m3n4", 96, NOW - timedelta(days=30))
    in_flight = leftover(stored.parent / ".incoming-o5p6", 10, FRESH)
    outside_layout = leftover(store.root / ".incoming-q7r8", 10, OLD)
    outside_store = leftover(tmp_path / "00" / "11" / ".incoming-s9t0", 10, OLD)

    assert store.sweep_partials(NOW) == Swept(files=2, bytes=4192)
    assert not partial.exists() and not other_partial.exists()
    assert store.read(digest) == document.read_bytes()
    assert in_flight.exists() and outside_layout.exists() and outside_store.exists()


def test_start_up_sweep_clears_both_folders_and_logs_files_and_bytes(
    ctx: Context, clock: FixedClock, caplog: pytest.LogCaptureFixture
):
    clock.set(NOW)
    upload = leftover(upload_dir(ctx) / "upload-u1v2", 1000, OLD)
    partial = leftover(artefacts.store_for(ctx).root / "ab" / "cd" / ".incoming-w3x4", 24, OLD)
    kept = leftover(upload_dir(ctx) / "upload-y5z6", 5, FRESH)
    with caplog.at_level(logging.INFO, logger="sop_engine.web"):
        assert server.sweep_leftovers(ctx) == Swept(files=2, bytes=1024)
    assert not upload.exists() and not partial.exists() and kept.exists()
    assert [r.getMessage() for r in caplog.records if r.name == "sop_engine.web"] == [
        "start-up sweep removed 1 stale temp uploads (1000 bytes) and 1 partial store files (24 bytes)"
    ]


def test_serve_sweeps_before_the_server_starts(ctx: Context, clock: FixedClock, monkeypatch: pytest.MonkeyPatch):
    """``sop serve`` runs the sweep first; the web server itself is replaced, so no port is bound."""
    clock.set(NOW)
    upload = leftover(upload_dir(ctx) / "upload-a0b0", 10, OLD)
    seen_when_serving: list[bool] = []
    monkeypatch.setattr(server._Server, "run", lambda self, sockets=None: seen_when_serving.append(upload.exists()))
    server.serve(ctx, "127.0.0.1", 0, with_scheduler=False)
    assert seen_when_serving == [False]
