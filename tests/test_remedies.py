"""Refusals in neutral words: no service string names a command-line flag or a ``sop`` command, and
the same refusal reads with its flag and command on the command line, with its form label and page
on the web pages, and with ``field``/``remedy`` keys in the JSON API.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_engine import api_tokens, cases
from sop_engine.cli.errors import COMMANDS, FLAGS, error_text
from sop_engine.context import Context
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.remedies import Field, Hint, Remedy, explain
from sop_engine.web.errors import LABELS, PAGES, page_text
from tests.web_support import Site, alert, client_for, start

PACKAGE = Path(__file__).resolve().parent.parent / "sop_engine"
#: The front ends, which speak their own words.
FRONT_ENDS = ("cli", "web")
#: A flag (``--reason``) or a ``sop`` command (``sop case list``) in a string.
CLI_WORDS = re.compile(r"(?<![\w-])--[a-z]|\bsop [a-z]")
#: (module, function) whose strings may name the command line, and why.
ALLOWED = {
    # The archive's BACA-SAYA.txt tells whoever holds the .zip how to verify it with the sop program.
    ("archive.py", "_readme"),
    # The comments of a new office's config.toml tell the person editing it which command to run next.
    ("starter.py", ""),
    # The arguments the backup passes to pg_dump and pg_restore, not messages.
    ("pgdump.py", "dumped"),
    ("pgdump.py", "restore"),
}

# --- no service string speaks the command line --------------------------------------------


def cli_words_in(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, enclosing function, text) of each string literal naming a flag or a ``sop`` command;
    docstrings and other bare string statements are documentation, not messages."""
    tree = ast.parse(source)
    documentation = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }

    def visit(node: ast.AST, function: str) -> Iterator[tuple[int, str, str]]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        text = node.value if isinstance(node, ast.Constant) and id(node) not in documentation else None
        if isinstance(text, str) and CLI_WORDS.search(text):
            yield node.lineno, function, text
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function)

    yield from visit(tree, "")


def test_no_service_string_names_a_cli_flag_or_a_sop_command() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in FRONT_ENDS:
            continue
        for line, function, text in cli_words_in(path.read_text(encoding="utf-8")):
            if (relative.as_posix(), function) not in ALLOWED:
                found.append(f"sop_engine/{relative.as_posix()}:{line} ({function}): {text!r}")
    assert found == [], "say it with field=/hint= (sop_engine/remedies.py) instead:\n" + "\n".join(found)


def test_the_scan_finds_a_flag_and_a_command_but_not_a_docstring() -> None:
    source = '''
"""Module docs may say `sop case list` and --reason."""
def refuse(code):
    """So may a function's."""
    raise NotFound(f"Kasus {code} tidak ada (lihat `sop case list`).")
def ask():
    return "Alasan wajib diisi (di baris perintah: --reason)."
BOUND = "rentang 2000--2100 dan sop-engine bukan perintah"
'''
    assert [(line, function) for line, function, _ in cli_words_in(source)] == [(5, "refuse"), (7, "ask")]


# --- one vocabulary, two renderings --------------------------------------------------------


def test_every_field_and_remedy_has_words_on_the_command_line_and_on_the_web() -> None:
    assert set(FLAGS) == set(LABELS) == set(Field)
    assert set(COMMANDS) == set(PAGES) == set(Remedy)
    every = {"case": "lakip-2021", "step": 10, "user": "kasubag", "year": 2021, "number": "001/X", "path": "a.docx"}
    for remedy in Remedy:
        given, bare = Hint(remedy, **every), Hint(remedy)
        for text in (COMMANDS[remedy].format_map(every), PAGES[remedy].format_map(every)):
            assert text.endswith(".") and "{" not in text
        cli, web = error_text(NotFound("Tidak ada.", hint=given)), page_text(NotFound("Tidak ada.", hint=bare))
        assert "`sop " in cli, remedy
        assert not CLI_WORDS.search(web) and "`" not in web, remedy
    for field in Field:
        assert FLAGS[field].startswith("--") and not CLI_WORDS.search(LABELS[field])


