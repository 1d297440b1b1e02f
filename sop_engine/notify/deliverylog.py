"""One log line for each notification a worker has dealt with: delivered, retried, skipped, cancelled or failed.

The audit trail and the delivery ledger are the record; this line is for the operator watching
the process (``sop scheduler run`` or ``sop serve``): which message, to whom, on which channels,
and why not. A failure is a warning, everything else information.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sop_engine.db.statuses import NotificationStatus

if TYPE_CHECKING:
    from sop_engine.notify.record import Outcome

log = logging.getLogger("sop_engine.scheduler")


def logged(outcome: Outcome, worker_id: str) -> Outcome:
    """Log ``outcome`` and return it."""
    where = f"{outcome.case} step {outcome.step}" if outcome.case else "no case"
    log.log(
        logging.WARNING if outcome.status == NotificationStatus.FAILED else logging.INFO,
        "notification %d (%s, level %d, %s) to %s: %s%s%s",
        outcome.id,
        outcome.kind,
        outcome.level,
        where,
        outcome.recipient,
        outcome.status,
        f" via {', '.join(outcome.channels)}" if outcome.channels else "",
        f" ({outcome.note})" if outcome.note else "",
        extra={
            "notification": outcome.id,
            "kind": str(outcome.kind),
            "case": outcome.case,
            "step": outcome.step,
            "recipient": outcome.recipient,
            "status": str(outcome.status),
            "channels": list(outcome.channels),
            "detail": outcome.note,
            "worker": worker_id,
        },
    )
    return outcome
