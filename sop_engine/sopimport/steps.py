"""The flowchart table of an SOP read back into steps: NO, URAIAN PROSEDUR, the actor columns,
KELENGKAPAN, WAKTU, OUTPUT, KETERANGAN, the heading repeated on every page.

A step's actor is the actor column that holds a mark (a symbol's text such as "MULAI", or any
text); where no column or several hold one, the step's actor is left open and said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sop_engine.durations import parse_duration
from sop_engine.errors import InvalidInput
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.sopimport.rows import Rows

_NUMBER = re.compile(r"(\d+)\.?")
_ROLE_WORDS = (
    ("kasubag", "kasubag_program"),
    ("kasubbag", "kasubag_program"),
    ("sekretaris", "sekretaris"),
    ("ketua", "ketua"),
    ("staf", "staf"),
    ("fungsional", "staf"),
    ("jfu", "staf"),
)


@dataclass
class ImportedStep:
    """One step as read, with what could not be decided about it."""

    no: int
    uraian: str
    roles: list[str]
    kelengkapan: list[str]
    waktu: str
    output: str
    keterangan: str
    todos: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Columns:
    actors: tuple[tuple[int, str], ...]  # (cell index, role)
    kelengkapan: int
    waktu: int
    output: int
    keterangan: int


def role_of(label: str, roles: Roles = DEFAULT_ROLES) -> str:
    """The role an actor column's heading names: the office's role of that name or id ("Arsiparis" →
    arsiparis), else a LAKIP role by its usual words ("Kasubag Program" → kasubag_program), else a new
    id from the heading."""
    lowered = " ".join(label.lower().split())
    for role in roles.step_roles:
        if lowered in (role.nama.lower(), role.id, role.id.replace("_", " ")):
            return role.id
    for word, role_id in _ROLE_WORDS:
        if word in lowered:
            return role_id
    return re.sub(r"[^a-z0-9]+", "_", lowered).strip("_") or "peran"


def _columns(labels: list[str], roles: Roles) -> _Columns | None:
    """The columns named by the second heading row (actor names, then Kelengkapan, Waktu, Output)."""
    lowered = [cell.lower() for cell in labels]
    try:
        kelengkapan = next(i for i, cell in enumerate(lowered) if "kelengkapan" in cell)
        waktu = next(i for i, cell in enumerate(lowered) if cell.startswith("waktu"))
        output = next(i for i, cell in enumerate(lowered) if cell.startswith("output"))
    except StopIteration:
        return None
    actors = tuple((i, role_of(labels[i], roles)) for i in range(2, kelengkapan) if labels[i])
    return _Columns(actors, kelengkapan, waktu, output, output + 1)


def read_steps(rows: Rows, roles: Roles = DEFAULT_ROLES) -> list[ImportedStep]:
    """The steps of the flowchart table in ``rows``, in order; each heading row sets the columns anew.
    An actor is named by the office's ``roles``, which are also the choices offered where none is marked."""
    steps: list[ImportedStep] = []
    columns: _Columns | None = None
    for index, row in enumerate(rows):
        first = row[0].strip().upper() if row else ""
        if first == "NO" and index + 1 < len(rows):
            columns = _columns(rows[index + 1], roles) or columns
            continue
        match = _NUMBER.fullmatch(first)
        if columns is None or match is None or len(row) <= 1 or not row[1].strip() or _is_numbering(row):
            continue
        steps.append(_step(int(match.group(1)), row, columns, roles))
    if not steps:
        raise InvalidInput(
            "Tidak ada tabel langkah SOP: tidak ditemukan baris judul NO, URAIAN PROSEDUR, pelaksana, "
            "KELENGKAPAN, WAKTU, OUTPUT yang diikuti baris bernomor.",
        )
    return steps


def _is_numbering(row: list[str]) -> bool:
    """The row under the heading that numbers the columns: 1, 2, 3, ..."""
    return all(cell.strip().isdigit() for cell in row if cell.strip()) and row[1].strip() == "2"


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _choices(columns: _Columns, roles: Roles) -> str:
    """The roles to choose a step's actor from: the table's actor columns, then the office's other step roles."""
    ids = dict.fromkeys([*(role for _, role in columns.actors), *roles.step_ids])
    return ", ".join(f"{role} ({roles.label(role)})" if roles.label(role) != role else role for role in ids)


def _step(no: int, row: list[str], columns: _Columns, roles: Roles) -> ImportedStep:
    marked = [role for index, role in columns.actors if _cell(row, index)]
    step = ImportedStep(
        no=no,
        uraian=" ".join(_cell(row, 1).split()),
        roles=marked,
        kelengkapan=[line for line in _cell(row, columns.kelengkapan).split("\n") if line.strip() not in ("", "-")],
        waktu=_cell(row, columns.waktu),
        output=" ".join(_cell(row, columns.output).split()),
        keterangan=" ".join(_cell(row, columns.keterangan).split()) or "-",
    )
    if not marked:
        step.todos.append(
            f"langkah {no}: pelaksana tidak dapat ditentukan (tidak ada tanda di kolom pelaksana); "
            f"pilih salah satu: {_choices(columns, roles)}"
        )
    elif len(marked) > 1:
        step.todos.append(
            f"langkah {no}: beberapa kolom pelaksana bertanda ({', '.join(marked)}); tentukan pelaksananya"
        )
    try:
        step.waktu = str(parse_duration(step.waktu))
    except InvalidInput:
        step.todos.append(f'langkah {no}: waktu {step.waktu!r} bukan durasi yang dikenal; tulis misalnya "2 jam"')
    if not step.output:
        step.todos.append(f"langkah {no}: output kosong; isi jenis dokumen yang dihasilkan")
    return step
