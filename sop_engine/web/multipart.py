"""Receiving a ``multipart/form-data`` body: each file part streamed to a temp file while hashing.

python-multipart's push parser is fed the body chunk by chunk; each file part goes to a temp file
in the upload folder while it is counted and hashed, and a limit crossed stops the post at once,
so the body is never held in memory. The user's file name is cleaned and kept as metadata only;
the bytes live under a random temp name. When receiving fails, every temp file already written is
deleted before the error propagates.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from sop_engine.web.form_data import (
    FormLimits,
    ParsedForm,
    ReceivedFile,
    UploadRejected,
    UploadTooLarge,
    add_field,
    decode_name,
    field_too_long,
    too_many_fields,
)

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks


#: The name given to a file whose name is empty once cleaned.
FALLBACK_FILENAME = "berkas"
MAX_FILENAME_CHARS = 255

_PATH_SEPARATORS = re.compile(r"[/\\]")
# C0/C1 control characters and the bidirectional controls that can disguise an extension.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: How the temp file of an upload is named in :func:`~sop_engine.web.uploads.upload_dir`.
TEMP_PREFIX = "upload-"


async def receive_multipart(request: Request, temp_dir: Path, boundary: bytes | None, limits: FormLimits) -> ParsedForm:
    """The fields and files of a multipart body, files in temp files in ``temp_dir``; none left on failure."""
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

    def __init__(self, temp_dir: Path, limits: FormLimits) -> None:
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
            raise too_many_fields(self.limits.fields)
        kind, options = parse_options_header(self._disposition)
        if kind != b"form-data" or b"name" not in options:
            raise UploadRejected(
                "Bagian formulir tanpa nama isian (Content-Disposition: form-data; name=...); "
                "kirim ulang formulir dari halamannya."
            )
        self._field = decode_name(options[b"name"])
        if b"filename" in options:
            raw_filename = options[b"filename"].decode("utf-8", errors="replace")
            self._file = _FilePart(self._field, raw_filename, self.temp_dir)
            self._files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = memoryview(data)[start:end]
        file = self._file
        if file is None:
            if len(self._value) + len(chunk) > self.limits.field_bytes:
                raise field_too_long(self._field, self.limits.field_bytes)
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
            add_field(self.form, self._field, bytes(self._value), self.limits)
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
