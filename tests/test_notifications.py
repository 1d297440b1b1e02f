"""Deadlines that act (issue 3): reminders, due notices and escalations delivered once, by real channels.

A real SMTP server (aiosmtpd) and a real HTTP sink listen on loopback; time is injected with
``--now`` / ``Worker.tick(now)``, never slept on. Delivery is synchronous within a tick, so "nothing
arrived" is checked right after the tick returns. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from sop_engine import audit, cases
from sop_engine import digests as digest_rows
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.config_notifications import EmailSettings, Secret, WebhookSettings
from sop_engine.context import Context
from sop_engine.db.models import Delivery, Notification, Person
from sop_engine.notify.channels import SIGNATURE_HEADER, verify_signature
from sop_engine.notify.worker import TickReport, Worker
from sop_engine.outbox import NotificationRecord, list_notifications
from tests.helpers import pdf, run_cli
from tests.servers import Received, free_port, http_sink, smtp_server

WIB = ZoneInfo("Asia/Jakarta")
CASE = "lakip-2021"
DOMAIN = "kpu-bangkalan.example"
SENDER = f"sop@{DOMAIN}"
STEP_1 = "Memerintahkan penyusunan LAKIP"
LINK = "http://localhost:8000/kasus/lakip-2021"


def t(text: str) -> datetime:
    """An office-local (WIB) instant from ISO text without an offset."""
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def mail(user: str) -> str:
    return f"{user}@{DOMAIN}"


def configure(
    settings: Settings,
    *,
    smtp_port: int | None = None,
    webhook: WebhookSettings | None = None,
    channels: tuple[str, ...] | None = None,
    **policy: Any,
) -> Settings:
    """``settings`` with email on ``smtp_port``, a webhook, other default channels or policy numbers."""
    n = settings.notifications
    if smtp_port is not None:
        email = EmailSettings(enabled=True, host="127.0.0.1", port=smtp_port, sender=SENDER, timeout_seconds=10)
        n = dataclasses.replace(n, email=email)
    if webhook is not None:
        n = dataclasses.replace(n, webhook=webhook)
    if channels is not None:
        n = dataclasses.replace(n, default_channels=channels)
    return dataclasses.replace(settings, notifications=dataclasses.replace(n, **policy))


@pytest.fixture
def open_ctx(clock: FixedClock) -> Iterator[Callable[[Settings], Context]]:
    """Open more contexts on the test database (other settings, or another 'process'); closed at the end."""
    opened: list[Context] = []

    def open_(settings: Settings) -> Context:
        context = Context.open(settings, clock=clock)
        opened.append(context)
        return context

    yield open_
    for context in opened:
        context.db.dispose()


def start(ctx: Context, clock: FixedClock, when: str, year: int = 2021) -> None:
    clock.set(t(when))
    cases.start_case(ctx, "lakip", year, "sekretaris")


def finish(ctx: Context, clock: FixedClock, folder: Path, step: int, by: str, when: str) -> None:
    """Complete ``step`` at ``when`` (the clock moves there), with a PDF for steps that need a file."""
    clock.set(t(when))
    file = IncomingFile.from_path(pdf(folder, f"langkah-{step}-{when[-5:].replace(':', '')}.pdf"))
    cases.complete_step(ctx, CASE, step, by, files=[file] if step in {1, 2, 4, 5, 6, 7, 9, 10} else [])


def notes(ctx: Context, case: str | None = CASE, **where: Any) -> list[NotificationRecord]:
    """The notifications of ``case`` whose fields equal ``where`` (e.g. kind="due", step=2)."""
    return [n for n in list_notifications(ctx, case) if all(getattr(n, k) == v for k, v in where.items())]


def one(ctx: Context, **where: Any) -> NotificationRecord:
    found = notes(ctx, **where)
    assert len(found) == 1, (where, found)
    return found[0]


def handled(report: TickReport) -> list[tuple[str, int, str, str]]:
    """(kind, level, recipient, status) of what a tick did."""
    return [(o.kind, o.level, o.recipient, o.status) for o in report.outcomes]


def subject(received: Received) -> str:
    """The Subject as a mail client shows it (long ones are folded right after "Subject:" by the stdlib)."""
    return str(received.message["Subject"]).strip()


def addresses(received: Received, header: str) -> list[str]:
    value = received.message[header]
    return [a.addr_spec for a in value.addresses] if value is not None else []


def header(headers: dict[str, str], name: str) -> str:
    """An HTTP header, whatever case the client wrote its name in."""
    matches = [v for k, v in headers.items() if k.lower() == name.lower()]
    assert len(matches) == 1, (name, headers)
    return matches[0]


def events(ctx: Context, action: str) -> list[audit.AuditRecord]:
    return [e for e in audit.list_events(ctx) if e.action == action]


# --- 1. the acceptance scenario through the CLI -------------------------------------------


def test_acceptance_step_1_reminder_due_notice_and_escalation_arrive_by_smtp_at_their_working_moments(
    settings, ctx, clock
):
    with smtp_server() as (inbox, port):
        configured = configure(settings, smtp_port=port)
        started = run_cli(
            ["case", "start", "lakip", "--year", "2021", "--by", "sekretaris", "--at", "2021-01-11T08:00"],
            configured,
            clock,
        )
        assert started.code == 0, started.err

        def tick(when: str) -> list[dict[str, Any]]:
            clock.set(t(when))
            result = run_cli(["scheduler", "tick", "--now", when, "--json"], configured, clock)
            assert result.code == 0, result.err
            return list(json.loads(result.out)["handled"])

        assert tick("2021-01-11T08:07") == []
        assert inbox.messages == []

        sent = tick("2021-01-11T08:08")
        assert [(h["kind"], h["level"], h["recipient"], h["status"], h["case"], h["step"]) for h in sent] == [
            ("reminder", 0, "sekretaris", "sent", CASE, 1)
        ]
        assert sorted(sent[0]["channels"]) == ["email", "log"]
        reminder = inbox.wait_for(1, timeout=10)[0]

        assert tick("2021-01-11T08:09") == []
        assert len(inbox.messages) == 1

        sent = tick("2021-01-11T08:10")
        assert [(h["kind"], h["recipient"], h["status"]) for h in sent] == [("due", "sekretaris", "sent")]
        due = inbox.wait_for(2, timeout=10)[1]

        assert tick("2021-01-11T08:39") == []
        assert len(inbox.messages) == 2

        sent = tick("2021-01-11T08:40")
        assert [(h["kind"], h["level"], h["recipient"], h["status"]) for h in sent] == [
            ("escalation", 1, "ketua", "sent")
        ]
        escalation = inbox.wait_for(3, timeout=10)[2]
        assert len(inbox.messages) == 3

    deadline = "Senin, 11 Januari 2021 08.10 WIB"
    for received in (reminder, due):
        assert received.envelope_to == [mail("sekretaris")]
        assert addresses(received, "To") == [mail("sekretaris")]
        assert received.message["Cc"] is None
    assert sorted(escalation.envelope_to) == sorted([mail("ketua"), mail("sekretaris")])
    assert addresses(escalation, "To") == [mail("ketua")]
    assert addresses(escalation, "Cc") == [mail("sekretaris")]

    assert subject(reminder).startswith("[Pengingat] lakip-2021 langkah 1")
    assert deadline in subject(reminder)
    assert subject(due).startswith("[Tenggat] lakip-2021 langkah 1")
    assert subject(escalation) == "[Eskalasi tingkat 1] lakip-2021 langkah 1 terlambat 30 menit"
    for received in (reminder, due, escalation):
        assert addresses(received, "From") == [SENDER]
        text = received.text
        assert "lakip-2021" in text
        assert f"1. {STEP_1}" in text
        assert deadline in text
        assert LINK in text
        assert "Yth." in text and "Langkah" in text and "Tenggat" in text  # written in Indonesian
        html = received.message.get_body(preferencelist=("html",))
        assert html is not None and STEP_1 in html.get_content() and LINK in html.get_content()
    assert "Pengingat" in reminder.text
    assert "terlambat 30 menit" in escalation.text
    assert "eskalasi tingkat 1" in escalation.text
    assert "Dra. Ratna Kusumawati, M.M." in escalation.text  # the assignee, named in copy
    message_ids = {r.message_id for r in (reminder, due, escalation)}
    assert len(message_ids) == 3 and all(m.endswith(f"@{DOMAIN}>") for m in message_ids)
    sent_events = [
        (e.details["kind"], e.details["recipient"], e.details["channel"]) for e in events(ctx, "notification.sent")
    ]
    assert sorted(sent_events) == sorted(
        (kind, who, channel)
        for kind, who in (("reminder", "sekretaris"), ("due", "sekretaris"), ("escalation", "ketua"))
        for channel in ("email", "log")
    )


# --- 3. after downtime --------------------------------------------------------------------


def test_after_downtime_one_tick_skips_the_reminder_sends_due_and_escalation_once_saying_how_late(
    settings, ctx, clock, open_ctx
):
    start(ctx, clock, "2021-01-11T08:00")
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        clock.set(t("2021-01-11T10:00"))
        report = worker.tick(t("2021-01-11T10:00"))
        assert sorted(handled(report)) == [
            ("due", 0, "sekretaris", "sent"),
            ("escalation", 1, "ketua", "sent"),
            ("reminder", 0, "sekretaris", "skipped"),
        ]
        assert len(inbox.messages) == 2
        subjects = sorted(subject(m) for m in inbox.messages)
        assert subjects[0] == "[Eskalasi tingkat 1] lakip-2021 langkah 1 terlambat 1 jam 50 menit"
        escalation = next(m for m in inbox.messages if subject(m).startswith("[Eskalasi"))
        assert "terlambat 1 jam 50 menit" in escalation.text

        assert worker.tick(t("2021-01-11T10:00")).outcomes == ()
        assert worker.tick(t("2021-01-11T15:59")).outcomes == ()
        assert len(inbox.messages) == 2
    assert one(ctx, kind="reminder").status == "skipped"
    assert one(ctx, kind="reminder").deliveries == ()
    assert [e.details["notification"] for e in events(ctx, "notification.skipped")] == [one(ctx, kind="reminder").id]


def test_after_downtime_every_escalation_level_reached_is_sent_once(settings, ctx, clock, open_ctx, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")  # step 2 (kasubag): levels at 11:05, 13:05
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        report = worker.tick(t("2021-01-11T14:00"))
        assert sorted(handled(report)) == [
            ("due", 0, "kasubag", "sent"),
            ("escalation", 1, "sekretaris", "sent"),
            ("escalation", 2, "ketua", "sent"),
            ("reminder", 0, "kasubag", "skipped"),
        ]
        assert worker.tick(t("2021-01-11T14:00")).outcomes == ()
        assert worker.tick(t("2021-01-11T15:30")).outcomes == ()
        assert sorted(r.envelope_to[0] for r in inbox.messages) == sorted(
            [mail("kasubag"), mail("sekretaris"), mail("ketua")]
        )
        escalations = [r for r in inbox.messages if subject(r).startswith("[Eskalasi")]
        # 10:05 -> 14:00 less the lunch hour: 2 jam 55 menit late, said in both levels
        assert sorted(subject(r) for r in escalations) == [
            "[Eskalasi tingkat 1] lakip-2021 langkah 2 terlambat 2 jam 55 menit",
            "[Eskalasi tingkat 2] lakip-2021 langkah 2 terlambat 2 jam 55 menit",
        ]
        assert all(addresses(r, "Cc") == [mail("kasubag")] for r in escalations)


# --- 4. SMTP down and permanent refusals ----------------------------------------------------


def test_smtp_down_is_retried_with_the_configured_backoff_then_failed_and_shown_with_its_error(
    settings, ctx, clock, open_ctx
):
    start(ctx, clock, "2021-01-11T08:00")
    down = configure(settings, smtp_port=free_port(), channels=("email",))
    worker = Worker(open_ctx(down))
    assert down.notifications.retry_backoff_seconds == (60, 300, 900, 3600)
    assert down.notifications.max_attempts == 5

    first = t("2021-01-11T08:10")  # the reminder is skipped (due notice also due); the due notice fails
    assert sorted(handled(worker.tick(first))) == [
        ("due", 0, "sekretaris", "pending"),
        ("reminder", 0, "sekretaris", "skipped"),
    ]
    due = one(ctx, kind="due")
    assert (due.status, due.attempts) == ("pending", 1)
    assert "tidak dapat dihubungi" in (due.last_error or "")
    with ctx.db.read() as session:
        assert session.get_one(Notification, due.id).next_attempt_at == first + timedelta(seconds=60)

    moment = first
    for attempt, wait in enumerate((60, 300, 900, 3600), start=2):
        early = moment + timedelta(seconds=wait - 1)
        assert [o for o in worker.tick(early).outcomes if o.id == due.id] == []  # not before its backoff
        assert one(ctx, kind="due").attempts == attempt - 1
        moment = moment + timedelta(seconds=wait + 1)
        worker.tick(moment)
        assert one(ctx, kind="due").attempts == attempt
    failed = one(ctx, kind="due")
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert "tidak dapat dihubungi" in (failed.last_error or "")
    assert failed.deliveries == (("email", "failed"),)
    assert [o for o in worker.tick(moment + timedelta(hours=5)).outcomes if o.id == due.id] == []

    retries = [e for e in events(ctx, "notification.retry") if e.details["notification"] == due.id]
    assert [e.details["attempt"] for e in retries] == [1, 2, 3, 4]
    failures = [e for e in events(ctx, "notification.failed") if e.details["notification"] == due.id]
    assert len(failures) == 1 and failures[0].details["channel"] == "email"

    listed = run_cli(["notifications", "list", "--case", CASE, "--json"], down, clock)
    assert listed.code == 0, listed.err
    row = next(n for n in json.loads(listed.out) if n["id"] == due.id)
    assert (row["status"], row["attempts"]) == ("failed", 5)
    assert "tidak dapat dihubungi" in row["last_error"]
    text = run_cli(["notifications", "list", "--case", CASE], down, clock)
    assert text.code == 0, text.err
    line = next(ln for ln in text.out.splitlines() if ln.lstrip().startswith(str(due.id)) and "tenggat" in ln)
    assert "gagal" in line and "Server email" in line


def test_with_the_office_default_channels_an_email_that_failed_for_good_is_listed_as_failed(
    settings, ctx, clock, open_ctx
):
    start(ctx, clock, "2021-01-11T08:00")
    down = configure(settings, smtp_port=free_port())
    assert down.notifications.default_channels == ("email", "log")  # as config.toml ships
    worker = Worker(open_ctx(down))
    now = t("2021-01-11T08:10")
    for _ in range(down.notifications.max_attempts):
        worker.tick(now)
        now += timedelta(hours=2)
    due = one(ctx, kind="due")
    assert due.attempts == 5 and ("email", "failed") in due.deliveries
    listed = run_cli(["notifications", "list", "--case", CASE, "--json"], down, clock)
    row = next(n for n in json.loads(listed.out) if n["id"] == due.id)
    assert row["status"] == "failed"


def test_a_permanent_smtp_refusal_fails_at_once_without_retries(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    with smtp_server() as (inbox, port):
        inbox.refuse_with = "550 no such user"
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        assert handled(worker.tick(t("2021-01-11T08:08"))) == [("reminder", 0, "sekretaris", "failed")]
        reminder = one(ctx, kind="reminder")
        assert (reminder.status, reminder.attempts) == ("failed", 1)
        assert "550" in (reminder.last_error or "")
        assert worker.tick(t("2021-01-11T08:09")).outcomes == ()
        assert inbox.messages == []
    assert [e for e in events(ctx, "notification.retry") if e.details["notification"] == reminder.id] == []
    assert len([e for e in events(ctx, "notification.failed") if e.details["notification"] == reminder.id]) == 1


# --- 5. webhook ---------------------------------------------------------------------------


def webhook_settings(settings: Settings, url: str) -> Settings:
    return configure(
        settings, webhook=WebhookSettings(enabled=True, url=url, secret=Secret("rahasia")), channels=("webhook",)
    )


def test_webhook_posts_signed_json_naming_case_step_and_kind(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    with http_sink() as sink:
        worker = Worker(open_ctx(webhook_settings(settings, sink.url)))
        assert handled(worker.tick(t("2021-01-11T08:08"))) == [("reminder", 0, "sekretaris", "sent")]
        request = sink.wait_for(1, timeout=10)[0]
        assert len(sink.requests) == 1
    payload = json.loads(request.body)
    assert payload["kind"] == "reminder"
    assert payload["data"]["case"] == CASE and payload["data"]["step"] == 1
    assert payload["to"]["username"] == "sekretaris" and payload["to"]["phone"] == "081200000002"
    assert STEP_1 in payload["text"]
    signature = header(request.headers, SIGNATURE_HEADER)
    assert verify_signature("rahasia", request.body, signature)
    assert signature == "sha256=" + hmac.new(b"rahasia", request.body, hashlib.sha256).hexdigest()
    assert not verify_signature("salah", request.body, signature)
    assert not verify_signature("rahasia", request.body + b" ", signature)
    assert one(ctx, kind="reminder").deliveries == (("webhook", "sent"),)


def test_webhook_answering_500_is_retried_and_succeeds_later(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    with http_sink() as sink:
        sink.status = 500
        worker = Worker(open_ctx(webhook_settings(settings, sink.url)))
        assert handled(worker.tick(t("2021-01-11T08:08"))) == [("reminder", 0, "sekretaris", "pending")]
        assert "HTTP 500" in (one(ctx, kind="reminder").last_error or "")
        sink.status = 200
        assert handled(worker.tick(t("2021-01-11T08:09:01"))) == [("reminder", 0, "sekretaris", "sent")]
        assert len(sink.requests) == 2
        first, second = sink.requests
        assert json.loads(first.body)["id"] == json.loads(second.body)["id"]  # the same message, recognisable
    assert (one(ctx, kind="reminder").status, one(ctx, kind="reminder").attempts) == ("sent", 2)


def test_webhook_answering_400_fails_permanently(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    with http_sink() as sink:
        sink.status = 400
        worker = Worker(open_ctx(webhook_settings(settings, sink.url)))
        assert handled(worker.tick(t("2021-01-11T08:08"))) == [("reminder", 0, "sekretaris", "failed")]
        assert worker.tick(t("2021-01-11T08:09:30")).outcomes == ()
        assert len(sink.requests) == 1
    reminder = one(ctx, kind="reminder")
    assert (reminder.status, reminder.attempts, reminder.deliveries) == ("failed", 1, (("webhook", "failed"),))
    assert "HTTP 400" in (reminder.last_error or "")


def test_a_person_who_chose_webhook_is_reached_by_webhook_while_others_get_the_office_default(
    settings, ctx, clock, open_ctx, tmp_path
):
    added = run_cli(
        [
            "people",
            "add",
            "kasubag2",
            "--name",
            "Siti Rahmawati",
            "--role",
            "kasubag_program",
            "--phone",
            "081200000099",
            "--supervisor",
            "sekretaris",
            "--channels",
            "webhook",
        ],
        settings,
        clock,
    )
    assert added.code == 0, added.err
    start(ctx, clock, "2021-01-11T08:00")
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:05")
    with http_sink() as sink, smtp_server() as (inbox, port):
        configured = configure(
            settings,
            smtp_port=port,
            webhook=WebhookSettings(enabled=True, url=sink.url, secret=Secret("rahasia")),
            channels=("email",),
        )
        report = Worker(open_ctx(configured)).tick(t("2021-01-11T09:41"))  # step 2's reminders
        assert sorted(handled(report)) == [("reminder", 0, "kasubag", "sent"), ("reminder", 0, "kasubag2", "sent")]
        assert [json.loads(r.body)["to"]["username"] for r in sink.requests] == ["kasubag2"]
        assert [r.envelope_to for r in inbox.messages] == [[mail("kasubag")]]
        assert verify_signature("rahasia", sink.requests[0].body, header(sink.requests[0].headers, SIGNATURE_HEADER))


# --- 6. the delivery ledger and leases ------------------------------------------------------


def test_two_workers_running_the_same_tick_one_after_the_other_never_send_twice(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    with smtp_server() as (inbox, port):
        configured = configure(settings, smtp_port=port, channels=("email",))
        first = Worker(open_ctx(configured), worker_id="pekerja-a")
        second = Worker(open_ctx(configured), worker_id="pekerja-b")  # its own connection pool: another process
        for when in ("2021-01-11T08:08", "2021-01-11T08:10", "2021-01-11T08:40"):
            assert len(first.tick(t(when)).outcomes) == 1
            assert second.tick(t(when)).outcomes == ()
        assert len(inbox.messages) == 3
        assert len({r.message_id for r in inbox.messages}) == 3
    with ctx.db.read() as session:
        assert len(session.scalars(select(Delivery)).all()) == 3


def test_a_lease_held_by_another_worker_is_respected_until_it_expires_then_taken_over(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    reminder = one(ctx, kind="reminder")
    with ctx.db.write() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == reminder.id)
            .values(lease_owner="pekerja-lain", lease_until=t("2021-01-11T08:09"))
        )
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))), worker_id="pekerja-ini")
        assert worker.tick(t("2021-01-11T08:08")).outcomes == ()
        assert worker.tick(t("2021-01-11T08:08:59")).outcomes == ()
        assert inbox.messages == []
        assert handled(worker.tick(t("2021-01-11T08:09"))) == [("reminder", 0, "sekretaris", "sent")]
        assert len(inbox.messages) == 1
    with ctx.db.read() as session:
        row = session.get_one(Notification, reminder.id)
        assert (row.status, row.lease_owner, row.lease_until) == ("sent", None, None)


def test_a_channel_already_in_the_ledger_is_not_sent_again_after_a_worker_died(settings, ctx, clock, open_ctx):
    """A worker died after recording the email in the ledger but before settling the row."""
    start(ctx, clock, "2021-01-11T08:00")
    reminder = one(ctx, kind="reminder")
    with ctx.db.write() as session:
        session.add(
            Delivery(
                notification_id=reminder.id,
                channel="email",
                status="sent",
                address=mail("sekretaris"),
                message_id=f"<sop.3526.{reminder.id}@{DOMAIN}>",
                at=t("2021-01-11T08:08"),
                attempt=1,
            )
        )
        session.execute(
            update(Notification)
            .where(Notification.id == reminder.id)
            .values(lease_owner="pekerja-mati", lease_until=t("2021-01-11T08:09"))
        )
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        assert handled(worker.tick(t("2021-01-11T08:09"))) == [("reminder", 0, "sekretaris", "sent")]
        assert inbox.messages == []
    assert one(ctx, kind="reminder").deliveries == (("email", "sent"),)


def test_a_notification_claimed_just_before_its_step_is_completed_is_not_sent(settings, ctx, clock, open_ctx, tmp_path):
    start(ctx, clock, "2021-01-11T08:00")
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        (claimed,) = worker.claim(t("2021-01-11T08:08"))
        finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-11T08:08")
        outcome = worker.process(claimed, t("2021-01-11T08:08"))
        assert (outcome.kind, outcome.status) == ("reminder", "cancelled")
        assert inbox.messages == []
    assert (one(ctx, kind="reminder", step=1).status, one(ctx, kind="reminder", step=1).deliveries) == ("cancelled", ())


# --- 7. the daily digest --------------------------------------------------------------------


def digests(received: list[Received]) -> dict[str, Received]:
    found = [r for r in received if subject(r).startswith("[Ringkasan harian]")]
    by_person = {r.envelope_to[0]: r for r in found}
    assert len(by_person) == len(found), "two digests to one person"
    return by_person


def test_the_digest_goes_once_at_0730_to_each_person_with_steps_active_then_marking_late_ones(
    settings, ctx, clock, open_ctx, tmp_path
):
    start(ctx, clock, "2021-01-07T08:00", year=2020)  # Kamis: step 1 (sekretaris), late since 08:10
    start(ctx, clock, "2021-01-08T15:00", year=2021)  # Jumat
    finish(ctx, clock, tmp_path, 1, "sekretaris", "2021-01-08T15:05")  # step 2 (kasubag), due Senin 08:05
    with smtp_server() as (inbox, port):
        worker = Worker(open_ctx(configure(settings, smtp_port=port, channels=("email",))))
        assert worker.tick(t("2021-01-11T07:29")).digests_created == 0
        assert digests(inbox.messages) == {}
        start(ctx, clock, "2021-01-11T08:00", year=2022)  # active only after 07:30: not in today's digest

        report = worker.tick(t("2021-01-11T08:00"))
        assert report.digests_created == 2
        assert sorted((o.recipient, o.status) for o in report.outcomes if o.kind == "digest") == [
            ("kasubag", "sent"),
            ("sekretaris", "sent"),
        ]
        assert worker.tick(t("2021-01-11T08:01")).digests_created == 0
        assert worker.tick(t("2021-01-11T15:00")).digests_created == 0
        sent = digests(inbox.messages)
    assert sorted(sent) == [mail("kasubag"), mail("sekretaris")]
    sekretaris, kasubag = sent[mail("sekretaris")].text, sent[mail("kasubag")].text
    assert "lakip-2020 langkah 1" in sekretaris and "TERLAMBAT" in sekretaris
    assert "lakip-2022" not in sekretaris
    assert "lakip-2021 langkah 2" in kasubag and "TERLAMBAT" not in kasubag and "sisa 5 menit" in kasubag
    assert subject(sent[mail("sekretaris")]) == "[Ringkasan harian] 1 langkah aktif, 1 terlambat"
    assert len(notes(ctx, None, kind="digest")) == 2


def test_no_digest_on_a_saturday_or_a_holiday_but_again_on_the_next_working_day(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T08:00")
    worker = Worker(open_ctx(configure(settings, channels=("log",))))
    assert worker.tick(t("2021-01-16T08:00")).digests_created == 0  # Sabtu
    assert worker.tick(t("2021-01-17T08:00")).digests_created == 0  # Minggu
    assert worker.tick(t("2021-02-12T08:00")).digests_created == 0  # Jumat, Tahun Baru Imlek
    assert notes(ctx, None, kind="digest") == []
    assert worker.tick(t("2021-02-15T07:30")).digests_created == 1  # Senin: sekretaris still has step 1
    assert [(n.recipient, n.status) for n in notes(ctx, None, kind="digest")] == [("sekretaris", "sent")]


def test_digests_are_looked_for_once_a_day_and_never_under_the_write_lock_when_all_exist(
    settings, ctx, clock, open_ctx, monkeypatch
):
    start(ctx, clock, "2021-01-11T07:00")
    assert digest_rows.create_digests(ctx, t("2021-01-11T07:29")) is None  # not yet: a worker looks again later
    assert digest_rows.create_digests(ctx, t("2021-01-11T07:30")) == 1
    writes: list[str] = []
    write = ctx.db.write
    monkeypatch.setattr(ctx.db, "write", lambda *a, **k: writes.append("write") or write(*a, **k))
    assert digest_rows.create_digests(ctx, t("2021-01-11T09:00")) == 0
    assert writes == []  # every digest of the day exists: read, found, done
    worker = Worker(open_ctx(configure(settings, channels=("log",))))
    looked: list[datetime] = []
    monkeypatch.setattr(digest_rows, "create_digests", lambda c, now: looked.append(now) or 0)
    for moment in ("2021-01-11T09:00", "2021-01-11T10:00", "2021-01-12T08:00"):
        worker.digests.create(t(moment))
    assert looked == [t("2021-01-11T09:00"), t("2021-01-12T08:00")]  # once on each day


# --- 9. templates are strict ----------------------------------------------------------------


def broken_templates(settings: Settings, folder: Path, kind: str) -> Settings:
    """A copy of the templates whose ``kind`` plain-text template refers to an unknown variable."""
    templates = folder / "templat"
    shutil.copytree(settings.notifications.templates_dir, templates)
    path = templates / f"{kind}.txt.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n{{ nama_yang_tidak_ada }}\n", encoding="utf-8")
    return configure(settings, channels=("log",), templates_dir=templates)


def test_a_template_with_an_unknown_variable_sends_nothing_and_reports_a_config_error_naming_it(
    settings, ctx, clock, tmp_path
):
    start(ctx, clock, "2021-01-11T08:00")
    broken = broken_templates(settings, tmp_path, "reminder")
    result = run_cli(["scheduler", "tick", "--now", "2021-01-11T08:08"], broken, clock)
    assert result.code == 0, result.err
    assert "Templat notifikasi 'reminder'" in result.out and "nama_yang_tidak_ada" in result.out
    log = broken.notifications.log.path
    assert not log.exists() or log.read_text(encoding="utf-8") == ""
    assert one(ctx, kind="reminder").deliveries == ()


def test_a_broken_template_fails_that_notification_visibly_and_the_tick_delivers_the_others(
    settings, ctx, clock, open_ctx, tmp_path
):
    start(ctx, clock, "2021-01-11T07:50", year=2020)  # its due notice (08:00) uses the broken template
    start(ctx, clock, "2021-01-11T08:00")  # its reminder (08:08) renders fine
    worker = Worker(open_ctx(broken_templates(settings, tmp_path, "due")))
    report = worker.tick(t("2021-01-11T08:08"))
    assert [(o.case, o.kind, o.status) for o in report.outcomes if o.case == CASE] == [(CASE, "reminder", "sent")]
    failed = one(ctx, case="lakip-2020", kind="due")
    assert (failed.status, failed.attempts) == ("pending", 1)  # retried: fixing the template still delivers it
    assert "Templat notifikasi 'due'" in (failed.last_error or "")
    later = t("2021-01-11T08:08")
    for _ in range(4):  # out of attempts: recorded as failed, visibly
        later = later + timedelta(hours=2)
        worker.tick(later)
    failed = one(ctx, case="lakip-2020", kind="due")
    assert failed.status == "failed" and "Templat notifikasi 'due'" in (failed.last_error or "")


# --- one message never holds back the others (hardening finding 2) ------------------------------


def test_a_name_with_crlf_stored_before_the_text_rules_is_mailed_with_the_line_break_removed(
    settings, ctx, clock, open_ctx
):
    with ctx.db.write() as session:  # as an old database may hold it: the services refuse it today
        session.execute(update(Person).where(Person.username == "sekretaris").values(name="Sekretaris\r\nBcc: x"))
    start(ctx, clock, "2021-01-11T08:00")
    with smtp_server() as (inbox, port):
        report = Worker(open_ctx(configure(settings, smtp_port=port))).tick(t("2021-01-11T08:08"))
        (received,) = inbox.wait_for(1, timeout=10)
    assert [(o.kind, o.status) for o in report.outcomes] == [("reminder", "sent")]
    assert str(received.message["To"]) == f'"Sekretaris Bcc: x" <{mail("sekretaris")}>'
    assert received.message["Bcc"] is None and received.envelope_to == [mail("sekretaris")]


class _Exploding:
    """A channel that raises an unexpected error (not a DeliveryError) for one person and delivers to the rest."""

    name = "log"

    def __init__(self, victim: str) -> None:
        self.victim = victim
        self.sent: list[str] = []

    def send(self, message: Any) -> str:
        if message.to.username == self.victim:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        self.sent.append(message.to.username)
        return message.to.username


def test_a_message_whose_channel_raises_fails_alone_and_the_pass_delivers_the_others(settings, ctx, clock, open_ctx):
    start(ctx, clock, "2021-01-11T07:50", year=2020)
    start(ctx, clock, "2021-01-11T08:00")
    channel = _Exploding("sekretaris")
    with ctx.db.write() as session:  # lakip-2021's reminder goes to the ketua instead, so only one message explodes
        session.execute(
            update(Notification)
            .where(Notification.case_code == CASE)
            .values(recipient_id=select(Person.id).where(Person.username == "ketua").scalar_subquery())
        )
    report = Worker(open_ctx(configure(settings, channels=("log",))), channels={"log": channel}).tick(
        t("2021-01-11T08:08")
    )
    by_case = {(o.case, o.kind): o.status for o in report.outcomes}
    assert by_case[(CASE, "reminder")] == "sent" and channel.sent == ["ketua"]
    assert by_case[("lakip-2020", "due")] == "failed"
    failed = one(ctx, case="lakip-2020", kind="due")
    assert "ValueError" in (failed.last_error or "")
    assert any(
        e.details.get("error", "").startswith("Pesan tidak dapat dikirim lewat log")
        for e in events(ctx, "notification.failed")
    )


def test_a_message_that_cannot_be_composed_is_retried_then_failed_without_stopping_the_pass(
    settings, ctx, clock, open_ctx, monkeypatch
):
    start(ctx, clock, "2021-01-11T07:50", year=2020)
    start(ctx, clock, "2021-01-11T08:00")
    real = Worker._message

    def composing(self: Worker, session: Any, note: Notification, now: datetime) -> Any:
        if note.case_code == "lakip-2020":
            raise KeyError("a value the template needs")
        return real(self, session, note, now)

    monkeypatch.setattr(Worker, "_message", composing)
    report = Worker(open_ctx(configure(settings, channels=("log",)))).tick(t("2021-01-11T08:08"))
    assert [(o.case, o.kind, o.status) for o in report.outcomes if o.status != "skipped"] == [
        ("lakip-2020", "due", "pending"),
        (CASE, "reminder", "sent"),
    ]
    assert "Pesan tidak dapat disusun (KeyError" in (one(ctx, case="lakip-2020", kind="due").last_error or "")
