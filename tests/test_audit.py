"""The audit trail: hash chain, append-only table, verification, log and export.

Every test runs on SQLite and PostgreSQL (the ``ctx`` fixture). Tampering tests act as an
attacker who holds the database file: they drop the protecting triggers first, then change rows
with raw SQL, and check that ``audit.verify`` and ``sop audit verify`` name the first bad event.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Connection, Table, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from sop_engine import audit, cases, chain, chain_rows
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent, AuditHead
from sop_engine.errors import InvalidInput
from tests.helpers import docx, pdf, run_cli

EVENTS = cast(Table, AuditEvent.__table__)
CASE = "lakip-2021"

# --- a real run ----------------------------------------------------------------------------


def _done(ctx: Context, clock: FixedClock, step: int, by: str, files: list[Path]) -> None:
    clock.advance(timedelta(minutes=30))
    cases.complete_step(ctx, CASE, step, by, files=[IncomingFile.from_path(p) for p in files])


def real_run(ctx: Context, clock: FixedClock, folder: Path) -> int:
    """Start LAKIP 2021, complete steps 1-7 with files, return 7 -> 6, redo 6 and 7; the action count."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    _done(ctx, clock, 1, "sekretaris", [pdf(folder, "disposisi.pdf", "disposisi")])
    _done(ctx, clock, 2, "kasubag", [docx(folder, "format.docx")])
    _done(ctx, clock, 3, "staf1", [])
    _done(ctx, clock, 4, "staf1", [pdf(folder, "format-terisi.pdf", "terisi")])
    _done(ctx, clock, 5, "kasubag", [pdf(folder, "draft.pdf", "draft")])
    _done(ctx, clock, 6, "staf1", [pdf(folder, "lakip-1.pdf", "lakip ronde 1")])
    clock.advance(timedelta(hours=1))
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel capaian kinerja belum lengkap")
    _done(ctx, clock, 6, "staf1", [pdf(folder, "lakip-2.pdf", "lakip ronde 2")])
    _done(ctx, clock, 7, "kasubag", [pdf(folder, "lakip-koreksi.pdf", "koreksi")])
    return 10


