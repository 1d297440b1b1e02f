"""An SOP table as offices keep it (a .docx, or a tab-separated text export) back into a definition
file (``sop workflows import FILE -o ID.toml``).

What the table does not say, or says ambiguously, is never guessed silently: it is written as a
``# TODO:`` comment in the file (with the key left empty where the engine needs a decision) and
listed in :attr:`ImportResult.todos`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sop_engine.errors import InvalidInput
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.sopimport.header import read_header
from sop_engine.sopimport.rows import read_rows
from sop_engine.sopimport.steps import read_steps
from sop_engine.sopimport.writer import header_lines, step_lines

__all__ = ["ImportResult", "import_file", "import_text"]

_ALWAYS = (
    'berkas tidak tertulis di tabel SOP: setiap langkah ditulis berkas = "opsional"; '
    'ubah menjadi "wajib" di langkah yang harus melampirkan dokumen',
    "alur kembali (kembali_ke) tidak terbaca dari tabel teks; tambahkan kembali_ke = [N] di langkah "
    "yang dapat mengembalikan pekerjaan",
)


@dataclass(frozen=True)
class ImportResult:
    """The definition's text, how many steps it has, and what is left to decide."""

    text: str
    steps: int
    todos: tuple[str, ...]


def import_text(rows_source: Path, name: str, roles: Roles = DEFAULT_ROLES) -> ImportResult:
    """The definition ``name`` read from the SOP table in ``rows_source``, its actors the office's ``roles``."""
    rows = read_rows(rows_source)
    steps = read_steps(rows, roles)
    todos: list[str] = []
    lines = [
        f"# Diimpor dari tabel SOP {rows_source.name}.",
        "# Lengkapi setiap TODO, lalu periksa berkas ini sebelum dipakai.",
        *(f"# TODO: {todo}" for todo in _ALWAYS),
        "",
        *header_lines(name, read_header(rows), todos),
    ]
    todos.extend(_ALWAYS)
    for step in steps:
        lines += step_lines(step)
        todos.extend(step.todos)
    return ImportResult("\n".join(lines) + "\n", len(steps), tuple(todos))


def import_file(source: Path, output: Path, roles: Roles = DEFAULT_ROLES) -> ImportResult:
    """Import ``source`` and write the definition to ``output``; its id is the name of ``output``."""
    name = output.stem.lower()
    result = import_text(source, name, roles)
    try:
        output.write_text(result.text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"Berkas {output} tidak dapat ditulis ({exc.strerror}).", value=str(output)) from exc
    return result
