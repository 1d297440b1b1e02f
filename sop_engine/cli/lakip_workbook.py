"""Commands of steps 2-4: ``sop lakip workbook generate|send|import|status``.

Thin front end over :mod:`sop_engine.lakip.workbook`; the parser of the ``sop lakip`` group
is in :mod:`.tree_documents`.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from sop_engine.cli.output import table
from sop_engine.cli.parsing import print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_instant_short
from sop_engine.lakip import workbook


def _due(text: str | None, ctx: Context) -> date | datetime | None:
    """``--kembali-paling-lambat``: a day, or a moment in the office zone."""
    if text is None:
        return None
    try:
        if len(text.strip()) <= len("2021-01-11"):
            return date.fromisoformat(text.strip())
        return datetime.fromisoformat(text.strip()).replace(tzinfo=ctx.tz)
    except ValueError as exc:
        raise InvalidInput(
            f"Batas pengembalian '{text}' tidak dikenali; tulis misalnya 2021-01-14 atau \"2021-01-14 12:00\".",
            value=text,
        ) from exc


def cmd_generate(args: argparse.Namespace, ctx: Context) -> int:
    due = _due(args.due, ctx)
    path = workbook.generate_workbook(ctx, args.year, Path(args.output), args.division or None, deadline=due)
    print(f"Buku kerja pengumpulan data tahun {args.year} ditulis ke {path}.")
    return 0


def cmd_send(args: argparse.Namespace, ctx: Context) -> int:
    sent = workbook.record_sent(ctx, args.case, args.division, args.by, Path(args.file) if args.file else None)
    print(f"Kasus {sent.case}: buku kerja tercatat dikirim ke {', '.join(sent.divisions)}.")
    return 0


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    record = workbook.import_workbooks(ctx, args.year, [Path(f) for f in args.files], args.by)
    if args.json:
        print_json(vars(record))
        return 0
    print(
        f"Realisasi tahun {record.year} dari {', '.join(record.files)} disimpan: {record.indicators} indikator, "
        f"{record.outputs} output; subbagian: {', '.join(record.divisions) or '-'}."
    )
    print(f"Belum kembali: {', '.join(record.missing)}." if record.missing else "Semua subbagian sudah mengembalikan.")
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    year, rows = workbook.workbook_status(ctx, args.case)
    if args.json:
        print_json(
            {
                "case": args.case,
                "year": year,
                "divisions": [
                    {
                        "division": r.division,
                        "sent_at": r.sent_at and r.sent_at.isoformat(),
                        "returned_at": r.returned_at and r.returned_at.isoformat(),
                    }
                    for r in rows
                ],
            }
        )
        return 0
    print(f"Buku kerja kasus {args.case} (data tahun {year}):")
    shown = [
        [
            r.division,
            format_instant_short(r.sent_at, ctx.tz) if r.sent_at else "belum",
            format_instant_short(r.returned_at, ctx.tz) if r.returned_at else "belum",
        ]
        for r in rows
    ]
    print(table(["Subbagian", "Dikirim", "Kembali"], shown))
    return 0
