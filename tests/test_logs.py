"""Logging of the long-running processes: one JSON object or one text line per record, the request id on each.

The real processes are tested in ``test_web_serve_ops.py``; these claims hold the formatters, the
filter and :func:`sop_engine.logs.configure` to their promises in-process.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator

import pytest

from sop_engine import logs
from sop_engine.config_ops import LoggingSettings
from sop_engine.notify import runner
from tests.helpers import run_cli


@pytest.fixture
def restore_root() -> Iterator[None]:
    """Put the root logger back as pytest set it (configure() changes the whole process)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    scheduler_level = logging.getLogger("apscheduler").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(scheduler_level)


def record(**extra: object) -> logging.LogRecord:
    """An INFO record "hello world" of logger sop_engine.test with ``extra`` fields."""
    made = logging.LogRecord("sop_engine.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    made.__dict__.update(extra)
    return made


def test_json_lines_carry_time_level_logger_message_and_the_records_own_fields():
    line = logs.JsonFormatter().format(record(request_id="abc", status=200, color_message="\x1b[1mx"))
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "sop_engine.test" and entry["message"] == "hello world"
    assert entry["request_id"] == "abc" and entry["status"] == 200
    assert entry["time"].endswith("+00:00") and "color_message" not in entry and "\n" not in line


def test_a_traceback_stays_inside_its_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = logs.JsonFormatter().format(failed)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["traceback"]


def test_text_lines_show_the_request_id_or_a_dash():
    formatter = logs.TextFormatter()
    assert formatter.format(record(request_id="abc")).endswith("INFO sop_engine.test [abc] hello world")
    assert formatter.format(record()).endswith("INFO sop_engine.test [-] hello world")


def test_the_filter_gives_records_the_current_request_id_and_keeps_one_given_explicitly():
    enrich = logs._Enrich()
    token = logs.REQUEST_ID.set("r1")
    try:
        plain, explicit = record(), record(request_id="r0")
        assert enrich.filter(plain) and enrich.filter(explicit)
    finally:
        logs.REQUEST_ID.reset(token)
    assert (plain.request_id, explicit.request_id) == ("r1", "r0")  # type: ignore[attr-defined]


def test_the_servers_copy_of_a_fault_already_logged_is_dropped_and_any_other_kept():
    def server_record(error: Exception) -> logging.LogRecord:
        message, exc_info = "Exception in ASGI application\n", (type(error), error, None)
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, message, (), exc_info)

    answered, unknown = RuntimeError("answered"), RuntimeError("not answered")
    logs.mark_logged(answered, "abc")
    assert logs.was_logged(answered) and not logs.was_logged(unknown)
    assert not logs._Enrich().filter(server_record(answered))
    assert logs._Enrich().filter(server_record(unknown))


def test_configure_installs_one_handler_at_the_level_however_often_it_is_called(restore_root: None):
    stream = io.StringIO()
    logs.configure(LoggingSettings(level="debug", format="text"), stream)
    logs.configure(LoggingSettings(level="warning", format="json"), stream)
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs._ProcessHandler)]
    assert len(ours) == 1 and logging.getLogger().level == logging.WARNING
    assert logging.getLogger("apscheduler").level == logging.WARNING
    logging.getLogger("sop_engine.test").info("left out")
    logging.getLogger("sop_engine.test").warning("kept %d", 1)
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "kept 1"


def test_sop_scheduler_run_logs_as_config_toml_says(ctx, clock, monkeypatch: pytest.MonkeyPatch, restore_root: None):
    def one_pass(worker: object, on_report: object) -> None:
        logging.getLogger("sop_engine.scheduler").info("a pass")

    monkeypatch.setattr(runner, "run", one_pass)
    settings = dataclasses.replace(ctx.settings, logging=LoggingSettings(level="info", format="json"))
    done = run_cli(["scheduler", "run"], settings, clock)
    assert done.code == 0 and "Penjadwal berjalan" in done.out
    [line] = done.err.splitlines()
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "sop_engine.scheduler",
        "message": "a pass",
        "request_id": None,
    }
