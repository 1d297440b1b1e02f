"""Every notification a worker deals with is logged: to whom, what became of it, on which channels, and why not."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sop_engine import cases
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.notify.worker import Worker

WIB = ZoneInfo("Asia/Jakarta")


def reminders_logged(ctx: Context, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Start the case on Monday 08:00, run one pass at 08:09 (step 1's reminder is due at 08:08); its log records."""
    clock.set(datetime(2021, 1, 11, 8, 0, tzinfo=WIB))
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    with caplog.at_level(logging.INFO, logger="sop_engine.scheduler"):
        report = Worker(ctx).tick(datetime(2021, 1, 11, 8, 9, tzinfo=WIB))
    records = [r for r in caplog.records if r.name == "sop_engine.scheduler"]
    assert len(records) == len(report.outcomes)  # one line per notification dealt with
    return [r for r in records if r.kind == "reminder"]  # type: ignore[attr-defined]


def test_a_delivered_notification_is_logged_with_its_channels(ctx: Context, clock: FixedClock, caplog):
    ctx.settings = dataclasses.replace(
        ctx.settings, notifications=dataclasses.replace(ctx.settings.notifications, default_channels=("log",))
    )
    [line] = reminders_logged(ctx, clock, caplog)
    assert line.levelno == logging.INFO
    assert line.getMessage().endswith("(reminder, level 0, lakip-2021 step 1) to sekretaris: sent via log")
    assert (line.status, line.channels, line.case, line.step) == ("sent", ["log"], "lakip-2021", 1)  # type: ignore[attr-defined]


def test_a_failed_notification_is_a_warning_that_says_why(ctx: Context, clock: FixedClock, caplog):
    ctx.settings = dataclasses.replace(
        ctx.settings, notifications=dataclasses.replace(ctx.settings.notifications, default_channels=("email",))
    )
    [line] = reminders_logged(ctx, clock, caplog)
    assert line.levelno == logging.WARNING and line.status == "failed"  # type: ignore[attr-defined]
    assert line.detail and line.getMessage().endswith(f"to sekretaris: failed ({line.detail})")  # type: ignore[attr-defined]
