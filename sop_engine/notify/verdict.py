"""Whether a claimed notification is still to be sent, and if not, how it is settled and why.

A notification is not sent when its step is no longer the active round (cancelled), when it is
a reminder whose due notice has come too (skipped), when it is a digest with nothing in it
(skipped), or when its moment had already passed when its step was recorded: a case started or
a step completed ``--at`` a moment in the past (skipped as *dicatat belakangan*, so that entering
an old case never sends the reminders, due notices and escalations of its past).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sop_engine import backdating
from sop_engine.context import Context
from sop_engine.db.models import Case, Notification
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus, StepStatus
from sop_engine.formatting import format_instant
from sop_engine.notify.compose import digest_items


def verdict(ctx: Context, session: Session, note: Notification, now: datetime) -> tuple[NotificationStatus, str] | None:
    """Why not to send ``note`` (status and reason), or None to send it."""
    if note.kind == NotificationKind.DIGEST:
        return (
            None
            if digest_items(ctx, session, note.recipient, note.due_at, now)
            else (NotificationStatus.SKIPPED, "Tidak ada langkah aktif untuk diringkas.")
        )
    case = session.get_one(Case, note.case_id)
    row = case.steps[(note.step_no or 1) - 1]
    if case.status != CaseStatus.RUNNING or row.status != StepStatus.ACTIVE or row.round != note.round:
        return NotificationStatus.CANCELLED, "Langkah sudah tidak aktif."
    if backdating.is_backdated(note.kind, note.due_at, note.created_at):
        moment, recorded = format_instant(note.due_at, ctx.tz), format_instant(note.created_at, ctx.tz)
        return (
            NotificationStatus.SKIPPED,
            f"{backdating.REASON}: saatnya ({moment}) sudah lewat ketika langkah dicatat ({recorded}); tidak dikirim.",
        )
    if note.kind == NotificationKind.REMINDER and _due_also(session, note, now):
        return NotificationStatus.SKIPPED, "Tenggat juga sudah tiba; pengingat diganti pemberitahuan tenggat."
    return None


def _due_also(session: Session, note: Notification, now: datetime) -> bool:
    """Whether the due notice of the reminder's step and person has come too (pending or sent)."""
    count = session.scalar(
        select(func.count(Notification.id)).where(
            Notification.case_id == note.case_id,
            Notification.step_no == note.step_no,
            Notification.round == note.round,
            Notification.kind == NotificationKind.DUE,
            Notification.recipient_id == note.recipient_id,
            Notification.due_at <= now,
            Notification.status.in_((NotificationStatus.PENDING, NotificationStatus.SENT)),
        )
    )
    return bool(count)
