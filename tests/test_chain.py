"""The hash chain walked from stored rows (pure: no database).

:func:`chain.walk` hashes each event from its stored columns (:func:`chain.stored_text`) and looks
at an event again through ``exact`` only when that does not match; these tests hold it to the
canonical form of :func:`chain.payload` byte for byte, and to the verdicts of the tamper matrix
(tests/test_audit.py runs the same on the database).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine import chain
from sop_engine.clock import to_utc
from sop_engine.db.models import AuditEvent

OFFICE = 7
START = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)


def typed(
    seq: int, prev: str, *, details: dict[str, Any] | None = None, at: datetime = START, **values: Any
) -> AuditEvent:
    """Event ``seq`` linked to ``prev``, hashed as :func:`sop_engine.audit.append` hashes it (a row in no session)."""
    fields: dict[str, Any] = {"actor": "staf1", "role": "staf", "action": "step.completed", "case": "lakip-2021"}
    fields.update(step=3, **values)
    details = {"note": "selesai", "round": 1} if details is None else details
    payload = chain.payload(
        OFFICE, seq, at, at, fields["actor"], fields["role"], fields["action"], fields["case"], fields["step"], details
    )
    return AuditEvent(
        office_id=OFFICE,
        seq=seq,
        recorded_at=at,
        stated_at=at,
        actor=fields["actor"],
        role=fields["role"],
        action=fields["action"],
        case_code=fields["case"],
        step_no=fields["step"],
        details=chain.canonical_json(details),
        prev_hash=prev,
        hash=chain.chain_hash(prev, payload),
    )


def replace(event: AuditEvent, **values: Any) -> AuditEvent:
    """A copy of ``event`` with some columns changed, as someone with the database file would."""
    return AuditEvent(**{c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns} | values)


def stored(event: AuditEvent) -> chain.StoredEvent:
    """``event`` as the database cursor gives it to the walk (its seq standing for its row id)."""
    return (
        event.seq,
        event.seq,
        to_utc(event.recorded_at).isoformat(),
        to_utc(event.stated_at).isoformat(),
        event.actor,
        event.role,
        event.action,
        event.case_code,
        event.step_no,
        event.details,
        event.prev_hash,
        event.hash,
    )


def trail(n: int) -> list[AuditEvent]:
    events, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        events.append(typed(seq, prev, at=START + timedelta(minutes=seq)))
        prev = events[-1].hash
    return events


def walk(events: list[AuditEvent], rows: list[chain.StoredEvent] | None = None, **kwargs: Any) -> chain.VerifyResult:
    """Walk ``events`` (or ``rows``) with their last event as the recorded head; ``exact`` looks up ``events``."""
    by_id = {e.seq: e for e in events}
    head = (events[-1].seq, events[-1].hash) if events else (0, chain.GENESIS)
    return chain.walk(
        OFFICE, rows if rows is not None else [stored(e) for e in events], head, exact=by_id.__getitem__, **kwargs
    )


def never(row_id: int) -> chain.ChainEvent:
    raise AssertionError(f"event {row_id} looked at again although its stored columns hash to its hash")


# --- the canonical form, byte for byte --------------------------------------------------------

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)  # any text a database holds
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= adds the zone
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=9, minutes=30))]),
)


@settings(deadline=None, max_examples=300)
@given(
    seq=st.integers(min_value=1, max_value=2**40),
    recorded=instants,
    stated=instants,
    actor=texts,
    role=texts,
    action=texts,
    case=st.none() | texts,
    step=st.none() | st.integers(min_value=0, max_value=2**31),
    details=st.dictionaries(texts, json_values, max_size=4),
)
def test_stored_text_is_the_canonical_json_of_the_payload_byte_for_byte(
    seq: int,
    recorded: datetime,
    stated: datetime,
    actor: str,
    role: str,
    action: str,
    case: str | None,
    step: int | None,
    details: dict[str, Any],
) -> None:
    row = (1, seq, to_utc(recorded).isoformat(), to_utc(stated).isoformat(), actor, role, action, case, step)
    text = chain.stored_text(str(OFFICE), (*row, chain.canonical_json(details), "", ""))
    assert text == chain.canonical_json(
        chain.payload(OFFICE, seq, recorded, stated, actor, role, action, case, step, details)
    )


def test_stored_text_keeps_quotes_backslashes_control_characters_and_non_ascii_as_json_dumps_does() -> None:
    event = typed(1, chain.GENESIS, actor='a"b\\c', case="kasus\n\t\x01", details={"catatan": "Tabel “capaian” ✓ 🙂"})
    text = chain.stored_text(str(OFFICE), stored(event))
    assert '"actor":"a\\"b\\\\c"' in text and '"case":"kasus\\n\\t\\u0001"' in text and "🙂" in text
    assert chain.chain_hash(chain.GENESIS, json.loads(text)) == event.hash


# --- the walk ---------------------------------------------------------------------------------


def test_an_intact_trail_is_walked_without_looking_at_any_event_again() -> None:
    events = trail(5)
    rows = [stored(e) for e in events]
    result = chain.walk(OFFICE, iter(rows), (5, events[-1].hash), exact=never)
    assert result == chain.VerifyResult(True, 5, 5, events[-1].hash)


def test_an_empty_trail_holds_against_a_head_at_genesis() -> None:
    assert chain.walk(OFFICE, [], (0, chain.GENESIS), exact=never).ok


def test_details_stored_in_another_spelling_of_the_same_json_are_looked_at_again_and_hold() -> None:
    events = trail(3)
    events[1] = replace(events[1], details='{ "round": 1, "note": "selesai" }')
    assert walk(events).ok


def test_details_that_are_no_longer_json_are_named() -> None:
    events = trail(3)
    events[1] = replace(events[1], details="{rusak")
    result = walk(events)
    assert (result.ok, result.first_bad_seq, result.events) == (False, 2, 2)
    assert result.problem == "Peristiwa #2: rincian bukan JSON yang sah (isinya telah diubah)."


@pytest.mark.parametrize("column", ["actor", "role", "action", "case_code", "step_no", "stated_at"])
def test_a_modified_column_is_named_with_the_message_of_its_typed_values(column: str) -> None:
    events = trail(4)
    changed = {"step_no": 9, "stated_at": START - timedelta(days=1), "case_code": None}.get(column, "ketua")
    events[2] = replace(events[2], **{column: changed})
    result = walk(events)
    assert (result.first_bad_seq, result.problem) == (
        3,
        "Peristiwa #3: hash tidak cocok dengan isinya (isi peristiwa telah diubah).",
    )


def test_a_gap_a_repeat_and_a_broken_link_are_named_as_before() -> None:
    events = trail(4)
    gap = walk(events, [stored(e) for e in events if e.seq != 2])
    assert (gap.first_bad_seq, gap.problem) == (
        2,
        "Peristiwa #2 hilang: urutan melompat dari #1 ke #3 (ada peristiwa yang dihapus).",
    )
    repeat = walk(events, [stored(e) for e in (events[0], events[1], events[1], events[2])])
    assert repeat.first_bad_seq == 2 and "muncul dua kali" in (repeat.problem or "")
    relinked = [stored(e) for e in events]
    relinked[2] = (*relinked[2][:10], "f" * 64, relinked[2][11])
    link = walk(events, relinked)
    assert link.first_bad_seq == 3 and "tidak menyambung" in (link.problem or "")


def test_the_anchor_is_found_while_walking() -> None:
    events = trail(6)
    assert walk(events, anchor=(4, events[3].hash)).ok
    rewritten = walk(events, anchor=(4, "a" * 64))
    assert rewritten.first_bad_seq == 4 and "ditulis ulang" in (rewritten.problem or "")
    truncated = walk(events, anchor=(9, events[3].hash))
    assert truncated.first_bad_seq == 7 and "dipotong" in (truncated.problem or "")
