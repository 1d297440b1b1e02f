"""Commands of the SOP work itself: cases, steps, documents and the audit trail."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sop_engine import artefacts, audit, case_decisions, cases, planning, views
from sop_engine.artefacts import IncomingFile
from sop_engine.cli import output
from sop_engine.cli.parsing import print_json, when
from sop_engine.cli.tree import MINING_EXPORT_FORMATS
from sop_engine.context import Context
from sop_engine.formatting import format_instant
from sop_engine.paging import DEFAULT_LIMIT as LIMIT
from sop_engine.views import audit_export


def _show_case(record: cases.CaseRecord, args: argparse.Namespace, ctx: Context, message: str) -> int:
    if getattr(args, "json", False):
        print_json(views.case_json(record, ctx.tz))
    else:
        print(output.case_changed(record, message, ctx.tz, ctx.settings.roles))
    return 0


def cmd_case_start(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.start_case(ctx, args.workflow, args.year, args.by, when(args.at, ctx))
    return _show_case(
        record,
        args,
        ctx,
        f"Kasus {record.id} dimulai oleh {record.started_by} pada {format_instant(record.started_at, ctx.tz)}.",
    )


def cmd_case_list(args: argparse.Namespace, ctx: Context) -> int:
    page = cases.list_cases(ctx, limit=args.limit, after=args.after)
    if args.json:
        print_json([views.case_json(c, ctx.tz) for c in page.items])
    elif page.items or args.after is None:
        print(output.case_list(page.items, ctx.tz))
    else:
        print(f"Tidak ada kasus lagi sesudah {args.after}.")
    if page.next:  # with --json on stderr: stdout stays the one JSON document (an array, as before)
        flags = [*(["--json"] if args.json else []), *([f"--limit {args.limit}"] if args.limit != LIMIT else [])]
        hint = " ".join(["Halaman berikutnya: sop case list", *flags, "--after", page.next])
        print(hint, file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_case_show(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.get_case(ctx, args.case)
    projection = planning.case_projection(ctx, record)
    if args.json:
        print_json(views.case_detail_json(record, projection, ctx.tz, ctx.calendar.jam_kerja_per_hari))
    else:
        print(output.case_detail(record, ctx.tz, ctx.settings.roles))
        done = record.status == "done"  # CaseStatus.DONE
        print(output.projection_text(projection, ctx.tz, ctx.calendar.jam_kerja_per_hari, done))
    return 0


def cmd_case_cancel(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.cancel_case(ctx, args.case, args.by, args.reason, when(args.at, ctx))
    return _show_case(record, args, ctx, f"Kasus {record.id} dibatalkan: {record.cancel_reason}")


def cmd_step_done(args: argparse.Namespace, ctx: Context) -> int:
    files = [IncomingFile.from_path(p) for p in args.file]
    record = cases.complete_step(ctx, args.case, args.step, args.by, files, args.note, when(args.at, ctx))
    step = record.steps[args.step - 1]
    with_files = f" dengan {len(files)} dokumen" if files else ""
    if step.completed_by is None:  # a paraf chain: the step waits for its next actor
        message = f"Langkah {step.no} ({step.name}) diparaf oleh {args.by}{with_files}; menunggu paraf berikutnya."
    else:
        message = f"Langkah {step.no} ({step.name}) diselesaikan oleh {step.completed_by}{with_files}."
    return _show_case(record, args, ctx, message)


def cmd_step_answer(args: argparse.Namespace, ctx: Context) -> int:
    yes = case_decisions.parse_answer(args.answer)
    record = case_decisions.answer_decision(ctx, args.case, args.step, args.by, yes, args.catatan, when(args.at, ctx))
    step = record.steps[args.step - 1]
    answer = "Ya" if yes else "Tidak"
    return _show_case(record, args, ctx, f"Langkah {step.no} ({step.name}) dijawab {answer} oleh {args.by}.")


def cmd_step_return(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.return_step(ctx, args.case, args.step, args.to, args.by, args.reason, when(args.at, ctx))
    return _show_case(
        record, args, ctx, f"Langkah {args.step} dikembalikan ke langkah {args.to}: {args.reason.strip()}"
    )


def cmd_artefacts_list(args: argparse.Namespace, ctx: Context) -> int:
    items = artefacts.list_artefacts(ctx, args.case)
    if args.json:
        print_json([views.artefact_json(a, ctx.tz) for a in items])
    else:
        print(output.artefact_list(items, ctx.tz))
    return 0


def cmd_artefacts_get(args: argparse.Namespace, ctx: Context) -> int:
    record = artefacts.get_artefact(ctx, args.case, args.artefact, Path(args.output))
    print(
        f"Dokumen {record.id} ({record.filename}, {record.size} bait, sha256 terverifikasi) disimpan ke {args.output}."
    )
    return 0


def _audit_filter(args: argparse.Namespace) -> audit.AuditFilter:
    """The --case/--actor/--action/--since/--until options of `sop audit log|export`."""
    return audit.AuditFilter.from_text(
        case=args.case, actor=args.actor, action=args.action, since=args.since, until=args.until
    )


def cmd_audit_log(args: argparse.Namespace, ctx: Context) -> int:
    where = _audit_filter(args)
    items = audit.list_events(ctx, where=where)
    if args.json:
        print_json([views.event_json(e, ctx.tz) for e in items])
    elif not items and where.active:
        print("Tidak ada peristiwa yang cocok dengan saringan; longgarkan --case/--actor/--action/--since/--until.")
    else:
        print(output.audit_log(items, ctx.tz))
    return 0


def cmd_audit_verify(args: argparse.Namespace, ctx: Context) -> int:
    result = audit.verify(ctx, audit.parse_anchor(args.head) if args.head else None)
    if args.json:
        print_json(views.verify_json(result))
    else:
        print(output.verify_text(result), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_audit_export(args: argparse.Namespace, ctx: Context) -> int:
    if args.format in MINING_EXPORT_FORMATS:
        from sop_engine.cli import quality  # the process-mining formats load only when asked for

        return quality.cmd_mining_export(args, ctx, _audit_filter(args))
    chosen = audit_export.FORMATS[args.format]
    events = audit.list_events(ctx, where=_audit_filter(args))
    target = Path(args.output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(chosen.write(events, ctx.tz))
    print(f"{len(events)} peristiwa diekspor ke {args.output} ({chosen.label}).")
    return 0
