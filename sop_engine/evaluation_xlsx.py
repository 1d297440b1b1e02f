"""The evaluation of an SOP as an .xlsx workbook: the figures per step, and the filled monitoring form.

Sheet "Evaluasi": per step the runs, median and p90 working time against the mutu baku, late runs,
returns, skips and the verdict, with the remarks (revisions, budgets) and the rule written under
the table. Sheet "Monitoring": the form of PermenPAN-RB 35/2012 (No, prosedur, penilaian, catatan
teknis, tindakan, paraf) with the paraf column left for the evaluator. Pure: no database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]  # openpyxl ships no type information
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped, unused-ignore]

from sop_engine.evaluation import Evaluation, StepFigures, period_text

FIGURES_HEADER = (
    "No",
    "Uraian prosedur",
    "Pelaksana",
    "Mutu baku (jam kerja)",
    "Kasus",
    "Pelaksanaan",
    "Median (jam kerja)",
    "P90 (jam kerja)",
    "Terlambat",
    "Mengembalikan",
    "Diulang",
    "Dilewati",
    "Penilaian",
)
MONITORING_HEADER = ("No", "Prosedur", "Penilaian", "Catatan teknis", "Tindakan yang harus diambil", "Paraf")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_WRAP = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(result: Evaluation) -> bytes:
    """``result`` as the bytes of an .xlsx file."""
    book = openpyxl.Workbook()
    figures = book.active
    figures.title = "Evaluasi"
    _title(figures, result, "Evaluasi pelaksanaan SOP")
    _table(figures, FIGURES_HEADER, [figures_row(result, item) for item in result.steps], (6, 48, 18) + (12,) * 10)
    for number, remark in enumerate(result.remarks):
        figures.cell(figures.max_row + (2 if number == 0 else 1), 1, "Keterangan: " + remark)
    figures.cell(figures.max_row + 2, 1, "Aturan penilaian: " + result.rule).alignment = _WRAP
    figures.merge_cells(start_row=figures.max_row, start_column=1, end_row=figures.max_row, end_column=13)
    figures.row_dimensions[figures.max_row].height = 60
    monitoring = book.create_sheet("Monitoring")
    _title(monitoring, result, "Monitoring pelaksanaan SOP Administrasi Pemerintahan")
    _table(monitoring, MONITORING_HEADER, monitoring_rows(result), (6, 48, 16, 40, 36, 12))
    monitoring.cell(monitoring.max_row + 2, 1, "Aturan penilaian: " + result.rule).alignment = _WRAP
    monitoring.merge_cells(start_row=monitoring.max_row, start_column=1, end_row=monitoring.max_row, end_column=6)
    monitoring.row_dimensions[monitoring.max_row].height = 75
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _title(sheet: Any, result: Evaluation, title: str) -> None:
    sheet["A1"] = f"{title}: {result.workflow.title}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"Periode: {period_text(result.since, result.until)}; {len(result.cases)} kasus."


def _table(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> None:
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(4, column, name)
        cell.font, cell.fill, cell.alignment = Font(bold=True, color="FFFFFF"), _HEADER_FILL, _WRAP
        sheet.column_dimensions[cell.column_letter].width = widths[column - 1]
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP
    sheet.freeze_panes = "A5"


def monitoring_rows(result: Evaluation) -> list[tuple[Any, ...]]:
    """The rows of the monitoring form: No, prosedur, penilaian, catatan, tindakan, and paraf left blank."""
    return [(item.step.no, item.step.name, item.verdict.value, item.note, item.action, "") for item in result.steps]


def figures_row(result: Evaluation, item: StepFigures) -> tuple[Any, ...]:
    """One row of :data:`FIGURES_HEADER`; times in working hours, None where the step never ran."""
    return (
        item.step.no,
        item.step.name,
        result.actors_text(item.step),
        _hours(item.budget_seconds),
        item.cases,
        item.runs,
        _hours(item.median_seconds),
        _hours(item.p90_seconds),
        item.late,
        item.returned,
        item.redone,
        item.skipped,
        item.verdict.value,
    )


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)
