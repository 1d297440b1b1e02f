"""The DIPA outputs table of a targets file: kode, uraian, pagu, and the kegiatan and program.

Columns ``kode``, ``uraian``, ``pagu`` (required), ``program`` and ``kegiatan`` (optional, e.g.
"076.01.01 Program Dukungan ..." and "3355 Pelaksanaan ...": a leading code is split off). The
kegiatan code is the part of the output code before its first dot. A JUMLAH row is kept as the
declared total and checked by the analysis. Read by :func:`sop_engine.lakip.targets.read_targets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sop_engine.lakip.tables import Problem, Table
from sop_engine.lakip.values import coded_rows


@dataclass(frozen=True)
class OutputRow:
    """One DIPA output: code, uraian, pagu, and the kegiatan and program it belongs to."""

    position: int
    code: str
    description: str
    pagu: int
    activity_code: str
    activity_name: str | None
    program_code: str | None
    program_name: str | None


_PROGRAM = re.compile(r"^(\d{3}\.\d{2}\.[0-9A-Z]{2})\s+(.+)$")
_ACTIVITY = re.compile(r"^(\d{4})\s+(.+)$")


def split_code(text: str, pattern: re.Pattern[str]) -> tuple[str | None, str | None]:
    """ "3355 Pelaksanaan ..." → ("3355", "Pelaksanaan ..."); text without a code → (None, text)."""
    text = " ".join(text.split())
    match = pattern.match(text)
    if match:
        return match.group(1), match.group(2)
    return None, text or None


def read_outputs(table: Table, problems: list[Problem]) -> tuple[tuple[OutputRow, ...], int | None]:
    rows, declared = coded_rows(table, ("pagu",), problems)
    outputs: list[OutputRow] = []
    for row in rows:
        program = table.cell(row.cells, "program")
        program_code, program_name = split_code(program.text if program else "", _PROGRAM)
        activity = table.cell(row.cells, "kegiatan")
        activity_code, activity_name = split_code(activity.text if activity else "", _ACTIVITY)
        if activity_code and activity_code != row.code.split(".")[0]:
            problems.append(
                table.problem(
                    activity, "kegiatan", f"kode kegiatan {activity_code} tidak cocok dengan output {row.code}"
                )
            )
            continue
        outputs.append(
            OutputRow(
                position=len(outputs) + 1,
                code=row.code,
                description=row.description,
                pagu=row.amounts["pagu"],
                activity_code=row.code.split(".")[0],
                activity_name=activity_name,
                program_code=program_code,
                program_name=program_name,
            )
        )
    return tuple(outputs), declared.get("pagu")
