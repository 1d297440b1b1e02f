"""The files a new office folder starts with: a commented config.toml and the example SOP.

``sop init`` in a folder without config.toml writes the shipped one (``resources.CONFIG``): with
the fictional demo office for ``--demo``, otherwise with ``[office]`` commented out so that the
office fills in its own before anything runs (:func:`sop_engine.config.require_office`). The
example workflows are copied into the folder the config names when it does not exist yet, so the
office edits its own copies; templates stay the package's unless ``[documents] dir`` says otherwise.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sop_engine import resources

#: What a non-demo config says in place of the demo office.
_OFFICE_NOTE = """# [office]
# Isi data kantor Anda: hapus tanda # di depan [office] dan kunci-kuncinya di bawah ini, ganti
# nilainya, lalu jalankan `sop init` lagi. (Uncomment [office] and its keys, fill in your office.)
"""


def write_config(path: Path, *, demo: bool) -> bool:
    """Write the starter config.toml at ``path`` unless a file is there; whether it was written."""
    if path.exists():
        return False
    text = resources.CONFIG.read_text(encoding="utf-8")
    if not demo:
        text = _office_commented(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def copy_workflows(folder: Path) -> list[Path]:
    """Copy the example SOP definitions into ``folder`` if it does not exist yet; the files written."""
    if folder.exists():
        return []
    folder.mkdir(parents=True)
    return [Path(shutil.copy(source, folder / source.name)) for source in sorted(resources.WORKFLOWS.glob("*.toml"))]


def _office_commented(text: str) -> str:
    """``text`` with the demo ``[office]`` table commented out under a note on what to fill in."""
    match = re.search(r"^\[office\]\n(.*?)(?=^\[)", text, flags=re.S | re.M)
    if match is None:
        return text
    body = "".join(
        line if line.startswith("#") or not line.strip() else f"# {line}"
        for line in match.group(1).splitlines(keepends=True)
    )
    return text[: match.start()] + _OFFICE_NOTE + body + text[match.end() :]
