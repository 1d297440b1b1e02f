"""The statuses and kinds stored in the tables, one StrEnum each (values as stored, in English).

A StrEnum member equals its text (``CaseStatus.RUNNING == "running"``), so JSON documents and
queries read as before; the typed columns of :mod:`sop_engine.db.models` hand members back. The
Indonesian words people read for them live in :mod:`sop_engine.views.labels`, not here.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands."""

    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    """Where one step of a case stands."""

    WAITING = "waiting"
    ACTIVE = "active"
    DONE = "done"
    SKIPPED = "skipped"  # a branch not taken (a decision's other side), settled without work


class NotificationKind(StrEnum):
    """What a notification in the outbox is for."""

    REMINDER = "reminder"
    DUE = "due"
    ESCALATION = "escalation"
    DIGEST = "digest"


class NotificationStatus(StrEnum):
    """What became of a notification."""

    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """The outcome of one channel of one notification (the delivery ledger)."""

    SENT = "sent"
    FAILED = "failed"


class LetterStatus(StrEnum):
    """A number of the letter register."""

    ISSUED = "issued"
    CANCELLED = "cancelled"
