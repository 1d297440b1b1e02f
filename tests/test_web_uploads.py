"""Form posts and uploads: streamed to temp files with hash and size, limits answered with 413.

A small Starlette app calls ``receive_form`` and answers with what it received, so every test
goes through a real ASGI request body. ``TestClient`` delivers a body as one ASGI message (it
reads a generator whole), so bodies given as a generator go through httpx2's ASGI transport
(httpx2 is the client TestClient uses), which sends each chunk as its own message, as a server does.
A client that goes away mid-upload is played against the whole app as a server would deliver it:
part of the body, then ``http.disconnect``.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message

from sop_engine import api_tokens, cases
from sop_engine.context import Context
from sop_engine.web.app import create_app
from sop_engine.web.form_data import ParsedForm, UploadRejected, UploadTooLarge
from sop_engine.web.uploads import receive_form, upload_dir

BOUNDARY = "----sopBatas7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
KB = 1024
MB = 1024 * 1024


@dataclass
class Site:
    """The test app: a client, the upload folder and every form the route received."""

    app: Starlette
    temp_dir: Path
    received: list[ParsedForm]

    @property
    def client(self) -> TestClient:
        return TestClient(self.app)

    def post(self, body: bytes | Iterator[bytes], content_type: str = MULTIPART, **headers: str) -> httpx2.Response:
        """POST ``body``; a generator is sent one ASGI message per chunk, without Content-Length."""
        all_headers = {"content-type": content_type, **headers}
        if isinstance(body, bytes):
            return self.client.post("/upload", content=body, headers=all_headers)
        return anyio.run(self._post_streamed, body, all_headers)

    async def _post_streamed(self, body: Iterator[bytes], headers: dict[str, str]) -> httpx2.Response:
        async def stream() -> AsyncIterator[bytes]:
            for chunk in body:
                yield chunk

        transport = httpx2.ASGITransport(app=self.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post("/upload", content=stream(), headers=headers)

    def leftovers(self) -> list[Path]:
        return sorted(self.temp_dir.glob("*"))


def make_site(temp_dir: Path, **limits: int) -> Site:
    received: list[ParsedForm] = []
    settings = {"max_file_bytes": 4 * MB, "max_body_bytes": 8 * MB, **limits}

    async def upload(request: Request) -> JSONResponse:
        try:
            form = await receive_form(request, temp_dir, **settings)
        except UploadTooLarge as exc:
            return JSONResponse({"error": exc.message, "limit": exc.limit}, status_code=413)
        except UploadRejected as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        received.append(form)
        files = [
            {"field": f.field, "filename": f.filename, "size": f.size, "sha256": f.sha256, "path": str(f.path)}
            for f in form.files
        ]
        return JSONResponse({"fields": form.fields, "files": files})

    app = Starlette(routes=[Route("/upload", upload, methods=["POST"])])
    return Site(app, temp_dir, received)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path / "uploads")


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    """One multipart part, the way a browser writes it (file names sent as given, unescaped)."""
    disposition = f'form-data; name="{name}"'
    headers = f"Content-Disposition: {disposition}"
    if filename is not None:
        headers = f'Content-Disposition: {disposition}; filename="{filename}"\r\nContent-Type: application/pdf'
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    """The body as a generator of ``size``-byte chunks."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- files ----------------------------------------------------------------------------------


def test_files_arrive_on_disk_with_size_hash_and_clean_names(site: Site) -> None:
    first = b"%PDF-1.4 laporan kinerja\r\n--bukan-batas\r\n"
    second = bytes(range(256)) * 40
    response = site.client.post(
        "/upload",
        files=[
            ("dokumen", ("../../etc/passwd", first, "application/pdf")),
            ("dokumen", ("C:\\Users\\x\\laporan.pdf", second, "application/pdf")),
        ],
    )

    assert response.status_code == 200
    files = response.json()["files"]
    assert [(f["field"], f["filename"], f["size"], f["sha256"]) for f in files] == [
        ("dokumen", "passwd", len(first), sha256(first)),
        ("dokumen", "laporan.pdf", len(second), sha256(second)),
    ]
    assert [Path(f["path"]).read_bytes() for f in files] == [first, second]
    assert all(Path(f["path"]).parent == site.temp_dir and Path(f["path"]).name.startswith("upload-") for f in files)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\laporan.pdf", "laporan.pdf"),
        ("\\\\server\\share\\surat.docx", "surat.docx"),
        ("lap\x07oran\x1b.pdf", "laporan.pdf"),
        ("laporan\u202efdp.exe", "laporanfdp.exe"),
        ("Laporan Kinerja – 2021 (final).pdf", "Laporan Kinerja – 2021 (final).pdf"),
        ("folder/", "berkas"),
        ("..", "berkas"),
        ("", "berkas"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("b" * 300, "b" * 255),
    ],
)
def test_file_name_is_kept_as_a_clean_basename(site: Site, sent: str, kept: str) -> None:
    response = site.post(multipart(part("dokumen", b"isi", filename=sent)))

    assert response.status_code == 200
    assert response.json()["files"][0]["filename"] == kept


