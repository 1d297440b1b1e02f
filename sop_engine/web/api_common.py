"""What every part of the JSON API shares: the caller, the error document, bounded JSON bodies.

- :data:`Caller` is the dependency that turns the Bearer token into an :class:`Identity` (401 otherwise);
  :data:`bearer` only documents the scheme in ``/openapi.json``.
- :class:`ErrorOut` and :func:`documented` describe the answers in ``/openapi.json``. The routes return
  the JSON documents of :mod:`sop_engine.views` as they are (``JSONResponse``); the models that describe
  them are derived from the same declarations (:mod:`.api_models`) and a test holds the two together,
  so the API never reshapes what ``sop ... --json`` prints.
- :class:`AuthenticatedRoute` checks the token before anything else, then reads a JSON body with a
  size limit before FastAPI parses it, so a huge body is refused with 413 instead of being held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Message

from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_size
from sop_engine.identity import Identity
from sop_engine.textrules import MAX_TEXT_CHARS
from sop_engine.web import auth

#: The largest JSON body a route reads (the longest field, a 2000-character reason, fits many times).
MAX_JSON_BYTES = 64 * 1024

#: Documents the Bearer scheme in /openapi.json; the check itself is :func:`auth.api_identity`.
bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="sop_…",
    description="Token API dari `sop people token USER`, dikirim sebagai `Authorization: Bearer <token>`.",
)


async def caller(request: Request) -> Identity:
    """Who holds the Bearer token: as :class:`AuthenticatedRoute` found it, or looked up now (401 if nobody).

    A coroutine, so that FastAPI does not hand it to a worker thread (see :func:`auth.credential`).
    """
    found = getattr(request.state, "api_identity", None)
    return found if isinstance(found, Identity) else await auth.api_identity(request)


#: The dependency of every route: who holds the Bearer token (401 without a valid one).
Caller = Depends(caller)


def operation_id(route: APIRoute) -> str:
    """The operationId of a route in /openapi.json: its function's name (``complete_step``)."""
    return route.name


class ErrorOut(BaseModel):
    """An error: the Indonesian message, and the service's structured details where it has them."""

    model_config = ConfigDict(extra="allow")

    error: str
    code: str | None = None
    value: Any = None
    field: str | None = Field(None, description="Isian yang perlu diubah, misalnya `reason`.")
    remedy: dict[str, Any] | None = Field(
        None, description="Tindak lanjut yang menyelesaikannya: `name` (misalnya `show_case`) dan nilainya (`case`)."
    )


_ERROR_TEXT = {
    401: "Token API tidak ada, tidak dikenal atau sudah dicabut.",
    403: "Peran pemegang token tidak mengizinkan tindakan ini, atau keadaan kasus tidak mengizinkannya.",
    404: "Kasus, langkah atau dokumen tidak ada, atau bukan bagian tugas pemegang token.",
    409: "Bertabrakan dengan yang sudah terjadi (langkah sudah diselesaikan, kasus tahun itu sudah ada).",
    413: "Kiriman melebihi batas ukuran.",
    415: "Isi bukan JSON (Content-Type selain application/json).",
    422: "Isian tidak sah; `error` menyebut isian dan nilainya.",
}


def documented(model: type[BaseModel], status: int = 200, *errors: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: ``model`` on success, :class:`ErrorOut` for 401, 422 and ``errors``."""
    return {status: {"model": model, "description": "Berhasil."}, **errors_documented(*errors)}


def errors_documented(*errors: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route: :class:`ErrorOut` for 401, 422 and ``errors``."""
    return {code: {"model": ErrorOut, "description": _ERROR_TEXT[code]} for code in sorted({401, 422, *errors})}


class AuthenticatedRoute(APIRoute):
    """A route that checks the Bearer token first (401 before any body is read or validated).

    Its JSON body, if it takes one, is then read with :data:`MAX_JSON_BYTES` as the limit (413 beyond
    it) and refused with an Indonesian message if it is not JSON (415 for another content type, 422
    for text that does not parse), before FastAPI validates the fields.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None

        async def authenticated(request: Request) -> Response:
            request.state.api_identity = await auth.api_identity(request)
            if not takes_json:
                return await handler(request)
            body = await read_bounded(request, MAX_JSON_BYTES)
            check_json(request.headers.get("content-type"), body)
            return await handler(Request(request.scope, _replay(body, request)))

        return authenticated


async def read_bounded(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it (or its declared length) passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def check_json(content_type: str | None, body: bytes) -> None:
    """Refuse, in words a person can act on, a body that is not JSON (an empty one is left to the fields)."""
    if not body:
        return
    media = (content_type or "").partition(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        shown = f"Jenis isi '{content_type}'" if content_type else "Permintaan tanpa Content-Type"
        raise HTTPException(
            415, f"{shown} tidak dapat diterima; kirim JSON dengan header Content-Type: application/json."
        )
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"Isi permintaan bukan JSON yang sah (baris {exc.lineno}, kolom {exc.colno}); kirim satu objek JSON "
            'dengan isian yang diminta, misalnya {"reason": "..."}.',
            value=exc.pos,
        ) from None
    except (UnicodeDecodeError, RecursionError):
        raise InvalidInput(
            "Isi permintaan bukan JSON yang dapat dibaca (bukan teks UTF-8, atau bersarang terlalu dalam); "
            "kirim satu objek JSON dengan isian yang diminta.",
        ) from None


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        f"Isi JSON melebihi batas {format_size(limit)}; kirim hanya isian yang diminta "
        f"(alasan paling panjang {MAX_TEXT_CHARS} karakter).",
    )


def _replay(body: bytes, request: Request) -> Callable[[], Coroutine[Any, Any, Message]]:
    """An ASGI ``receive`` that hands the body already read to FastAPI, then waits as the server would."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await request.receive()

    return receive
