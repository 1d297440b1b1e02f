"""`sop workflows document` (the official SOP document from a definition) and `sop workflows import`
(an SOP table as offices keep it, back into a definition)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_engine import workflows
from sop_engine.cli.parsing import office_roles
from sop_engine.context import Context
from sop_engine.sopdoc import Names
from sop_engine.sopdoc.render import write_document
from sop_engine.sopimport import import_file


def cmd_workflows_document(args: argparse.Namespace, ctx: Context) -> int:
    definition = workflows.show(ctx, args.name)
    names = Names.of(ctx.settings.roles, workflows.on_disk(ctx).values(), workflows.budget_labels(ctx, definition))
    path = write_document(definition, Path(args.output), args.kertas, names)
    print(f"Dokumen SOP '{definition.name}' ({definition.header.nama}) ditulis ke {path}.")
    return 0


def cmd_workflows_import(args: argparse.Namespace, ctx: Context | None) -> int:
    result = import_file(Path(args.file), Path(args.output), office_roles(args))
    print(f"{args.file}: {result.steps} langkah dibaca, definisi ditulis ke {args.output}.")
    if result.todos:
        print(
            f"{len(result.todos)} hal belum dapat ditentukan (TODO di berkas); lengkapi lalu periksa dengan "
            f"`sop workflows check {args.output}`:"
        )
        for todo in result.todos:
            print(f"- {todo}")
        return 1
    return 0
