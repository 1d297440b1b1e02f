"""The official SOP document (PermenPAN-RB 35/2012) drawn from a definition: the identity table and
the flowchart table, as SVG, PDF or .docx (``sop workflows document ID -o FILE``).

:func:`pages` lays the document out once (:mod:`.identity`, :mod:`.flow`, from the neutral
:mod:`.model`); :mod:`.svg`, :mod:`.pdf` and :mod:`.png` draw the same pages.
"""

from __future__ import annotations

from collections.abc import Mapping

from sop_engine.definitions import WorkflowDef
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.sopdoc.flow import flow_pages
from sop_engine.sopdoc.identity import identity_page
from sop_engine.sopdoc.model import chart_of
from sop_engine.sopdoc.scene import PAPERS, Page, Text

FOOTER = 18.0  # points from the bottom edge to the footer's baseline

__all__ = ["PAPERS", "flowchart_pages", "pages"]


def flowchart_pages(
    definition: WorkflowDef,
    paper: str = "a4",
    roles: Roles = DEFAULT_ROLES,
    sop_names: Mapping[str, str] | None = None,
) -> list[Page]:
    """The flowchart table of ``definition`` over as many landscape pages of ``paper`` as it needs; the
    actor columns are headed by the names of the office's ``roles``, ``sop_names`` names sub-SOPs."""
    title = f"Prosedur: {definition.header.nama}"
    return flow_pages(chart_of(definition, roles, sop_names), PAPERS[paper], title)


def pages(
    definition: WorkflowDef,
    paper: str = "a4",
    roles: Roles = DEFAULT_ROLES,
    sop_names: Mapping[str, str] | None = None,
) -> list[Page]:
    """The whole document: the identity page, then the flowchart pages, each with its footer."""
    flow = flowchart_pages(definition, paper, roles, sop_names)
    document = [identity_page(definition.header, PAPERS[paper]), *flow]
    for number, page in enumerate(document, 1):
        footer = f"SOP Nomor {definition.header.nomor} · halaman {number} dari {len(document)}"
        page.items.append(Text(page.width / 2, page.height - FOOTER, footer, 7.5, anchor="middle"))
    return document
