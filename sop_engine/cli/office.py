"""Commands about the office and its set-up: init, demo, people, workflows, calendar."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sop_engine import api_tokens, passwords, people, policy, views, workflows
from sop_engine.cli import output_notify, output_office
from sop_engine.cli.parsing import Commands, print_json, when
from sop_engine.context import Context
from sop_engine.demo import DEMO_PASSWORD, DEMO_PEOPLE, run_demo
from sop_engine.durations import parse_duration
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_instant
from sop_engine.install import initialise
from sop_engine.loader import load_workflow_file


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    report = initialise(ctx, DEMO_PEOPLE if args.demo else ())
    print(output_office.init_text(report))
    if args.demo:
        given = passwords.give_missing_passwords(ctx, tuple(p.username for p in DEMO_PEOPLE), DEMO_PASSWORD)
        if given:
            print(
                f"Kata sandi demo '{DEMO_PASSWORD}' diberikan kepada: {', '.join(given)} "
                "(ganti dengan `sop people set-password USER`)."
            )
    return 0


def cmd_people_set_password(args: argparse.Namespace, ctx: Context) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(f"Kata sandi baru untuk {args.username}: ")
        if getpass.getpass("Ulangi kata sandi: ") != password:
            raise InvalidInput("Kedua kata sandi tidak sama; jalankan perintahnya lagi.", value=args.username)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    passwords.set_password(ctx, args.username, password, by=args.by)
    print(f"Kata sandi {args.username} disimpan (Argon2id); sesi yang masih terbuka diakhiri.")
    return 0


def cmd_people_token(args: argparse.Namespace, ctx: Context) -> int:
    token = api_tokens.issue_token(ctx, args.username, args.label, by=args.by, expires_days=args.expires_days)
    print(token)
    print(
        f"Token API untuk {args.username}; simpan sekarang, token ini tidak ditampilkan lagi. "
        "Pakai sebagai header 'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


def cmd_people_token_list(args: argparse.Namespace, ctx: Context) -> int:
    items = api_tokens.list_tokens(ctx, args.username)
    if args.json:
        print_json([views.token_json(t, ctx.tz) for t in items])
    else:
        print(output_office.tokens_list(args.username, items, ctx.tz, ctx.clock.now()))
    return 0


def cmd_people_token_revoke(args: argparse.Namespace, ctx: Context) -> int:
    count = api_tokens.revoke_tokens(ctx, args.username, by=args.by, prefix=args.prefix)
    print(f"{count} token API milik {args.username} dicabut; aplikasi yang memakainya harus memakai token baru.")
    return 0


def cmd_people_deactivate(args: argparse.Namespace, ctx: Context) -> int:
    person = people.set_active(ctx, args.username, False, by=args.by)
    print(f"Akun {person.username} ({person.name}) dinonaktifkan; sesi diakhiri dan token API dicabut.")
    return 0


def cmd_people_activate(args: argparse.Namespace, ctx: Context) -> int:
    person = people.set_active(ctx, args.username, True, by=args.by)
    print(f"Akun {person.username} ({person.name}) aktif kembali; buat token baru bila perlu.")
    return 0


def cmd_people_roles(args: argparse.Namespace, ctx: Context) -> int:
    roles = tuple(r.strip() for value in args.role for r in value.split(",") if r.strip())
    person = people.set_roles(ctx, args.username, roles, by=args.by)
    print(f"Peran {person.username} sekarang: {', '.join(person.roles)}.")
    return 0


def cmd_serve(args: argparse.Namespace, ctx: Context) -> int:
    from sop_engine.web.server import serve  # the web stack is loaded only for this command

    host = args.host or ctx.settings.web.host
    port = args.port or ctx.settings.web.port
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"sop-engine berjalan di http://{shown}:{port}/ (Ctrl+C untuk berhenti).", flush=True)
    print(
        "Masuk dengan nama pengguna atau NIP dan kata sandi; atur kata sandi dengan "
        "`sop people set-password USER`." + ("" if args.no_scheduler else " Penjadwal pengingat ikut berjalan."),
        flush=True,
    )
    serve(
        ctx,
        host,
        port,
        with_scheduler=not args.no_scheduler,
        on_report=lambda report: print(output_notify.tick_text(report, ctx.tz), flush=True),
    )
    print("sop-engine berhenti.")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    print(output_office.demo_timeline(run_demo(ctx.settings)))
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
        print_json([views.person_json(p) for p in items])
    else:
        print(output_office.people_list(items))
    return 0


def cmd_workflows_list(args: argparse.Namespace, ctx: Context) -> int:
    items = workflows.list_revisions(ctx)
    if args.json:
        print_json([views.revision_json(r, ctx.tz) for r in items])
    else:
        print(output_office.revisions_list(items, ctx.tz))
    return 0


def cmd_workflows_show(args: argparse.Namespace, ctx: Context) -> int:
    definition = workflows.show(ctx, args.name)
    if args.json:
        print_json(views.workflow_json(definition))
    else:
        print(output_office.workflow_detail(definition))
    return 0


def cmd_workflows_check(args: argparse.Namespace, ctx: Context | None) -> int:
    definition = load_workflow_file(Path(args.file))
    print(
        f"{args.file}: sah — SOP '{definition.name}', {len(definition.steps)} langkah, "
        f"sha256 {definition.content_hash}."
    )
    return 0


def cmd_calendar_due(args: argparse.Namespace, ctx: Context) -> int:
    start = when(args.start, ctx)
    if start is None:  # argparse requires --from; this keeps mypy and future callers honest
        raise InvalidInput("--from wajib diisi.")
    budget = parse_duration(args.budget)
    due = ctx.calendar.add_duration(start, budget)
    if args.json:
        print_json(views.due_json(start, budget, ctx.calendar.budget_seconds(budget), due, ctx.tz))
    else:
        print(f"Mulai {format_instant(start, ctx.tz)} + {budget} kerja → tenggat {format_instant(due, ctx.tz)}")
    return 0


def cmd_calendar_holidays(args: argparse.Namespace, ctx: Context) -> int:
    items = ctx.calendar.holidays(args.year)
    if args.json:
        print_json([views.holiday_json(h) for h in items])
    else:
        print(output_office.holidays_list(args.year, items))
    return 0


def register(cli: Commands) -> None:
    p = cli.command(None, "init", cmd_init, "siapkan atau perbarui basis data dan daftarkan SOP")
    p.add_argument("--demo", action="store_true", help="tambahkan pegawai demo (fiktif)")
    p.set_defaults(needs_schema=False)
    p = cli.command(None, "demo", cmd_demo, "simulasikan satu kasus LAKIP lengkap dan tampilkan lini masanya")
    p.set_defaults(needs_schema=False)  # plays in a temporary database

    _register_people(cli)

    p = cli.command(None, "serve", cmd_serve, "jalankan halaman web dan API (beserta penjadwal)")
    p.add_argument("--host", help="alamat yang didengarkan (bawaan: [web] host)")
    p.add_argument("--port", type=int, help="port (bawaan: [web] port)")
    p.add_argument(
        "--no-scheduler", action="store_true", help="tanpa penjadwal (jalankan `sop scheduler run` terpisah)"
    )

    sub = cli.group("workflows", "definisi SOP")
    cli.command(sub, "list", cmd_workflows_list, "revisi SOP dan jumlah kasusnya", json_flag=True)
    p = cli.command(sub, "show", cmd_workflows_show, "tampilkan satu SOP", json_flag=True)
    p.add_argument("name")
    p = cli.command(sub, "check", cmd_workflows_check, "periksa berkas definisi SOP")
    p.add_argument("file")
    p.set_defaults(needs_context=False)

    sub = cli.group("calendar", "kalender kerja kantor")
    p = cli.command(sub, "due", cmd_calendar_due, "hitung tenggat dalam jam kerja", json_flag=True)
    p.set_defaults(needs_schema=False)
    p.add_argument("--from", dest="start", required=True, help="waktu mulai (ISO 8601)")
    p.add_argument("--budget", required=True, help='durasi, misalnya "4 hari", "2 jam", "10 menit"')
    p = cli.command(sub, "holidays", cmd_calendar_holidays, "hari libur dan cuti bersama", json_flag=True)
    p.set_defaults(needs_schema=False)
    p.add_argument("--year", type=int, required=True)


def _register_people(cli: Commands) -> None:
    """`sop people ...` and `sop people token ...`."""
    sub = cli.group("people", "pegawai kantor")
    p = cli.command(sub, "add", cmd_people_add, "tambahkan pegawai")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="nama lengkap")
    p.add_argument("--role", action="append", required=True, help="peran (boleh diulang atau dipisah koma)")
    p.add_argument("--nip")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--supervisor", help="nama pengguna atasan (rantai eskalasi)")
    p.add_argument("--chat-id", dest="chat_id", help="id chat WhatsApp/Telegram untuk webhook")
    p.add_argument("--channels", help="saluran pilihan, dipisah koma: email, webhook, log (bawaan: config.toml)")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help="siapa yang menambahkan (untuk jejak audit)")
    cli.command(sub, "list", cmd_people_list, "daftar pegawai", json_flag=True)
    p = cli.command(sub, "set-password", cmd_people_set_password, "atur kata sandi (dibaca dari stdin atau ditanyakan)")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help="siapa yang mengatur: admin, atau pegawai itu sendiri")
    by_help = "siapa yang melakukannya: admin, atau pegawai itu sendiri (untuk jejak audit; bawaan: sistem)"
    p = cli.command(sub, "deactivate", cmd_people_deactivate, "nonaktifkan akun (sesi diakhiri, token dicabut)")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help=by_help)
    p = cli.command(sub, "activate", cmd_people_activate, "aktifkan kembali akun yang dinonaktifkan")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help=by_help)
    p = cli.command(sub, "roles", cmd_people_roles, "ganti peran seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--role", action="append", required=True, help="peran baru (boleh diulang atau dipisah koma)")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help=by_help)
    tokens = cli.group("token", "token API (Bearer): buat, lihat, cabut", within=sub)
    p = cli.command(tokens, "issue", cmd_people_token, "buat token API untuk seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--label", help="keterangan token, misalnya nama aplikasi yang memakainya")
    p.add_argument("--expires-days", dest="expires_days", type=int, help="berlaku sekian hari (bawaan: sampai dicabut)")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help=by_help)
    p = cli.command(tokens, "list", cmd_people_token_list, "token API seorang pegawai (tanpa nilainya)", json_flag=True)
    p.add_argument("username", help="nama pengguna atau NIP")
    p = cli.command(tokens, "revoke", cmd_people_token_revoke, "cabut token API seorang pegawai")
    p.add_argument("username", help="nama pengguna atau NIP")
    p.add_argument("--prefix", help="hanya token yang berawalan ini (lihat `sop people token list`); bawaan: semua")
    p.add_argument("--by", default=policy.SYSTEM_ACTOR, help=by_help)
