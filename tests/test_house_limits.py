"""The house limits on size: no module of ``sop_engine`` over 400 lines, no function over 60.

A module past the limit holds more than one concept, a function past it more than one step; both
are split by what they hold (STYLE.md). Alembic migrations are generated-style scripts whose
``upgrade()`` is one long list of DDL, so ``sop_engine/db/migrations/versions/`` is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sop_engine"
EXEMPT = PACKAGE / "db" / "migrations" / "versions"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    """Every module of the package, the migration scripts left out."""
    return sorted(path for path in PACKAGE.rglob("*.py") if EXEMPT not in path.parents)


def oversized(text: str, where: str) -> list[str]:
    """The module ``where`` itself if ``text`` is too long, and each function (or method) in it that is."""
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{where}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text, filename=where)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{where}:{node.lineno}: {node.name}() {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def test_the_walk_finds_the_package_and_leaves_out_only_the_migration_scripts() -> None:
    found = modules()
    assert PACKAGE / "cli" / "__init__.py" in found and PACKAGE / "db" / "migrations" / "env.py" in found
    assert not [path for path in found if "versions" in path.parts]


def test_a_function_counts_from_its_def_line_to_its_last_line_and_a_module_by_its_lines() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_FUNCTION_LINES - 1))
    assert oversized(f"@decorated\ndef fits():\n{body}\n", "fits.py") == []
    assert oversized(f"def longer():\n{body}\n    return None\n", "longer.py") == [
        f"longer.py:1: longer() {MAX_FUNCTION_LINES + 1} lines (at most {MAX_FUNCTION_LINES})"
    ]
    assert oversized("x = 1\n" * (MAX_MODULE_LINES + 1), "long.py") == [
        f"long.py: {MAX_MODULE_LINES + 1} lines (at most {MAX_MODULE_LINES})"
    ]


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    offenders = [
        problem
        for path in modules()
        for problem in oversized(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    ]
    assert not offenders, "Too long; split by concept or into named steps:\n" + "\n".join(offenders)
