"""The due-action outbox (issue 3): which notifications a step gets, when, to whom, and when they go away.

Notifications are written and cancelled in the same transaction as the step change; their moments
are working time of the office calendar; ``sop deadlines recompute`` moves them after the holiday
list changes. Delivery itself is tested in ``test_notifications.py``. Both backends.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm.exc import StaleDataError

from sop_engine import audit, case_moves, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Case, Notification
from sop_engine.errors import InvalidInput
from sop_engine.marking import complete_trigger
from sop_engine.notify.worker import Worker
from sop_engine.outbox import NotificationRecord, list_notifications
from tests.helpers import LAKIP_PARAF, pdf, run_cli

WIB = ZoneInfo("Asia/Jakarta")
CASE = "lakip-2021"
FILE_STEPS = {1, 2, 4, 5, 6, 7, 9, 10}


def t(text: str) -> datetime:
    """An office-local (WIB) instant from ISO text without an offset."""
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def start(ctx: Context, clock: FixedClock, when: str) -> None:
    clock.set(t(when))
    cases.start_case(ctx, "lakip", 2021, "sekretaris")


def finish(ctx: Context, clock: FixedClock, folder: Path, step: int, by: str, when: str) -> None:
    """Complete ``step`` at ``when`` (the clock moves there), with a PDF for steps that need a file."""
    clock.set(t(when))
    file = IncomingFile.from_path(pdf(folder, f"langkah-{step}.pdf", text=when))
    cases.complete_step(ctx, CASE, step, by, files=[file] if step in FILE_STEPS else [])


def notes(ctx: Context, **where: Any) -> list[NotificationRecord]:
    """The notifications of the case whose fields equal ``where`` (e.g. kind="due", step=2)."""
    return [n for n in list_notifications(ctx, CASE) if all(getattr(n, k) == v for k, v in where.items())]


def planned(ctx: Context, step: int, round_no: int = 1) -> list[tuple[str, int, str, datetime, tuple[str, ...]]]:
    """(kind, level, recipient, due_at, cc) of one activation's pending notifications, sorted."""
    return sorted(
        (n.kind, n.level, n.recipient, n.due_at, n.cc) for n in notes(ctx, step=step, round=round_no, status="pending")
    )


# --- created and cancelled with the step ---------------------------------------------------


