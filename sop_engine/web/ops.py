"""What a load balancer and a monitor ask, without a login: ``/healthz``, ``/readyz`` and ``/metrics``.

``/healthz`` says only that the process answers. ``/readyz`` runs the readiness checks
(:func:`sop_engine.health.readiness`): 200 when the database, its schema and the document store
are fine, else 503 naming the failed checks (why they failed goes to the log, not to whoever
asks). ``/metrics`` answers in the Prometheus text format when ``[metrics] enabled`` is true and
is 404 otherwise. None of them is in ``/openapi.json``: they are not part of the API.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from sop_engine import health
from sop_engine.web.auth import context_of
from sop_engine.web.metrics import CONTENT_TYPE_LATEST, Registry

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Probes must see the state of now, never a cached answer.
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when every readiness check passes, else 503 naming the failed ones."""
    checks = health.readiness(context_of(request))
    failed = [check.name for check in checks if not check.ok]
    for check in checks:
        if not check.ok:
            log.warning("readiness check %s failed: %s", check.name, check.problem)
    body: dict[str, object] = {
        "status": "unavailable" if failed else "ready",
        "checks": {check.name: "ok" if check.ok else "failed" for check in checks},
    }
    if failed:
        body["failed"] = failed
    return JSONResponse(body, status_code=503 if failed else 200, headers=NO_STORE)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Every series in the Prometheus text format, or 404 when ``[metrics] enabled`` is false."""
    registry: Registry | None = request.app.state.metrics
    if registry is None:
        raise HTTPException(404)
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)
