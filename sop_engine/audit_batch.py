"""Appending many events to an office's audit chain at once (the scheduler records a batch so).

The events are linked exactly as :func:`sop_engine.audit.append` links one, in the order given:
the head is locked once, moved once to the last event, and the rows go in one multi-row INSERT,
all inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sop_engine import audit, audit_heads
from sop_engine.audit import AuditRecord


def event(
    *,
    actor: str,
    role: str,
    action: str,
    recorded_at: datetime,
    stated_at: datetime,
    case: str | None,
    step: int | None,
    details: dict[str, Any],
) -> AuditRecord:
    """An event not yet linked: its seq and hashes are set when it is appended."""
    return AuditRecord(0, recorded_at, stated_at, actor, role, action, case, step, details, "", "")


def append_many(session: Session, office_id: int, events: Sequence[AuditRecord]) -> list[AuditRecord]:
    """Append ``events`` in order inside the caller's transaction; the linked events are returned."""
    if not events:
        return []
    session.flush()
    head = audit.locked_head(session, office_id)
    linked: list[AuditRecord] = []
    for item in events:
        linked.append(audit._linked(office_id, item, head))
        head = (linked[-1].seq, linked[-1].hash)
    audit_heads.append_at_locked(session.connection(), office_id, [audit._row(office_id, e) for e in linked])
    return linked
