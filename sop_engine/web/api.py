"""The JSON API under /api/v1: the router, who is asking, and the parts both halves share.

Every route takes ``Authorization: Bearer <token>`` (``sop people token USER``) and acts as the
token's holder, through the same services and read rules as the pages: a case the holder may not
see is answered 404, an action their role may not take 403. Errors are JSON ``{"error": ...}``
with an Indonesian message (see :mod:`sop_engine.web.app`); ``/openapi.json`` documents every
route, body and answer. The cases, the audit trail, the pengawas's offices and the letter register
have their own modules (:mod:`sop_engine.web.api_cases`, :mod:`sop_engine.web.api_audit`,
:mod:`sop_engine.web.api_offices`, :mod:`sop_engine.web.api_letters`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from sop_engine import views
from sop_engine.identity import Identity
from sop_engine.web import api_audit, api_cases, api_documents, api_letters, api_offices
from sop_engine.web.api_common import AuthenticatedRoute, Caller, bearer, documented, operation_id
from sop_engine.web.api_models import model_of

router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(bearer)],
    route_class=AuthenticatedRoute,
    generate_unique_id_function=operation_id,
)


MeOut = model_of(views.MeJson)


@router.get(
    "/me",
    summary="Pemegang token",
    description="Nama pengguna, nama dan peran pemegang token API.",
    tags=["akun"],
    responses=documented(MeOut),
)
def me(identity: Annotated[Identity, Caller]) -> JSONResponse:
    return JSONResponse(views.me_json(identity))


router.include_router(api_cases.router)
router.include_router(api_documents.router)
router.include_router(api_audit.router)
router.include_router(api_offices.router)
router.include_router(api_letters.router)
