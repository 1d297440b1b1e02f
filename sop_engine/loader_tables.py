"""The tables of a workflow file, checked against the keys they may hold.

:class:`Table` refuses unknown and missing keys and has a typed getter per kind of value;
:class:`Place` says where in the file a value sits and builds the :class:`DefinitionError` that
names it. :func:`show` and :func:`kind_of` write a value and its kind the way the messages of
:mod:`sop_engine.loader` show them to the office; an unknown key or choice is answered with the near miss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from sop_engine.durations import Duration, parse_duration
from sop_engine.errors import DefinitionError, InvalidInput, did_you_mean

_T = TypeVar("_T")

# Kinds of value, as named to the office in messages.
TEXT = "teks"
TEXTS = "daftar teks"
DATE = "tanggal TOML tanpa tanda kutip"
INT = "bilangan bulat"
INTS = "daftar bilangan bulat"
TABLE = "tabel"
TABLES = "daftar tabel [[langkah]]"


@dataclass(frozen=True)
class Field:
    """One key a table may hold: the kind of its value, an example line, whether it must be there."""

    kind: str
    example: str
    required: bool = True
    #: Another key whose presence makes this one optional (``waktu`` of a step with ``jalankan``).
    unless: str | None = None


@dataclass(frozen=True)
class Place:
    """Where in a workflow file a value sits; builds the errors that name it."""

    file: str
    label: str | None = None  # "[sop]", "langkah 5", "[[langkah]] ke-3"; None at the top level
    table: str | None = None  # prefix of the ``field`` detail: "sop" gives "sop.nomor"
    step: int | None = None

    def error(
        self, key: str | None, value: object, text: str, allowed: str | None = None, **extra: object
    ) -> DefinitionError:
        where = f"{self.file}: {self.label}: " if self.label else f"{self.file}: "
        field = f"{self.table}.{key}" if self.table and key else key
        details = {"file": self.file, "step": self.step, "field": field, "allowed": allowed, **extra}
        return DefinitionError(where + text, value=value, **details)


class Table:
    """One TOML table checked against its fields: no unknown keys, no missing required keys,
    and typed getters that refuse a value of the wrong kind."""

    def __init__(self, raw: Mapping[str, object], place: Place, fields: Mapping[str, Field]) -> None:
        self.raw, self.place, self.fields = raw, place, fields
        allowed = ", ".join(fields)
        for key in raw:
            if key not in fields:
                message = f"kunci '{key}' tidak dikenal; yang diizinkan: {allowed}.{did_you_mean(key, fields)}"
                raise place.error(key, key, message, allowed)
        for key, spec in fields.items():
            if spec.required and key not in raw and (spec.unless is None or spec.unless not in raw):
                raise self._missing(key)

    def table(self, key: str) -> Mapping[str, object]:
        value = self.raw.get(key)
        if not isinstance(value, dict):
            raise self._wrong_kind(key, value)
        return value

    def text(self, key: str, *, blank_ok: bool = False) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str):
            raise self._wrong_kind(key, value)
        if not blank_ok and not value.strip():
            message = f"{key} = {show(value)} kosong; contoh: {self.fields[key].example}."
            raise self.place.error(key, value, message, TEXT)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        items = self._list(key, str)
        for item in items:
            if not item.strip():
                raise self.place.error(key, item, f"{key} berisi teks kosong {show(item)}; hapus atau isi.", TEXTS)
        return items

    def integer(self, key: str) -> int:
        value = self.raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong_kind(key, value)
        return value

    def integers(self, key: str) -> tuple[int, ...]:
        return self._list(key, int)

    def day(self, key: str) -> date | None:
        value = self.raw.get(key)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        raise self._wrong_kind(key, value)

    def required_day(self, key: str) -> date:
        value = self.day(key)
        if value is None:
            raise self._missing(key)
        return value

    def duration(self, key: str) -> Duration:
        text = self.text(key)
        try:
            return parse_duration(text)
        except InvalidInput as exc:
            message = f"{key} = {show(text)} tidak dapat dipakai: {exc.message}"
            raise self.place.error(key, text, message, "angka lalu menit, jam atau hari") from exc

    def choice(self, key: str, value: str, allowed: Sequence[str], *, shown: str | None = None) -> str:
        """``value`` if it is one of ``allowed``; otherwise an error that suggests the near miss."""
        if value in allowed:
            return value
        listed = ", ".join(allowed)
        what = shown or f"{key} = {show(value)}"
        message = f"{what}, tidak dikenal; yang diizinkan: {listed}.{did_you_mean(value, allowed)}"
        raise self.place.error(key, value, message, listed)

    def _list(self, key: str, kind: type[_T]) -> tuple[_T, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            raise self._wrong_kind(key, value)
        spec = self.fields[key]
        for index, item in enumerate(value, 1):
            if not isinstance(item, kind) or isinstance(item, bool):
                message = (
                    f"{key} = {show(value)}: isi ke-{index} ({show(item)}) adalah {kind_of(item)}, "
                    f"padahal harus {spec.kind}; contoh: {spec.example}."
                )
                raise self.place.error(key, item, message, spec.kind)
        return tuple(value)

    def _wrong_kind(self, key: str, value: object) -> DefinitionError:
        spec = self.fields[key]
        message = f"{key} = {show(value)} adalah {kind_of(value)}, padahal harus {spec.kind}; contoh: {spec.example}."
        return self.place.error(key, value, message, spec.kind)

    def _missing(self, key: str) -> DefinitionError:
        spec = self.fields[key]
        return self.place.error(key, None, f"kunci wajib '{key}' tidak ada; tambahkan: {spec.example}", spec.kind)


def show(value: object) -> str:
    """A value as the office wrote it, strings in single quotes: 'kasubag', [6], 2021-01-20."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


_KIND_NAMES = {bool: "nilai true/false", int: "bilangan bulat", float: "bilangan pecahan", str: "teks"}
_KIND_NAMES |= {datetime: "tanggal dan jam", date: "tanggal", time: "jam", list: "daftar", dict: "tabel"}


def kind_of(value: object) -> str:
    """The kind of a TOML value, in words (``bool`` before ``int``, ``datetime`` before ``date``)."""
    return next((name for kind, name in _KIND_NAMES.items() if isinstance(value, kind)), "kosong")
