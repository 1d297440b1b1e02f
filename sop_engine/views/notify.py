"""The JSON of time that acts: a notification of the outbox, a scheduler pass, a moved deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from sop_engine.db.statuses import NotificationKind, NotificationStatus
from sop_engine.formatting import iso_local
from sop_engine.views.fields import Doc, Instant

if TYPE_CHECKING:  # records only (see views/cases.py)
    from zoneinfo import ZoneInfo

    from sop_engine.deadlines import Moved
    from sop_engine.notify.worker import TickReport
    from sop_engine.outbox import NotificationRecord


class DeliveryJson(TypedDict):
    """One channel's outcome for one notification (the delivery ledger)."""

    channel: Annotated[str, Doc("Saluran: email, webhook atau log.")]
    status: Annotated[str, Doc("sent atau failed.")]


class NotificationJson(TypedDict):
    """A notification as ``sop notifications list --json`` prints it."""

    id: Annotated[int, Doc("Nomor notifikasi.")]
    kind: Annotated[NotificationKind, Doc("reminder, due, escalation atau digest.")]
    level: Annotated[int, Doc("Tingkat eskalasi (0 untuk yang lain).")]
    case: Annotated[str | None, Doc("Kode kasus.")]
    step: Annotated[int | None, Doc("Nomor langkah.")]
    round: Annotated[int | None, Doc("Putaran langkah.")]
    recipient: Annotated[str, Doc("Nama pengguna penerima.")]
    cc: Annotated[list[str], Doc("Nama pengguna tembusan.")]
    channels: Annotated[list[str], Doc("Saluran penerima.")]
    due_at: Annotated[Instant, Doc("Jatuh tempo.")]
    status: Annotated[NotificationStatus, Doc("pending, sent, skipped, failed atau cancelled.")]
    attempts: Annotated[int, Doc("Jumlah percobaan kirim.")]
    last_error: Annotated[str | None, Doc("Kesalahan terakhir.")]
    finished_at: Annotated[Instant | None, Doc("Waktu selesai diproses.")]
    deliveries: Annotated[list[DeliveryJson], Doc("Hasil tiap saluran.")]


class OutcomeJson(TypedDict):
    """What one scheduler pass did with one notification."""

    id: Annotated[int, Doc("Nomor notifikasi.")]
    kind: Annotated[NotificationKind, Doc("reminder, due, escalation atau digest.")]
    level: Annotated[int, Doc("Tingkat eskalasi.")]
    case: Annotated[str | None, Doc("Kode kasus.")]
    step: Annotated[int | None, Doc("Nomor langkah.")]
    recipient: Annotated[str, Doc("Nama pengguna penerima.")]
    status: Annotated[NotificationStatus, Doc("Hasilnya.")]
    channels: Annotated[list[str], Doc("Saluran yang berhasil.")]
    note: Annotated[str | None, Doc("Keterangan.")]


class TickJson(TypedDict):
    """One scheduler pass, as ``sop scheduler tick --json`` prints it."""

    now: Annotated[Instant, Doc("Saat putaran itu.")]
    digests_created: Annotated[int, Doc("Ringkasan harian yang dibuat.")]
    handled: Annotated[list[OutcomeJson], Doc("Notifikasi yang diproses.")]


class MovedJson(TypedDict):
    """One open deadline moved by ``sop deadlines recompute``."""

    case: Annotated[str, Doc("Kode kasus.")]
    step: Annotated[int, Doc("Nomor langkah.")]
    old_due_at: Annotated[Instant, Doc("Tenggat lama.")]
    new_due_at: Annotated[Instant, Doc("Tenggat baru.")]
    notifications: Annotated[int, Doc("Notifikasi yang dijadwalkan ulang.")]


def notification_json(n: NotificationRecord, tz: ZoneInfo) -> NotificationJson:
    """A notification and the outcome of each of its channels, instants with the office offset."""
    return {
        "id": n.id,
        "kind": n.kind,
        "level": n.level,
        "case": n.case,
        "step": n.step,
        "round": n.round,
        "recipient": n.recipient,
        "cc": list(n.cc),
        "channels": list(n.channels),
        "due_at": iso_local(n.due_at, tz),
        "status": n.status,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "finished_at": iso_local(n.finished_at, tz),
        "deliveries": [{"channel": c, "status": s} for c, s in n.deliveries],
    }


def tick_json(report: TickReport, tz: ZoneInfo) -> TickJson:
    """What one scheduler pass did."""
    return {
        "now": iso_local(report.now, tz),
        "digests_created": report.digests_created,
        "handled": [
            {
                "id": o.id,
                "kind": o.kind,
                "level": o.level,
                "case": o.case,
                "step": o.step,
                "recipient": o.recipient,
                "status": o.status,
                "channels": list(o.channels),
                "note": o.note,
            }
            for o in report.outcomes
        ],
    }


def moved_json(m: Moved, tz: ZoneInfo) -> MovedJson:
    """One deadline moved by a recompute."""
    return {
        "case": m.case,
        "step": m.step,
        "old_due_at": iso_local(m.old_due, tz),
        "new_due_at": iso_local(m.new_due, tz),
        "notifications": m.notifications,
    }