def test_a_field_is_named_in_brackets_before_the_full_stop_and_a_remedy_follows() -> None:
    assert (
        explain("Alasan wajib diisi.", "di baris perintah: --reason")
        == "Alasan wajib diisi (di baris perintah: --reason)."
    )
    assert explain("Tidak ada", "isian Tahun", "Lihat daftarnya.") == "Tidak ada (isian Tahun) Lihat daftarnya."
    assert explain("Tidak ada.") == "Tidak ada."


def test_a_missing_parameter_shows_as_a_placeholder_on_the_command_line() -> None:
    refused = NotFound("Nomor surat '7' tidak ada di register.", hint=Hint(Remedy.LIST_LETTERS))
    assert error_text(refused).endswith("Salin nomor lengkap dari `sop letters list --year TAHUN`.")


def test_the_json_shape_carries_the_neutral_message_the_field_and_the_remedy() -> None:
    refused = InvalidInput("Alasan wajib diisi.", value="", field=Field.REASON, hint=Hint(Remedy.SHOW_CASE, case="x"))
    assert refused.as_dict() == {
        "error": "Alasan wajib diisi.",
        "code": "invalid",
        "value": "",
        "field": "reason",
        "remedy": {"name": "show_case", "case": "x"},
    }
    assert (refused.field, refused.hint) == (Field.REASON, Hint(Remedy.SHOW_CASE, case="x"))


def test_a_field_detail_that_is_no_field_is_left_to_the_message() -> None:
    refused = InvalidInput("Alasan pengembalian terlalu panjang.", field="Alasan pengembalian")  # textrules' label
    assert refused.field is None and error_text(refused) == page_text(refused) == "Alasan pengembalian terlalu panjang."


# --- the same refusal on each front end ----------------------------------------------------


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    return Site(ctx, tmp_path)


def test_a_cancel_without_a_reason_names_the_flag_the_form_field_or_the_key(sop, site: Site, ctx: Context) -> None:
    assert sop("case", "start", "lakip", "--year", "2021", "--by", "sekretaris").code == 0

    on_cli = sop("case", "cancel", "lakip-2021", "--by", "sekretaris", "--reason", " ")
    on_page = site.as_("sekretaris").post("/kasus/lakip-2021/batalkan", {"alasan": ""})
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(ctx, 'sekretaris')}"}
    on_api = client_for(ctx).post("/api/v1/cases/lakip-2021/cancel", headers=headers, json={"reason": " "})

    assert on_cli.code == 1 and "Alasan pembatalan wajib diisi (di baris perintah: --reason)." in on_cli.err
    assert on_page.status_code == 422
    assert alert(on_page.text, "error") == "Alasan pembatalan wajib diisi (isian Alasan)."
    assert on_api.status_code == 422
    assert on_api.json() | {"value": None} == {
        "error": "Alasan pembatalan wajib diisi.",
        "code": "invalid",
        "value": None,
        "field": "reason",
    }
    assert cases.get_case(ctx, "lakip-2021").status == "running"


def test_a_second_case_names_the_command_on_the_cli_and_the_page_on_the_web(sop, site: Site) -> None:
    assert start(site).status_code == 303

    on_cli = sop("case", "start", "lakip", "--year", "2021", "--by", "sekretaris")
    on_page = start(site)

    assert on_cli.code == 1 and on_cli.err.rstrip().endswith("Lihat dengan `sop case show lakip-2021`.")
    assert on_page.status_code == 409
    shown = alert(on_page.text, "error")
    assert shown.startswith("Kasus lakip-2021 untuk tahun 2021 sudah ada")
    assert shown.endswith("Lihat di halaman kasus lakip-2021.") and "sop " not in shown


def test_a_year_out_of_range_names_the_flag_on_the_cli_and_the_label_on_the_web(sop, site: Site) -> None:
    on_cli = sop("case", "start", "lakip", "--year", "1999", "--by", "sekretaris")
    on_page = start(site, 1999)

    assert on_cli.code == 1 and "misalnya 2021 (di baris perintah: --year)." in on_cli.err
    assert (
        alert(on_page.text, "error")
        == "Tahun 1999 tidak masuk akal; isikan tahun empat angka, misalnya 2021 (isian Tahun)."
    )
