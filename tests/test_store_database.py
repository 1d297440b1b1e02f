"""``[storage] backend = "database"``: every document, whatever its size, is a row committed with its step.

Large documents too (the folder is never written), so web nodes sharing the database share the
documents; they are downloaded, archived and read back with their hash re-checked as with the
folder store; a crash half-way leaves no row; ``/readyz`` and ``sop config check`` look at the
database instead of the folder. The backend's name is checked when config.toml is read.
"""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from sop_engine import archive, artefacts, case_links, cases
from sop_engine.artefacts import ArtefactRecord, IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import StorageSettings, load_settings
from sop_engine.context import Context
from sop_engine.db.models import ArtefactBlob
from sop_engine.errors import ConfigError
from sop_engine.web.app import create_app
from tests.conftest import ROOT
from tests.helpers import large_pdf, run_cli
from tests.web_support import client_for, give_passwords, log_in

CASE = "lakip-2021"


@pytest.fixture
def in_database(ctx: Context, tmp_path: Path) -> Context:
    """``ctx`` with ``backend = "database"`` and its store's folder where no folder can be made (a file)."""
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("a file where the store's folder would be", encoding="utf-8")
    storage = dataclasses.replace(ctx.settings.storage, backend="database", artefacts_dir=blocker / "artefacts")
    ctx.settings = dataclasses.replace(ctx.settings, storage=storage)
    return ctx


def rows(ctx: Context) -> list[tuple[str, int]]:
    with ctx.db.read() as session:
        return [(r.sha256, r.size) for r in session.execute(select(ArtefactBlob.sha256, ArtefactBlob.size))]


def attach_large(ctx: Context, folder: Path) -> tuple[ArtefactRecord, bytes]:
    document = large_pdf(folder, "disposisi.pdf")
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    record = cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(document)])
    (stored,) = record.steps[0].artefacts
    return stored, document.read_bytes()


def test_the_backend_is_read_from_config_and_an_unknown_one_is_refused_with_the_choices(tmp_path: Path) -> None:
    shipped = ROOT / "config.toml"
    assert load_settings(shipped, env={}).storage.backend == "filesystem" == StorageSettings().backend
    text = shipped.read_text(encoding="utf-8")
    assert text.count('backend = "filesystem"') == 1
    config = tmp_path / "config.toml"
    config.write_text(text.replace('backend = "filesystem"', 'backend = "database"'), encoding="utf-8")
    assert load_settings(config, env={}).storage.in_database
    config.write_text(text.replace('backend = "filesystem"', 'backend = "databse"'), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(config, env={})
    assert refused.value.message == (
        f"{config}: [storage] backend = 'databse' tidak dikenal. Maksud Anda 'database'? Pilih 'filesystem' "
        "(dokumen besar sebagai berkas di artefacts_dir) atau 'database' (semua dokumen di basis data, untuk "
        "beberapa server web yang berbagi satu basis data)."
    )


def test_a_large_document_is_a_row_and_no_file_and_reads_back_byte_identical(
    in_database: Context, tmp_path: Path, clock: FixedClock
) -> None:
    ctx = in_database
    stored, data = attach_large(ctx, tmp_path)
    assert stored.size > ctx.settings.storage.inline_max_bytes
    assert rows(ctx) == [(stored.sha256, len(data))]
    assert not ctx.settings.storage.artefacts_dir.parent.is_dir()  # never made: it is a file
    assert artefacts.store_for(ctx).read(stored.sha256) == data
    target = tmp_path / "ambil" / "disposisi.pdf"
    got = run_cli(["artefacts", "get", CASE, stored.id, "-o", str(target)], ctx.settings, clock)
    assert got.code == 0, got.err
    assert target.read_bytes() == data
    built = archive.build_archive(ctx, CASE, tmp_path / "arsip.zip")
    with zipfile.ZipFile(built.path) as bundle:
        (member,) = [n for n in bundle.namelist() if n.startswith("dokumen/")]
        assert bundle.read(member) == data


def test_a_large_document_downloads_from_the_web_with_its_hash_rechecked(in_database: Context, tmp_path: Path) -> None:
    ctx = in_database
    stored, data = attach_large(ctx, tmp_path)
    give_passwords(ctx)
    client = client_for(ctx)
    log_in(client, "sekretaris")
    response = client.get(f"/kasus/{CASE}/dokumen/{stored.id}")
    assert response.status_code == 200 and response.content == data
    with ctx.db.engine.begin() as connection:  # the row altered behind the engine's back
        connection.execute(text("UPDATE artefact_blobs SET content = :bytes"), {"bytes": data + b"x"})
    assert client.get(f"/kasus/{CASE}/dokumen/{stored.id}").status_code == 500


def test_a_crash_after_the_row_is_written_leaves_no_row_and_no_step(
    in_database: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = in_database
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    seen: dict[str, Any] = {}

    def crash(ctx: Context, session: Session, *args: Any, **kwargs: Any) -> None:
        seen["rows"] = session.connection().scalar(select(func.count()).select_from(ArtefactBlob))
        raise RuntimeError("crash after every write, before the commit")

    document = IncomingFile.from_path(large_pdf(tmp_path, "disposisi.pdf"))
    with monkeypatch.context() as patched:  # (on PostgreSQL the row is sent with the audit event)
        patched.setattr(case_links, "finish_parent", crash)
        with pytest.raises(RuntimeError):
            cases.complete_step(ctx, CASE, 1, "sekretaris", [document])
    assert seen == {"rows": 1}  # the row was in the transaction ...
    assert rows(ctx) == []  # ... and went with it
    assert cases.get_case(ctx, CASE).current_step == 1


def test_readyz_checks_the_database_store_and_not_the_folder(in_database: Context) -> None:
    ctx = in_database
    response = TestClient(create_app(ctx)).get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["storage"] == "ok"
    with ctx.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE artefact_blobs"))
    broken = TestClient(create_app(ctx)).get("/readyz")
    assert broken.status_code == 503
    assert broken.json()["failed"] == ["storage"] and broken.json()["checks"]["schema"] == "ok"


def test_config_check_does_not_ask_for_a_writable_folder_with_the_database_backend(
    in_database: Context, clock: FixedClock
) -> None:
    checked = run_cli(["config", "check"], in_database.settings, clock)
    assert checked.code == 0 and "Tidak ada masalah." in checked.out, checked.out
    assert any(line.split() == ["storage.backend", "database"] for line in checked.out.splitlines())
    filesystem = dataclasses.replace(in_database.settings.storage, backend="filesystem")
    refused = run_cli(["config", "check"], dataclasses.replace(in_database.settings, storage=filesystem), clock)
    assert refused.code == 1 and "tidak dapat ditulis ([storage] artefacts_dir)" in refused.out, refused.out
