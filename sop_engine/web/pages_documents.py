"""The generated documents on the case page: make one and complete its step, the analysis, the archive.

A form post of the step's document runs :func:`document_actions.run_action` (the services of
``sop surat`` / ``sop lakip`` with ``--attach``) in a temp folder and answers 303 to the case
page; a refusal re-renders the case page with the service's message (and, for a refused
workbook, each error by file, sheet and cell), the case unchanged. The archive of step 11 is
built on request and downloaded; an archive file can be uploaded back and verified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sop_engine import access, archive
from sop_engine.artefacts import IncomingFile
from sop_engine.errors import InvalidInput, NotFound, SopError
from sop_engine.lakip import service
from sop_engine.lakip.analysis import format_pct
from sop_engine.lakip.indicator_text import shown_realisation, shown_target
from sop_engine.lakip.tables import ImportRefused
from sop_engine.logins import LoginSession
from sop_engine.remedies import explain
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.chart_analysis import AXIS_PCT, analysis_chart_svg
from sop_engine.web.document_actions import Inputs, run_action, work_folder
from sop_engine.web.downloads import archive_download_response, draft_download_response
from sop_engine.web.errors import advice_text, page_text
from sop_engine.web.form_data import ParsedForm
from sop_engine.web.pages_cases import reads_cases, render_case_page
from sop_engine.web.pages_forms import posted_form
from sop_engine.web.rendering import render
from sop_engine.web.statuses import refusal_status
from sop_engine.web.uploads import MAX_FILES

router = APIRouter(include_in_schema=False)


def form_inputs(form: ParsedForm, files_field: str) -> Inputs:
    """The text fields and the files of ``files_field`` of a received form."""
    files = [IncomingFile(f.path, f.filename) for f in form.files if f.field == files_field]
    return Inputs(fields=form.fields, files=files)


@router.post("/kasus/{code}/langkah/{no}/dokumen/{slug}")
async def make_document(
    request: Request, code: str, no: int, slug: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    ctx = context_of(request)
    with await posted_form(request, session, files=MAX_FILES) as form, work_folder(ctx) as work:
        await run_in_threadpool(access.require_visible, ctx, session.identity, code)
        given = form_inputs(form, "berkas")
        try:
            await run_in_threadpool(run_action, ctx, code, no, slug, session.identity.username, given, Path(work))
        except SopError as exc:
            typed = {name: values[0] for name, values in form.fields.items() if values}
            return await run_in_threadpool(_refused, request, session, code, exc, typed)
    return RedirectResponse(f"/kasus/{quote(code, safe='')}?pesan=dokumen#langkah-{no}", status_code=303)


def _refused(request: Request, session: LoginSession, code: str, exc: SopError, typed: dict[str, str]) -> HTMLResponse:
    status = refusal_status(exc)
    if status is None:
        raise exc
    problems = [p.describe() for p in exc.problems] if isinstance(exc, ImportRefused) else []
    error = exc.message.split("\n", 1)[0] if problems else page_text(exc)
    return render_case_page(request, session, code, status=status, error=error, problems=problems, doc_typed=typed)


# --- the analysis of step 5 ----------------------------------------------------------------


@router.get("/kasus/{code}/analisis")
def analysis_page(request: Request, code: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    ctx = context_of(request)
    access.require(session.identity, reads_cases(request), "Analisis kinerja")
    case = access.visible_case(ctx, session.identity, code)
    try:
        record = service.analyse(ctx, service.report_year(ctx, case.id))
    except SopError as exc:
        if refusal_status(exc) is None:
            raise
        values: dict[str, Any] = {"case": case, "record": None, "findings": [], "error": page_text(exc), "chart": ""}
        return render(request, "analisis.html", values | {"pct": format_pct})
    findings = [explain(f.message, advice=advice_text(f.hint)) for f in record.findings]
    values = {"case": case, "record": record, "findings": findings, "error": "", "pct": format_pct, "axis": AXIS_PCT}
    values |= {"target": shown_target, "realisation": shown_realisation}
    values["chart"] = analysis_chart_svg(record)
    return render(request, "analisis.html", values)


# --- the archive of step 11 ----------------------------------------------------------------


@router.get("/kasus/{code}/arsip")
def archive_download(request: Request, code: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    ctx = context_of(request)
    access.require(session.identity, reads_cases(request), "Arsip kasus")
    case = access.visible_case(ctx, session.identity, code)
    return archive_download_response(ctx, case.id)


@router.get("/kasus/{code}/draf-lkj.{form}")
def draft_download(
    request: Request, code: str, form: str, session: LoginSession = Depends(auth.page_session)
) -> Response:
    """The draft LKj as it would be attached (``docx``), or its HTML preview (``html``), not attached."""
    ctx = context_of(request)
    access.require(session.identity, reads_cases(request), "Draf LKj")
    case = access.visible_case(ctx, session.identity, code)
    if form not in ("docx", "html"):
        raise NotFound(f"Draf LKj tersedia sebagai .docx atau .html, bukan .{form}.", value=form)
    return draft_download_response(ctx, case.id, preview=form == "html")


@router.post("/kasus/{code}/arsip/periksa")
async def archive_verify(request: Request, code: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    ctx = context_of(request)
    with await posted_form(request, session, files=1) as form:
        await run_in_threadpool(access.require_visible, ctx, session.identity, code)
        upload = next((f for f in form.files if f.field == "arsip"), None)
        if upload is None:
            error = page_text(InvalidInput("Pilih berkas arsip .zip yang akan diperiksa.", value=""))
            return await run_in_threadpool(render_case_page, request, session, code, status=422, error=error)
        check = await run_in_threadpool(archive.verify_archive, upload.path)
    if check.ok:
        notice = (
            f"Arsip '{upload.filename}' utuh: kasus {check.case}, {check.documents} dokumen, "
            f"{check.events} peristiwa audit; sidik arsip {check.manifest_sha256}."
        )
        return await run_in_threadpool(render_case_page, request, session, code, notice=notice)
    error = f"Arsip '{upload.filename}' tidak utuh: {check.problem}"
    return await run_in_threadpool(render_case_page, request, session, code, status=422, error=error)
