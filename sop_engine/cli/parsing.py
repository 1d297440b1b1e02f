"""What every command module shares: the Indonesian argparse, time and JSON helpers, registration."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from sop_engine.errors import InvalidInput
from sop_engine.remedies import Field

if TYPE_CHECKING:
    from sop_engine.context import Context
    from sop_engine.roles import Roles

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


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: galat penggunaan: {message}\n")


def when(text: str | None, ctx: Context) -> datetime | None:
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


def attach_when(args: argparse.Namespace, ctx: Context) -> datetime | None:
    """``--at`` of a command that completes its step only with ``--attach``; refused without it."""
    if args.at is not None and not args.attach:
        raise InvalidInput(
            f"--at {args.at} hanya berlaku bersama --attach (waktu langkah diselesaikan); tambahkan --attach "
            "atau hapus --at.",
            value=args.at,
            field=Field.AT,
        )
    return when(args.at, ctx)


def office_roles(args: argparse.Namespace) -> Roles:
    """The roles of config.toml's ``[peran]`` for a command that runs without a context: those of the
    settings a caller gave, else of the config file when there is one, else the default roles."""
    import os

    from sop_engine.config import find_config, load_settings
    from sop_engine.roles import DEFAULT_ROLES

    given = getattr(args, "settings", None)
    if given is not None:
        roles: Roles = given.roles
        return roles
    path = find_config(getattr(args, "config", None), os.environ)
    return load_settings(path).roles if path.is_file() else DEFAULT_ROLES


def chosen_office(args: argparse.Namespace) -> str | None:
    """The kode satker a command is limited to: ``--kantor``, else ``$SOP_KANTOR``; None if neither."""
    import os

    return getattr(args, "kantor", None) or os.environ.get("SOP_KANTOR") or None


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


#: What runs a command; it names itself ``"module.function"`` in :mod:`sop_engine.cli` on the parser.
Handler = Callable[[argparse.Namespace, "Context"], int]


class Commands:
    """Registers commands and command groups on the ``sop`` parser, each with --config (and --json).

    A command's handler is given by name, ``"casework.cmd_case_show"`` (a function of
    :mod:`sop_engine.cli.casework`): building the parser imports no command module.
    """

    def __init__(self, parser: Parser, common: Parser) -> None:
        self.common = common
        self.groups = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH", parser_class=Parser)

    def command(self, sub: Any, name: str, handler: str, help_text: str, json_flag: bool = False) -> Any:
        """Add command ``name`` to the group ``sub`` (None: a top-level command)."""
        target = self.groups if sub is None else sub
        p = target.add_parser(name, help=help_text, description=help_text, parents=[self.common])
        p.set_defaults(handler=handler)
        if json_flag:
            p.add_argument("--json", action="store_true", help="cetak satu dokumen JSON")
        return p

    def group(self, name: str, help_text: str, within: Any = None) -> Any:
        """Add a command group (``sop NAME ...``, or ``sop GROUP NAME ...`` ``within`` a group); its sub-parsers."""
        p = (within or self.groups).add_parser(name, help=help_text, description=help_text, parents=[self.common])
        dest = "subcommand" if within is None else f"{name}_command"
        return p.add_subparsers(dest=dest, required=True, metavar="PERINTAH", parser_class=Parser)


def handler_of(name: str) -> Handler:
    """The function a command names (``"casework.cmd_case_show"``), its module imported now."""
    module, function = name.rsplit(".", 1)
    handler: Handler = getattr(importlib.import_module(f"sop_engine.cli.{module}"), function)
    return handler
