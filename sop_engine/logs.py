"""Logging of the long-running processes, configured once at their start from ``[logging]``.

``sop serve`` and ``sop scheduler run`` call :func:`configure`: one handler on stderr for the
whole process (uvicorn's and APScheduler's loggers included), at the configured level, writing
either one readable line per record or one JSON object per line. Logs are for developers and
operators, so they are in English; they never carry passwords, tokens or cookies.

While the web application answers a request, :data:`REQUEST_ID` holds its id, and every record
logged meanwhile carries it (``request_id``), so the traceback of a server error can be found
from the code its error page shows. A fault the application answered and logged itself is
marked (:func:`mark_logged`) so that the server's own "Exception in ASGI application" record
does not print the same traceback a second time.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from sop_engine.config_ops import LoggingSettings

#: The id of the request being answered in this context (None outside a request).
REQUEST_ID: ContextVar[str | None] = ContextVar("sop_request_id", default=None)

#: The attributes every LogRecord has; the others are a record's own fields (``extra=``).
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
#: Fields of other libraries' records that only repeat the message (uvicorn's, with colour codes).
_NOISE = frozenset({"color_message"})
#: The note a logged fault carries; the server's record of the same exception is then dropped.
_LOGGED = "sop-engine: logged with request id "
#: What uvicorn says about an exception that reached it.
_SERVER_FAULT = "Exception in ASGI application"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the record's own fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD and key not in _NOISE and not key.startswith("_")
        )
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2026-01-05T09:00:00+0700 INFO sop_engine.access [request id] message`` (``-`` outside a request)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_shown)s] %(message)s", "%Y-%m-%dT%H:%M:%S%z")

    def format(self, record: logging.LogRecord) -> str:
        record.request_shown = getattr(record, "request_id", None) or "-"
        return super().format(record)


class _Enrich(logging.Filter):
    """Gives each record the current request id; drops the server's copy of a fault already logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        error = record.exc_info[1] if record.exc_info else None
        return not (record.getMessage().startswith(_SERVER_FAULT) and error is not None and was_logged(error))


class _ProcessHandler(logging.StreamHandler[TextIO]):
    """The one handler :func:`configure` installs (replaced, not doubled, when called again)."""


def configure(settings: LoggingSettings, stream: TextIO | None = None) -> logging.Handler:
    """Send every record at ``settings.level`` or above to ``stream`` (stderr) in ``settings.format``."""
    handler = _ProcessHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    handler.addFilter(_Enrich())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _ProcessHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelNamesMapping()[settings.level.upper()]
    root.setLevel(level)
    # APScheduler reports every pass at INFO; only its warnings matter unless debugging.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    return handler


def mark_logged(error: BaseException, request_id: str | None) -> None:
    """Note on ``error`` that its traceback was logged (with ``request_id``)."""
    error.add_note(f"{_LOGGED}{request_id or '-'}")


def was_logged(error: BaseException) -> bool:
    """Whether :func:`mark_logged` noted ``error``."""
    return any(str(note).startswith(_LOGGED) for note in getattr(error, "__notes__", ()))
