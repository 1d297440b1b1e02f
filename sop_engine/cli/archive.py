"""Commands of the archive bundle (SOP step 11): build a case's .zip, and verify one anywhere.

``sop archive verify`` needs no database and no config: its handler takes no context (the
parser marks it with ``needs_context=False``), so it runs on any machine with the package.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sop_engine import archive, views
from sop_engine.cli.parsing import print_json
from sop_engine.context import Context
from sop_engine.formatting import format_instant, format_size


def cmd_archive_create(args: argparse.Namespace, ctx: Context) -> int:
    record = archive.build_archive(ctx, args.case, Path(args.output))
    if args.json:
        print_json(views.archive_json(record, ctx.tz))
    else:
        print(
            f"Arsip kasus {record.case} disimpan ke {record.path} ({format_size(record.size)}): "
            f"{record.documents} dokumen, {record.events} peristiwa audit, "
            f"dibuat {format_instant(record.created_at, ctx.tz)}.\n"
            f"Sidik arsip (sha256 manifest.json): {record.manifest_sha256}\n"
            "Catat sidik ini di tempat lain; periksa arsip kapan saja dengan "
            f"`sop archive verify {record.path}`."
        )
    return 0


def cmd_archive_verify(args: argparse.Namespace, ctx: Context | None) -> int:
    check = archive.verify_archive(Path(args.path))
    if args.json:
        print_json(views.archive_check_json(check))
    elif check.ok:
        print(
            f"{args.path}: utuh. Kasus {check.case}, {check.documents} dokumen, {check.events} peristiwa audit; "
            f"sidik arsip {check.manifest_sha256}."
        )
    else:
        print(f"sop: arsip {args.path} tidak utuh: {check.problem}", file=sys.stderr)
    return 0 if check.ok else 1
