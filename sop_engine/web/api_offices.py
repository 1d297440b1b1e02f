"""The pengawas's half of the JSON API: the LAKIP case of each office under theirs, as on /pengawas.

For the role ``pengawas`` (:data:`sop_engine.access.READS_OFFICES`); others get 403. Read only:
a pengawas acts on no case, and the cases of the offices stay behind those offices' logins.
"""

from __future__ import annotations

from typing import Annotated, TypedDict

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from sop_engine import access
from sop_engine.identity import Identity
from sop_engine.views.fields import Doc
from sop_engine.views.offices import ProgressJson, progress_json
from sop_engine.web.api_common import AuthenticatedRoute, Caller, documented, operation_id
from sop_engine.web.api_models import model_of
from sop_engine.web.auth import context_of

router = APIRouter(route_class=AuthenticatedRoute, tags=["kantor"], generate_unique_id_function=operation_id)


class ProgressList(TypedDict):
    """The LAKIP case of the year of each office under the pengawas's office, by kode satker."""

    year: Annotated[int, Doc("Tahun kasus.")]
    offices: Annotated[list[ProgressJson], Doc("Tiap kantor, dengan langkah yang berjalan dan keterlambatannya.")]


ProgressListOut = model_of(ProgressList)


@router.get(
    "/offices",
    summary="Kemajuan LAKIP kantor di bawahnya",
    description="Kasus LAKIP tahun itu dari tiap kantor di bawah kantor pemegang token, langkah yang sedang "
    "berjalan dan keterlambatannya dalam waktu kerja kantor itu, seperti `sop offices list --tahun`. "
    "Untuk peran pengawas.",
    responses=documented(ProgressListOut, 200, 403),
)
def supervised_offices(
    request: Request,
    identity: Annotated[Identity, Caller],
    tahun: Annotated[int, Query(ge=2000, le=2100, description="Tahun kasus LAKIP.", examples=[2021])],
) -> JSONResponse:
    """Each office under the token holder's office: its LAKIP case of ``tahun`` and how late it is."""
    rows = access.supervised_progress(context_of(request), identity, tahun)
    return JSONResponse(ProgressList(year=tahun, offices=[progress_json(row) for row in rows]))
