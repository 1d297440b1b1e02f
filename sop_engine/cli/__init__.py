"""The ``sop`` command line (README, "Command reference"): parse, call one service, print.

Exit status: 0 done; 1 refused (not allowed, invalid, integrity failure) with an Indonesian
message on stderr; 2 usage error. ``--json`` prints one JSON document on stdout.

The parser tree (``tree``, ``tree_office``, ``tree_documents``) imports no service: each command
names its handler, a function in one module per concern (``office``, ``casework``, ``timing``,
...), and only that module is imported, after parsing. So ``sop --help`` starts in a fraction of
``import sqlalchemy``, and a command loads only the services it calls (``sop case show`` loads no
docx, openpyxl, web stack or Alembic). ``output`` formats what people read; ``parsing`` holds what
they share.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from sop_engine.cli.errors import error_text
from sop_engine.cli.parsing import Handler, handler_of
from sop_engine.cli.tree import build_parser
from sop_engine.errors import SopError

if TYPE_CHECKING:
    from sop_engine.clock import Clock
    from sop_engine.config import Settings
    from sop_engine.context import Context

__all__ = ["build_parser", "entry_point", "main"]


def main(argv: Sequence[str] | None = None, clock: Clock | None = None, settings: Settings | None = None) -> int:
    """Run one ``sop`` command; returns the exit status."""
    args = build_parser().parse_args(_compatible(list(sys.argv[1:] if argv is None else argv)))
    handler = handler_of(args.handler)
    try:
        if not getattr(args, "needs_context", True):  # file checks that run without config or database
            args.settings = settings  # given by a caller (tests); else the command reads config.toml itself
            _resume_collection()
            return cast("Callable[[argparse.Namespace, Context | None], int]", handler)(args, None)
        return _in_context(args, handler, clock, settings)
    except SopError as exc:
        print(f"sop: {error_text(exc)}", file=sys.stderr)
        return 1


def _in_context(args: argparse.Namespace, handler: Handler, clock: Clock | None, settings: Settings | None) -> int:
    """Run ``handler`` on the configured install (imported only here: ``sop --help`` loads none of it)."""
    from sop_engine.config import load_settings, require_office
    from sop_engine.context import Context
    from sop_engine.db import migrate

    if settings is None:
        if getattr(args, "writes_config", False):  # `sop init` in a new folder starts its config.toml
            _start_config(args)
        settings = load_settings(getattr(args, "config", None))
    if not (getattr(args, "demo", False) or getattr(args, "demo_office", False)):
        require_office(settings)
    ctx = Context.open(settings, clock=clock)
    try:
        if getattr(args, "needs_schema", True):  # all but init, demo and the calendar read the database
            migrate.require_current(ctx.db.engine)
        office = (
            ctx if getattr(args, "writes_config", False) or getattr(args, "demo_office", False) else _office(args, ctx)
        )
        _resume_collection()
        return handler(args, office)
    finally:
        ctx.db.dispose()


def _office(args: argparse.Namespace, ctx: Context) -> Context:
    """The office the command works in: ``--kantor``, else ``$SOP_KANTOR``, else config.toml's."""
    from sop_engine.cli.parsing import chosen_office

    satker = chosen_office(args)
    return ctx.for_office(satker) if satker else ctx


def _start_config(args: argparse.Namespace) -> None:
    """Write the starter config.toml where the command looks for one, if there is none yet."""
    import os

    from sop_engine import starter
    from sop_engine.config import find_config

    path = find_config(getattr(args, "config", None), os.environ).absolute()
    if starter.write_config(path, demo=args.demo):
        office = (
            "kantor demo (fiktif)"
            if args.demo
            else "isi tabel [office] dengan data kantor Anda, lalu jalankan `sop init` lagi"
        )
        print(f"{path} dibuat dari contoh bawaan: {office}.")


#: ``sop people token USER`` (before ``token`` became a group) still issues a token.
_TOKEN_ACTIONS = ("issue", "list", "revoke", "-h", "--help")


def _compatible(argv: list[str]) -> list[str]:
    for at in range(len(argv) - 2):
        if argv[at : at + 2] == ["people", "token"]:
            if argv[at + 2] not in _TOKEN_ACTIONS and not argv[at + 2].startswith("--config"):
                return [*argv[: at + 2], "issue", *argv[at + 2 :]]
            break
    return argv


def entry_point() -> None:
    """The console script: one command in a fresh process.

    The cyclic garbage collector waits until the command's modules are imported: importing only
    adds objects that live as long as the process, and collecting over them again and again costs
    a command a good part of its start-up. :func:`_resume_collection` turns it back on.
    """
    gc.disable()
    try:
        status = main()
        sys.stdout.flush()  # a reader that stopped early (`sop audit export | head`) is seen here
    except BrokenPipeError:
        # The reader is gone: nothing more to print, and no traceback for the person who piped into head.
        # stdout goes to /dev/null so that the interpreter's own flush at exit finds nothing to complain of.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 141  # as a shell reports a command ended by SIGPIPE (128 + 13)
    sys.exit(status)


def _resume_collection() -> None:
    """Collect cycles again (if :func:`entry_point` paused it), never rescanning what exists now."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