def short_run(ctx: Context, clock: FixedClock, folder: Path) -> list[audit.AuditRecord]:
    """Start the case and complete steps 1-2 with files; the resulting events."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    _done(ctx, clock, 1, "sekretaris", [pdf(folder, "disposisi.pdf", "disposisi")])
    _done(ctx, clock, 2, "kasubag", [docx(folder, "format.docx")])
    events = audit.list_events(ctx)
    assert audit.verify(ctx).ok
    assert len(events) >= 5  # init events + 3 actions: first, middle and last are distinct
    return events


# --- raw database access, as an attacker with the file -----------------------------------


def drop_guards(ctx: Context) -> None:
    """Drop the triggers that make audit_events append-only."""
    with ctx.db.engine.begin() as conn:
        if ctx.db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update_delete ON audit_events"))


def tamper(ctx: Context, change: Callable[[Connection], Any]) -> None:
    drop_guards(ctx)
    with ctx.db.engine.begin() as conn:
        change(conn)


def raw_row(ctx: Context, seq: int) -> dict[str, Any]:
    with ctx.db.engine.connect() as conn:
        row = conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).mappings().one()
        return dict(row)


def payload_of(row: dict[str, Any], seq: int) -> dict[str, Any]:
    """The event as the chain hashes it (sop_engine/chain.py), for forging a valid-looking link."""
    return {
        "office": row["office_id"],
        "seq": seq,
        "recorded_at": row["recorded_at"].isoformat(),
        "stated_at": row["stated_at"].isoformat(),
        "actor": row["actor"],
        "role": row["role"],
        "action": row["action"],
        "case": row["case_code"],
        "step": row["step_no"],
        "details": json.loads(row["details"]),
    }


def forged_copy(row: dict[str, Any], seq: int, prev_hash: str) -> dict[str, Any]:
    """A copy of ``row`` as event ``seq`` whose hash is correct for ``prev_hash``."""
    forged = {k: v for k, v in row.items() if k != "id"}
    forged.update(seq=seq, actor="ketua", prev_hash=prev_hash)
    forged["hash"] = audit.chain_hash(prev_hash, payload_of(forged, seq))
    return forged


def shift_up(conn: Connection, from_seq: int) -> None:
    """Renumber events ``from_seq`` and later one up (in two passes, past the unique constraint)."""
    conn.execute(update(EVENTS).where(EVENTS.c.seq >= from_seq).values(seq=-(EVENTS.c.seq + 1)))
    conn.execute(update(EVENTS).where(EVENTS.c.seq < 0).values(seq=-EVENTS.c.seq))


def swap_seq(conn: Connection, a: int, b: int) -> None:
    conn.execute(update(EVENTS).where(EVENTS.c.seq == a).values(seq=-1))
    conn.execute(update(EVENTS).where(EVENTS.c.seq == b).values(seq=a))
    conn.execute(update(EVENTS).where(EVENTS.c.seq == -1).values(seq=b))


def assert_broken_at(ctx: Context, settings: Settings, clock: FixedClock, seq: int) -> audit.VerifyResult:
    """verify() and `sop audit verify` both name event ``seq`` as the first bad one."""
    result = audit.verify(ctx)
    assert result.ok is False
    assert result.first_bad_seq == seq, result.problem
    assert result.problem
    run = run_cli(["audit", "verify"], settings, clock)
    assert run.code == 1
    headline = run.err.splitlines()[0]
    assert "JEJAK AUDIT RUSAK" in headline
    assert re.search(rf"peristiwa #{seq}(?!\d)", headline), headline
    assert "Laporkan ke Inspektorat" in run.err
    assert run.out == ""
    return result


POSITIONS = ["first", "middle", "last"]


def position(events: list[audit.AuditRecord], where: str) -> int:
    return {"first": 1, "middle": len(events) // 2 + 1, "last": len(events)}[where]


# --- an intact trail -----------------------------------------------------------------------


def test_verify_passes_after_real_run(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    before = len(audit.list_events(ctx))
    actions = real_run(ctx, clock, tmp_path)
    result = audit.verify(ctx)
    assert result.ok, result.problem
    assert result.events == before + actions
    assert result.head_seq == before + actions
    assert result.head_hash == audit.list_events(ctx)[-1].hash
    assert result.first_bad_seq is None


def test_cli_verify_exits_0_and_reports_intact_chain_after_real_run(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    real_run(ctx, clock, tmp_path)
    run = run_cli(["audit", "verify"], settings, clock)
    assert run.code == 0, run.err
    assert "Jejak audit utuh" in run.out
    head = audit.list_events(ctx)[-1]
    assert f"#{head.seq} {head.hash}" in run.out


def test_chain_links_each_event_to_the_previous_hash(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    real_run(ctx, clock, tmp_path)
    events = audit.list_events(ctx)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    assert len({e.hash for e in events}) == len(events)


def test_dropping_the_guards_alone_leaves_the_chain_valid(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    short_run(ctx, clock, tmp_path)
    drop_guards(ctx)
    assert audit.verify(ctx).ok


def test_verify_passes_after_step_completed_with_stated_time(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    """Paper work recorded afterwards (`--at`), given as UTC as the CLI's clock would."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(hours=1))
    stated = datetime.fromisoformat("2021-01-11T01:05:00+00:00")
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(pdf(tmp_path))], at=stated)
    assert audit.list_events(ctx)[-1].stated_at == stated
    assert audit.verify(ctx).ok


def test_verify_passes_after_step_completed_with_office_local_stated_time(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(hours=1))
    stated = datetime.fromisoformat("2021-01-11T08:05:00+07:00")  # what `sop step done --at 08:05` passes
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(pdf(tmp_path))], at=stated)
    assert audit.verify(ctx).ok


# --- the database refuses UPDATE and DELETE ------------------------------------------------


