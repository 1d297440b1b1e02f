"""How the command line shows the scheduler's work: a pass, the outbox, moved deadlines, the
notifications of the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine.cli.output import clip, table
from sop_engine.context import Context
from sop_engine.deadlines import Moved
from sop_engine.demo import DemoResult
from sop_engine.formatting import format_instant, format_instant_short, iso_local
from sop_engine.notify.offices import OfficesReport
from sop_engine.notify.worker import TickReport
from sop_engine.outbox import NotificationRecord
from sop_engine.views import tick_json
from sop_engine.views.labels import NOTIFICATION_KIND_LABELS, NOTIFICATION_STATUS_LABELS


def _kind(kind: str, level: int) -> str:
    """A notification's kind as people read it, with its escalation level ("eskalasi 2")."""
    return NOTIFICATION_KIND_LABELS.get(kind, kind) + (f" {level}" if level else "")


def tick_text(report: TickReport, tz: ZoneInfo) -> str:
    """What one scheduler pass did, for people and for cron logs."""
    when = format_instant(report.now, tz)
    if not report.outcomes:
        return f"{when}: tidak ada notifikasi yang jatuh tempo."
    rows = [
        [
            o.id,
            _kind(o.kind, o.level),
            o.case or "-",
            o.step or "-",
            o.recipient,
            NOTIFICATION_STATUS_LABELS.get(o.status, o.status),
            ", ".join(o.channels) or "-",
            o.note or "",
        ]
        for o in report.outcomes
    ]
    return f"{when}: {len(report.outcomes)} notifikasi diproses.\n" + table(
        ["ID", "Jenis", "Kasus", "Langkah", "Penerima", "Hasil", "Saluran", "Keterangan"], rows
    )


def pass_text(report: TickReport | OfficesReport, ctx: Context) -> str:
    """What a pass of one office (as :func:`tick_text`) or of every office did: each office under its name."""
    if isinstance(report, TickReport):
        return tick_text(report, ctx.tz)
    if not report.reports:
        return tick_text(TickReport(report.now, (), 0), ctx.tz)
    parts = []
    for office, done in report.reports:
        head = f"Kantor {office.settings.office.satker} {office.settings.office.name}"
        digests = f" {done.digests_created} ringkasan harian dibuat." if done.digests_created else ""
        parts.append(f"{head}:{digests}\n{tick_text(done, office.tz)}")
    return "\n".join(parts)


def pass_json(report: TickReport | OfficesReport, ctx: Context) -> Any:
    """``sop scheduler tick --json``: one office's pass, or ``now`` and the pass of each office with work by satker."""
    if isinstance(report, TickReport):
        return tick_json(report, ctx.tz)
    offices = {office.settings.office.satker: tick_json(done, office.tz) for office, done in report.reports}
    return {"now": iso_local(report.now, ctx.tz), "offices": offices}


def notifications_table(items: Sequence[NotificationRecord], tz: ZoneInfo) -> str:
    if not items:
        return "Belum ada notifikasi."
    rows = [
        [
            n.id,
            _kind(n.kind, n.level),
            n.case or "-",
            n.step or "-",
            n.recipient,
            ", ".join(n.channels),
            format_instant_short(n.due_at, tz),
            NOTIFICATION_STATUS_LABELS.get(n.status, n.status),
            n.attempts,
            clip(n.last_error or "", 60),
        ]
        for n in items
    ]
    return table(
        ["ID", "Jenis", "Kasus", "Langkah", "Penerima", "Saluran", "Jatuh tempo", "Status", "Percobaan", "Keterangan"],
        rows,
    )


def moved_text(moved: Sequence[Moved], tz: ZoneInfo) -> str:
    if not moved:
        return "Tidak ada tenggat yang berubah."
    return f"{len(moved)} tenggat dipindahkan:\n" + table(
        ["Kasus", "Langkah", "Tenggat lama", "Tenggat baru", "Notifikasi"],
        [
            [m.case, m.step, format_instant(m.old_due, tz), format_instant(m.new_due, tz), m.notifications]
            for m in moved
        ],
    )


def notices_text(result: DemoResult) -> str:
    """The notifications the simulated scheduler sent, in order."""
    if not result.notices:
        return "Tidak ada pengingat atau eskalasi yang terkirim."
    rows = [
        [
            format_instant_short(n.at, result.tz),
            _kind(n.kind, n.level),
            n.step,
            n.recipient,
        ]
        for n in result.notices
    ]
    return "Pengingat dan eskalasi yang dikirim penjadwal:\n" + table(["Waktu", "Jenis", "Langkah", "Penerima"], rows)