def test_empty_file_input_is_dropped(site: Site) -> None:
    response = site.post(multipart(part("catatan", b"tanpa lampiran"), part("dokumen", b"", filename="")))

    assert response.status_code == 200
    assert response.json() == {"fields": {"catatan": ["tanpa lampiran"]}, "files": []}
    assert site.leftovers() == []


def test_zero_byte_file_with_a_name_is_kept(site: Site) -> None:
    response = site.post(multipart(part("dokumen", b"", filename="kosong.pdf")))

    assert response.status_code == 200
    assert [(f["filename"], f["size"], f["sha256"]) for f in response.json()["files"]] == [
        ("kosong.pdf", 0, sha256(b""))
    ]


def test_file_larger_than_parser_buffers_streams_intact(site: Site) -> None:
    data = random.Random(4).randbytes(3 * MB)
    response = site.post(chunks(multipart(part("dokumen", data, filename="besar.pdf")), 64 * KB))

    assert response.status_code == 200
    (received,) = response.json()["files"]
    assert (received["size"], received["sha256"]) == (len(data), sha256(data))
    assert sha256(Path(received["path"]).read_bytes()) == sha256(data)


def test_body_split_into_tiny_chunks_parses_the_same(site: Site) -> None:
    data = (b"\r\n--" + BOUNDARY[:10].encode() + b"\r\n") * 300 + random.Random(7).randbytes(5000)
    body = multipart(part("judul", b"LAKIP 2021"), part("dokumen", data, filename="a.pdf"))
    response = site.post(chunks(body, 7))

    assert response.status_code == 200
    assert response.json()["fields"] == {"judul": ["LAKIP 2021"]}
    assert [(f["size"], f["sha256"]) for f in response.json()["files"]] == [(len(data), sha256(data))]


# --- fields ---------------------------------------------------------------------------------


def test_multipart_fields_keep_repeats_in_order_and_utf8(site: Site) -> None:
    body = multipart(
        part("catatan", "Selesai ✓ — dikirim ke Sekretaris".encode()),
        part("penerima", b"kasubag"),
        part("penerima", b"staf1"),
        part("kosong", b""),
    )
    response = site.post(body)

    assert response.status_code == 200
    assert response.json()["fields"] == {
        "catatan": ["Selesai ✓ — dikirim ke Sekretaris"],
        "penerima": ["kasubag", "staf1"],
        "kosong": [""],
    }


