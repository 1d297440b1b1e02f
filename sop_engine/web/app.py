"""The web application: pages and API routers, security headers, and one error policy for both.

Every error a person or a program can cause is answered with its proper status (400, 401, 403,
404, 409, 413, 422) and an Indonesian message naming the value and the fix: as JSON
``{"error": ..., ...}`` under ``/api/`` and as a page elsewhere. Only a fault of our own is a 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sop_engine import logs
from sop_engine.context import Context
from sop_engine.errors import Busy, SopError
from sop_engine.web import api, login, ops, pages
from sop_engine.web.auth import CsrfRejected, LoginRequired, Unauthenticated
from sop_engine.web.errors import page_text
from sop_engine.web.form_data import UploadRejected, UploadTooLarge
from sop_engine.web.metrics import Registry
from sop_engine.web.rendering import render
from sop_engine.web.requestlog import RequestLog
from sop_engine.web.statuses import refusal_status

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

GENERIC = {
    400: "Permintaan tidak dapat dibaca; periksa isian lalu kirim ulang.",
    401: "Anda belum masuk; sertakan token API (Authorization: Bearer ...) atau masuk lewat halaman /masuk.",
    403: "Anda tidak berwenang melakukan ini.",
    404: "Halaman atau data yang diminta tidak ada; periksa alamatnya.",
    405: "Metode ini tidak didukung untuk alamat ini.",
    409: "Data sudah berubah sejak Anda membukanya; muat ulang halaman.",
    413: "Kiriman terlalu besar.",
    415: "Jenis isi kiriman tidak didukung.",
    422: "Isian tidak sah; periksa lalu kirim ulang.",
    500: "Terjadi kesalahan pada server; kejadian ini dicatat. Coba lagi nanti atau hubungi admin.",
}


#: Indonesian wording of the validation errors a client can cause, by pydantic error type.
VALIDATION_TEXTS = {
    "missing": "wajib diisi",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "string_type": "harus teks",
    "bool_parsing": "harus true atau false",
    "string_too_short": "terlalu pendek (paling sedikit {min_length} karakter)",
    "string_too_long": "terlalu panjang (paling banyak {max_length} karakter)",
    "greater_than_equal": "harus paling kecil {ge}",
    "less_than_equal": "harus paling besar {le}",
    "greater_than": "harus lebih dari {gt}",
    "less_than": "harus kurang dari {lt}",
    "string_pattern_mismatch": "bentuknya tidak sah",
    "date_parsing": "harus tanggal YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal YYYY-MM-DD",
    "json_invalid": "bukan JSON yang sah",
    "model_attributes_type": "harus objek JSON",
    "dict_type": "harus objek JSON",
    "extra_forbidden": "tidak dikenal; hapus isian ini",
    "literal_error": "harus salah satu dari {expected}",
}


def validation_text(error: Any) -> str:
    """One validation problem in Indonesian (the library's English text when the type is unknown)."""
    template = VALIDATION_TEXTS.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", "tidak sah"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return template.split(" (")[0]


class SecurityHeaders:
    """Adds the security headers to every response (pages, API, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(
    request: Request, status: int, message: str, *, page_message: str | None = None, **details: Any
) -> Response:
    """The one shape of an error: JSON for the API, an Indonesian page for people (``page_message``
    when the page words it differently: a service refusal's field and remedy). A 500 names its
    request id, under which the log holds the traceback."""
    request_id = getattr(request.state, "request_id", None) if status == 500 else None
    if request_id:
        details = {**details, "request_id": request_id}
    if wants_json(request):
        headers = {"WWW-Authenticate": 'Bearer realm="sop-engine"'} if status == 401 else None
        return JSONResponse({"error": message, **details}, status_code=status, headers=headers)
    page = {"status": status, "message": message if page_message is None else page_message, "request_id": request_id}
    return render(request, "error.html", page, status=status)


class _Application(FastAPI):
    """FastAPI with :class:`RequestLog` outside everything, so it also sees the 500 of the fault handler."""

    def build_middleware_stack(self) -> ASGIApp:
        metrics: Registry | None = self.state.metrics
        return RequestLog(super().build_middleware_stack(), metrics.http if metrics else None)


def create_app(ctx: Context) -> FastAPI:
    """The ASGI application over one install's services (``ctx`` carries settings, database, clock)."""
    app = _Application(
        title="sop-engine API",
        version="1",
        description="API kasus SOP (LAKIP): daftar dan detail kasus, mulai, selesaikan, kembalikan, batalkan, "
        "jejak audit. Autentikasi: header `Authorization: Bearer <token>` dari `sop people token USER`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.metrics = Registry(ctx) if ctx.settings.metrics.enabled else None
    # Routes are matched in this order (no path is in two routers): the API and the pages, asked
    # most, before the probes and the login.
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(ops.router)
    app.include_router(login.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """The one error policy: each refusal answered with its status, a fault of our own with a 500."""
    app.exception_handler(SopError)(_on_sop_error)
    app.exception_handler(LoginRequired)(_on_login_required)
    app.exception_handler(Unauthenticated)(_on_unauthenticated)
    app.exception_handler(CsrfRejected)(_on_csrf)
    app.exception_handler(UploadTooLarge)(_on_too_large)
    app.exception_handler(UploadRejected)(_on_upload_rejected)
    app.exception_handler(RequestValidationError)(_on_validation)
    app.exception_handler(StarletteHTTPException)(_on_http)
    app.exception_handler(Exception)(_on_fault)


async def _on_sop_error(request: Request, exc: SopError) -> Response:
    status = refusal_status(exc) or 500
    if status == 500:
        log.error("service error on %s %s: %s", request.method, request.url.path, exc.message)
    details = {k: v for k, v in exc.as_dict().items() if k not in ("error", "message")}
    response = error_response(request, status, exc.message, page_message=page_text(exc), **details)
    if isinstance(exc, Busy):
        response.headers["Retry-After"] = str(exc.details.get("retry_after", 5))
    return response


async def _on_login_required(request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse(exc.login_url, status_code=303)


async def _on_unauthenticated(request: Request, exc: Unauthenticated) -> Response:
    return error_response(request, 401, exc.message)


async def _on_csrf(request: Request, exc: CsrfRejected) -> Response:
    return error_response(request, 403, exc.message)


async def _on_too_large(request: Request, exc: UploadTooLarge) -> Response:
    return error_response(request, 413, exc.message, limit=exc.limit)


async def _on_upload_rejected(request: Request, exc: UploadRejected) -> Response:
    return error_response(request, 400, exc.message)


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        {"lokasi": ".".join(str(part) for part in error.get("loc", ())), "pesan": validation_text(error)}
        for error in exc.errors()
    ]
    where = ", ".join(p["lokasi"] for p in problems) or "isian"
    return error_response(
        request, 422, f"Isian tidak sah: {where}. Periksa nilainya lalu kirim ulang.", detail=problems
    )


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    custom = isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
    message = str(exc.detail) if custom else None
    return error_response(request, exc.status_code, message or GENERIC.get(exc.status_code, "Permintaan ditolak."))


async def _on_fault(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", None)
    log.exception("unexpected error on %s %s", request.method, request.url.path, extra={"request_id": request_id})
    logs.mark_logged(exc, request_id)  # the server need not log the same traceback again
    response = error_response(request, 500, GENERIC[500])
    # Starlette re-raises a fault to the server after this answer, and the server then closes
    # the connection: say so, or a keep-alive client would send its next request into it.
    response.headers["Connection"] = "close"
    return response
