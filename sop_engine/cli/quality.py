"""Handlers of how an SOP is followed: the process-mining export of the trail (``sop audit export
--format xes|ocel``) and the monitoring evaluation (``sop evaluasi``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_engine import mining
from sop_engine.audit import AuditFilter
from sop_engine.context import Context

_FORMAT_NAMES = {"xes": "XES, IEEE 1849", "ocel": "OCEL 2.0 JSON"}


def cmd_mining_export(args: argparse.Namespace, ctx: Context, where: AuditFilter) -> int:
    done = mining.export(ctx, args.format, Path(args.output), where)
    print(
        f"{done.cases} kasus ({done.events} peristiwa) diekspor ke {args.output} ({_FORMAT_NAMES[args.format]}); "
        "durasi dalam jam kerja kantor."
    )
    return 0
