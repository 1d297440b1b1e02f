"""Evaluasi SOP: the monitoring and evaluation of how an SOP is followed, per step, with its .xlsx and
.pdf downloads.

The same figures as ``sop evaluasi``: one SOP (``?sop=``) over the cases started between ``dari``
and ``sampai``; the leaders who read the audit trail (Ketua, Sekretaris, Inspektorat) open it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sop_engine import access, evaluation, workflows
from sop_engine.audit import AuditFilter
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.evaluation_pdf import evaluation_pdf
from sop_engine.evaluation_xlsx import workbook_bytes
from sop_engine.logins import LoginSession
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.downloads import MEDIA_TYPES
from sop_engine.web.errors import page_text
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)

_WHAT = "Evaluasi SOP"
#: The query parameters of the page.
FIELDS = ("sop", "dari", "sampai")


@router.get("/evaluasi")
def evaluation_page(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    ctx = context_of(request)
    choices = sorted(workflows.on_disk(ctx).values(), key=lambda definition: definition.name)
    typed = {name: request.query_params.get(name, "").strip() for name in FIELDS}
    typed["sop"] = typed["sop"] or (choices[0].name if choices else "")
    values: dict[str, Any] = {"typed": typed, "choices": choices, "result": None, "error": "", "periode": ""}
    status = 200
    try:
        result = values["result"] = _evaluate(request, typed)
        values["periode"] = evaluation.period_text(result.since, result.until)
    except (InvalidInput, NotFound) as exc:
        values["error"], status = page_text(exc), 422 if isinstance(exc, InvalidInput) else 404
    values["query"] = urlencode({k: v for k, v in typed.items() if v})
    return render(request, "evaluasi.html", values, status=status)


@router.get("/evaluasi.{kind}")
def evaluation_download(request: Request, kind: str, session: LoginSession = Depends(auth.page_session)) -> Response:
    """The evaluation as the workbook (.xlsx) or the PDF under the office's kop, as ``sop evaluasi -o``."""
    access.require(session.identity, access.READS_AUDIT, _WHAT)
    if kind not in ("xlsx", "pdf"):
        raise NotFound(f"Evaluasi SOP tersedia sebagai .xlsx atau .pdf, bukan .{kind}.", value=kind)
    typed = {name: request.query_params.get(name, "").strip() for name in FIELDS}
    result = _evaluate(request, typed)
    data = workbook_bytes(result) if kind == "xlsx" else evaluation_pdf(result, context_of(request).settings.office)
    return Response(
        data,
        media_type=MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": f'attachment; filename="evaluasi-{result.workflow.name}.{kind}"',
            "Cache-Control": "private, no-store",
        },
    )


def _evaluate(request: Request, typed: dict[str, str]) -> evaluation.Evaluation:
    period = AuditFilter.from_text(since=typed["dari"], until=typed["sampai"])
    return evaluation.evaluate(context_of(request), typed["sop"], period.since, period.until)
