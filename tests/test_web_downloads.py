"""Downloading a document from the pages and the API: streamed in chunks, its hash re-checked first.

The app runs through a TestClient on both backends; the download is read with ``client.stream``
(the test client hands the body over chunk by chunk), and tracemalloc measures what the server
side held meanwhile.
"""

from __future__ import annotations

import hashlib
import random
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sop_engine import api_tokens, artefacts, cases
from sop_engine.artefacts import ArtefactRecord, ArtefactStore, IncomingFile, VerifiedFile
from sop_engine.context import Context
from sop_engine.errors import IntegrityError
from tests.web_support import client_for, log_in

CASE = "lakip-2021"
MB = 1024 * 1024
#: A scanned LKj is this large: big enough that holding it whole would dwarf the chunks.
BIG = 16 * MB


@dataclass
class Download:
    """A logged-in client and the address and headers that download one document."""

    client: TestClient
    url: str
    headers: dict[str, str]


def big_pdf(folder: Path, size: int = BIG) -> Path:
    """A file of ``size`` bytes that sniffs as PDF, its body incompressible noise."""
    path = folder / "lkj-pindaian.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(2021).randbytes(size - 9))
    return path


def attach(ctx: Context, file: Path) -> ArtefactRecord:
    """Start the 2021 case and complete step 1 with ``file``; its stored record."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(file)])
    return artefacts.list_artefacts(ctx, CASE)[0]


def download_of(ctx: Context, record: ArtefactRecord, route: str) -> Download:
    client = client_for(ctx)
    if route == "page":
        log_in(client, "staf1")
        return Download(client, f"/kasus/{CASE}/dokumen/{record.id}", {})
    token = api_tokens.issue_token(ctx, "inspektorat")
    return Download(client, f"/api/v1/cases/{CASE}/artefacts/{record.id}", {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("route", ["page", "api"])
def test_a_multi_megabyte_document_streams_without_being_held_whole_in_memory(ctx: Context, tmp_path: Path, route: str):
    record = attach(ctx, big_pdf(tmp_path))
    download = download_of(ctx, record, route)
    received, size = hashlib.sha256(), 0
    tracemalloc.start()
    try:
        with download.client.stream("GET", download.url, headers=download.headers) as response:
            status, headers = response.status_code, response.headers
            for chunk in response.iter_bytes():
                received.update(chunk)
                size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 200
    assert headers["content-type"] == "application/pdf" and headers["content-length"] == str(BIG)
    assert (size, received.hexdigest()) == (BIG, record.sha256)
    assert peak < BIG // 4, f"{peak / MB:.1f} MiB held while sending a {BIG // MB} MiB document"


def alter(path: Path) -> None:
    """Change one byte in the middle of ``path``, keeping its size (as a disk fault or an intruder would)."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("route", ["page", "api"])
def test_an_altered_stored_document_answers_500_with_the_integrity_error_and_none_of_its_bytes(
    ctx: Context, tmp_path: Path, route: str
):
    record = attach(ctx, big_pdf(tmp_path, 3 * MB))
    alter(artefacts.store_for(ctx).path_for(record.sha256))
    download = download_of(ctx, record, route)
    response = download.client.get(download.url, headers=download.headers)
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers
    assert "telah berubah" in response.text and record.sha256 in response.text
    assert "laporkan ke Inspektorat" in response.text
    assert b"%PDF" not in response.content


def test_a_missing_stored_document_answers_500_naming_its_hash(ctx: Context, tmp_path: Path):
    record = attach(ctx, big_pdf(tmp_path, MB))
    artefacts.store_for(ctx).path_for(record.sha256).unlink()
    download = download_of(ctx, record, "api")
    response = download.client.get(download.url, headers=download.headers)
    assert response.status_code == 500
    assert "hilang dari penyimpanan" in response.json()["error"] and record.sha256 in response.json()["error"]


def stored(tmp_path: Path, size: int) -> tuple[ArtefactStore, str, bytes]:
    store = ArtefactStore(tmp_path / "artefacts")
    source = big_pdf(tmp_path, size)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    store.put(source, digest)
    return store, digest, source.read_bytes()


def test_verified_chunks_are_the_stored_bytes_in_small_pieces(tmp_path: Path):
    store, digest, data = stored(tmp_path, 3 * MB + 5)
    chunks = list(store.open_verified(digest).chunks())
    assert b"".join(chunks) == data
    assert max(len(chunk) for chunk in chunks) == VerifiedFile.CHUNK


def test_a_file_altered_after_the_check_is_cut_short_before_its_last_chunk(tmp_path: Path):
    store, digest, data = stored(tmp_path, 3 * MB)
    chunks = store.open_verified(digest).chunks()
    sent = [next(chunks)]
    alter(store.path_for(digest))  # the same file, changed in place while it is being sent
    with pytest.raises(IntegrityError, match="telah berubah"):
        sent.extend(chunks)
    assert 0 < len(b"".join(sent)) < len(data)
