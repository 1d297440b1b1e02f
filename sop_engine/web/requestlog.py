"""One log line per request, with the id that ties it to everything else logged meanwhile.

:class:`RequestLog` is the outermost layer of the application (outside Starlette's error
handler, so it sees the 500 that handler answers): it gives each request a random id, answers
it in the ``X-Request-ID`` header, keeps it in :data:`sop_engine.logs.REQUEST_ID` and in
``request.state.request_id`` while the request is answered, and then logs one line: method,
path, route, status, duration, the user (the session's or the API token's holder) and the
client's address. It is pure ASGI and passes bodies through untouched, so uploads stream.
Query strings, headers and cookies are never logged.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sop_engine.logs import REQUEST_ID
from sop_engine.web.metrics import HttpMetrics

log = logging.getLogger("sop_engine.access")

#: The route label of a request no route matched (its path would make the series unbounded).
UNMATCHED = "unmatched"


class RequestLog:
    """Request id, access line and HTTP metrics around an ASGI application."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # if the application ends without answering, the server answers 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        method, path, route = scope["method"], _printable(scope["path"]), route_of(scope)
        user = user_of(scope.get("state", {}))
        client = scope.get("client")
        log.info(
            "%s %s %d %.1f ms user=%s",
            method,
            path,
            status,
            seconds * 1000,
            user or "-",
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "user": user,
                "client": client[0] if client else None,
            },
        )
        if self.metrics is not None:
            self.metrics.observe(method, route, status, seconds)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/kasus/{code}``), the mount's path, or :data:`UNMATCHED`."""
    path = getattr(scope.get("route"), "path", None)
    return str(path) if path else (scope.get("root_path") or UNMATCHED)


def user_of(state: dict[str, Any]) -> str | None:
    """Who asked: the logged-in person of a page, or the holder of an API token (None: nobody known)."""
    session = state.get("login_session")
    identity = getattr(session, "identity", None) or state.get("api_identity")
    username = getattr(identity, "username", None)
    return str(username) if username else None


def _printable(text: str, limit: int = 300) -> str:
    """``text`` with control characters escaped (one request, one line) and cut at ``limit`` characters."""
    text = text[:limit]
    return text if text.isprintable() else "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
