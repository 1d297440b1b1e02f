"""The official SOP document (PermenPAN-RB 35/2012) drawn from a definition: the identity table and
the flowchart table, as SVG, PDF or .docx (``sop workflows document ID -o FILE``).

:func:`pages` lays the document out once (:mod:`.identity`, :mod:`.flow`, from the neutral
:mod:`.model`); :mod:`.svg`, :mod:`.pdf` and :mod:`.png` draw the same pages.
"""

from __future__ import annotations

from sop_engine.definitions import WorkflowDef
from sop_engine.sopdoc.flow import flow_pages
from sop_engine.sopdoc.identity import identity_page
from sop_engine.sopdoc.model import DEFAULT_NAMES, Names, chart_of
from sop_engine.sopdoc.scene import PAPERS, Page, Text

FOOTER = 18.0  # points from the bottom edge to the footer's baseline

__all__ = ["DEFAULT_NAMES", "PAPERS", "Names", "flowchart_pages", "pages"]


def flowchart_pages(definition: WorkflowDef, paper: str = "a4", names: Names = DEFAULT_NAMES) -> list[Page]:
    """The flowchart table of ``definition`` over as many landscape pages of ``paper`` as it needs, its
    actor columns and sub-SOPs called by ``names``."""
    title = f"Prosedur: {definition.header.nama}"
    return flow_pages(chart_of(definition, names), PAPERS[paper], title)


def pages(definition: WorkflowDef, paper: str = "a4", names: Names = DEFAULT_NAMES) -> list[Page]:
    """The whole document: the identity page, then the flowchart pages, each with its footer."""
    flow = flowchart_pages(definition, paper, names)
    document = [identity_page(definition.header, PAPERS[paper]), *flow]
    for number, page in enumerate(document, 1):
        footer = f"SOP Nomor {definition.header.nomor} · halaman {number} dari {len(document)}"
        page.items.append(Text(page.width / 2, page.height - FOOTER, footer, 7.5, anchor="middle"))
    return document
