"""A definition file written from an imported SOP, with a ``# TODO:`` comment at each thing the
import could not decide; such a key is left empty so that ``sop workflows check`` refuses the file
until someone decides it."""

from __future__ import annotations

import json
from datetime import date

from sop_engine.sopimport.steps import ImportedStep

_HEADER_KEYS = (
    "instansi",
    "nomor",
    "nama",
    "tanggal_pembuatan",
    "tanggal_revisi",
    "tanggal_pengesahan",
    "tanggal_efektif",
    "disahkan_oleh",
)
_LIST_KEYS = ("dasar_hukum", "kualifikasi_pelaksana", "peralatan", "pencatatan", "peringatan", "keterkaitan")
_REQUIRED = ("instansi", "nomor", "nama", "tanggal_pembuatan", "tanggal_pengesahan", "disahkan_oleh")


def _value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def header_lines(name: str, header: dict[str, object], todos: list[str]) -> list[str]:
    """``[workflow]`` and ``[sop]``; a required key not found is written empty under a TODO."""
    title = str(header.get("nama") or "")
    lines = ["[workflow]", f"id = {_value(name)}", f"judul = {_value(title)}", "", "[sop]"]
    for key in (*_HEADER_KEYS, *_LIST_KEYS):
        value = header.get(key)
        if key.startswith("tanggal") and value is not None and not isinstance(value, date):
            todos.append(f"[sop] {key}: {value!r} bukan tanggal; tulis tahun-bulan-hari tanpa tanda kutip")
            lines += [f"# TODO: {todos[-1]}", f"# {key} = {_value(value)}"]
        elif value is not None:
            lines.append(f"{key} = {_value(value)}")
        elif key in _REQUIRED or key in _LIST_KEYS:
            todos.append(f"[sop] {key} tidak ditemukan di tabel identitas; isi dari naskah SOP")
            empty = "2000-01-01" if key.startswith("tanggal") else ("[]" if key in _LIST_KEYS else '""')
            lines += [f"# TODO: {todos[-1]}", f"{key} = {empty}" if key in _LIST_KEYS else f"# {key} = {empty}"]
    return lines


def step_lines(step: ImportedStep) -> list[str]:
    """One ``[[langkah]]``, its TODOs above the keys they concern."""
    lines = ["", "[[langkah]]", *(f"# TODO: {todo}" for todo in step.todos)]
    role = step.roles[0] if len(step.roles) == 1 else ""
    lines += [
        f"nomor = {step.no}",
        f"uraian = {_value(step.uraian)}",
        f"pelaksana = {_value(role)}",
        f"waktu = {_value(step.waktu)}",
        f"kelengkapan = {_value(step.kelengkapan)}",
        f"output = {_value(step.output)}",
        'berkas = "opsional"',
        f"keterangan = {_value(step.keterangan)}",
    ]
    return lines
