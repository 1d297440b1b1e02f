"""Commands of the letter register (``sop letters``) and the generated letters (``sop surat``).

``sop surat disposisi`` and ``sop surat pengantar`` write the .docx of steps 1 and 10 from the
office's templates; with ``--attach`` the same command completes the step with it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sop_engine import documents, letter_parts, letters, views
from sop_engine.cli import output
from sop_engine.cli.parsing import attach_when, print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_date, format_instant_short
from sop_engine.letters import LetterRecord
from sop_engine.views.labels import LETTER_STATUS_LABELS


def _day(text: str | None, ctx: Context) -> date:
    """``--date YYYY-MM-DD``, or today in the office zone."""
    if text is None:
        return ctx.clock.now().astimezone(ctx.tz).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"Tanggal '{text}' tidak dikenali; tulis tahun-bulan-tanggal, misalnya --date 2021-01-22.", value=text
        ) from exc


def letter_table(items: Sequence[LetterRecord], year: int, tz: ZoneInfo) -> str:
    """``sop letters list``: the register of one year, cancelled numbers included."""
    if not items:
        return f"Belum ada nomor surat tahun {year}."
    rows = []
    for item in items:
        remark = ""
        if item.cancelled_at is not None:
            remark = f"oleh {item.cancelled_by} {format_instant_short(item.cancelled_at, tz)}: {item.cancel_reason}"
        status = LETTER_STATUS_LABELS.get(item.status, item.status)
        rows.append([item.number, format_date(item.letter_date), item.subject, status, item.case or "-", remark])
    return output.table(["Nomor", "Tanggal", "Perihal", "Status", "Kasus", "Keterangan pembatalan"], rows)


def cmd_letters_list(args: argparse.Namespace, ctx: Context) -> int:
    items = letters.list_letters(ctx, args.year)
    if args.json:
        print_json([views.letter_json(item, ctx.tz) for item in items])
    else:
        print(letter_table(items, args.year, ctx.tz))
    return 0


def cmd_letters_issue(args: argparse.Namespace, ctx: Context) -> int:
    day = _day(args.date, ctx) if args.date else None
    record = letters.issue(
        ctx, args.year, args.subject, args.by, case=args.case, letter_date=day, klasifikasi=args.klasifikasi
    )
    if args.json:
        print_json(views.letter_json(record, ctx.tz))
    else:
        print(
            f"Nomor surat {record.number} diterbitkan ({format_date(record.letter_date)}, perihal "
            f'"{record.subject}") untuk {record.issued_by}.'
        )
    return 0


def cmd_letters_cancel(args: argparse.Namespace, ctx: Context) -> int:
    record = letters.cancel(ctx, args.number, args.by, args.reason, year=args.year)
    if args.json:
        print_json(views.letter_json(record, ctx.tz))
    else:
        print(
            f"Nomor surat {record.number} dibatalkan oleh {record.cancelled_by}: {record.cancel_reason}. "
            "Nomor ini tetap tercatat dan tidak akan dipakai lagi."
        )
    return 0


def _print_generated(generated: documents.Generated, args: argparse.Namespace, ctx: Context, what: str) -> int:
    if args.json:
        print_json(views.generated_json(generated, ctx.tz))
        return 0
    number = f" nomor {generated.letter.number}" if generated.letter else ""
    message = f"{what}{number} dibuat: {generated.path}"
    if generated.case is not None:
        step = documents.DISPOSISI_STEP if generated.letter is None else documents.PENGANTAR_STEP
        done = generated.case.steps[step - 1]
        message += f"\nLangkah {done.no} ({done.name}) diselesaikan oleh {done.completed_by} dengan dokumen ini."
        message = output.case_changed(generated.case, message, ctx.tz, ctx.settings.roles)
    print(message)
    return 0


def cmd_surat_disposisi(args: argparse.Namespace, ctx: Context) -> int:
    sender = documents.signer(ctx, args.by)
    form = documents.DisposisiForm(
        agenda_number=args.agenda,
        date=_day(args.date, ctx) if args.date else letter_parts.step_day(ctx, args.case, documents.DISPOSISI_STEP),
        from_=args.from_ or sender.title,
        to=args.to,
        urgency=args.urgency,
        instruction=args.instruction,
        subject=args.subject,
        from_name=sender.name if args.from_ is None else "",
        address=args.address,
        template=Path(args.template) if args.template else None,
        letter_from=args.letter_from or "",
        letter_number=args.letter_number or "",
        letter_date=_day(args.letter_date, ctx) if args.letter_date else None,
        received=_day(args.received, ctx) if args.received else None,
        requests=tuple(args.request or ("proses lebih lanjut",)),
    )
    generated = documents.make_disposisi(
        ctx, args.case, args.by, form, Path(args.output), attach=args.attach, at=attach_when(args, ctx)
    )
    return _print_generated(generated, args, ctx, "Lembar disposisi")


def _attachment(text: str) -> documents.Attachment:
    """``URAIAN[;BANYAKNYA[;KETERANGAN]]``."""
    parts = [p.strip() for p in text.split(";")]
    defaults = documents.Attachment(parts[0])
    return documents.Attachment(
        parts[0],
        parts[1] if len(parts) > 1 and parts[1] else defaults.quantity,
        parts[2] if len(parts) > 2 and parts[2] else defaults.note,
    )


def cmd_surat_pengantar(args: argparse.Namespace, ctx: Context) -> int:
    signer = documents.signer(ctx, args.signer, name=args.signer_name, title=args.signer_title, nip=args.signer_nip)
    form = documents.PengantarForm(
        date=_day(args.date, ctx),
        to=args.to,
        signer_name=signer.name,
        signer_title=signer.title,
        signer_nip=signer.nip,
        subject=args.subject,
        attachments=tuple(_attachment(a) for a in args.attachment),
        place=args.place or "",
        klasifikasi=args.klasifikasi,
        address=args.address,
        template=Path(args.template) if args.template else None,
        to_office=args.to_office or "",
        to_city=args.to_city or "",
    )
    generated = documents.make_surat_pengantar(
        ctx, args.case, args.by, form, Path(args.output), attach=args.attach, at=attach_when(args, ctx)
    )
    return _print_generated(generated, args, ctx, "Surat pengantar")
