"""``sop lakip draft CASE_OR_YEAR -o PATH``: the draft LKj (.docx, optional HTML preview) of steps 5-6.

A case (``lakip-2021``) drafts the year it reports on (2020); ``--attach --by USER`` completes
step 5 of that case with the draft, checked before anything is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_engine import views
from sop_engine.cli import output
from sop_engine.cli.lakip import amount
from sop_engine.cli.parsing import attach_when, print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_rupiah
from sop_engine.lakip import draft, service
from sop_engine.lakip.analysis import format_pct


def cmd_draft(args: argparse.Namespace, ctx: Context) -> int:
    target = args.case_or_year.strip()
    case = None if target.isdigit() else target
    if args.attach and (case is None or not args.by):
        raise InvalidInput(
            "--attach memerlukan kasus dan pelaksananya, misalnya "
            "`sop lakip draft lakip-2021 -o draf-lkj.docx --attach --by kasubag`.",
            value=target,
        )
    year = service.report_year(ctx, target, args.year)
    record = draft.draft_lkj(
        ctx,
        year,
        Path(args.output),
        case=case,
        html_path=Path(args.html) if args.html else None,
        attach_by=args.by if args.attach else None,
        attach_at=attach_when(args, ctx),
        declared_realisation=amount(args.declared_realisation, "--declared-realisation"),
        declared_pagu=amount(args.declared_pagu, "--declared-pagu"),
    )
    if args.json:
        print_json(
            {
                "path": str(record.path),
                "html": None if record.html_path is None else str(record.html_path),
                "year": record.year,
                "pagu": record.pagu,
                "realisasi": record.realisation,
                "absorption_pct": None if record.absorption_pct is None else float(record.absorption_pct),
                "indicators": record.indicators,
                "categories": dict(record.categories),
                "findings": record.findings,
                "case": None if record.case is None else views.case_json(record.case, ctx.tz),
            }
        )
        return 0
    message = (
        f"Draf LKj tahun {record.year} dibuat: {record.path}"
        + (f" (pratinjau HTML: {record.html_path})" if record.html_path else "")
        + f"\nPagu {format_rupiah(record.pagu)}, realisasi {format_rupiah(record.realisation)} "
        f"({format_pct(record.absorption_pct)}); {record.indicators} indikator; {record.findings} catatan konsistensi."
    )
    if record.case is not None:
        done = record.case.steps[draft.DRAFT_STEP - 1]
        message += f"\nLangkah {done.no} ({done.name}) diselesaikan oleh {done.completed_by} dengan draf ini."
        message = output.case_changed(record.case, message, ctx.tz, ctx.settings.roles)
    print(message)
    return 0