def test_the_next_step_gets_reminder_due_and_escalations_at_working_time_moments(ctx, clock, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")
    # Step 2 (kasubag, 2 jam): reminder after 80 % = 1 jam 36 menit, due 10:05, escalation every
    # max(50 % of 2 jam, 30 menit) = 1 jam of working time after it (the lunch hour does not count).
    assert planned(ctx, 2) == [
        ("due", 0, "kasubag", t("2021-01-11T10:05"), ()),
        ("escalation", 1, "sekretaris", t("2021-01-11T11:05"), ("kasubag",)),
        ("escalation", 2, "ketua", t("2021-01-11T13:05"), ("kasubag",)),
        ("reminder", 0, "kasubag", t("2021-01-11T09:41"), ()),
    ]


def test_completing_a_step_cancels_its_pending_notifications_and_nothing_is_sent_for_them(
    settings, ctx, clock, tmp_path
):
    start(ctx, clock, "2021-01-11T08:00")
    assert sorted(n.kind for n in notes(ctx, step=1, status="pending")) == ["due", "escalation", "reminder"]
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")

    listed = run_cli(["notifications", "list", "--case", CASE, "--json"], settings, clock)
    assert listed.code == 0, listed.err
    step_1 = [n for n in json.loads(listed.out) if n["step"] == 1]
    assert sorted((n["kind"], n["status"]) for n in step_1) == [
        ("due", "cancelled"),
        ("escalation", "cancelled"),
        ("reminder", "cancelled"),
    ]
    clock.set(t("2021-01-11T09:00"))
    tick = run_cli(["scheduler", "tick", "--now", "2021-01-11T09:00", "--json"], settings, clock)
    assert tick.code == 0, tick.err
    assert json.loads(tick.out)["handled"] == []
    assert not settings.notifications.log.path.exists()
    assert all(n.status == "cancelled" and n.deliveries == () for n in notes(ctx, step=1))


def test_a_refused_completion_leaves_the_step_notifications_pending(ctx, clock):
    start(ctx, clock, "2021-01-11T08:00")
    before = planned(ctx, 1)
    clock.set(t("2021-01-11T08:05"))
    with pytest.raises(InvalidInput):
        cases.complete_step(ctx, CASE, 1, "sekretaris")  # step 1 needs its Disposisi surat
    assert planned(ctx, 1) == before
    assert notes(ctx, step=2) == []


class _RolledBack(Exception):
    """Leaves a write transaction without committing it."""


def test_a_completion_whose_case_someone_else_wrote_first_writes_no_notification(ctx, clock, tmp_path):
    # On PostgreSQL the case rows and the notifications are one statement: the notifications must
    # follow the case's version check, not be written beside a refused UPDATE (the second click).
    start(ctx, clock, "2021-01-11T08:00")
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")
    clock.set(t("2021-01-11T09:40"))
    counts = select(func.count()).select_from(Notification).where(Notification.step_no == bindparam("step"))
    pending = counts.where(Notification.status == "pending")
    with pytest.raises(_RolledBack), ctx.db.write() as session:
        conn = session.connection()
        act = case_moves.active_step(ctx, session, CASE, 2, "kasubag")
        conn.execute(update(Case).where(Case.id == act.case.id).values(version=Case.version + 1))  # the other click
        new_state, after = case_moves.fire(act, complete_trigger(2))
        case_moves.finish(act.row, "kasubag", clock.now(), None)
        with pytest.raises(StaleDataError):
            case_moves.advance(ctx, session, act, new_state, after, clock.now())
        assert conn.scalar(counts, {"step": 3}) == 0  # inside the same transaction: nothing written
        assert conn.scalar(pending, {"step": 2}) == 4  # nothing cancelled
        raise _RolledBack
    finish(ctx, clock, tmp_path, 2, "kasubag", "2021-01-11T09:40")  # the case is as it was: it completes
    assert [n.kind for n in notes(ctx, step=2, status="pending")] == []
    assert len(notes(ctx, step=3, status="pending")) > 0


ESCALATION_CHAIN = {
    1: ["ketua"],  # sekretaris
    2: ["sekretaris", "ketua"],  # kasubag_program
    3: ["kasubag", "sekretaris", "ketua"],  # staf
    4: ["kasubag", "sekretaris", "ketua"],
    5: ["sekretaris", "ketua"],
    6: ["kasubag", "sekretaris", "ketua"],
    7: ["sekretaris", "ketua"],
    8: ["sekretaris", "ketua"],
    9: [],  # ketua: top of the chain
}
ASSIGNEES = {
    "sekretaris": ["sekretaris"],
    "kasubag_program": ["kasubag"],
    "staf": ["staf1", "staf2"],
    "ketua": ["ketua"],
}
ROLE_OF = {1: "sekretaris", 2: "kasubag_program", 3: "staf", 4: "staf", 5: "kasubag_program", 6: "staf"}
ROLE_OF |= {7: "kasubag_program", 8: "kasubag_program", 9: "ketua"}
WALK = [
    (1, "sekretaris", "2021-01-11T08:05"),
    (2, "kasubag", "2021-01-11T09:40"),
    (3, "staf1", "2021-01-11T10:15"),
    (4, "staf2", "2021-01-11T15:20"),
    (5, "kasubag", "2021-01-14T15:00"),
    (6, "staf1", "2021-01-18T15:00"),
    (7, "kasubag", "2021-01-20T14:00"),
    (8, "kasubag", "2021-01-20T14:30"),
]


def test_escalation_follows_the_supervisor_chain_staf_3_levels_kasubag_2_sekretaris_1_ketua_none(ctx, clock, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    walk = iter(WALK)
    for step in range(1, 10):
        rows = notes(ctx, step=step, status="pending")
        people = ASSIGNEES[ROLE_OF[step]]
        escalations = sorted((n for n in rows if n.kind == "escalation"), key=lambda n: n.level)
        assert [(n.level, n.recipient) for n in escalations] == list(enumerate(ESCALATION_CHAIN[step], start=1)), step
        assert all(sorted(n.cc) == people for n in escalations), step
        for kind in ("reminder", "due"):
            assert sorted(n.recipient for n in rows if n.kind == kind) == people, (step, kind)
        if step < 9:
            no, by, when = next(walk)
            finish(ctx, clock, tmp_path, no, by, when)
            for user in LAKIP_PARAF.get(no, ()):
                finish(ctx, clock, tmp_path, no, user, when)
            assert notes(ctx, step=step, status="pending") == []


def test_a_returned_step_gets_fresh_notifications_for_its_new_round_and_the_returning_steps_are_cancelled(
    ctx, clock, tmp_path
):
    start(ctx, clock, "2021-01-11T08:00")
    for no, by, when in WALK[:6]:
        finish(ctx, clock, tmp_path, no, by, when)
    assert len(notes(ctx, step=7, round=1, status="pending")) == 4
    clock.set(t("2021-01-19T10:00"))
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel realisasi anggaran belum cocok")

    assert notes(ctx, step=7, status="pending") == []
    assert {n.status for n in notes(ctx, step=7, round=1)} == {"cancelled"}
    assert {n.status for n in notes(ctx, step=6, round=1)} == {"cancelled"}
    # Step 6 (staf, 2 hari = 15 working hours) restarted Tue 10:00: reminder after 12 hours,
    # due Thu 10:00, escalation every 7.5 hours (50 % of the budget) up the chain.
    staf = ("staf1", "staf2")
    assert planned(ctx, 6, round_no=2) == [
        ("due", 0, "staf1", t("2021-01-21T10:00"), ()),
        ("due", 0, "staf2", t("2021-01-21T10:00"), ()),
        ("escalation", 1, "kasubag", t("2021-01-22T10:00"), staf),
        ("escalation", 2, "sekretaris", t("2021-01-25T10:00"), staf),
        ("escalation", 3, "ketua", t("2021-01-26T10:00"), staf),
        ("reminder", 0, "staf1", t("2021-01-20T15:30"), ()),
        ("reminder", 0, "staf2", t("2021-01-20T15:30"), ()),
    ]


def test_cancelling_a_case_cancels_all_its_pending_notifications(settings, ctx, clock, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")
    assert len(notes(ctx, status="pending")) == 4
    clock.set(t("2021-01-11T08:30"))
    cases.cancel_case(ctx, CASE, "sekretaris", "Kegiatan dialihkan ke tahun berikutnya")
    assert notes(ctx, status="pending") == []
    assert {n.status for n in notes(ctx)} == {"cancelled"}
    report = Worker(ctx).tick(t("2021-01-12T16:00"))
    assert [o for o in report.outcomes if o.case == CASE] == []


# --- sop deadlines recompute ----------------------------------------------------------------


def test_recompute_after_a_new_holiday_moves_the_open_deadline_and_its_notifications_with_one_audit_event(
    settings, ctx, clock, tmp_path
):
    start(ctx, clock, "2021-01-08T15:00")  # Jumat
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-08T15:05")  # step 2 due Senin 08:05
    assert planned(ctx, 2) == [
        ("due", 0, "kasubag", t("2021-01-11T08:05"), ()),
        ("escalation", 1, "sekretaris", t("2021-01-11T09:05"), ("kasubag",)),
        ("escalation", 2, "ketua", t("2021-01-11T10:05"), ("kasubag",)),
        ("reminder", 0, "kasubag", t("2021-01-11T07:41"), ()),
    ]
    cancelled_before = notes(ctx, step=1)
    closed = dataclasses.replace(
        settings,
        calendar=dataclasses.replace(
            settings.calendar,
            extra_holidays=(*settings.calendar.extra_holidays, (date(2021, 1, 11), "Kantor ditutup (banjir)")),
        ),
    )
    clock.set(t("2021-01-10T09:00"))
    result = run_cli(["deadlines", "recompute", "--json"], closed, clock)
    assert result.code == 0, result.err
    assert json.loads(result.out) == [
        {
            "case": CASE,
            "step": 2,
            "old_due_at": "2021-01-11T08:05:00+07:00",
            "new_due_at": "2021-01-12T08:05:00+07:00",
            "notifications": 4,
        }
    ]
    assert planned(ctx, 2) == [
        ("due", 0, "kasubag", t("2021-01-12T08:05"), ()),
        ("escalation", 1, "sekretaris", t("2021-01-12T09:05"), ("kasubag",)),
        ("escalation", 2, "ketua", t("2021-01-12T10:05"), ("kasubag",)),
        ("reminder", 0, "kasubag", t("2021-01-12T07:41"), ()),
    ]
    assert notes(ctx, step=1) == cancelled_before
    shown = run_cli(["case", "show", CASE, "--json"], closed, clock)
    assert json.loads(shown.out)["steps"][1]["due_at"] == "2021-01-12T08:05:00+07:00"
    recomputed = [e for e in audit.list_events(ctx) if e.action == "deadlines.recomputed"]
    assert len(recomputed) == 1
    (moved,) = recomputed[0].details["moved"]
    assert (moved["case"], moved["step"], moved["notifications"]) == (CASE, 2, 4)
    assert datetime.fromisoformat(moved["old_due_at"]) == t("2021-01-11T08:05")
    assert datetime.fromisoformat(moved["new_due_at"]) == t("2021-01-12T08:05")

    again = run_cli(["deadlines", "recompute", "--json"], closed, clock)
    assert again.code == 0, again.err
    assert json.loads(again.out) == []
    assert len([e for e in audit.list_events(ctx) if e.action == "deadlines.recomputed"]) == 1

    tick = run_cli(["scheduler", "tick", "--now", "2021-01-11T15:00", "--json"], closed, clock)
    assert json.loads(tick.out)["handled"] == []  # the old moments have passed, the new ones have not


def test_recompute_without_a_calendar_change_moves_nothing_and_records_nothing(settings, ctx, clock, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    before = list_notifications(ctx, CASE)
    result = run_cli(["deadlines", "recompute"], settings, clock)
    assert result.code == 0, result.err
    assert "Tidak ada tenggat yang berubah." in result.out
    assert list_notifications(ctx, CASE) == before
    assert [e for e in audit.list_events(ctx) if e.action == "deadlines.recomputed"] == []
