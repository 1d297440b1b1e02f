"""The SOP's page: its identity and its flowchart, drawn as on the official document, with the
document to download as PDF, .docx or SVG (the same drawing as ``sop workflows document``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sop_engine import workflows
from sop_engine.errors import NotFound
from sop_engine.logins import LoginSession
from sop_engine.sopdoc import Names
from sop_engine.sopdoc.identity import facts, sections
from sop_engine.sopdoc.render import document_bytes
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.downloads import MEDIA_TYPES, attachment
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)

_KINDS = {"svg": "image/svg+xml", "pdf": MEDIA_TYPES["pdf"], "docx": MEDIA_TYPES["docx"]}


@router.get("/sop/{name}")
def sop_page(request: Request, name: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    """The SOP ``name`` as its document shows it: identity table, then the flowchart (SVG)."""
    definition = workflows.show(context_of(request), name)
    values = {"definition": definition, "facts": facts(definition.header), "sections": sections(definition.header)}
    return render(request, "sop.html", values)


@router.get("/sop/{name}/dokumen.{kind}")
async def sop_document(
    request: Request, name: str, kind: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    """The SOP document: the SVG shown in the page, or the PDF or .docx as a download."""
    if kind not in _KINDS:
        raise NotFound(f"Dokumen SOP tersedia sebagai .svg, .pdf atau .docx, bukan .{kind}.", value=kind)
    ctx = context_of(request)
    definition = workflows.show(ctx, name)
    names = Names.of(ctx.settings.roles, workflows.on_disk(ctx).values(), workflows.budget_labels(ctx, definition))
    data = await run_in_threadpool(document_bytes, definition, f".{kind}", "a4", names)
    headers = {} if kind == "svg" else {"Content-Disposition": attachment(f"SOP-{definition.name}.{kind}")}
    return Response(data, media_type=_KINDS[kind], headers=headers)
