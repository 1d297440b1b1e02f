"""The scheduler of a central install serves every office, each in its own context; ``--kantor`` limits it to one."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine import cases, offices
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.notify.offices import AllOffices, due_offices_query, next_due_query, scheduler_for
from sop_engine.notify.queue import Leases
from sop_engine.notify.worker import Worker
from sop_engine.offices import OfficeChange
from tests.helpers import run_cli
from tests.offices_support import OTHER, OTHER_NAME, add_other_office
from tests.outbox_support import T0, fill_outbox, log_lines, query_plan

HOME = "3526"


def tick(settings: Settings, clock: FixedClock, when: str, *kantor: str) -> dict[str, Any]:
    result = run_cli([*kantor, "scheduler", "tick", "--now", when, "--json"], settings, clock)
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def handled(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(office, kind, case) of each notification a pass over the offices handled."""
    return sorted((satker, h["kind"], h["case"]) for satker, one in report["offices"].items() for h in one["handled"])


def digests(report: dict[str, Any]) -> dict[str, int]:
    """The digests a pass over the offices created, by office (0 for an office without work)."""
    return {satker: report["offices"].get(satker, {}).get("digests_created", 0) for satker in (HOME, OTHER)}


def test_one_tick_delivers_the_due_notifications_of_every_office_each_in_its_own_context(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx)  # WITA
    cases.start_case(ctx, "lakip", 2021, "sekretaris")  # 08:00 WIB: the reminder at 08:08 WIB
    cases.start_case(other, "lakip", 2022, "sekretaris")  # 09:00 WITA, the same instant
    report = tick(settings, clock, "2021-01-11T08:09")
    assert handled(report) == [(HOME, "reminder", "lakip-2021"), (OTHER, "reminder", "lakip-2022")]
    assert report["now"].startswith("2021-01-11T08:09") and report["offices"][OTHER]["now"].startswith(
        "2021-01-11T09:09"
    )
    lines = [json.loads(line) for line in log_lines(settings.notifications.log.path)]
    by_case = {line["subject"].split()[1]: line for line in lines}
    assert by_case["lakip-2021"]["subject"].endswith("WIB")  # the deadline in each office's own zone
    assert "WITA" in by_case["lakip-2022"]["subject"] and "WIB" not in by_case["lakip-2022"]["subject"]
    assert by_case["lakip-2022"]["text"].rstrip().endswith(f"{OTHER_NAME}.")
    assert (
        "KPU Kabupaten Bangkalan" in by_case["lakip-2021"]["text"] and OTHER_NAME not in by_case["lakip-2021"]["text"]
    )
    assert tick(settings, clock, "2021-01-11T08:09")["offices"] == {}  # each delivered once

    text = run_cli(["scheduler", "tick", "--now", "2021-01-11T08:11"], settings, clock).out
    assert f"Kantor {OTHER} {OTHER_NAME}:" in text and f"Kantor {HOME} KPU Kabupaten Bangkalan:" in text
    assert "09.11" in text or "09:11" in text  # the other office's pass in its own time zone


def test_kantor_limits_the_scheduler_to_one_office(ctx: Context, settings: Settings, clock: FixedClock) -> None:
    other = add_other_office(ctx)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(other, "lakip", 2022, "sekretaris")
    only = tick(settings, clock, "2021-01-11T09:09", "--kantor", OTHER)  # --now in the office's WITA
    assert [(h["kind"], h["case"]) for h in only["handled"]] == [("reminder", "lakip-2022")]  # one office's shape
    assert handled(tick(settings, clock, "2021-01-11T08:09")) == [(HOME, "reminder", "lakip-2021")]
    assert isinstance(scheduler_for(ctx, one_office=True), Worker)
    assert isinstance(scheduler_for(ctx, one_office=False), AllOffices)


def test_each_office_gets_its_digests_at_the_digest_time_of_its_own_zone(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx)  # WITA: its 07:30 is 06:30 WIB
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(other, "lakip", 2022, "sekretaris")
    early = tick(settings, clock, "2021-01-12T06:45")
    assert digests(early) == {HOME: 0, OTHER: 1}
    assert (OTHER, "digest", None) in handled(early) and (HOME, "digest", None) not in handled(early)
    later = tick(settings, clock, "2021-01-12T07:45")
    assert digests(later) == {HOME: 1, OTHER: 0}
    assert (HOME, "digest", None) in handled(later) and (OTHER, "digest", None) not in handled(later)


