"""The ``sop`` command line (DESIGN §7): parse, call one service, print.

Exit status: 0 done; 1 refused (not allowed, invalid, integrity failure) with an Indonesian
message on stderr; 2 usage error. ``--json`` prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sop_engine import artefacts, audit, cases, cli_output, deadlines, people, planning, workflows
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import Clock
from sop_engine.config import Settings, load_settings
from sop_engine.context import Context
from sop_engine.demo import DEMO_PEOPLE, run_demo
from sop_engine.durations import parse_duration
from sop_engine.errors import InvalidInput, SopError
from sop_engine.formatting import format_instant, iso_local
from sop_engine.install import initialise
from sop_engine.loader import load_workflow_file
from sop_engine.notify import runner
from sop_engine.notify.worker import Worker

# argparse speaks English; these are the messages a user can meet, in Indonesian.
_ARGPARSE_ID = {
    "usage: ": "penggunaan: ",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "perlu satu nilai",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat penggunaan: %(message)s\n",
}


def _translate(message: str) -> str:
    return _ARGPARSE_ID.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its messages up through gettext's _


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: galat penggunaan: {message}\n")


def _when(text: str | None, ctx: Context) -> datetime | None:
    """An ISO 8601 time from the command line; without an offset it is office-local time."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"Waktu '{text}' tidak dikenali; tulis ISO 8601, misalnya 2021-01-11T08:00 (waktu kantor) "
            "atau 2021-01-11T08:00+07:00.",
            value=text,
        ) from exc
    return value.replace(tzinfo=ctx.tz) if value.tzinfo is None else value


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# --- commands ------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, Context], int]


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    report = initialise(ctx, DEMO_PEOPLE if args.demo else ())
    print(cli_output.init_text(report))
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    print(cli_output.demo_timeline(run_demo(ctx.settings)))
    return 0


def cmd_people_add(args: argparse.Namespace, ctx: Context) -> int:
    roles = tuple(r.strip() for value in args.role for r in value.split(",") if r.strip())
    person = people.add_person(
        ctx,
        people.NewPerson(
            username=args.username,
            name=args.name,
            roles=roles,
            nip=args.nip,
            email=args.email,
            phone=args.phone,
            supervisor=args.supervisor,
            chat_id=args.chat_id,
            channels=tuple(c.strip() for c in (args.channels or "").split(",") if c.strip()),
        ),
        by=args.by,
    )
    print(f"Pegawai {person.username} ({person.name}) ditambahkan dengan peran {', '.join(person.roles)}.")
    return 0


def cmd_people_list(args: argparse.Namespace, ctx: Context) -> int:
    items = people.list_people(ctx)
    if args.json:
        _print_json(
            [
                {
                    "username": p.username,
                    "name": p.name,
                    "nip": p.nip,
                    "roles": list(p.roles),
                    "email": p.email,
                    "phone": p.phone,
                    "supervisor": p.supervisor,
                    "active": p.active,
                }
                for p in items
            ]
        )
    else:
        print(cli_output.people_list(items))
    return 0


def cmd_workflows_list(args: argparse.Namespace, ctx: Context) -> int:
    items = workflows.list_revisions(ctx)
    if args.json:
        _print_json(
            [
                {
                    "name": r.name,
                    "title": r.title,
                    "sha256": r.content_hash,
                    "revision": r.revision.isoformat(),
                    "loaded_at": iso_local(r.loaded_at, ctx.tz),
                    "cases": r.cases,
                    "current": r.current,
                }
                for r in items
            ]
        )
    else:
        print(cli_output.revisions_list(items, ctx.tz))
    return 0