def test_urlencoded_form_is_read(site: Site) -> None:
    response = site.post(
        b"catatan=Selesai+%E2%9C%93&penerima=kasubag&penerima=staf1&kosong=",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.json() == {
        "fields": {"catatan": ["Selesai ✓"], "penerima": ["kasubag", "staf1"], "kosong": [""]},
        "files": [],
    }


def test_get_returns_the_first_value_or_the_default(site: Site) -> None:
    site.post(b"penerima=kasubag&penerima=staf1", content_type="application/x-www-form-urlencoded")
    (form,) = site.received

    assert form.get("penerima") == "kasubag"
    assert form.get("tidak-ada") is None
    assert form.get("tidak-ada", "x") == "x"


@pytest.mark.parametrize("content_type", [MULTIPART, "application/x-www-form-urlencoded"])
def test_field_that_is_not_utf8_is_rejected_by_name(site: Site, content_type: str) -> None:
    body = multipart(part("catatan", b"caf\xe9")) if content_type == MULTIPART else b"catatan=caf%E9"
    response = site.post(body, content_type=content_type)

    assert response.status_code == 400
    assert "'catatan'" in response.json()["error"]
    assert "UTF-8" in response.json()["error"]


@pytest.mark.parametrize("content_type", [MULTIPART, "application/x-www-form-urlencoded"])
def test_too_many_fields_are_rejected(tmp_path: Path, content_type: str) -> None:
    site = make_site(tmp_path / "uploads", max_fields=3)
    if content_type == MULTIPART:
        body = multipart(*(part(f"f{i}", b"x") for i in range(4)))
    else:
        body = b"&".join(f"f{i}=x".encode() for i in range(4))
    response = site.post(body, content_type=content_type)

    assert response.status_code == 400
    assert "lebih dari 3 isian" in response.json()["error"]


def test_files_count_towards_the_field_limit_and_are_deleted(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_fields=2)
    response = site.post(multipart(*(part("dokumen", b"isi", filename=f"{i}.pdf") for i in range(3))))

    assert response.status_code == 400
    assert site.leftovers() == []


@pytest.mark.parametrize("content_type", [MULTIPART, "application/x-www-form-urlencoded"])
def test_over_long_field_is_rejected_by_name(tmp_path: Path, content_type: str) -> None:
    site = make_site(tmp_path / "uploads", max_field_bytes=100)
    body = multipart(part("catatan", b"x" * 101)) if content_type == MULTIPART else b"catatan=" + b"x" * 101
    response = site.post(body, content_type=content_type)

    assert response.status_code == 400
    assert response.json()["error"] == "Isian 'catatan' lebih panjang dari 100 bait; persingkat isinya lalu kirim lagi."


# --- size limits ----------------------------------------------------------------------------


def test_oversize_file_is_413_and_leaves_no_temp_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_file_bytes=10 * KB, max_body_bytes=MB)
    body = multipart(
        part("dokumen", b"kecil", filename="kecil.pdf"),
        part("dokumen", b"x" * (10 * KB + 1), filename="../besar.pdf"),
    )
    response = site.post(body)

    assert response.status_code == 413
    assert response.json() == {
        "error": "Berkas 'besar.pdf' melebihi batas 10 KB per berkas; "
        "perkecil berkasnya (misalnya kompres PDF-nya) lalu unggah lagi.",
        "limit": 10 * KB,
    }
    assert site.temp_dir.is_dir()
    assert site.leftovers() == []


def test_file_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_file_bytes=10 * KB, max_body_bytes=MB)
    response = site.post(multipart(part("dokumen", b"x" * (10 * KB), filename="pas.pdf")))

    assert response.status_code == 200
    assert response.json()["files"][0]["size"] == 10 * KB


def test_declared_length_over_the_limit_is_413_before_reading(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_body_bytes=10 * KB)
    pulled: list[bytes] = []

    def body() -> Iterator[bytes]:
        for chunk in chunks(multipart(part("dokumen", b"x" * (20 * KB), filename="a.pdf")), KB):
            pulled.append(chunk)
            yield chunk

    response = site.post(body(), **{"content-length": str(20 * KB + 200)})

    assert response.status_code == 413
    assert response.json()["limit"] == 10 * KB
    assert "melebihi batas 10 KB" in response.json()["error"]
    assert pulled == []


def test_body_over_the_limit_without_content_length_is_413(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_file_bytes=MB, max_body_bytes=10 * KB)
    body = multipart(part("dokumen", b"x" * (20 * KB), filename="a.pdf"))
    response = site.post(chunks(body, KB))

    assert response.status_code == 413
    assert response.json()["limit"] == 10 * KB
    assert site.leftovers() == []


def test_body_over_the_limit_with_a_lying_content_length_is_413(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_file_bytes=MB, max_body_bytes=10 * KB)
    body = multipart(part("dokumen", b"x" * (20 * KB), filename="a.pdf"))
    response = site.post(body, **{"content-length": "100"})

    assert response.status_code == 413
    assert site.leftovers() == []


