"""A case entered after the fact sends nothing of its past (issue 12, backdating made safe).

A case started ``--at`` two years ago, with the scheduler ticking, gets its notifications
written as usual but every one of them is recorded as skipped ("Dicatat belakangan"): no message
on any channel, the reason in ``sop notifications list``, an audit event for each, and the case
page saying the case was entered after the fact. A case started as it happens still gets its
reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sop_engine import audit, backdating, cases, outbox
from sop_engine.artefacts import IncomingFile
from sop_engine.audit import AuditFilter
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Delivery
from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.notify.worker import Worker
from tests.helpers import pdf
from tests.outbox_support import log_lines, log_only
from tests.web_support import Site

WIB = ZoneInfo("Asia/Jakarta")
TODAY = datetime(2023, 3, 6, 8, 0, tzinfo=WIB)  # a Monday
TWO_YEARS_AGO = datetime(2021, 3, 8, 8, 0, tzinfo=WIB)  # a Monday too
OLD, CURRENT = "lakip-2021", "lakip-2023"


def test_a_case_started_two_years_ago_sends_nothing_while_a_current_case_gets_its_reminder(
    ctx: Context, clock: FixedClock, tmp_path: Path, sop
):
    sent = log_only(ctx, tmp_path)
    clock.set(TODAY)
    cases.start_case(ctx, "lakip", 2021, "sekretaris", at=TWO_YEARS_AGO)
    document = IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))
    cases.complete_step(ctx, OLD, 1, "sekretaris", [document], at=TWO_YEARS_AGO + timedelta(minutes=5))
    worker = Worker(ctx)
    for minutes in (0, 9, 60, 24 * 60):  # the scheduler keeps running through the next day
        report = worker.tick(TODAY + timedelta(minutes=minutes))
        assert {o.status for o in report.outcomes} <= {NotificationStatus.SKIPPED, NotificationStatus.CANCELLED}
    assert log_lines(sent) == []

    old = outbox.list_notifications(ctx, case=OLD)
    step_two = [n for n in old if n.step == 2]
    assert step_two and {n.status for n in step_two} == {NotificationStatus.SKIPPED}
    assert all((n.last_error or "").startswith(f"{backdating.REASON}: saatnya (") for n in step_two)
    assert {n.status for n in old if n.step == 1} == {NotificationStatus.CANCELLED}  # the step completed
    with ctx.db.read() as session:
        assert session.scalars(select(Delivery)).all() == []
    skipped = audit.list_events(ctx, where=AuditFilter(case=OLD, action="notification.skipped"))
    assert len(skipped) == len(step_two)
    assert all(e.details["reason"].startswith(backdating.REASON) for e in skipped)
    listing = sop("notifications", "list")
    shown = [line for line in listing.out.splitlines() if f"{OLD}  " in line and " 2 " in line]
    assert listing.code == 0 and len(shown) == len(step_two)
    assert all("dilewati" in line and backdating.REASON in line for line in shown)

    clock.set(TODAY + timedelta(days=1))  # Tuesday 08:00: a case started as it happens
    cases.start_case(ctx, "lakip", 2023, "sekretaris")
    report = worker.tick(TODAY + timedelta(days=1, minutes=9))  # step 1 is 10 minutes; its reminder at 08:08
    assert [(o.case, o.kind, o.status) for o in report.outcomes] == [
        (CURRENT, NotificationKind.REMINDER, NotificationStatus.SENT)
    ]
    assert len(log_lines(sent)) == 1 and CURRENT in log_lines(sent)[0]


def test_a_moment_that_passed_when_its_step_was_recorded_is_backdated_and_a_digest_never(ctx: Context):
    recorded = TODAY
    assert backdating.is_backdated(NotificationKind.DUE, recorded - timedelta(minutes=2), recorded)
    assert backdating.is_backdated(NotificationKind.ESCALATION, recorded - timedelta(days=700), recorded)
    assert not backdating.is_backdated(NotificationKind.REMINDER, recorded - timedelta(seconds=30), recorded)
    assert not backdating.is_backdated(NotificationKind.REMINDER, recorded + timedelta(minutes=8), recorded)
    assert not backdating.is_backdated(NotificationKind.DIGEST, recorded - timedelta(hours=1), recorded)


def test_the_case_page_says_a_case_was_entered_after_the_fact_and_a_current_one_not(
    ctx: Context, clock: FixedClock, tmp_path: Path
):
    log_only(ctx, tmp_path)
    clock.set(TODAY)
    cases.start_case(ctx, "lakip", 2021, "sekretaris", at=TWO_YEARS_AGO)
    cases.start_case(ctx, "lakip", 2023, "sekretaris")
    Worker(ctx).tick(TODAY + timedelta(minutes=1))
    user = Site(ctx, tmp_path).as_("sekretaris")

    old = user.get(f"/kasus/{OLD}")
    assert old.status_code == 200
    assert 'id="dicatat-belakangan"' in old.text
    assert "Kasus ini dicatat belakangan" in old.text and "dimulai Senin, 8 Maret 2021 08.00 WIB" in old.text
    assert "dicatat Senin, 6 Maret 2023 08.00 WIB" in old.text
    count = len(outbox.list_notifications(ctx, case=OLD))
    assert f"{count} notifikasi yang saatnya sudah lewat" in old.text

    current = user.get(f"/kasus/{CURRENT}")
    assert current.status_code == 200 and "dicatat-belakangan" not in current.text
    assert backdating.entered_late(ctx, CURRENT) is None
