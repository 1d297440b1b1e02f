"""Commands about the office and its set-up: init, demo, people, workflows, calendar."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sop_engine import api_tokens, logs, passwords, people, starter, views, workflows
from sop_engine.cli import output_notify, output_office
from sop_engine.cli.errors import error_text
from sop_engine.cli.output import table
from sop_engine.cli.parsing import chosen_office, office_roles, print_json, when
from sop_engine.context import Context
from sop_engine.demo import DEMO_PASSWORD, DEMO_PEOPLE, run_demo
from sop_engine.durations import parse_duration
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_date, format_instant
from sop_engine.install import initialise
from sop_engine.loader import load_workflow_file


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    copied = starter.copy_workflows(ctx.settings.workflows_dir)
    if copied:
        names = ", ".join(p.name for p in copied)
        print(f"Contoh SOP disalin ke {ctx.settings.workflows_dir}: {names} (salinan kantor, boleh diubah).")
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
    print(f"Peran {person.username} sekarang: {ctx.settings.roles.named_all(person.roles)}.")
    return 0


def cmd_serve(args: argparse.Namespace, ctx: Context) -> int:
    from sop_engine.web.server import serve  # the web stack is loaded only for this command

    logs.configure(ctx.settings.logging)
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
        one_office=chosen_office(args) is not None,
        on_report=lambda report: print(output_notify.pass_text(report, ctx), flush=True),
    )
    print("sop-engine berhenti.")
    return 0


def cmd_config_check(args: argparse.Namespace, ctx: Context | None) -> int:
    """Print the effective settings (secrets masked) and what would stop the install; 1 if anything would."""
    from sop_engine import config_check
    from sop_engine.config import load_settings

    settings = getattr(args, "settings", None) or load_settings(getattr(args, "config", None))
    rows, found = config_check.effective(settings), config_check.problems(settings)
    if args.json:
        print_json({"config": str(settings.path), "settings": dict(rows), "problems": [p.as_dict() for p in found]})
    else:
        print(f"Konfigurasi: {settings.path}\n")
        print(table(["pengaturan", "nilai"], rows))
        print()
        print("\n".join(f"Masalah: {error_text(p)}" for p in found) if found else "Tidak ada masalah.")
    return 1 if found else 0


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
    held = ctx.settings.roles.named_all(person.roles)
    print(f"Pegawai {person.username} ({person.name}) ditambahkan dengan peran {held}.")
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
        print_json(views.workflow_json(definition, workflows.budget_labels(ctx, definition)))
    else:
        print(output_office.workflow_detail(definition, ctx.settings.roles, workflows.budget_labels(ctx, definition)))
    return 0


def cmd_workflows_check(args: argparse.Namespace, ctx: Context | None) -> int:
    definition = load_workflow_file(Path(args.file), office_roles(args).step_ids)
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
        for season in ctx.calendar.seasons_between(start, due):
            dates = f"{format_date(season.first)} s.d. {format_date(season.last)}"
            print(f"Dihitung dengan jam kerja {season.name} ({dates}).")
    return 0


def cmd_calendar_holidays(args: argparse.Namespace, ctx: Context) -> int:
    items = ctx.calendar.holidays(args.year)
    if args.json:
        print_json([views.holiday_json(h) for h in items])
    else:
        print(output_office.holidays_list(args.year, items))
    return 0
