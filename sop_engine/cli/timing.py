"""Commands about time that acts: planning, the scheduler, notifications and deadlines."""

from __future__ import annotations

import argparse

from sop_engine import deadlines, logs, outbox, planning, views
from sop_engine.cli import output, output_notify
from sop_engine.cli.parsing import chosen_office, print_json, when
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.notify import runner
from sop_engine.notify.offices import scheduler_for


def cmd_plan(args: argparse.Namespace, ctx: Context) -> int:
    deadline = when(args.deadline, ctx)
    if deadline is None:
        raise InvalidInput("--deadline wajib diisi.")
    plan = planning.plan_workflow(ctx, args.workflow, deadline)
    if args.json:
        print_json(views.plan_json(plan, ctx.tz, ctx.calendar.jam_kerja_per_hari))
    else:
        print(output.plan_text(plan, ctx.tz, ctx.calendar.jam_kerja_per_hari, ctx.settings.roles))
    return 0


def cmd_scheduler_tick(args: argparse.Namespace, ctx: Context) -> int:
    report = scheduler_for(ctx, one_office=chosen_office(args) is not None).tick(when(args.now, ctx))
    if args.json:
        print_json(output_notify.pass_json(report, ctx))
    else:
        print(output_notify.pass_text(report, ctx))
    return 0


def cmd_scheduler_run(args: argparse.Namespace, ctx: Context) -> int:
    logs.configure(ctx.settings.logging)
    worker = scheduler_for(ctx, one_office=chosen_office(args) is not None)
    print(f"Penjadwal berjalan ({worker.worker_id}); tekan Ctrl+C untuk berhenti.", flush=True)
    runner.run(worker, lambda report: print(output_notify.pass_text(report, ctx), flush=True))
    print("Penjadwal berhenti.")
    return 0


def cmd_notifications_list(args: argparse.Namespace, ctx: Context) -> int:
    items = outbox.list_notifications(ctx, args.case)
    if args.json:
        print_json([views.notification_json(n, ctx.tz) for n in items])
    else:
        print(output_notify.notifications_table(items, ctx.tz))
    return 0


def cmd_deadlines_recompute(args: argparse.Namespace, ctx: Context) -> int:
    moved = deadlines.recompute(ctx, by=args.by)
    if args.json:
        print_json([views.moved_json(m, ctx.tz) for m in moved])
    else:
        print(output_notify.moved_text(moved, ctx.tz))
    return 0
