"""Pengawasan: the pengawas's page of the LAKIP case of each office under theirs, for one year."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sop_engine import access
from sop_engine.logins import LoginSession
from sop_engine.views.offices import progress_json
from sop_engine.web import auth
from sop_engine.web.auth import context_of
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/pengawas")
def supervision(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    """Each office under the pengawas's office: its LAKIP case of the year, current step and how late."""
    ctx = context_of(request)
    year = _year(request.query_params.get("tahun"), ctx.clock.now().astimezone(ctx.tz).year)
    rows = access.supervised_progress(ctx, session.identity, year)
    return render(request, "pengawas.html", {"year": year, "rows": [progress_json(row) for row in rows]})


def _year(given: str | None, default: int) -> int:
    """The year asked for (``?tahun=``), the office's current year when absent or not a year."""
    return int(given) if given and given.isdigit() and 2000 <= int(given) <= 2100 else default
