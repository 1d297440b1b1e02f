"""The hash chain of the audit trail: how an event is hashed, and how a sequence of events is checked.

Pure (no database, no configuration), so that :mod:`sop_engine.audit` uses it on the office's
table and :mod:`sop_engine.archive_check` on an archive's ``audit.json`` without SQLAlchemy:
``hash = sha256(prev_hash || canonical JSON of the event)`` (docs/architecture.md, "Audit chain"),
the first event linking to :data:`GENESIS`.

:func:`walk` checks an office's chain as it streams from the database, one pass, in bounded
memory: each event is hashed from its stored columns as they come off the cursor
(:func:`stored_text`, the canonical JSON built from them without parsing the details), and only an
event that does not match that way is looked at again with its typed values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring as _quoted  # what json.dumps(ensure_ascii=False) quotes strings with
from typing import Any, Protocol, TypeAlias

from sop_engine.clock import to_utc
from sop_engine.errors import InvalidInput
from sop_engine.remedies import Hint, Remedy

GENESIS = "0" * 64


#: A stored event as :func:`walk` reads it, a plain tuple straight from the database cursor: the row's
#: id, seq, recorded_at and stated_at (as :func:`payload` spells them: UTC, ISO 8601), actor, role,
#: action, case, step, the details' JSON text as stored, prev_hash and hash.
StoredEvent: TypeAlias = tuple[int, int, str, str, str, str, str, str | None, int | None, str, str, str]


class ChainEvent(Protocol):
    """A stored event with its typed values (an ``AuditEvent`` row has these attributes)."""

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


def walk(
    office_id: int,
    events: Iterable[StoredEvent],
    head: tuple[int, str],
    anchor: tuple[int, str] | None = None,
    *,
    exact: Callable[[int], ChainEvent],
) -> VerifyResult:
    """Check the office's stored events, in chain order, against the chain rules, its recorded ``head``
    (seq, hash) and an optional ``anchor`` recorded earlier, reading each event once.

    An event is hashed from its stored columns (:func:`stored_text`). One whose hash does not match
    that way is looked at again as ``exact(row_id)`` gives it (the row with its typed values), exactly
    as :func:`payload` hashes them: the verdict and its message are those of the row's values, and an
    event whose details were stored in another spelling of the same JSON still holds. (A hash that a
    forger computed over stored text append would never write is taken as that text's: they could
    as well have hashed the canonical text, and the next link or the head catches either.)
    """
    head_seq, head_hash = head
    anchor_seq = anchor[0] if anchor else None
    anchored: str | None = None  # the hash of the event at the anchor's seq, once walked past
    expected, prev, count = 1, GENESIS, 0
    office, sha256 = str(office_id), hashlib.sha256
    for event in events:
        count += 1
        seq, prev_hash, digest = event[1], event[10], event[11]
        broken = None
        if seq != expected or prev_hash != prev:
            broken = _link_problem(seq, expected, prev)
        elif sha256((prev_hash + stored_text(office, event)).encode("utf-8")).hexdigest() != digest:
            broken = _content_problem(exact(event[0]))
        if broken is not None:
            return VerifyResult(False, count, head_seq, head_hash, *broken)
        if seq == anchor_seq:
            anchored = digest
        prev, expected = digest, expected + 1
    last = expected - 1
    broken = _head_problem(last, prev, head_seq, head_hash)
    if broken is None and anchor is not None:
        problem = _anchor_problem(anchor, anchored)
        if problem:
            broken = (min(anchor[0], last + 1), problem)
    if broken is not None:
        return VerifyResult(False, count, head_seq, head_hash, *broken)
    return VerifyResult(True, count, head_seq, head_hash)


def stored_text(office: str, event: StoredEvent) -> str:
    """The canonical JSON of a stored event (``office`` its office id as text), built from its columns:
    the text :func:`chain_hash` covers, provided the details are stored as their canonical JSON, as
    :func:`sop_engine.audit.append` stores them.

    Keys in sorted order, numbers and ``null`` as :func:`canonical_json` writes them, strings by the
    very function it escapes them with (``ensure_ascii=False``).
    """
    _, seq, recorded, stated, actor, role, action, case, step, details, _, _ = event
    return (
        f'{{"action":{_quoted(action)},"actor":{_quoted(actor)},'
        f'"case":{"null" if case is None else _quoted(case)},"details":{details},"office":{office},'
        f'"recorded_at":{_quoted(recorded)},"role":{_quoted(role)},"seq":{seq},'
        f'"stated_at":{_quoted(stated)},"step":{"null" if step is None else step}}}'
    )


def _link_problem(seq: int, expected: int, prev: str) -> tuple[int, str]:
    """The seq and problem of an event out of order or not linked to the hash before it."""
    if seq > expected:
        return (
            expected,
            f"Peristiwa #{expected} hilang: urutan melompat dari #{expected - 1} ke #{seq} "
            "(ada peristiwa yang dihapus).",
        )
    if seq < expected:
        return (
            seq,
            f"Peristiwa #{seq} muncul dua kali atau tidak pada urutannya (ada peristiwa yang disisipkan).",
        )
    return (
        seq,
        f"Peristiwa #{seq} tidak menyambung ke peristiwa sebelumnya: prev_hash "
        "tidak sama dengan hash peristiwa sebelumnya (ada yang dihapus, disisipkan atau ditukar).",
    )


def _content_problem(event: ChainEvent) -> tuple[int, str] | None:
    """The seq and problem of an event whose details are not JSON or whose values do not match its hash."""
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


def _anchor_problem(anchor: tuple[int, str], found: str | None) -> str | None:
    """What is wrong with a walked chain whose event at the anchor's seq has hash ``found`` (None: no such event)."""
    seq, digest = anchor
    if found is None:
        return f"Kepala rantai yang dicatat sebelumnya (#{seq}) tidak ada lagi; jejak audit telah dipotong."
    if found == digest:
        return None
    return (
        f"Peristiwa #{seq} tidak lagi ber-hash {digest[:16]}… seperti yang dicatat sebelumnya; "
        "jejak audit telah ditulis ulang seluruhnya."
    )
