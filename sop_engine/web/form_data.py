"""A received form post: its fields and files, the limits it is read under, and its refusals.

Both encodings (:mod:`~sop_engine.web.multipart` and the urlencoded reader of
:mod:`~sop_engine.web.uploads`) fill a :class:`ParsedForm` through :func:`add_field` and
:func:`decode_name`, and refuse with :class:`UploadTooLarge` (413) or :class:`UploadRejected` (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from sop_engine.formatting import format_size


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
class FormLimits:
    """The limits one form post is read under (see :func:`~sop_engine.web.uploads.receive_form`)."""

    file_bytes: int
    body_bytes: int
    fields: int
    field_bytes: int


def add_field(form: ParsedForm, name: str, raw_value: bytes, limits: FormLimits) -> None:
    """Add one text field to ``form``: refused if longer than the limit or not UTF-8."""
    if len(raw_value) > limits.field_bytes:
        raise field_too_long(name, limits.field_bytes)
    try:
        value = raw_value.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRejected(
            f"Isian '{name}' bukan teks UTF-8 yang sah; kirim formulirnya dari halaman aplikasi ini."
        ) from None
    form.fields.setdefault(name, []).append(value)


def decode_name(raw: bytes) -> str:
    """A field's name as text; refused if it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw.decode("utf-8", errors="replace")
        raise UploadRejected(
            f"Nama isian '{shown}' bukan teks UTF-8 yang sah; kirim formulirnya dari halaman aplikasi ini."
        ) from None


def too_many_fields(limit: int) -> UploadRejected:
    return UploadRejected(f"Formulir berisi lebih dari {limit} isian; kirim paling banyak {limit} isian sekaligus.")


def field_too_long(name: str, limit: int) -> UploadRejected:
    return UploadRejected(f"Isian '{name}' lebih panjang dari {format_size(limit)}; persingkat isinya lalu kirim lagi.")