def _definition_json(definition: Any) -> dict[str, Any]:
    h = definition.header
    return {
        "name": definition.name,
        "title": definition.title,
        "sha256": definition.content_hash,
        "sop": {
            "nomor": h.nomor,
            "nama": h.nama,
            "instansi": h.instansi,
            "tanggal_pembuatan": h.tanggal_pembuatan.isoformat(),
            "tanggal_revisi": h.tanggal_revisi.isoformat() if h.tanggal_revisi else None,
            "tanggal_pengesahan": h.tanggal_pengesahan.isoformat(),
            "disahkan_oleh": h.disahkan_oleh,
        },
        "steps": [
            {
                "no": s.no,
                "name": s.name,
                "role": s.role,
                "budget": str(s.budget),
                "output": s.output,
                "file_rule": s.file_rule.value,
                "file_kinds": list(s.file_kinds),
                "returns_to": list(s.returns_to),
            }
            for s in definition.steps
        ],
    }


def cmd_workflows_show(args: argparse.Namespace, ctx: Context) -> int:
    definition = workflows.show(ctx, args.name)
    if args.json:
        _print_json(_definition_json(definition))
    else:
        print(cli_output.workflow_detail(definition))
    return 0


def cmd_workflows_check(args: argparse.Namespace, ctx: Context | None) -> int:
    definition = load_workflow_file(Path(args.file))
    print(
        f"{args.file}: sah — SOP '{definition.name}', {len(definition.steps)} langkah, "
        f"sha256 {definition.content_hash}."
    )
    return 0


def cmd_calendar_due(args: argparse.Namespace, ctx: Context) -> int:
    start = _when(args.start, ctx)
    if start is None:  # argparse requires --from; this keeps mypy and future callers honest
        raise InvalidInput("--from wajib diisi.")
    budget = parse_duration(args.budget)
    due = ctx.calendar.add_duration(start, budget)
    if args.json:
        _print_json(
            {
                "from": iso_local(start, ctx.tz),
                "budget": str(budget),
                "working_seconds": ctx.calendar.budget_seconds(budget),
                "due_at": iso_local(due, ctx.tz),
            }
        )
    else:
        print(f"Mulai {format_instant(start, ctx.tz)} + {budget} kerja → tenggat {format_instant(due, ctx.tz)}")
    return 0


def cmd_calendar_holidays(args: argparse.Namespace, ctx: Context) -> int:
    items = ctx.calendar.holidays(args.year)
    if args.json:
        _print_json([{"date": h.date.isoformat(), "name": h.name, "kind": h.source} for h in items])
    else:
        print(cli_output.holidays_list(args.year, items))
    return 0


def _show_case(record: cases.CaseRecord, args: argparse.Namespace, ctx: Context, message: str) -> int:
    if getattr(args, "json", False):
        _print_json(record.to_json(ctx.tz))
    else:
        print(cli_output.case_changed(record, message, ctx.tz))
    return 0


