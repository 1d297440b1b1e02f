"""Reading the audit trail filtered by case, actor, action and office-local date; the CSV text.

One real scenario on both backends: two LAKIP cases worked by different people over a week,
with events at both edges of local midnight (23.30 WIB is still the same UTC date, 06.30 WIB
is the previous UTC date) and one step entered a day after it happened (``at``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from sop_engine import audit, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.audit import AuditFilter
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from tests.helpers import docx, pdf, run_cli

CASE = "lakip-2021"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


@pytest.fixture
def chain(ctx: Context, clock: FixedClock, tmp_path: Path) -> dict[str, int]:
    """Run the scenario; returns each action's label -> its seq (``init`` is the last seq of `sop init`)."""
    seqs = {"init": audit.list_events(ctx)[-1].seq}

    def doc(no: int) -> list[IncomingFile]:
        return [IncomingFile.from_path(docx(tmp_path, f"langkah-{no}.docx"))]

    scenario = [
        ("start", "2021-01-11T08:00", lambda: cases.start_case(ctx, "lakip", 2021, "sekretaris")),
        (
            "s1",  # Monday 23.30 WIB = Monday 16.30 UTC
            "2021-01-11T23:30",
            lambda: cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path))]),
        ),
        ("s2", "2021-01-12T06:30", lambda: cases.complete_step(ctx, CASE, 2, "kasubag", doc(2))),  # = Mon 23.30 UTC
        ("s3", "2021-01-12T10:00", lambda: cases.complete_step(ctx, CASE, 3, "staf1")),
        ("s4", "2021-01-13T09:00", lambda: cases.complete_step(ctx, CASE, 4, "staf2", doc(4))),
        (
            "s5",  # entered on Thursday, happened on Wednesday afternoon
            "2021-01-14T09:00",
            lambda: cases.complete_step(ctx, CASE, 5, "kasubag", doc(5), at=at("2021-01-13T15:00")),
        ),
        ("start22", "2021-01-14T10:00", lambda: cases.start_case(ctx, "lakip", 2022, "sekretaris")),
        ("s6", "2021-01-15T09:00", lambda: cases.complete_step(ctx, CASE, 6, "staf1", doc(6))),
        ("r7", "2021-01-15T10:00", lambda: cases.return_step(ctx, CASE, 7, 6, "kasubag", "Bab III belum lengkap")),
    ]
    for label, when, action in scenario:
        clock.set(at(when))
        action()
        seqs[label] = audit.list_events(ctx)[-1].seq
    assert list(seqs.values()) == list(range(seqs["init"], seqs["init"] + len(scenario) + 1))  # one event each
    return seqs


def seqs_of(ctx: Context, where: AuditFilter, case: str | None = None) -> list[int]:
    return [e.seq for e in audit.list_events(ctx, case, where=where)]


def pick(chain: dict[str, int], *labels: str) -> list[int]:
    return [chain[label] for label in labels]


def test_a_case_filter_returns_only_that_cases_events_in_chain_order(ctx: Context, chain: dict[str, int]) -> None:
    assert seqs_of(ctx, AuditFilter(case=CASE)) == pick(chain, "start", "s1", "s2", "s3", "s4", "s5", "s6", "r7")
    assert seqs_of(ctx, AuditFilter(case="lakip-2022")) == pick(chain, "start22")
    assert seqs_of(ctx, AuditFilter(), case=CASE) == seqs_of(ctx, AuditFilter(case=CASE))  # old callers


def test_an_actor_filter_matches_the_username_exactly(ctx: Context, chain: dict[str, int]) -> None:
    assert seqs_of(ctx, AuditFilter(actor="kasubag")) == pick(chain, "s2", "s5", "r7")
    assert seqs_of(ctx, AuditFilter(actor="staf1")) == pick(chain, "s3", "s6")
    assert seqs_of(ctx, AuditFilter(actor="staf")) == []  # no prefix match


def test_an_action_filter_matches_the_action_exactly(ctx: Context, chain: dict[str, int]) -> None:
    assert seqs_of(ctx, AuditFilter(action="case.started")) == pick(chain, "start", "start22")
    assert seqs_of(ctx, AuditFilter(action="step.returned")) == pick(chain, "r7")
    assert seqs_of(ctx, AuditFilter(action="step")) == []


def test_a_date_range_takes_whole_office_local_days_inclusive(ctx: Context, chain: dict[str, int]) -> None:
    where = AuditFilter(since=date(2021, 1, 12), until=date(2021, 1, 13))
    assert seqs_of(ctx, where) == pick(chain, "s2", "s3", "s4", "s5")
    assert seqs_of(ctx, AuditFilter(since=date(2021, 1, 15))) == pick(chain, "s6", "r7")
    assert seqs_of(ctx, AuditFilter(until=date(2021, 1, 10))) == []


