"""The hash chain of the audit trail: how an event is hashed, and how a sequence of events is checked.

Pure (no database, no configuration), so that :mod:`sop_engine.audit` uses it on the office's
table and :mod:`sop_engine.archive_check` on an archive's ``audit.json`` without SQLAlchemy:
``hash = sha256(prev_hash || canonical JSON of the event)`` (DESIGN §6), the first event linking
to :data:`GENESIS`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sop_engine.clock import to_utc
from sop_engine.errors import InvalidInput
from sop_engine.remedies import Hint, Remedy

GENESIS = "0" * 64


class ChainEvent(Protocol):
    """What the chain reads of a stored event (an ``AuditEvent`` row has these attributes)."""

    office_id: int
    seq: int
    recorded_at: datetime
    stated_at: datetime
    actor: str
    role: str
    action: str
    case_code: str | None
    step_no: int | None
    details: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking one office's chain."""

    ok: bool
    events: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None
    #: Rows of the state tables that disagree with the trail (see :mod:`sop_engine.reconcile`).
    mismatches: tuple[str, ...] = ()


def canonical_json(value: Any) -> str:
    """The one JSON spelling of ``value`` that the hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload(
    office_id: int,
    seq: int,
    recorded_at: datetime,
    stated_at: datetime,
    actor: str,
    role: str,
    action: str,
    case: str | None,
    step: int | None,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "office": office_id,
        "seq": seq,
        "recorded_at": to_utc(recorded_at).isoformat(),
        "stated_at": to_utc(stated_at).isoformat(),
        "actor": actor,
        "role": role,
        "action": action,
        "case": case,
        "step": step,
        "details": details,
    }


def chain_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """``sha256(prev_hash || canonical JSON of the event)`` as hex."""
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def parse_anchor(text: str) -> tuple[int, str]:
    """``"23:9dda1e…"`` (a seq and the full hash, as `sop audit verify` prints them) as a pair."""
    seq_text, _, digest = text.strip().lstrip("#").partition(":")
    if (
        not (seq_text.isascii() and seq_text.isdigit())
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise InvalidInput(
            f"Kepala rantai '{text}' tidak sah; tulis NOMOR:HASH, "
            "misalnya 23:9dda1e110d30921b0e0844120a4882ee2fc08fcc223d82a28f373d9e4872dbed.",
            value=text,
            hint=Hint(Remedy.COPY_CHAIN_HEAD),
        )
    return int(seq_text), digest


def verify_events(
    events: Sequence[ChainEvent], head_seq: int, head_hash: str, anchor: tuple[int, str] | None = None
) -> VerifyResult:
    """Check a sequence of events against the chain rules, the recorded head and an optional anchor."""
    expected, prev, count = 1, GENESIS, 0
    for event in events:
        count += 1
        broken = _event_problem(event, expected, prev)
        if broken is not None:
            return VerifyResult(False, count, head_seq, head_hash, *broken)
        prev, expected = event.hash, expected + 1
    last = expected - 1
    broken = _head_problem(last, prev, head_seq, head_hash)
    if broken is None and anchor is not None:
        problem = _check_anchor(events, anchor)
        if problem:
            broken = (min(anchor[0], last + 1), problem)
    if broken is not None:
        return VerifyResult(False, count, head_seq, head_hash, *broken)
    return VerifyResult(True, count, head_seq, head_hash)


def _event_problem(event: ChainEvent, expected: int, prev: str) -> tuple[int, str] | None:
    """The seq and problem of an event out of order, not linked to ``prev``, or not matching its hash."""
    if event.seq > expected:
        return (
            expected,
            f"Peristiwa #{expected} hilang: urutan melompat dari #{expected - 1} ke #{event.seq} "
            "(ada peristiwa yang dihapus).",
        )
    if event.seq < expected:
        return (
            event.seq,
            f"Peristiwa #{event.seq} muncul dua kali atau tidak pada urutannya (ada peristiwa yang disisipkan).",
        )
    if event.prev_hash != prev:
        return (
            event.seq,
            f"Peristiwa #{event.seq} tidak menyambung ke peristiwa sebelumnya: prev_hash "
            "tidak sama dengan hash peristiwa sebelumnya (ada yang dihapus, disisipkan atau ditukar).",
        )
    try:
        details = json.loads(event.details)
    except ValueError:
        return event.seq, f"Peristiwa #{event.seq}: rincian bukan JSON yang sah (isinya telah diubah)."
    payload_ = payload(
        event.office_id,
        event.seq,
        event.recorded_at,
        event.stated_at,
        event.actor,
        event.role,
        event.action,
        event.case_code,
        event.step_no,
        details,
    )
    if chain_hash(event.prev_hash, payload_) != event.hash:
        return event.seq, f"Peristiwa #{event.seq}: hash tidak cocok dengan isinya (isi peristiwa telah diubah)."
    return None


def _head_problem(last: int, prev: str, head_seq: int, head_hash: str) -> tuple[int, str] | None:
    """The seq and problem where the chain, ending at ``last`` with hash ``prev``, disagrees with its recorded head."""
    if last < head_seq:
        return (
            last + 1,
            f"Rantai berakhir di #{last}, padahal kepala rantai mencatat #{head_seq} "
            f"(peristiwa #{last + 1} dan sesudahnya dihapus).",
        )
    if last > head_seq:
        return (
            head_seq + 1,
            f"Peristiwa #{head_seq + 1} ada sesudah kepala rantai yang tercatat (#{head_seq}); "
            "peristiwa itu disisipkan di luar sop-engine.",
        )
    if prev != head_hash:
        return (
            last,
            f"Peristiwa #{last} tidak sama dengan kepala rantai yang tercatat; "
            "peristiwa terakhir diganti di luar sop-engine.",
        )
    return None


def _check_anchor(events: Sequence[ChainEvent], anchor: tuple[int, str]) -> str | None:
    seq, digest = anchor
    for event in events:
        if event.seq == seq:
            if event.hash == digest:
                return None
            return (
                f"Peristiwa #{seq} tidak lagi ber-hash {digest[:16]}… seperti yang dicatat sebelumnya; "
                "jejak audit telah ditulis ulang seluruhnya."
            )
    return f"Kepala rantai yang dicatat sebelumnya (#{seq}) tidak ada lagi; jejak audit telah dipotong."
