"""Every ``sop ... --help`` text stays as it was when the parser tree moved to light modules.

tests/fixtures/cli-help.json holds the help of every command and group (80 columns, Python 3.11's
argparse). After an intended change of a command's options or wording, rewrite it with
``.venv/bin/python -m tests.test_cli_help`` and review the diff.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sop_engine.cli import build_parser, main
from sop_engine.cli.parsing import handler_of

FIXTURE = Path(__file__).parent / "fixtures" / "cli-help.json"
COLUMNS = "80"


def parsers(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``sop`` itself (path ``()``), then every group and command below it with its path, depth first."""
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*prefix, name))


def command_paths(parser: argparse.ArgumentParser) -> Iterator[tuple[str, ...]]:
    return (path for path, _ in parsers(parser))


def help_texts() -> dict[str, str]:
    """``sop PATH --help`` output of every command path, keyed by the path."""
    texts = {}
    for path in command_paths(build_parser()):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
            main([*path, "--help"])
        assert exit_info.value.code == 0, path
        texts[" ".join(path)] = out.getvalue()
    return texts


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the fixture holds Python 3.11's argparse layout")
def test_every_help_text_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", COLUMNS)
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    actual = help_texts()
    assert sorted(actual) == sorted(expected)
    for path, text in expected.items():
        assert actual[path] == text, f"sop {path} --help"


def test_every_command_names_a_handler_that_exists() -> None:
    commands = {path: p.get_default("handler") for path, p in parsers(build_parser()) if not p._subparsers}
    assert len(commands) > 40
    for path, name in commands.items():
        assert isinstance(name, str), path
        assert callable(handler_of(name)), path


if __name__ == "__main__":  # rewrite the fixture (after an intended change; review the diff)
    os.environ["COLUMNS"] = COLUMNS
    FIXTURE.write_text(json.dumps(help_texts(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