def test_urlencoded_body_over_the_limit_is_413(tmp_path: Path) -> None:
    site = make_site(tmp_path / "uploads", max_body_bytes=KB)
    response = site.post(chunks(b"catatan=" + b"x" * (2 * KB), 256), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert response.json()["limit"] == KB


# --- rejected bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "text/plain; charset=utf-8"])
def test_wrong_content_type_is_400_naming_it(site: Site, content_type: str) -> None:
    response = site.post(b'{"a": 1}', content_type=content_type)

    assert response.status_code == 400
    assert f"'{content_type}'" in response.json()["error"]
    assert "multipart/form-data" in response.json()["error"]


def test_missing_content_type_is_400(site: Site) -> None:
    response = site.client.post("/upload", content=b"a=1")

    assert response.status_code == 400
    assert "Content-Type" in response.json()["error"]


def test_multipart_without_boundary_is_400(site: Site) -> None:
    response = site.post(multipart(part("a", b"1")), content_type="multipart/form-data")

    assert response.status_code == 400
    assert "boundary" in response.json()["error"]


def test_wrong_boundary_is_400(site: Site) -> None:
    response = site.post(multipart(part("a", b"1")), content_type="multipart/form-data; boundary=lain")

    assert response.status_code == 400
    assert "rusak" in response.json()["error"]


def test_truncated_multipart_is_400_and_leaves_no_temp_file(site: Site) -> None:
    body = multipart(part("dokumen", b"isi lengkap", filename="a.pdf"), part("dokumen", b"x" * 5000, filename="b.pdf"))
    response = site.post(chunks(body[:-100], 1000))

    assert response.status_code == 400
    assert "terputus" in response.json()["error"]
    assert site.leftovers() == []


def test_part_without_a_name_is_400(site: Site) -> None:
    body = f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nisi\r\n--{BOUNDARY}--\r\n".encode()
    response = site.post(body)

    assert response.status_code == 400
    assert "nama isian" in response.json()["error"]


def test_content_length_that_is_not_a_number_is_400(site: Site) -> None:
    response = site.post(b"a=1", content_type="application/x-www-form-urlencoded", **{"content-length": "banyak"})

    assert response.status_code == 400
    assert "'banyak'" in response.json()["error"]


# --- cleanup --------------------------------------------------------------------------------


def test_cleanup_deletes_the_temp_files_and_can_run_twice(site: Site) -> None:
    site.post(multipart(part("a", b"1", filename="a.pdf"), part("b", b"2", filename="b.pdf")))
    (form,) = site.received
    assert len(site.leftovers()) == 2

    form.cleanup()
    form.cleanup()

    assert site.leftovers() == []


def test_with_block_cleans_up_even_when_a_file_was_moved_away(site: Site, tmp_path: Path) -> None:
    site.post(multipart(part("a", b"1", filename="a.pdf"), part("b", b"2", filename="b.pdf")))
    (form,) = site.received
    kept = form.files[0].path.rename(tmp_path / "disimpan.pdf")

    with form:
        pass

    assert site.leftovers() == []
    assert kept.read_bytes() == b"1"


# --- a client that goes away -----------------------------------------------------------------


def test_a_client_disconnecting_mid_upload_leaves_no_temp_file_and_one_log_line_without_traceback(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    path = "/api/v1/cases/lakip-2021/steps/1/complete"
    body = multipart(part("berkas", b"%PDF-1.7\n" + b"x" * MB, filename="disposisi.pdf"))
    token = api_tokens.issue_token(ctx, "sekretaris")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", MULTIPART.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    arrived: list[Message] = [{"type": "http.request", "body": body[: len(body) // 2], "more_body": True}]
    sent: list[Message] = []
    written_before_leaving: list[Path] = []

    async def receive() -> Message:
        if arrived:
            return arrived.pop(0)
        written_before_leaving.extend(upload_dir(ctx).glob("upload-*"))
        return {"type": "http.disconnect"}  # the browser tab was closed half-way

    async def send(message: Message) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO):
        anyio.run(create_app(ctx), scope, receive, send)  # returns: nothing is raised to the server

    assert len(written_before_leaving) == 1
    assert list(upload_dir(ctx).iterdir()) == []
    logged = [r for r in caplog.records if r.name.startswith("sop_engine") and r.name != "sop_engine.access"]
    assert [(r.levelname, r.getMessage()) for r in logged] == [
        ("INFO", f"client disconnected during a form post to {path}; its temp files were removed")
    ]
    assert [r for r in caplog.records if r.exc_info] == []
    assert cases.get_case(ctx, "lakip-2021").steps[0].status == "active"
