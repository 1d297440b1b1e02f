"""Small helpers shared by the tests (documents, CLI runs)."""

from __future__ import annotations

import io
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from sop_engine.cli import main
from sop_engine.clock import Clock
from sop_engine.config import Settings
from sop_engine.demo import minimal_pdf


def pdf(folder: Path, name: str = "dokumen.pdf", text: str = "dokumen") -> Path:
    path = folder / name
    path.write_bytes(minimal_pdf(text))
    return path


def docx(folder: Path, name: str = "dokumen.docx") -> Path:
    """A minimal file with the structure of a Word document (enough for content sniffing)."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(args: list[str], settings: Settings, clock: Clock | None = None) -> Run:
    """Run ``sop ARGS`` in-process against ``settings``; returns exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(args, clock=clock, settings=settings)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())
