"""Handlers of how an SOP is followed: the process-mining export of the trail (``sop audit export
--format xes|ocel``) and the monitoring evaluation (``sop evaluasi``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_engine import evaluation, mining
from sop_engine.audit import AuditFilter
from sop_engine.cli import output
from sop_engine.cli.parsing import print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.evaluation_pdf import evaluation_pdf
from sop_engine.evaluation_xlsx import workbook_bytes
from sop_engine.views.evaluation import evaluation_json

_FORMAT_NAMES = {"xes": "XES, IEEE 1849", "ocel": "OCEL 2.0 JSON"}


def cmd_mining_export(args: argparse.Namespace, ctx: Context, where: AuditFilter) -> int:
    done = mining.export(ctx, args.format, Path(args.output), where)
    print(
        f"{done.cases} kasus ({done.events} peristiwa) diekspor ke {args.output} ({_FORMAT_NAMES[args.format]}); "
        "durasi dalam jam kerja kantor."
    )
    return 0


def cmd_evaluasi(args: argparse.Namespace, ctx: Context) -> int:
    period = AuditFilter.from_text(since=args.since, until=args.until)  # dates checked as the audit filter's
    target = Path(args.output) if args.output else None
    if target is not None and target.suffix.lower() not in (".xlsx", ".pdf"):
        raise InvalidInput(
            f"Berkas evaluasi '{target.name}' harus berakhiran .xlsx atau .pdf, "
            f"misalnya evaluasi-{args.workflow}.xlsx.",
            value=str(target),
        )
    result = evaluation.evaluate(ctx, args.workflow, period.since, period.until)
    if args.json:
        print_json(evaluation_json(result))
        return 0
    print(evaluation_text(result))
    if target is not None:
        pdf = target.suffix.lower() == ".pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(evaluation_pdf(result, ctx.settings.office) if pdf else workbook_bytes(result))
        print(f"\nLembar evaluasi dan formulir monitoring ditulis ke {target}.")
    return 0


def evaluation_text(result: evaluation.Evaluation) -> str:
    """The evaluation for the terminal: the period, the table per step (uraian and pelaksana clipped), the
    remarks (revisions, budgets), the late steps and the rule."""
    head = [
        f"Evaluasi pelaksanaan SOP {result.workflow.name} — {result.workflow.title}",
        f"Periode: {evaluation.period_text(result.since, result.until)}; {len(result.cases)} kasus.",
        "",
    ]
    rows = [
        (
            item.step.no,
            output.clip(item.step.name, 32),
            output.clip(result.actors_text(item.step), 20),
            _hours(item.budget_seconds),
            item.runs,
            _hours(item.median_seconds),
            _hours(item.p90_seconds),
            item.late,
            item.returned,
            item.redone,
            item.skipped,
            item.verdict.value,
        )
        for item in result.steps
    ]
    headers = (
        "No",
        "Uraian",
        "Pelaksana",
        "Mutu baku",
        "Pelaksanaan",
        "Median",
        "P90",
        "Terlambat",
        "Kembali",
        "Diulang",
        "Dilewati",
    )
    lines = [*head, output.table((*headers, "Penilaian"), rows), "", "Waktu dalam jam kerja kantor."]
    lines += [f"Keterangan: {remark}" for remark in result.remarks]
    lines.append("Langkah yang terlambat:" if result.late_steps else "Langkah yang terlambat: tidak ada.")
    lines += [f"  {item.step.no}. {item.step.name}: {item.late}× terlambat." for item in result.late_steps]
    lines += [f"Keputusan {item.step.no}. {item.step.name}: {item.answers}" for item in result.steps if item.answers]
    return "\n".join([*lines, "", f"Aturan: {result.rule}"])


def _hours(seconds: int | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.2f}".replace(".", ",")
