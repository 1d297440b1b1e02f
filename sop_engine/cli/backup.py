"""Commands of whole-install backups: create one online, verify one anywhere, restore one into an empty install.

``sop backup verify`` needs no database and no config (``needs_context=False``); ``sop backup
restore`` skips the schema check, since the install it restores into is empty.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sop_engine import backup
from sop_engine.cli import output
from sop_engine.context import Context
from sop_engine.formatting import format_instant, format_size


def cmd_backup_create(args: argparse.Namespace, ctx: Context) -> int:
    record = backup.create_backup(ctx, Path(args.output))
    manifest = record.manifest
    print(
        f"Cadangan kantor {manifest.office} disimpan ke {record.path} ({format_size(record.size)}): basis data "
        f"skema {manifest.schema}, {manifest.documents} dokumen berkas, "
        f"dibuat {format_instant(backup.created_at(manifest), ctx.tz)}.\n"
        f"Kepala rantai audit: {manifest.audit_head}\n"
        f"Periksa cadangan kapan saja dengan `sop backup verify {record.path}`."
    )
    return 0


def cmd_backup_verify(args: argparse.Namespace, ctx: Context | None) -> int:
    check = backup.verify_backup(Path(args.path))
    if check.ok and check.manifest is not None:
        print(
            f"{args.path}: utuh. Kantor {check.manifest.office}, {len(check.manifest.members)} anggota "
            f"({check.manifest.documents} dokumen berkas), kepala rantai audit {check.manifest.audit_head}. "
            "Yang diperiksa: sha256 dan ukuran setiap anggota; rantai audit diperiksa saat dipulihkan."
        )
        return 0
    print(f"sop: cadangan {args.path} tidak utuh: {check.problem}", file=sys.stderr)
    return 1


def cmd_backup_restore(args: argparse.Namespace, ctx: Context) -> int:
    record = backup.restore_backup(ctx, Path(args.path))
    print(
        f"Cadangan {args.path} dipulihkan: kantor {record.manifest.office}, {record.manifest.documents} dokumen "
        f"berkas. Rantai audit diperiksa terhadap kepala yang tercatat ({record.manifest.audit_head}):"
    )
    print(output.verify_text(record.verify), file=sys.stdout if record.verify.ok else sys.stderr)
    if record.unreadable:
        print(f"{len(record.unreadable)} dari {record.documents_read} dokumen tidak dapat dibaca:", file=sys.stderr)
        for problem in record.unreadable:
            print(f"- {problem}", file=sys.stderr)
    else:
        print(f"{record.documents_read} dokumen dibaca ulang: semuanya utuh.")
    return 0 if record.ok else 1