def cmd_case_start(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.start_case(ctx, args.workflow, args.year, args.by, _when(args.at, ctx))
    return _show_case(
        record,
        args,
        ctx,
        f"Kasus {record.id} dimulai oleh {record.started_by} pada {format_instant(record.started_at, ctx.tz)}.",
    )


def cmd_case_list(args: argparse.Namespace, ctx: Context) -> int:
    items = cases.list_cases(ctx)
    if args.json:
        _print_json([c.to_json(ctx.tz) for c in items])
    else:
        print(cli_output.case_list(items, ctx.tz))
    return 0


def cmd_case_show(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.get_case(ctx, args.case)
    projection = planning.case_projection(ctx, record)
    if args.json:
        data = record.to_json(ctx.tz)
        data["projection"] = planning.projection_json(projection, ctx.tz, ctx.calendar.jam_kerja_per_hari)
        _print_json(data)
    else:
        print(cli_output.case_detail(record, ctx.tz))
        print(cli_output.projection_text(projection, ctx.tz, ctx.calendar.jam_kerja_per_hari))
    return 0


def cmd_case_cancel(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.cancel_case(ctx, args.case, args.by, args.reason, _when(args.at, ctx))
    return _show_case(record, args, ctx, f"Kasus {record.id} dibatalkan: {record.cancel_reason}")


def cmd_step_done(args: argparse.Namespace, ctx: Context) -> int:
    files = [IncomingFile.from_path(p) for p in args.file]
    record = cases.complete_step(ctx, args.case, args.step, args.by, files, args.note, _when(args.at, ctx))
    step = record.steps[args.step - 1]
    return _show_case(
        record,
        args,
        ctx,
        f"Langkah {step.no} ({step.name}) diselesaikan oleh {step.completed_by}"
        f"{' dengan ' + str(len(files)) + ' dokumen' if files else ''}.",
    )


def cmd_step_return(args: argparse.Namespace, ctx: Context) -> int:
    record = cases.return_step(ctx, args.case, args.step, args.to, args.by, args.reason, _when(args.at, ctx))
    return _show_case(
        record, args, ctx, f"Langkah {args.step} dikembalikan ke langkah {args.to}: {args.reason.strip()}"
    )


def cmd_artefacts_list(args: argparse.Namespace, ctx: Context) -> int:
    items = artefacts.list_artefacts(ctx, args.case)
    if args.json:
        _print_json(
            [
                {
                    "id": a.id,
                    "step": a.step,
                    "round": a.round,
                    "kind": a.kind,
                    "file_kind": a.file_kind,
                    "filename": a.filename,
                    "size": a.size,
                    "sha256": a.sha256,
                    "uploaded_by": a.uploaded_by,
                    "uploaded_at": iso_local(a.uploaded_at, ctx.tz),
                }
                for a in items
            ]
        )
    else:
        print(cli_output.artefact_list(items, ctx.tz))
    return 0


def cmd_artefacts_get(args: argparse.Namespace, ctx: Context) -> int:
    record = artefacts.get_artefact(ctx, args.case, args.artefact, Path(args.output))
    print(
        f"Dokumen {record.id} ({record.filename}, {record.size} bait, sha256 terverifikasi) disimpan ke {args.output}."
    )
    return 0


def cmd_audit_log(args: argparse.Namespace, ctx: Context) -> int:
    items = audit.list_events(ctx, args.case)
    if args.json:
        _print_json(
            [
                {
                    "seq": e.seq,
                    "recorded_at": iso_local(e.recorded_at, ctx.tz),
                    "stated_at": iso_local(e.stated_at, ctx.tz),
                    "actor": e.actor,
                    "role": e.role,
                    "action": e.action,
                    "case": e.case,
                    "step": e.step,
                    "details": e.details,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in items
            ]
        )
    else:
        print(cli_output.audit_log(items, ctx.tz))
    return 0


def cmd_audit_verify(args: argparse.Namespace, ctx: Context) -> int:
    result = audit.verify(ctx, audit.parse_anchor(args.head) if args.head else None)
    if args.json:
        _print_json(
            {
                "ok": result.ok,
                "events": result.events,
                "head_seq": result.head_seq,
                "head_hash": result.head_hash,
                "first_bad_seq": result.first_bad_seq,
                "problem": result.problem,
            }
        )
    else:
        print(cli_output.verify_text(result), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_audit_export(args: argparse.Namespace, ctx: Context) -> int:
    count = audit.export_csv(ctx, Path(args.output), args.case)
    print(f"{count} peristiwa diekspor ke {args.output} (CSV, UTF-8).")
    return 0


def cmd_plan(args: argparse.Namespace, ctx: Context) -> int:
    deadline = _when(args.deadline, ctx)
    if deadline is None:
        raise InvalidInput("--deadline wajib diisi.")
    plan = planning.plan_workflow(ctx, args.workflow, deadline)
    if args.json:
        _print_json(planning.plan_json(plan, ctx.tz, ctx.calendar.jam_kerja_per_hari))
    else:
        print(cli_output.plan_text(plan, ctx.tz, ctx.calendar.jam_kerja_per_hari))
    return 0


def cmd_scheduler_tick(args: argparse.Namespace, ctx: Context) -> int:
    report = Worker(ctx).tick(_when(args.now, ctx))
    if args.json:
        _print_json(cli_output.tick_json(report, ctx.tz))
    else:
        print(cli_output.tick_text(report, ctx.tz))
    return 0


def cmd_scheduler_run(args: argparse.Namespace, ctx: Context) -> int:
    worker = Worker(ctx)
    print(f"Penjadwal berjalan ({worker.worker_id}); tekan Ctrl+C untuk berhenti.", flush=True)
    runner.run(worker, lambda report: print(cli_output.tick_text(report, ctx.tz), flush=True))
    print("Penjadwal berhenti.")
    return 0


def cmd_notifications_list(args: argparse.Namespace, ctx: Context) -> int:
    items = deadlines.list_notifications(ctx, args.case)
    if args.json:
        _print_json([cli_output.notification_json(n, ctx.tz) for n in items])
    else:
        print(cli_output.notifications_table(items, ctx.tz))
    return 0


def cmd_deadlines_recompute(args: argparse.Namespace, ctx: Context) -> int:
    moved = deadlines.recompute(ctx, by=args.by)
    if args.json:
        _print_json(
            [
                {
                    "case": m.case,
                    "step": m.step,
                    "old_due_at": iso_local(m.old_due, ctx.tz),
                    "new_due_at": iso_local(m.new_due, ctx.tz),
                    "notifications": m.notifications,
                }
                for m in moved
            ]
        )
    else:
        print(cli_output.moved_text(moved, ctx.tz))
    return 0


# --- the parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="berkas konfigurasi (bawaan: ./config.toml)")
    parser = _Parser(prog="sop", description="Mesin alur kerja SOP kantor pemerintah (LAKIP).", parents=[common])
    groups = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH", parser_class=_Parser)

    def command(sub: Any, name: str, handler: Handler, help_text: str, json_flag: bool = False) -> Any:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler)
        if json_flag:
            p.add_argument("--json", action="store_true", help="cetak satu dokumen JSON")
        return p

    def group(name: str, help_text: str) -> Any:
        p = groups.add_parser(name, help=help_text, description=help_text, parents=[common])
        return p.add_subparsers(dest="subcommand", required=True, metavar="PERINTAH", parser_class=_Parser)

    p = command(groups, "init", cmd_init, "siapkan atau perbarui basis data dan daftarkan SOP")
    p.add_argument("--demo", action="store_true", help="tambahkan pegawai demo (fiktif)")
    command(groups, "demo", cmd_demo, "simulasikan satu kasus LAKIP lengkap dan tampilkan lini masanya")

    sub = group("people", "pegawai kantor")
    p = command(sub, "add", cmd_people_add, "tambahkan pegawai")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="nama lengkap")
    p.add_argument("--role", action="append", required=True, help="peran (boleh diulang atau dipisah koma)")
    p.add_argument("--nip")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--supervisor", help="nama pengguna atasan (rantai eskalasi)")
    p.add_argument("--chat-id", dest="chat_id", help="id chat WhatsApp/Telegram untuk webhook")
    p.add_argument("--channels", help="saluran pilihan, dipisah koma: email, webhook, log (bawaan: config.toml)")
    p.add_argument("--by", default=people.SYSTEM_ACTOR, help="siapa yang menambahkan (untuk jejak audit)")
    command(sub, "list", cmd_people_list, "daftar pegawai", json_flag=True)

    sub = group("workflows", "definisi SOP")
    command(sub, "list", cmd_workflows_list, "revisi SOP dan jumlah kasusnya", json_flag=True)
    p = command(sub, "show", cmd_workflows_show, "tampilkan satu SOP", json_flag=True)
    p.add_argument("name")
    p = command(sub, "check", cmd_workflows_check, "periksa berkas definisi SOP")
    p.add_argument("file")

    sub = group("calendar", "kalender kerja kantor")
    p = command(sub, "due", cmd_calendar_due, "hitung tenggat dalam jam kerja", json_flag=True)
    p.add_argument("--from", dest="start", required=True, help="waktu mulai (ISO 8601)")
    p.add_argument("--budget", required=True, help='durasi, misalnya "4 hari", "2 jam", "10 menit"')
    p = command(sub, "holidays", cmd_calendar_holidays, "hari libur dan cuti bersama", json_flag=True)
    p.add_argument("--year", type=int, required=True)

    sub = group("case", "kasus (satu per SOP per tahun)")
    p = command(sub, "start", cmd_case_start, "mulai kasus (sekretaris)", json_flag=True)
    p.add_argument("workflow")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--at", help="waktu kejadian bila dicatat belakangan (ISO 8601)")
    command(sub, "list", cmd_case_list, "daftar kasus", json_flag=True)
    p = command(sub, "show", cmd_case_show, "tampilkan kasus", json_flag=True)
    p.add_argument("case")
    p = command(sub, "cancel", cmd_case_cancel, "batalkan kasus (sekretaris)", json_flag=True)
    p.add_argument("case")
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--at")

    sub = group("step", "langkah SOP")
    p = command(sub, "done", cmd_step_done, "selesaikan langkah yang aktif", json_flag=True)
    p.add_argument("case")
    p.add_argument("step", type=int)
    p.add_argument("--by", required=True)
    p.add_argument("--file", action="append", default=[], help="dokumen keluaran (boleh diulang)")
    p.add_argument("--note")
    p.add_argument("--at")
    p = command(sub, "return", cmd_step_return, "kembalikan pekerjaan ke langkah sebelumnya", json_flag=True)
    p.add_argument("case")
    p.add_argument("step", type=int)
    p.add_argument("--to", type=int, required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--at")

    sub = group("artefacts", "dokumen kasus")
    p = command(sub, "list", cmd_artefacts_list, "daftar dokumen kasus", json_flag=True)
    p.add_argument("case")
    p = command(sub, "get", cmd_artefacts_get, "ambil dokumen (hash diperiksa)")
    p.add_argument("case")
    p.add_argument("artefact")
    p.add_argument("-o", "--output", required=True)

    sub = group("audit", "jejak audit")
    p = command(sub, "log", cmd_audit_log, "tampilkan jejak audit", json_flag=True)
    p.add_argument("--case")
    p = command(sub, "verify", cmd_audit_verify, "periksa keutuhan rantai hash", json_flag=True)
    p.add_argument("--head", help="kepala rantai yang dicatat sebelumnya, NOMOR:HASH (harus masih ada)")
    p = command(sub, "export", cmd_audit_export, "ekspor jejak audit")
    p.add_argument("--format", choices=["csv"], required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--case")

    p = command(groups, "plan", cmd_plan, "rencana mundur: kapan tiap langkah paling lambat dimulai", json_flag=True)
    p.add_argument("workflow")
    p.add_argument("--deadline", required=True, help="batas akhir seluruh kasus (ISO 8601)")

    sub = group("scheduler", "penjadwal pengingat dan eskalasi")
    command(sub, "run", cmd_scheduler_run, "jalankan penjadwal terus-menerus")
    p = command(sub, "tick", cmd_scheduler_tick, "satu putaran: kirim yang sudah jatuh tempo", json_flag=True)
    p.add_argument("--now", help="anggap sekarang waktu ini (ISO 8601), untuk uji dan simulasi")

    sub = group("notifications", "notifikasi")
    p = command(sub, "list", cmd_notifications_list, "semua notifikasi dan nasibnya", json_flag=True)
    p.add_argument("--case")

    sub = group("deadlines", "tenggat")
    p = command(
        sub, "recompute", cmd_deadlines_recompute, "hitung ulang tenggat setelah hari libur berubah", json_flag=True
    )
    p.add_argument("--by", default=people.SYSTEM_ACTOR, help="siapa yang meminta (untuk jejak audit)")
    return parser


def main(argv: Sequence[str] | None = None, clock: Clock | None = None, settings: Settings | None = None) -> int:
    """Run one ``sop`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    ctx: Context | None = None
    try:
        if handler is cmd_workflows_check:
            return cmd_workflows_check(args, None)
        ctx = Context.open(settings or load_settings(getattr(args, "config", None)), clock=clock)
        return handler(args, ctx)
    except SopError as exc:
        print(f"sop: {exc.message}", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.db.dispose()


def entry_point() -> None:
    """The console script."""
    sys.exit(main())
