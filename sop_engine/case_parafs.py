"""A paraf chain's progress: each actor of a chained step in order, who confirmed it and when.

A step with ``pelaksana = [...]`` is confirmed by its actors in turn: every one but the last writes
a ``step.confirmed`` event, the last the ``step.completed`` that finishes the step (each carries its
``round`` and its place in the chain, ``paraf``). The step's row keeps only that last actor
(``completed_by``); the earlier ones are read from those events, of the step's current round.

Read with one case (its page, ``sop case show``), in one query, and only when a chained step has
been confirmed by someone in its current round: a case of an SOP without a chain, or before its
chain begins, costs nothing more.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select

from sop_engine.case_records import CaseRecord, Paraf, StepRecord
from sop_engine.db.models import AuditEvent
from sop_engine.db.queries import table
from sop_engine.db.statuses import StepStatus

_e = table(AuditEvent).c
#: The confirmations of some steps of one case, in chain order (``ix_audit_events_case_code``).
_CONFIRMATIONS = (
    select(_e.step_no, _e.actor, _e.stated_at, _e.details)
    .where(
        _e.office_id == bindparam("office_id"),
        _e.case_code == bindparam("code"),
        _e.action.in_(("step.confirmed", "step.completed")),
        _e.step_no.in_(bindparam("steps", expanding=True)),
    )
    .order_by(_e.seq)
)


def with_parafs(conn: Connection, row: Row[Any], record: CaseRecord) -> CaseRecord:
    """``record`` (of ``row``, the case's row) with the progress of each of its chained steps that someone
    has confirmed in the current round; no query when there is none."""
    begun = [step.no for step in record.steps if len(step.actors) > 1 and _begun(step)]
    if not begun:
        return record
    params = {"office_id": row.office_id, "code": row.code, "steps": begun}
    found: dict[int, dict[int, Paraf]] = {no: {} for no in begun}
    for no, actor, at, details in conn.execute(_CONFIRMATIONS, params):
        facts = json.loads(details)
        step = record.steps[no - 1]
        if facts.get("round") != step.round:
            continue
        place = int(facts["paraf"]) - 1 if "paraf" in facts else len(found[no])  # events written before "paraf"
        if 0 <= place < len(step.actors):
            found[no][place] = Paraf(step.actors[place], actor, at)
    steps = tuple(
        dataclasses.replace(
            step, parafs=tuple(found[step.no].get(i, Paraf(role)) for i, role in enumerate(step.actors))
        )
        if step.no in found
        else step
        for step in record.steps
    )
    return dataclasses.replace(record, steps=steps)


def _begun(step: StepRecord) -> bool:
    """Whether an actor of the step's chain has confirmed it in its current round."""
    return step.status == StepStatus.DONE or (step.status == StepStatus.ACTIVE and step.paraf > 0)
