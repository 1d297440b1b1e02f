"""One entry point for every output of the SOP document, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from sop_engine.definitions import WorkflowDef
from sop_engine.errors import InvalidInput
from sop_engine.sopdoc import DEFAULT_NAMES, Names, flowchart_pages, pages
from sop_engine.sopdoc.docx_out import docx_document
from sop_engine.sopdoc.pdf import pdf_document
from sop_engine.sopdoc.scene import PAPERS
from sop_engine.sopdoc.svg import svg_document

#: The suffixes ``sop workflows document`` writes.
SUFFIXES = (".svg", ".pdf", ".docx")


def document_bytes(definition: WorkflowDef, suffix: str, paper: str = "a4", names: Names = DEFAULT_NAMES) -> bytes:
    """The SOP document of ``definition`` as ``suffix`` (.svg, .pdf or .docx) on ``paper`` (a4 or f4), its
    actor columns and sub-SOPs called by ``names``."""
    if paper not in PAPERS:
        allowed = ", ".join(PAPERS)
        raise InvalidInput(
            f"Kertas '{paper}' tidak dikenal; pilih salah satu: {allowed}.", value=paper, allowed=allowed
        )
    title = f"SOP {definition.header.nama}"
    kind = suffix.lower()
    if kind == ".svg":
        return svg_document(pages(definition, paper, names), title).encode("utf-8")
    if kind == ".pdf":
        return pdf_document(pages(definition, paper, names), title, definition.header.instansi)
    if kind == ".docx":
        return docx_document(definition, flowchart_pages(definition, paper, names), paper)
    allowed = ", ".join(SUFFIXES)
    raise InvalidInput(
        f"Berkas '{suffix or '(tanpa akhiran)'}' tidak dapat dibuat; akhiri nama berkas dengan {allowed}.",
        value=suffix,
        allowed=allowed,
    )


def write_document(definition: WorkflowDef, path: Path, paper: str = "a4", names: Names = DEFAULT_NAMES) -> Path:
    """Write the SOP document of ``definition`` to ``path`` (its suffix chooses the format)."""
    data = document_bytes(definition, path.suffix, paper, names)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"Berkas {path} tidak dapat ditulis ({exc.strerror}).", value=str(path)) from exc
    return path