def test_on_the_clock_a_pass_takes_every_office_due_and_the_next_wake_up_follows(
    ctx: Context, clock: FixedClock
) -> None:
    other = add_other_office(ctx)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(other, "lakip", 2022, "sekretaris")
    offices = AllOffices(ctx)
    reminder = clock.now() + timedelta(minutes=8)
    assert offices.next_due() == reminder  # both offices' reminders fall due at the same instant
    clock.set(reminder)
    report = offices.tick()
    assert sorted((o.kind, o.case) for o in report.outcomes) == [("reminder", "lakip-2021"), ("reminder", "lakip-2022")]
    assert [office.settings.office.satker for office, _done in report.reports] == [HOME, OTHER]
    assert offices.next_due() == reminder + timedelta(minutes=2)  # the due notices


def test_the_pass_after_another_process_changed_an_offices_zone_serves_it_in_the_new_zone(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx)  # WITA
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.start_case(other, "lakip", 2022, "sekretaris")
    scheduler = AllOffices(ctx)
    before = {worker.ctx.settings.office.satker: worker for worker in scheduler.offices().values()}
    assert before[OTHER].ctx.tz == ZoneInfo("Asia/Makassar")
    elsewhere = Context.open(settings, clock=clock)  # `sop offices set` in another process
    try:
        offices.set_office(elsewhere, OTHER, OfficeChange(zone="WIT"))
    finally:
        elsewhere.db.dispose()
    clock.set(clock.now() + timedelta(minutes=8))  # both reminders due
    report = scheduler.tick()
    used = {office.settings.office.satker: office for office, _done in report.reports}
    assert used[OTHER] is not before[OTHER].ctx and used[OTHER].tz == ZoneInfo("Asia/Jayapura")
    assert used[OTHER] is ctx.for_office(OTHER)  # the install's kept context of the office is the new one too
    assert used[HOME] is ctx  # config.toml's office as it was
    lines = [json.loads(line) for line in log_lines(settings.notifications.log.path)]
    subjects = {line["subject"].split()[1]: line["subject"] for line in lines}
    assert subjects["lakip-2022"].endswith("WIT") and subjects["lakip-2021"].endswith("WIB")
    again = {worker.ctx.settings.office.satker: worker for worker in scheduler.offices().values()}
    assert again[OTHER].ctx is used[OTHER] and again[HOME] is before[HOME]  # built once, kept by the next pass


def test_a_single_install_ticks_as_before(ctx: Context, settings: Settings, clock: FixedClock) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert isinstance(scheduler_for(ctx, one_office=False), Worker)
    report = tick(settings, clock, "2021-01-11T08:09")
    assert [(h["kind"], h["case"]) for h in report["handled"]] == [("reminder", "lakip-2021")]


def test_the_next_wake_up_is_the_earliest_moment_across_the_offices(ctx: Context) -> None:
    other = add_other_office(ctx)
    fill_outbox(ctx, history=2, pending=3, apart=timedelta(minutes=10))  # due at T0+20 min, +30, +40
    fill_outbox(other, history=0, pending=2, apart=timedelta(minutes=5))  # due at T0, T0+5 min
    offices = AllOffices(ctx)
    assert offices.next_due() == T0
    taken = Leases(other, "w1", batch=2).claim(T0 + timedelta(minutes=5))
    assert len(taken) == 2  # leased for lease_seconds from T0+5 min
    lease_end = T0 + timedelta(minutes=5, seconds=ctx.settings.notifications.lease_seconds)
    assert offices.next_due() == min(T0 + timedelta(minutes=20), lease_end)
    with ctx.db.read() as session:
        assert set(session.scalars(due_offices_query(T0 + timedelta(minutes=20), T0))) == {ctx.office(session).id}


def test_the_queries_over_the_offices_read_each_office_through_the_indexes(ctx: Context) -> None:
    other = add_other_office(ctx)
    fill_outbox(other, history=1000, pending=10)
    fill_outbox(ctx, history=3000, pending=20)
    with ctx.db.engine.begin() as connection:
        wake = query_plan(connection, next_due_query())  # type: ignore[arg-type]  # two columns
        due = query_plan(connection, due_offices_query(T0 + timedelta(days=1), T0))
    assert "ix_notifications_pending" in wake and "ix_notifications_leased" in wake, wake
    assert "ix_notifications_pending" in due, due
    assert "SCAN notifications" not in wake + due and "Seq Scan on notifications" not in wake + due
