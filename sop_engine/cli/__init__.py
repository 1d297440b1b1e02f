"""The ``sop`` command line (DESIGN §7): parse, call one service, print.

Exit status: 0 done; 1 refused (not allowed, invalid, integrity failure) with an Indonesian
message on stderr; 2 usage error. ``--json`` prints one JSON document on stdout.

The commands live in one module per concern (``office``, ``casework``, ``timing``), each with
a ``register`` function; ``output`` formats what people read; ``parsing`` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import cast

from sop_engine.cli import archive, casework, lakip, lakip_draft, lakip_workbook, letters, office, timing
from sop_engine.cli.errors import error_text
from sop_engine.cli.parsing import Commands, Handler, Parser
from sop_engine.clock import Clock
from sop_engine.config import Settings, load_settings
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.errors import SopError

__all__ = ["build_parser", "entry_point", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The whole ``sop`` parser."""
    common = Parser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="berkas konfigurasi (bawaan: ./config.toml)")
    parser = Parser(prog="sop", description="Mesin alur kerja SOP kantor pemerintah (LAKIP).", parents=[common])
    commands = Commands(parser, common)
    for module in (office, casework, timing, lakip, lakip_workbook, lakip_draft, letters, archive):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None, clock: Clock | None = None, settings: Settings | None = None) -> int:
    """Run one ``sop`` command; returns the exit status."""
    args = build_parser().parse_args(_compatible(list(sys.argv[1:] if argv is None else argv)))
    handler: Handler = args.handler
    ctx: Context | None = None
    try:
        if not getattr(args, "needs_context", True):  # file checks that run without config or database
            return cast(Callable[[argparse.Namespace, Context | None], int], handler)(args, None)
        ctx = Context.open(settings or load_settings(getattr(args, "config", None)), clock=clock)
        if getattr(args, "needs_schema", True):  # all but init, demo and the calendar read the database
            migrate.require_current(ctx.db.engine)
        return handler(args, ctx)
    except SopError as exc:
        print(f"sop: {error_text(exc)}", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.db.dispose()


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
    """The console script."""
    sys.exit(main())