def test_an_event_at_23_30_local_belongs_to_that_day_not_the_next(ctx: Context, chain: dict[str, int]) -> None:
    monday, tuesday = date(2021, 1, 11), date(2021, 1, 12)
    assert chain["s1"] in seqs_of(ctx, AuditFilter(until=monday))
    assert chain["s1"] not in seqs_of(ctx, AuditFilter(since=tuesday))


def test_an_event_at_06_30_local_belongs_to_that_day_though_utc_says_the_day_before(
    ctx: Context, chain: dict[str, int]
) -> None:
    monday, tuesday = date(2021, 1, 11), date(2021, 1, 12)
    assert chain["s2"] in seqs_of(ctx, AuditFilter(since=tuesday, until=tuesday))
    assert chain["s2"] not in seqs_of(ctx, AuditFilter(until=monday))
    assert seqs_of(ctx, AuditFilter(since=monday, until=monday)) == [
        *range(1, chain["init"] + 1),
        *pick(chain, "start", "s1"),
    ]


def test_the_date_range_is_on_the_stated_time_not_the_recording_time(ctx: Context, chain: dict[str, int]) -> None:
    entered_late = next(e for e in audit.list_events(ctx) if e.seq == chain["s5"])
    assert (entered_late.stated_at, entered_late.recorded_at) == (at("2021-01-13T15:00"), at("2021-01-14T09:00"))
    wednesday, thursday = date(2021, 1, 13), date(2021, 1, 14)
    assert seqs_of(ctx, AuditFilter(since=wednesday, until=wednesday)) == pick(chain, "s4", "s5")
    assert seqs_of(ctx, AuditFilter(since=thursday, until=thursday)) == pick(chain, "start22")


def test_criteria_combine_so_that_all_must_hold(ctx: Context, chain: dict[str, int]) -> None:
    where = AuditFilter(
        case=CASE, actor="kasubag", action="step.completed", since=date(2021, 1, 12), until=date(2021, 1, 13)
    )
    assert seqs_of(ctx, where) == pick(chain, "s2", "s5")
    assert seqs_of(ctx, AuditFilter(actor="sekretaris", since=date(2021, 1, 12))) == pick(chain, "start22")
    assert seqs_of(ctx, AuditFilter(case="lakip-2022", actor="kasubag")) == []
    assert seqs_of(ctx, AuditFilter(case=CASE), case="lakip-2022") == []  # the positional case also holds


def test_a_limit_keeps_the_most_recent_matches_in_chain_order(ctx: Context, chain: dict[str, int]) -> None:
    assert [e.seq for e in audit.list_events(ctx, where=AuditFilter(actor="kasubag"), limit=2)] == pick(
        chain, "s5", "r7"
    )
    assert [e.seq for e in audit.list_events(ctx, limit=1)] == pick(chain, "r7")
    with pytest.raises(InvalidInput, match="1 atau lebih"):
        audit.list_events(ctx, limit=0)


def test_before_reads_the_page_below_a_seq_with_the_filters(ctx: Context, chain: dict[str, int]) -> None:
    kasubag = AuditFilter(actor="kasubag")
    everything = [e.seq for e in audit.list_events(ctx, where=kasubag)]
    newest = [e.seq for e in audit.list_events(ctx, where=kasubag, limit=2)]
    below = [e.seq for e in audit.list_events(ctx, where=kasubag, limit=2, before=newest[0])]
    assert below == everything[-4:-2] and below[-1] < newest[0]
    assert [e.seq for e in audit.list_events(ctx, where=kasubag, before=newest[0])] == everything[:-2]


def test_since_after_until_is_refused_naming_both_dates_and_the_fix() -> None:
    with pytest.raises(InvalidInput) as refused:
        AuditFilter(since=date(2021, 1, 15), until=date(2021, 1, 12))
    message = refused.value.message
    assert "2021-01-15" in message and "2021-01-12" in message
    assert "sejak 2021-01-12 sampai 2021-01-15" in message  # the swapped range, ready to use
    assert AuditFilter(since=date(2021, 1, 12), until=date(2021, 1, 12)).until == date(2021, 1, 12)  # one day is fine


