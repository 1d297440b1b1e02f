"""The pages behind the login: Tugas Saya here, and the routers of the cases, the audit trail and people.

Routes are thin: who is asking (:func:`sop_engine.web.auth.page_session`), whether their role
may open the page (:func:`sop_engine.access.require`, 403 otherwise), one service call, one
template. The pages are server-rendered and work without JavaScript.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sop_engine import access
from sop_engine.logins import LoginSession
from sop_engine.policy import Permission, roles_for
from sop_engine.web import (
    auth,
    pages_audit,
    pages_cases,
    pages_documents,
    pages_evaluation,
    pages_letters,
    pages_offices,
    pages_people,
    pages_sopdoc,
    reading,
)
from sop_engine.web.auth import context_of
from sop_engine.web.document_actions import input_documents
from sop_engine.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/tugas")
async def my_tasks(request: Request, session: LoginSession = Depends(auth.page_session)) -> Response:
    """The active steps this person may do, most urgent first (read where :mod:`.reading` says)."""
    ctx = context_of(request)
    access.require(session.identity, roles_for(Permission.WORK_ON_STEPS, ctx.settings.roles), "Halaman Tugas Saya")
    tasks = await reading.read(ctx, access.my_tasks, ctx, session.identity, ctx.clock.now())
    inputs = {(t.case.id, t.step.no): input_documents(t.case, t.step.no) for t in tasks}
    return render(request, "tugas.html", {"tasks": tasks, "inputs": inputs})


router.include_router(pages_cases.router)
router.include_router(pages_documents.router)
router.include_router(pages_letters.router)
router.include_router(pages_audit.router)
router.include_router(pages_people.router)
router.include_router(pages_evaluation.router)
router.include_router(pages_sopdoc.router)
router.include_router(pages_offices.router)
