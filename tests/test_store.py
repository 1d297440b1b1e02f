"""The document store (sop_engine/store.py): small documents are rows committed with their step, larger
ones files made durable before the commit; every read re-checks the hash, wherever the bytes are.

The folder store's own claims (same bytes stored once, altered or missing files refused) are in
tests/test_artefacts.py and tests/test_web_downloads.py, with documents too large for the database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sop_engine import artefacts, cases, store
from sop_engine.artefacts import ArtefactRecord, IncomingFile
from sop_engine.config import Settings, StorageSettings, load_settings
from sop_engine.context import Context
from sop_engine.db.models import ArtefactBlob
from sop_engine.errors import ConfigError, IntegrityError, InvalidInput, NotAllowed
from tests.conftest import ROOT
from tests.helpers import alter_document, large_pdf, pdf, run_cli

CASE = "lakip-2021"


def kept(ctx: Context) -> list[tuple[str, int]]:
    """The documents kept in the database: (sha256, size)."""
    with ctx.db.read() as session:
        return [(row.sha256, row.size) for row in session.execute(select(ArtefactBlob.sha256, ArtefactBlob.size))]


def files_in(ctx: Context) -> list[Path]:
    root = ctx.settings.storage.artefacts_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def complete_first_step(ctx: Context, document: Path) -> ArtefactRecord:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    record = cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(document)])
    (stored,) = record.steps[0].artefacts
    return stored


def test_a_small_document_is_a_row_committed_with_its_step_and_no_file(ctx: Context, tmp_path: Path) -> None:
    document = pdf(tmp_path, "disposisi.pdf")
    stored = complete_first_step(ctx, document)
    assert kept(ctx) == [(stored.sha256, document.stat().st_size)]
    assert files_in(ctx) == []
    assert artefacts.store_for(ctx).read(stored.sha256) == document.read_bytes()


def test_the_same_small_bytes_attached_twice_are_kept_once(ctx: Context, tmp_path: Path) -> None:
    original = pdf(tmp_path, "disposisi.pdf", "sama")
    first = complete_first_step(ctx, original)
    copy = tmp_path / "format-salinan.pdf"
    copy.write_bytes(original.read_bytes())
    record = cases.complete_step(ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(copy)])
    assert record.steps[1].artefacts[0].sha256 == first.sha256
    assert kept(ctx) == [(first.sha256, original.stat().st_size)]


def test_a_document_over_the_limit_is_a_file_and_not_a_row(ctx: Context, tmp_path: Path) -> None:
    document = large_pdf(tmp_path, "lkj.pdf")
    stored = complete_first_step(ctx, document)
    assert kept(ctx) == []
    assert files_in(ctx) == [artefacts.store_for(ctx).path_for(stored.sha256)]


def test_a_limit_of_zero_keeps_every_document_as_a_file(ctx: Context, tmp_path: Path) -> None:
    ctx.settings = dataclasses.replace(
        ctx.settings, storage=dataclasses.replace(ctx.settings.storage, inline_max_bytes=0)
    )
    stored = complete_first_step(ctx, pdf(tmp_path, "disposisi.pdf"))
    assert kept(ctx) == []
    assert files_in(ctx) == [artefacts.store_for(ctx).path_for(stored.sha256)]


def test_an_altered_row_is_refused_on_every_read(ctx: Context, settings: Settings, clock, tmp_path: Path) -> None:
    stored = complete_first_step(ctx, pdf(tmp_path, "disposisi.pdf"))
    alter_document(ctx, stored.sha256, lambda data: data.replace(b"dokumen", b"DOKUMEN"))
    with pytest.raises(IntegrityError, match="telah berubah") as caught:
        artefacts.store_for(ctx).read(stored.sha256)
    assert stored.sha256 in caught.value.message and "basis data" in caught.value.message
    with pytest.raises(IntegrityError, match="telah berubah"):
        artefacts.store_for(ctx).open_verified(stored.sha256)
    target = tmp_path / "salinan.pdf"
    run = run_cli(["artefacts", "get", CASE, stored.id, "-o", str(target)], settings, clock)
    assert run.code == 1 and "telah berubah" in run.err and not target.exists()


def test_a_row_is_sent_in_verified_chunks(ctx: Context, tmp_path: Path) -> None:
    document = pdf(tmp_path, "disposisi.pdf")
    stored = complete_first_step(ctx, document)
    verified = artefacts.store_for(ctx).open_verified(stored.sha256)
    assert verified.size == document.stat().st_size
    assert b"".join(verified.chunks()) == document.read_bytes()


def test_a_document_in_neither_place_is_missing(ctx: Context) -> None:
    with pytest.raises(IntegrityError, match="hilang dari penyimpanan"):
        artefacts.store_for(ctx).read("ab" * 32)


def test_a_row_whose_source_changed_while_being_kept_is_refused(ctx: Context, tmp_path: Path) -> None:
    source = pdf(tmp_path, "disposisi.pdf")
    with ctx.db.write() as session, pytest.raises(InvalidInput, match="berubah saat sedang disimpan"):
        artefacts.store_for(ctx).put_row(session.connection(), source, "cd" * 32)
    assert kept(ctx) == []


def test_a_refused_completion_keeps_no_row(ctx: Context, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    good = pdf(tmp_path, "disposisi.pdf")
    with pytest.raises(NotAllowed, match="hanya dapat dikerjakan"):
        cases.complete_step(ctx, CASE, 1, "staf1", files=[IncomingFile.from_path(good)])
    assert kept(ctx) == [] and files_in(ctx) == []


def test_a_file_and_its_folders_are_fsynced_before_the_commit(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the folder's fsync the rename may not survive a crash, while the committed row points at it."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    document = large_pdf(tmp_path, "lkj.pdf")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    synced: list[str] = []
    real_fsync = os.fsync

    def recording(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(store.os, "fsync", recording)
    real_put = artefacts.ArtefactStore.put

    def put_then_mark(self: store.ArtefactStore, source: Path, sha256: str) -> None:
        real_put(self, source, sha256)
        synced.append("stored")

    monkeypatch.setattr(artefacts.ArtefactStore, "put", put_then_mark)
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(document)])
    target = artefacts.store_for(ctx).path_for(digest)
    root = ctx.settings.storage.artefacts_dir
    made = [str(root.parent), str(root), str(target.parent.parent)]  # each new folder, in the folder holding it
    assert synced[:3] == made
    assert os.path.basename(synced[3]).startswith(store.ArtefactStore.PARTIAL_PREFIX)  # the bytes
    assert synced[4:] == [str(target.parent), "stored"]  # the rename, then the row is written and committed


def test_inline_max_kb_is_read_from_config_and_a_negative_value_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert load_settings(ROOT / "config.toml", env={}).storage.inline_max_bytes == 128 * 1024
    assert StorageSettings().inline_max_bytes == 128 * 1024
    config = tmp_path / "config.toml"
    config.write_text(text.replace("inline_max_kb = 128", "inline_max_kb = 0"), encoding="utf-8")
    assert load_settings(config, env={}).storage.inline_max_bytes == 0
    config.write_text(text.replace("inline_max_kb = 128", "inline_max_kb = -1"), encoding="utf-8")
    with pytest.raises(ConfigError, match="inline_max_kb"):
        load_settings(config, env={})


def test_the_row_count_of_documents_is_the_number_of_distinct_small_contents(ctx: Context, tmp_path: Path) -> None:
    complete_first_step(ctx, pdf(tmp_path, "disposisi.pdf", "satu"))
    cases.complete_step(ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(pdf(tmp_path, "format.pdf", "dua"))])
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ArtefactBlob)) == 2