def test_database_refuses_update_of_an_audit_event(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    short_run(ctx, clock, tmp_path)
    before = raw_row(ctx, 2)
    with pytest.raises(DBAPIError, match="append-only"), ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'ketua', details = '{}' WHERE seq = 2"))
    assert raw_row(ctx, 2) == before
    assert audit.verify(ctx).ok


def test_database_refuses_delete_of_an_audit_event(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    events = short_run(ctx, clock, tmp_path)
    last = events[-1].seq
    before = raw_row(ctx, last)
    with pytest.raises(DBAPIError, match="append-only"), ctx.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM audit_events WHERE seq = {last}"))
    assert raw_row(ctx, last) == before
    assert len(audit.list_events(ctx)) == len(events)
    assert audit.verify(ctx).ok


def test_database_refuses_delete_of_the_whole_trail(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    events = short_run(ctx, clock, tmp_path)
    with pytest.raises(DBAPIError, match="append-only"), ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    assert [e.hash for e in audit.list_events(ctx)] == [e.hash for e in events]


# --- tampering is detected and the first bad event named ------------------------------------


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_event_whose_actor_was_modified(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    seq = position(short_run(ctx, clock, tmp_path), where)
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(actor="inspektorat")))
    result = assert_broken_at(ctx, settings, clock, seq)
    assert "hash tidak cocok" in (result.problem or "")


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_event_whose_details_were_modified(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    seq = position(short_run(ctx, clock, tmp_path), where)
    details = json.loads(raw_row(ctx, seq)["details"])
    details["note"] = "diubah belakangan"
    forged = audit.canonical_json(details)
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(details=forged)))
    assert_broken_at(ctx, settings, clock, seq)


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_event_whose_details_are_no_longer_json(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    seq = position(short_run(ctx, clock, tmp_path), where)
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(details="{rusak")))
    result = assert_broken_at(ctx, settings, clock, seq)
    assert "bukan JSON" in (result.problem or "")


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_event_whose_stated_at_was_modified(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    seq = position(short_run(ctx, clock, tmp_path), where)
    earlier = raw_row(ctx, seq)["stated_at"] - timedelta(days=1)
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(stated_at=earlier)))
    assert audit.list_events(ctx)[seq - 1].stated_at == earlier  # the change really landed
    assert_broken_at(ctx, settings, clock, seq)


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_event_whose_hash_was_recomputed_after_modification(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    """Fixing the modified row's own hash only moves the break to the next link (or the head)."""
    events = short_run(ctx, clock, tmp_path)
    seq = position(events, where)
    forged = forged_copy(raw_row(ctx, seq), seq, raw_row(ctx, seq)["prev_hash"])

    def change(conn: Connection) -> None:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(actor=forged["actor"], hash=forged["hash"]))

    tamper(ctx, change)
    # The next event no longer links to it; the last event no longer matches the recorded head.
    assert_broken_at(ctx, settings, clock, seq + 1 if seq < len(events) else seq)


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_deleted_event(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    seq = position(short_run(ctx, clock, tmp_path), where)
    tamper(ctx, lambda c: c.execute(EVENTS.delete().where(EVENTS.c.seq == seq)))
    assert_broken_at(ctx, settings, clock, seq)


def test_verify_names_first_of_several_deleted_trailing_events(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    n = len(short_run(ctx, clock, tmp_path))
    tamper(ctx, lambda c: c.execute(EVENTS.delete().where(EVENTS.c.seq >= n - 2)))
    result = assert_broken_at(ctx, settings, clock, n - 2)
    assert "dihapus" in (result.problem or "")


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_deleted_event_after_later_events_renumbered(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    """Deleting an event and closing the gap in seq is still caught at the gap."""
    seq = position(short_run(ctx, clock, tmp_path), where)

    def change(conn: Connection) -> None:
        conn.execute(EVENTS.delete().where(EVENTS.c.seq == seq))
        conn.execute(update(EVENTS).where(EVENTS.c.seq > seq).values(seq=-(EVENTS.c.seq - 1)))
        conn.execute(update(EVENTS).where(EVENTS.c.seq < 0).values(seq=-EVENTS.c.seq))

    tamper(ctx, change)
    assert_broken_at(ctx, settings, clock, seq)


def test_verify_names_forged_event_appended_after_the_head(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    """A well-formed forged link at the end is caught only by the recorded head."""
    n = len(short_run(ctx, clock, tmp_path))
    last = raw_row(ctx, n)
    forged = forged_copy(last, n + 1, last["hash"])
    tamper(ctx, lambda c: c.execute(insert(EVENTS).values(**forged)))
    with ctx.db.read() as session:  # the forged link itself is valid: the chain alone cannot tell
        office_id = ctx.office(session).id
        with chain_rows.stored_events(session, office_id) as rows:
            assert chain.walk(office_id, rows, (n + 1, forged["hash"]), exact=chain_rows.typed_event(session)).ok
    result = assert_broken_at(ctx, settings, clock, n + 1)
    assert "kepala rantai" in (result.problem or "")


def test_verify_names_last_event_replaced_by_a_well_formed_forgery(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    n = len(short_run(ctx, clock, tmp_path))
    last = raw_row(ctx, n)
    forged = forged_copy(last, n, last["prev_hash"])

    def change(conn: Connection) -> None:
        conn.execute(EVENTS.delete().where(EVENTS.c.seq == n))
        conn.execute(insert(EVENTS).values(**forged))

    tamper(ctx, change)
    assert_broken_at(ctx, settings, clock, n)


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_displaced_event_after_forgery_inserted_mid_chain(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    """A forged link inserted at ``seq`` (later events shifted up) chains validly to ``seq - 1``;
    the first event that does not hold is the displaced original, now at ``seq + 1``."""
    seq = position(short_run(ctx, clock, tmp_path), where)
    prev_hash = audit.GENESIS if seq == 1 else raw_row(ctx, seq - 1)["hash"]
    forged = forged_copy(raw_row(ctx, seq), seq, prev_hash)

    def change(conn: Connection) -> None:
        shift_up(conn, seq)
        conn.execute(insert(EVENTS).values(**forged))

    tamper(ctx, change)
    assert_broken_at(ctx, settings, clock, seq + 1)


@pytest.mark.parametrize("where", POSITIONS)
def test_verify_names_copied_event_inserted_mid_chain(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, where: str
) -> None:
    """A verbatim copy of an event slipped in at ``seq`` (hashes copied, not recomputed)."""
    seq = position(short_run(ctx, clock, tmp_path), where)
    copy = {k: v for k, v in raw_row(ctx, seq).items() if k != "id"}
    copy["actor"] = "ketua"

    def change(conn: Connection) -> None:
        shift_up(conn, seq)
        conn.execute(insert(EVENTS).values(**copy))

    tamper(ctx, change)
    assert_broken_at(ctx, settings, clock, seq)


@pytest.mark.parametrize(("a", "b"), [("first", "first+1"), ("middle", "middle+1"), ("first", "last")])
def test_verify_names_earlier_of_two_swapped_events(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path, a: str, b: str
) -> None:
    events = short_run(ctx, clock, tmp_path)
    first = position(events, a)
    second = first + 1 if b.endswith("+1") else position(events, b)
    tamper(ctx, lambda c: swap_seq(c, first, second))
    assert [e.seq for e in audit.list_events(ctx)] == list(range(1, len(events) + 1))  # no gap left
    assert_broken_at(ctx, settings, clock, first)


def test_verify_names_earlier_of_two_events_whose_contents_were_swapped(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    events = short_run(ctx, clock, tmp_path)
    i = position(events, "middle")
    j = i + 1
    row_i, row_j = raw_row(ctx, i), raw_row(ctx, j)
    columns = [c for c in row_i if c not in ("id", "seq")]

    def change(conn: Connection) -> None:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == i).values({c: row_j[c] for c in columns}))
        conn.execute(update(EVENTS).where(EVENTS.c.seq == j).values({c: row_i[c] for c in columns}))

    tamper(ctx, change)
    assert_broken_at(ctx, settings, clock, i)


def test_verify_names_first_modified_event_when_several_were_modified(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    events = short_run(ctx, clock, tmp_path)
    bad = [position(events, "middle"), position(events, "last")]
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq.in_(bad)).values(role="ketua")))
    assert_broken_at(ctx, settings, clock, min(bad))


def test_verify_json_reports_first_bad_seq(ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path) -> None:
    seq = position(short_run(ctx, clock, tmp_path), "middle")
    tamper(ctx, lambda c: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(actor="admin")))
    run = run_cli(["audit", "verify", "--json"], settings, clock)
    assert run.code == 1
    report = json.loads(run.out)
    assert report["ok"] is False
    assert report["first_bad_seq"] == seq
    assert f"#{seq}" in report["problem"]


# --- log and export ------------------------------------------------------------------------


def test_audit_log_json_lists_every_event_in_chain_order(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    real_run(ctx, clock, tmp_path)
    run = run_cli(["audit", "log", "--json"], settings, clock)
    assert run.code == 0, run.err
    log = json.loads(run.out)
    events = audit.list_events(ctx)
    assert [e["seq"] for e in log] == [e.seq for e in events]
    assert [e["hash"] for e in log] == [e.hash for e in events]
    assert [e["action"] for e in log].count("step.returned") == 1
    returned = next(e for e in log if e["action"] == "step.returned")
    assert returned["details"]["to"] == 6
    assert returned["details"]["reason"] == "Tabel capaian kinerja belum lengkap"
    assert returned["recorded_at"].endswith("+07:00")


def test_audit_log_json_with_case_lists_only_that_cases_events(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    real_run(ctx, clock, tmp_path)
    run = run_cli(["audit", "log", "--case", CASE, "--json"], settings, clock)
    assert run.code == 0, run.err
    log = json.loads(run.out)
    assert len(log) == 10
    assert {e["case"] for e in log} == {CASE}
    assert log[0]["action"] == "case.started"


def test_audit_export_csv_has_one_row_per_event_with_the_logged_hashes(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    real_run(ctx, clock, tmp_path)
    target = tmp_path / "ekspor" / "audit.csv"
    run = run_cli(["audit", "export", "--format", "csv-rfc", "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    log = json.loads(run_cli(["audit", "log", "--json"], settings, clock).out)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert f"{len(log)} peristiwa" in run.out
    assert len(rows) == len(log)
    assert list(rows[0]) == list(audit.CSV_COLUMNS)
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in log]
    assert [r["hash"] for r in rows] == [e["hash"] for e in log]
    assert [r["prev_hash"] for r in rows] == [e["prev_hash"] for e in log]
    assert [json.loads(r["details"]) for r in rows] == [e["details"] for e in log]
    assert [r["actor"] for r in rows] == [e["actor"] for e in log]


def test_audit_export_csv_rows_rehash_to_their_recorded_hashes(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    """An auditor can re-check the chain from the CSV alone."""
    real_run(ctx, clock, tmp_path)
    target = tmp_path / "audit.csv"
    audit.export_csv(ctx, target)
    with ctx.db.read() as session:
        office_id = ctx.office(session).id
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    prev = audit.GENESIS
    for r in rows:
        payload = {
            "office": office_id,
            "seq": int(r["seq"]),
            "recorded_at": r["recorded_at"],
            "stated_at": r["stated_at"],
            "actor": r["actor"],
            "role": r["role"],
            "action": r["action"],
            "case": r["case"] or None,
            "step": int(r["step"]) if r["step"] else None,
            "details": json.loads(r["details"]),
        }
        assert r["prev_hash"] == prev
        assert audit.chain_hash(prev, payload) == r["hash"], r["seq"]
        prev = r["hash"]


# --- one action, one event -----------------------------------------------------------------


def test_start_case_appends_exactly_one_event(ctx: Context) -> None:
    before = audit.list_events(ctx)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    after = audit.list_events(ctx)
    assert len(after) == len(before) + 1
    assert (after[-1].action, after[-1].actor, after[-1].case) == ("case.started", "sekretaris", CASE)


def test_complete_step_appends_exactly_one_event_naming_its_files(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    before = audit.list_events(ctx)
    clock.advance(timedelta(minutes=5))
    record = cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(pdf(tmp_path))])
    after = audit.list_events(ctx)
    assert len(after) == len(before) + 1
    event = after[-1]
    assert (event.action, event.actor, event.role, event.case, event.step) == (
        "step.completed",
        "sekretaris",
        "sekretaris",
        CASE,
        1,
    )
    stored = record.steps[0].artefacts[0]
    assert event.details["files"] == [
        {"id": stored.id, "filename": "dokumen.pdf", "sha256": stored.sha256, "size": stored.size}
    ]
    assert event.recorded_at == clock.now()


def test_each_return_appends_exactly_one_event(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, by in [(1, "sekretaris"), (2, "kasubag"), (3, "staf1"), (4, "staf1"), (5, "kasubag"), (6, "staf1")]:
        _done(ctx, clock, no, by, [] if no == 3 else [pdf(tmp_path, f"l{no}.pdf", f"langkah {no}")])
    before = audit.list_events(ctx)
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Perbaiki tabel")
    after = audit.list_events(ctx)
    assert len(after) == len(before) + 1
    assert after[-1].action == "step.returned"
    assert (after[-1].details["to"], after[-1].details["reason"], after[-1].details["round"]) == (
        6,
        "Perbaiki tabel",
        2,
    )


def test_refused_return_appends_no_event(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, by in [(1, "sekretaris"), (2, "kasubag"), (3, "staf1"), (4, "staf1"), (5, "kasubag"), (6, "staf1")]:
        _done(ctx, clock, no, by, [] if no == 3 else [pdf(tmp_path, f"l{no}.pdf", f"langkah {no}")])
    before = audit.list_events(ctx)
    with pytest.raises(InvalidInput):
        cases.return_step(ctx, CASE, 7, 6, "kasubag", "   ")  # a return needs a reason
    assert audit.list_events(ctx) == before


def test_refused_completion_appends_no_event(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    before = audit.list_events(ctx)
    with pytest.raises(InvalidInput):
        cases.complete_step(ctx, CASE, 1, "sekretaris", files=[])  # step 1 requires a file
    assert audit.list_events(ctx) == before
    with ctx.db.read() as session:
        head = session.get_one(AuditHead, ctx.office(session).id)
        assert (head.seq, head.hash) == (before[-1].seq, before[-1].hash)


def rewrite_whole_chain(ctx: Context, seq: int, actor: str) -> None:
    """What an attacker with the database and this code could do: change one event, recompute every hash."""
    drop_guards(ctx)
    with ctx.db.engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.seq)).mappings()]
        prev = audit.GENESIS
        for row in rows:
            if row["seq"] == seq:
                row["actor"] = actor
            row["prev_hash"] = prev
            row["hash"] = audit.chain_hash(prev, payload_of(row, row["seq"]))
            conn.execute(
                update(EVENTS)
                .where(EVENTS.c.id == row["id"])
                .values(actor=row["actor"], prev_hash=row["prev_hash"], hash=row["hash"])
            )
            prev = row["hash"]
        conn.execute(update(AuditHead.__table__).values(hash=prev))


def test_a_recorded_head_exposes_a_chain_rewritten_from_scratch(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    short_run(ctx, clock, tmp_path)
    before = audit.verify(ctx)
    anchor = f"{before.head_seq}:{before.head_hash}"
    assert run_cli(["audit", "verify", "--head", anchor], settings, clock).code == 0
    rewrite_whole_chain(ctx, 3, "ketua")
    assert audit.verify(ctx).ok  # the chain alone cannot tell: the recomputed hashes all link
    result = audit.verify(ctx, audit.parse_anchor(anchor))
    assert result.ok is False and result.first_bad_seq == before.head_seq
    run = run_cli(["audit", "verify", "--head", anchor], settings, clock)
    assert run.code == 1 and "ditulis ulang" in run.err


def test_a_recorded_head_exposes_a_truncated_chain(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    short_run(ctx, clock, tmp_path)
    head = audit.verify(ctx)
    missing = f"{head.head_seq + 5}:{head.head_hash}"
    result = audit.verify(ctx, audit.parse_anchor(missing))
    assert result.ok is False and "dipotong" in (result.problem or "")


def test_a_malformed_head_is_refused_with_the_expected_form(ctx: Context, settings: Settings, clock: FixedClock):
    run = run_cli(["audit", "verify", "--head", "23-abc"], settings, clock)
    assert run.code == 1 and "NOMOR:HASH" in run.err


def test_a_head_whose_number_is_a_superscript_digit_is_refused_not_a_traceback(
    ctx: Context, settings: Settings, clock: FixedClock
):
    run = run_cli(["audit", "verify", "--head", "²:" + "0" * 64], settings, clock)
    assert run.code == 1 and "NOMOR:HASH" in run.err and "Traceback" not in run.err