def test_a_filter_from_text_treats_blank_fields_as_unset_and_refuses_a_bad_date() -> None:
    assert AuditFilter.from_text(case=" ", actor="", action=None, since="", until=" ") == AuditFilter()
    assert not AuditFilter().active
    parsed = AuditFilter.from_text(actor="staf1", since="2021-01-12")
    assert parsed == AuditFilter(actor="staf1", since=date(2021, 1, 12)) and parsed.active
    with pytest.raises(InvalidInput, match=r"Tanggal sampai '2021-02-30'.*YYYY-MM-DD"):
        AuditFilter.from_text(until="2021-02-30")


def test_known_actions_and_actors_are_the_distinct_values_of_the_chain_sorted(
    ctx: Context, chain: dict[str, int]
) -> None:
    events = audit.list_events(ctx)
    assert audit.known_actions(ctx) == sorted({e.action for e in events})
    assert {"case.started", "step.completed", "step.returned", "system.initialised"} <= set(audit.known_actions(ctx))
    assert audit.known_actors(ctx) == ["kasubag", "sekretaris", "sistem", "staf1", "staf2"]


def test_csv_text_reads_back_as_a_header_and_one_row_per_record(ctx: Context, chain: dict[str, int]) -> None:
    records = audit.list_events(ctx, where=AuditFilter(case=CASE))
    rows = list(csv.reader(io.StringIO(audit.csv_text(records, ctx.tz), newline="")))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert len(rows) == len(records) + 1
    by_column = [dict(zip(audit.CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [int(r["seq"]) for r in by_column] == [e.seq for e in records]
    assert [r["hash"] for r in by_column] == [e.hash for e in records]
    assert [json.loads(r["details"]) for r in by_column] == [dict(e.details) for e in records]
    assert [datetime.fromisoformat(r["stated_at"]) for r in by_column] == [e.stated_at for e in records]
    returned = by_column[-1]
    assert (returned["actor"], returned["action"], returned["case"], returned["step"]) == (
        "kasubag",
        "step.returned",
        CASE,
        "7",
    )
    assert list(csv.reader(io.StringIO(audit.csv_text([], ctx.tz)))) == [list(audit.CSV_COLUMNS)]


def test_export_csv_writes_exactly_the_csv_text_of_the_filtered_events(
    ctx: Context, chain: dict[str, int], tmp_path: Path
) -> None:
    where = AuditFilter(actor="kasubag")
    target = tmp_path / "ekspor" / "kasubag.csv"
    assert audit.export_csv(ctx, target, where=where) == 3
    expected = audit.csv_text(audit.list_events(ctx, where=where), ctx.tz)
    assert target.read_bytes() == expected.encode("utf-8-sig")


# --- the command line ------------------------------------------------------------------------


def test_audit_log_flags_filter_the_json_log(
    ctx: Context, chain: dict[str, int], settings: Settings, clock: FixedClock
) -> None:
    args = ["--actor", "kasubag", "--action", "step.completed", "--since", "2021-01-12", "--until", "2021-01-13"]
    run = run_cli(["audit", "log", "--case", CASE, *args, "--json"], settings, clock)
    assert run.code == 0, run.err
    log = json.loads(run.out)
    assert [e["seq"] for e in log] == pick(chain, "s2", "s5")
    assert log[0]["stated_at"] == "2021-01-12T06:30:00+07:00"


def test_audit_log_says_when_nothing_matches_the_filter(
    ctx: Context, chain: dict[str, int], settings: Settings, clock: FixedClock
) -> None:
    run = run_cli(["audit", "log", "--actor", "inspektorat"], settings, clock)
    assert run.code == 0, run.err
    assert "Tidak ada peristiwa yang cocok" in run.out


def test_audit_export_flags_filter_the_csv_rows(
    ctx: Context, chain: dict[str, int], settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    target = tmp_path / "audit.csv"
    args = ["audit", "export", "--format", "csv-rfc", "-o", str(target), "--until", "2021-01-11", "--case", CASE]
    run = run_cli(args, settings, clock)
    assert run.code == 0, run.err
    assert "2 peristiwa" in run.out
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert [int(r["seq"]) for r in csv.DictReader(handle)] == pick(chain, "start", "s1")


def test_audit_cli_refuses_a_bad_date_with_exit_1_naming_it(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    run = run_cli(["audit", "log", "--since", "12-01-2021"], settings, clock)
    assert run.code == 1
    assert "'12-01-2021'" in run.err and "YYYY-MM-DD" in run.err
    target = tmp_path / "audit.csv"
    run = run_cli(
        ["audit", "export", "--format", "csv", "-o", str(target), "--since", "2021-01-15", "--until", "2021-01-12"],
        settings,
        clock,
    )
    assert run.code == 1
    assert "2021-01-15" in run.err and "2021-01-12" in run.err
    assert not target.exists()
