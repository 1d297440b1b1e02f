"""Receiving form posts and file uploads, streamed to disk while hashing.

Starlette's ``request.form()`` spools files in memory-or-disk objects with no limit on the body
as a whole and no hash; step documents need both. :func:`receive_form` feeds the request body to
python-multipart's push parser chunk by chunk, writes each file part to a temp file in
``temp_dir`` while hashing it, and stops with :class:`UploadTooLarge` as soon as a limit is
crossed, so the body is never held in memory. The user's file name is cleaned and kept as
metadata only; the bytes live under a random temp name.

The temp files belong to the returned :class:`ParsedForm`: call ``cleanup()`` or use it in a
``with`` block. When receiving fails, every temp file already written is deleted before the
error propagates. A client that goes away mid-post (tab closed, network lost) is one log line,
not a traceback: its temp files are deleted and the post ends as :class:`UploadRejected`. A
process killed mid-upload cannot clean up: :func:`sweep_stale_uploads` (run when ``sop serve``
starts) removes what it left.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self
from urllib.parse import parse_qsl

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from sop_engine.context import Context
from sop_engine.formatting import format_size
from sop_engine.leftovers import STALE_AFTER, Swept, remove_stale

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

log = logging.getLogger(__name__)

#: The name given to a file whose name is empty once cleaned.
FALLBACK_FILENAME = "berkas"
MAX_FILENAME_CHARS = 255

_FORM_TYPES = "multipart/form-data atau application/x-www-form-urlencoded"
_PATH_SEPARATORS = re.compile(r"[/\\]")
# C0/C1 control characters and the bidirectional controls that can disguise an extension.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_DIGITS = re.compile(r"[0-9]+")


#: Files one step completion may carry.
MAX_FILES = 10
#: Room for the form's text fields and the multipart framing on top of the files.
FORM_OVERHEAD_BYTES = 1024 * 1024
#: How the temp file of an upload is named in :func:`upload_dir`.
TEMP_PREFIX = "upload-"


def upload_dir(ctx: Context) -> Path:
    """Where uploads wait while they are checked: beside the artefact store, on the same disk."""
    return ctx.settings.storage.artefacts_dir.parent / "tmp-uploads"


def sweep_stale_uploads(temp_dir: Path, now: datetime, older_than: timedelta = STALE_AFTER) -> Swept:
    """Remove the upload temp files in ``temp_dir`` not written since ``now - older_than`` (a killed process's)."""
    return remove_stale(temp_dir.glob(TEMP_PREFIX + "*"), now, older_than)


class UploadTooLarge(Exception):
    """The body, or one file in it, crossed its size limit (answer 413)."""

    def __init__(self, limit: int, filename: str | None = None) -> None:
        if filename is None:
            message = (
                f"Kiriman formulir melebihi batas {format_size(limit)}; "
                "unggah berkas yang lebih kecil atau kirim berkasnya satu per satu."
            )
        else:
            message = (
                f"Berkas '{filename}' melebihi batas {format_size(limit)} per berkas; "
                "perkecil berkasnya (misalnya kompres PDF-nya) lalu unggah lagi."
            )
        super().__init__(message)
        self.limit = limit
        self.filename = filename
        self.message = message


class UploadRejected(Exception):
    """The body is not a form that can be read: wrong type, malformed, too many or too long fields (answer 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReceivedFile:
    """One uploaded file: where its bytes are on disk and what the browser said about it."""

    field: str
    path: Path
    filename: str
    size: int
    sha256: str


class ParsedForm:
    """The fields and files of one form post; owns the files' temp copies until ``cleanup()``."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.files: list[ReceivedFile] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of field ``name``, or ``default`` if the form has no such field."""
        values = self.fields.get(name)
        return values[0] if values else default

    def cleanup(self) -> None:
        """Delete the temp files; files already moved away (or deleted) are skipped, so calling it twice is fine."""
        for received in self.files:
            received.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.cleanup()


@dataclass(frozen=True)
class _Limits:
    file_bytes: int
    body_bytes: int
    fields: int
    field_bytes: int


async def receive_form(
    request: Request,
    temp_dir: Path,
    *,
    max_file_bytes: int,
    max_body_bytes: int,
    max_fields: int = 100,
    max_field_bytes: int = 64 * 1024,
) -> ParsedForm:
    """Read a form post: ``multipart/form-data`` (files go to temp files in ``temp_dir``) or urlencoded.

    ``max_fields`` counts every part of a multipart body, files included. Raises
    :class:`UploadTooLarge` when the declared or actual body exceeds ``max_body_bytes`` or a file
    exceeds ``max_file_bytes``, and :class:`UploadRejected` for anything that is not a readable form.
    """
    limits = _Limits(max_file_bytes, max_body_bytes, max_fields, max_field_bytes)
    content_type = request.headers.get("content-type")
    kind, options = parse_options_header(content_type)
    if kind not in (b"multipart/form-data", b"application/x-www-form-urlencoded"):
        raise UploadRejected(_wrong_type_message(content_type))
    _check_declared_length(request, limits.body_bytes)
    try:
        if kind == b"multipart/form-data":
            return await _receive_multipart(request, temp_dir, options.get(b"boundary"), limits)
        return await _receive_urlencoded(request, limits)
    except ClientDisconnect:  # the temp files are already deleted (_receive_multipart)
        log.info("client disconnected during a form post to %s; its temp files were removed", request.url.path)
        raise UploadRejected(
            "Koneksi terputus sebelum kiriman formulir selesai diterima; kirim formulirnya lagi."
        ) from None


def _wrong_type_message(content_type: str | None) -> str:
    if not content_type:
        return f"Permintaan tidak menyebut jenis isinya (Content-Type); kirim formulir ({_FORM_TYPES})."
    return f"Jenis isi '{content_type}' tidak dapat diterima; yang diharapkan formulir ({_FORM_TYPES})."


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not _DIGITS.fullmatch(declared.strip()):
        raise UploadRejected(f"Content-Length '{declared}' bukan jumlah bait yang sah; kirim ulang formulirnya.")
    if int(declared) > limit:
        raise UploadTooLarge(limit)


# --- multipart/form-data -------------------------------------------------------------------


async def _receive_multipart(request: Request, temp_dir: Path, boundary: bytes | None, limits: _Limits) -> ParsedForm:
    if not boundary:
        raise UploadRejected(
            "Jenis isi multipart/form-data tanpa pembatas (boundary) pada Content-Type; "
            "kirim ulang formulir dari halamannya."
        )
    temp_dir.mkdir(parents=True, exist_ok=True)
    receiver = _MultipartReceiver(temp_dir, limits)
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limits.body_bytes:
                raise UploadTooLarge(limits.body_bytes)
            parser.write(chunk)
            await receiver.flush()
        parser.finalize()
        if not receiver.ended:
            raise UploadRejected(
                "Isi formulir terputus sebelum penutup multipart (koneksi terputus?); kirim formulirnya lagi."
            )
        receiver.close()
    except FormParserError as exc:
        receiver.discard()
        raise UploadRejected(
            "Isi formulir rusak (format multipart/form-data tidak sah); muat ulang halaman lalu kirim formulirnya lagi."
        ) from exc
    except BaseException:
        receiver.discard()
        raise
    return receiver.form


class _FilePart:
    """A file part being received: its temp file and the running size and hash."""

    def __init__(self, field: str, raw_filename: str, temp_dir: Path) -> None:
        self.field = field
        self.raw_filename = raw_filename
        self.filename = _clean_filename(raw_filename)
        # Open across many parser callbacks, so no with-block: _MultipartReceiver closes it.
        handle = tempfile.NamedTemporaryFile(delete=False, dir=temp_dir, prefix=TEMP_PREFIX)  # noqa: SIM115
        self.handle: IO[bytes] = handle
        self.path = Path(handle.name)
        self.size = 0
        self.hasher = hashlib.sha256()

    def received(self) -> ReceivedFile:
        return ReceivedFile(self.field, self.path, self.filename, self.size, self.hasher.hexdigest())


class _MultipartReceiver:
    """python-multipart callbacks that build a :class:`ParsedForm`.

    Callbacks run inside ``parser.write`` and must not block on I/O, so file data is hashed and
    counted there but queued; :meth:`flush` writes the queue in a worker thread after each chunk.
    """

    def __init__(self, temp_dir: Path, limits: _Limits) -> None:
        self.temp_dir = temp_dir
        self.limits = limits
        self.form = ParsedForm()
        self.ended = False
        self._files: list[_FilePart] = []  # every temp file created and not yet dropped
        self._pending: list[tuple[IO[bytes], memoryview]] = []
        self._parts = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._field = ""
        self._value = bytearray()
        self._file: _FilePart | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._value = bytearray()
        self._file = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name = bytearray()
        self._header_value = bytearray()

    def on_headers_finished(self) -> None:
        self._parts += 1
        if self._parts > self.limits.fields:
            raise _too_many_fields(self.limits.fields)
        kind, options = parse_options_header(self._disposition)
        if kind != b"form-data" or b"name" not in options:
            raise UploadRejected(
                "Bagian formulir tanpa nama isian (Content-Disposition: form-data; name=...); "
                "kirim ulang formulir dari halamannya."
            )
        self._field = _decode_name(options[b"name"])
        if b"filename" in options:
            raw_filename = options[b"filename"].decode("utf-8", errors="replace")
            self._file = _FilePart(self._field, raw_filename, self.temp_dir)
            self._files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = memoryview(data)[start:end]
        file = self._file
        if file is None:
            if len(self._value) + len(chunk) > self.limits.field_bytes:
                raise _field_too_long(self._field, self.limits.field_bytes)
            self._value += chunk
            return
        file.size += len(chunk)
        if file.size > self.limits.file_bytes:
            raise UploadTooLarge(self.limits.file_bytes, file.filename)
        file.hasher.update(chunk)
        self._pending.append((file.handle, chunk))

    def on_part_end(self) -> None:
        file = self._file
        if file is None:
            _add_field(self.form, self._field, bytes(self._value), self.limits)
        elif file.raw_filename == "" and file.size == 0:
            # A file input left empty: browsers still send the part, with no name and no bytes.
            file.handle.close()
            file.path.unlink(missing_ok=True)
            self._files.remove(file)
        else:
            self.form.files.append(file.received())

    def on_end(self) -> None:
        self.ended = True

    async def flush(self) -> None:
        """Write the file data queued by the last ``parser.write`` (in a worker thread)."""
        if self._pending:
            pending, self._pending = self._pending, []
            await anyio.to_thread.run_sync(_write_all, pending)

    def close(self) -> None:
        for file in self._files:
            file.handle.close()

    def discard(self) -> None:
        """Close and delete every temp file written so far (receiving failed)."""
        for file in self._files:
            with contextlib.suppress(OSError):
                file.handle.close()
            file.path.unlink(missing_ok=True)
        self._files.clear()


def _write_all(pending: list[tuple[IO[bytes], memoryview]]) -> None:
    for handle, chunk in pending:
        handle.write(chunk)


# --- application/x-www-form-urlencoded ----------------------------------------------------


async def _receive_urlencoded(request: Request, limits: _Limits) -> ParsedForm:
    cap = min(limits.body_bytes, limits.fields * limits.field_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise UploadTooLarge(cap)
    form = ParsedForm()
    # latin-1 maps bytes to characters one to one, so each value encodes back to its exact
    # percent-decoded bytes, which _add_field then decodes as UTF-8 (naming the field on failure).
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    if len(pairs) > limits.fields:
        raise _too_many_fields(limits.fields)
    for name, value in pairs:
        _add_field(form, _decode_name(name.encode("latin-1")), value.encode("latin-1"), limits)
    return form


# --- shared by both encodings -------------------------------------------------------------


def _add_field(form: ParsedForm, name: str, raw_value: bytes, limits: _Limits) -> None:
    if len(raw_value) > limits.field_bytes:
        raise _field_too_long(name, limits.field_bytes)
    try:
        value = raw_value.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRejected(
            f"Isian '{name}' bukan teks UTF-8 yang sah; kirim formulirnya dari halaman aplikasi ini."
        ) from None
    form.fields.setdefault(name, []).append(value)


def _decode_name(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw.decode("utf-8", errors="replace")
        raise UploadRejected(
            f"Nama isian '{shown}' bukan teks UTF-8 yang sah; kirim formulirnya dari halaman aplikasi ini."
        ) from None


def _too_many_fields(limit: int) -> UploadRejected:
    return UploadRejected(f"Formulir berisi lebih dari {limit} isian; kirim paling banyak {limit} isian sekaligus.")


def _field_too_long(name: str, limit: int) -> UploadRejected:
    return UploadRejected(f"Isian '{name}' lebih panjang dari {format_size(limit)}; persingkat isinya lalu kirim lagi.")


def _clean_filename(raw: str) -> str:
    """The last path component, without control characters, at most 255 characters, never empty."""
    name = _PATH_SEPARATORS.split(_INVISIBLE.sub("", raw))[-1].strip()
    if name in ("", ".", ".."):
        return FALLBACK_FILENAME
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 16:
        suffix = dot + extension
        return name[: MAX_FILENAME_CHARS - len(suffix)] + suffix
    return name[:MAX_FILENAME_CHARS]
