"""Notifications of a paraf chain (issue #11) follow the actor whose turn it is.

LAKIP step 8 (1 jam) is done by the Kasubag Program, then confirmed by the Sekretaris. Its
reminder, due notice and escalations are planned for the Kasubag when it becomes active; when
the Kasubag completes it, the same transaction cancels those and plans the Sekretaris' against the
same deadline (a reminder whose moment has passed is due at once: "menunggu paraf Anda"), with
escalations up the Sekretaris' chain. The worker, run with an injected clock, delivers them to the
right people.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sop_engine import audit, cases, people
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.notify.worker import Worker
from sop_engine.outbox import list_notifications
from tests.helpers import pdf, run_cli
from tests.test_outbox import CASE, FILE_STEPS, t
from tests.test_outbox import WALK as OUTBOX_WALK

#: Steps 1-7 done on Wed 20/01/2021 at 14:00 at the latest: step 8 (1 jam) is due at 15:00.
WALK = OUTBOX_WALK[:7]


def act(ctx: Context, clock: FixedClock, folder: Path, step: int, by: str, when: str) -> None:
    clock.set(t(when))
    file = IncomingFile.from_path(pdf(folder, f"langkah-{step}-{by}.pdf", text=when))
    cases.complete_step(ctx, CASE, step, by, files=[file] if step in FILE_STEPS else [])


def to_step_8(ctx: Context, clock: FixedClock, folder: Path) -> None:
    clock.set(t("2021-01-11T08:00"))
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, by, when in WALK:
        act(ctx, clock, folder, no, by, when)


def pending_8(ctx: Context) -> list[tuple[str, int, str, datetime, tuple[str, ...]]]:
    return sorted(
        (n.kind, n.level, n.recipient, n.due_at, n.cc)
        for n in list_notifications(ctx, CASE)
        if n.step == 8 and n.status == "pending"
    )


def delivered(settings: Settings) -> list[dict[str, Any]]:
    """The messages the log channel wrote, in order."""
    path = settings.notifications.log.path
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_step_8_is_planned_for_the_kasubag_first_then_for_the_sekretaris_once_the_kasubag_completes_it(
    ctx, clock, tmp_path
):
    to_step_8(ctx, clock, tmp_path)
    assert pending_8(ctx) == [
        ("due", 0, "kasubag", t("2021-01-20T15:00"), ()),
        ("escalation", 1, "sekretaris", t("2021-01-20T15:30"), ("kasubag",)),
        ("escalation", 2, "ketua", t("2021-01-20T16:00"), ("kasubag",)),
        ("reminder", 0, "kasubag", t("2021-01-20T14:48"), ()),
    ]
    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T14:30")
    # Same deadline; the reminder's moment (80 % of the budget) has not passed; the Sekretaris' chain.
    assert pending_8(ctx) == [
        ("due", 0, "sekretaris", t("2021-01-20T15:00"), ()),
        ("escalation", 1, "ketua", t("2021-01-20T15:30"), ("sekretaris",)),
        ("reminder", 0, "sekretaris", t("2021-01-20T14:48"), ()),
    ]
    kasubag = [n for n in list_notifications(ctx, CASE) if n.step == 8 and n.recipient == "kasubag"]
    assert {n.status for n in kasubag} == {"cancelled"}
    assert audit.verify(ctx).ok


def test_the_sekretaris_is_told_at_once_when_the_kasubag_completes_after_the_reminder_moment(
    settings, ctx, clock, tmp_path
):
    to_step_8(ctx, clock, tmp_path)
    Worker(ctx).tick(t("2021-01-20T14:48"))
    (first,) = delivered(settings)
    assert (first["to"], first["kind"]) == ("kasubag", "reminder")
    assert first["subject"].startswith("[Pengingat] lakip-2021 langkah 8")

    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T14:55")
    assert [(k, who, at) for k, _, who, at, _ in pending_8(ctx)] == [
        ("due", "sekretaris", t("2021-01-20T15:00")),
        ("escalation", "ketua", t("2021-01-20T15:30")),
        ("reminder", "sekretaris", t("2021-01-20T14:55")),  # its moment had passed: due at once
    ]
    Worker(ctx).tick(t("2021-01-20T14:55"))
    turn = delivered(settings)[1]
    assert (turn["to"], turn["kind"]) == ("sekretaris", "reminder")
    assert turn["subject"] == "[Menunggu paraf Anda] lakip-2021 langkah 8: tenggat Rabu, 20 Januari 2021 15.00 WIB"
    assert "Giliran Anda: langkah berikut menunggu paraf Anda (urutan 2 dari 2)." in turn["text"]
    assert "Kasubag Program sudah menyelesaikannya" in turn["text"]
    assert "\nPelaksana : Sekretaris (paraf 2 dari 2)\nOutput    : Dokumen LAKIP\n" in turn["text"]
    assert "bubuhkan paraf Anda" in turn["text"]

    Worker(ctx).tick(t("2021-01-20T15:00"))
    due = delivered(settings)[2:]
    assert [(m["to"], m["kind"]) for m in due] == [("sekretaris", "due")]
    assert "paraf Anda belum dibubuhkan" in due[0]["text"]
    Worker(ctx).tick(t("2021-01-20T15:30"))
    (escalation,) = delivered(settings)[3:]
    assert (escalation["to"], escalation["kind"], escalation["cc"]) == ("ketua", "escalation", ["sekretaris"])
    assert "terlambat 30 menit (waktu kerja) dan belum diparaf oleh Sekretaris." in escalation["text"]
    assert "segera diparaf oleh Sekretaris" in escalation["text"]
    assert audit.verify(ctx).ok


def test_a_step_late_when_handed_over_gets_its_due_notice_at_once_and_escalations_from_then(ctx, clock, tmp_path):
    to_step_8(ctx, clock, tmp_path)
    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T15:10")
    assert pending_8(ctx) == [
        ("due", 0, "sekretaris", t("2021-01-20T15:10"), ()),
        ("escalation", 1, "ketua", t("2021-01-20T15:40"), ("sekretaris",)),
        ("reminder", 0, "sekretaris", t("2021-01-20T15:10"), ()),
    ]
    cases.complete_step(ctx, CASE, 8, "sekretaris")
    assert pending_8(ctx) == []


def test_recompute_moves_the_notifications_of_the_actor_whose_turn_it_is(settings, ctx, clock, tmp_path):
    to_step_8(ctx, clock, tmp_path)
    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T14:55")
    before = pending_8(ctx)

    def closed_on(day: date) -> Settings:
        holiday = (day, "Kantor ditutup (banjir)")
        calendar = dataclasses.replace(settings.calendar, extra_holidays=(*settings.calendar.extra_holidays, holiday))
        return dataclasses.replace(settings, calendar=calendar)

    clock.set(t("2021-01-20T14:56"))
    later = run_cli(["deadlines", "recompute", "--json"], closed_on(date(2021, 1, 22)), clock)
    assert json.loads(later.out) == []  # the reminder stays at the hand-over, not back at 14:48
    assert pending_8(ctx) == before
    clock.set(t("2021-01-20T16:30"))
    moved = run_cli(["deadlines", "recompute", "--json"], closed_on(date(2021, 1, 20)), clock)
    assert moved.code == 0, moved.err
    assert [(m["step"], m["new_due_at"], m["notifications"]) for m in json.loads(moved.out)] == [
        (8, "2021-01-21T08:30:00+07:00", 3)
    ]
    # The deadline moved past the hand-over: the Sekretaris' plan as if the step had started on Thursday.
    assert pending_8(ctx) == [
        ("due", 0, "sekretaris", t("2021-01-21T08:30"), ()),
        ("escalation", 1, "ketua", t("2021-01-21T09:00"), ("sekretaris",)),
        ("reminder", 0, "sekretaris", t("2021-01-21T08:18"), ()),
    ]


def test_the_morning_digest_names_step_8_to_the_sekretaris_whose_paraf_it_awaits_not_to_the_kasubag(
    settings, ctx, clock, tmp_path
):
    to_step_8(ctx, clock, tmp_path)
    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T15:50")
    report = Worker(ctx).tick(t("2021-01-21T07:30"))
    digests = sorted((o.recipient, o.status) for o in report.outcomes if o.kind == "digest")
    assert ("sekretaris", "sent") in digests and ("kasubag", "sent") not in digests
    (digest,) = [m for m in delivered(settings) if m["kind"] == "digest"]
    assert digest["to"] == "sekretaris" and "lakip-2021 langkah 8" in digest["text"]


def test_one_person_holding_both_roles_of_the_chain_gets_the_second_turns_notifications_too(ctx, clock, tmp_path):
    people.set_roles(ctx, "kasubag", ["kasubag_program", "sekretaris"], by="admin")
    to_step_8(ctx, clock, tmp_path)
    act(ctx, clock, tmp_path, 8, "kasubag", "2021-01-20T14:30")
    # The Sekretaris' turn: both holders of the role, the kasubag among them (a key of its own per turn).
    # Each holder's own supervisor chain: the Sekretaris' (Ketua) and the Kasubag's (Sekretaris, then Ketua).
    assert [(kind, level, who) for kind, level, who, _, _ in pending_8(ctx)] == [
        ("due", 0, "kasubag"),
        ("due", 0, "sekretaris"),
        ("escalation", 1, "ketua"),
        ("escalation", 1, "sekretaris"),
        ("escalation", 2, "ketua"),
        ("reminder", 0, "kasubag"),
        ("reminder", 0, "sekretaris"),
    ]
    cases.complete_step(ctx, CASE, 8, "kasubag")
    assert pending_8(ctx) == []
    assert audit.verify(ctx).ok
