"""The tables of the draft LKj grouped as the office signs and reads them.

The Perjanjian Kinerja is printed exactly as signed: one table per signed agreement (the head's,
the secretary's), the kinerja indicators only, grouped by sasaran with the sasaran and its number
printed once on the first row of its group. The indicators of the RKA's kegiatan/outputs are in no
PK; they get their own table. Amounts use a non-breaking space after "Rp" so a column never
splits "Rp 2.701.548.000" over two lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sop_engine.formatting import format_rupiah
from sop_engine.lakip import draft_years as years
from sop_engine.lakip.analysis import BudgetAnalysis, IndicatorResult, format_pct
from sop_engine.lakip.indicator_text import shown_realisation, shown_target
from sop_engine.lakip.records import AnalysisRecord
from sop_engine.lakip.targets import ACTIVITY, HEAD, SECRETARY

#: The signed agreements in the order of the report, with who signs each as pihak pertama.
AGREEMENTS = ((HEAD, "Ketua"), (SECRETARY, "Sekretaris"))
NBSP = "\u00a0"
#: The kinds of import in the Lampiran, in Indonesian.
SOURCE_LABELS = {
    "indicators": "Target indikator kinerja",
    "outputs": "Output DIPA",
    "budget": "Realisasi anggaran",
    "workbook": "Lembar kerja pengumpulan data",
    "years": "Capaian tahun sebelumnya",
}


def rupiah(amount: int) -> str:
    """ "Rp 2.701.548.000" with a non-breaking space, so it never wraps inside a table cell."""
    return format_rupiah(amount).replace(" ", NBSP)


def unbroken(text: str) -> str:
    """``text`` with "Rp 1.000" and "93,70 %" bound by non-breaking spaces (a finding's sentence)."""
    return re.sub(r"(\d) %", "\\1" + NBSP + "%", text.replace("Rp ", "Rp" + NBSP))


def pct(value: Decimal | None) -> str:
    """ "93,70 %" with a non-breaking space; "-" without a value."""
    return format_pct(value).replace(" ", NBSP)


def in_agreement(record: AnalysisRecord) -> list[IndicatorResult]:
    """The kinerja indicators of the signed PKs (the RKA's kegiatan indicators left out)."""
    return [r for r in record.indicators if r.indicator.agreement != ACTIVITY]


def grouped(
    results: Sequence[IndicatorResult], cells: Callable[[IndicatorResult], dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per indicator in file order; ``no`` and ``sasaran`` only on the first row of each sasaran."""
    rows: list[dict[str, Any]] = []
    for group in groups(results, cells):
        for n, row in enumerate(group["baris"]):
            rows.append({"no": "" if n else group["no"], "sasaran": "" if n else group["sasaran"], **row})
    return rows


def groups(
    results: Sequence[IndicatorResult], cells: Callable[[IndicatorResult], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The indicators per sasaran in file order: ``no``, ``sasaran`` and its ``baris`` (the template
    merges the sasaran's cells over its rows)."""
    found: list[dict[str, Any]] = []
    for r in results:
        if not found or found[-1]["sasaran"] != r.indicator.sasaran:
            found.append({"no": len(found) + 1, "sasaran": r.indicator.sasaran, "baris": []})
        found[-1]["baris"].append(cells(r))
    return found


def _target_cells(r: IndicatorResult) -> dict[str, Any]:
    i = r.indicator
    return {"indikator": i.name, "satuan": i.unit or "-", "target": i.target_text, "kode": i.output_code or ""}


def agreement_tables(record: AnalysisRecord, budget: BudgetAnalysis) -> list[dict[str, Any]]:
    """Each signed PK that has indicators: its title, sentence, grouped rows and the programs' budget."""
    tables = []
    for key, signer in AGREEMENTS:
        results = [r for r in record.indicators if r.indicator.agreement == key]
        if not results:
            continue
        sasaran = len({r.indicator.sasaran for r in results})
        tables.append(
            {
                "judul": f"Perjanjian Kinerja {signer}",
                "penanda_tangan": signer,
                "kalimat": f"Perjanjian Kinerja {signer} memuat {len(results)} indikator kinerja untuk {sasaran} "
                "sasaran strategis.",
                "kelompok": groups(results, _target_cells),
                "program": [{"uraian": p.name, "pagu": rupiah(p.pagu)} for p in budget.programs],
            }
        )
    return tables


def agreement_rows(record: AnalysisRecord) -> list[dict[str, Any]]:
    """The kinerja indicators of every signed PK, grouped by sasaran (``pk`` of the template)."""
    return grouped(in_agreement(record), _target_cells)


def activity_groups(record: AnalysisRecord) -> list[dict[str, Any]]:
    """The indicators of the RKA's kegiatan/outputs (in no PK), grouped by sasaran."""
    return groups([r for r in record.indicators if r.indicator.agreement == ACTIVITY], _target_cells)


def agreement_sentence(office: str, record: AnalysisRecord) -> str:
    """What the signed PKs hold, counted per agreement ("10 indikator untuk 3 sasaran")."""
    parts = []
    for key, signer in AGREEMENTS:
        results = [r for r in record.indicators if r.indicator.agreement == key]
        if results:
            sasaran = len({r.indicator.sasaran for r in results})
            parts.append(f"Perjanjian Kinerja {signer} memuat {len(results)} indikator kinerja untuk {sasaran} sasaran")
    activities = sum(1 for r in record.indicators if r.indicator.agreement == ACTIVITY)
    text = f"Perjanjian Kinerja {office} tahun {record.year}: " + ("; ".join(parts) or "belum ada indikator kinerja")
    if activities:
        text += f". Di luar Perjanjian Kinerja, Rencana Kerja Anggaran memuat {activities} indikator kegiatan/output"
    return text + "."


def indicator_count(record: AnalysisRecord) -> str:
    """ "34 indikator (17 indikator kinerja dalam Perjanjian Kinerja dan 17 indikator kegiatan)"."""
    kinerja = len(in_agreement(record))
    activities = len(record.indicators) - kinerja
    if not activities:
        return f"{kinerja} indikator kinerja"
    return (
        f"{len(record.indicators)} indikator ({kinerja} indikator kinerja dalam Perjanjian Kinerja dan "
        f"{activities} indikator kegiatan)"
    )


def _achievement_cells(record: AnalysisRecord) -> Callable[[IndicatorResult], dict[str, Any]]:
    def cells(r: IndicatorResult) -> dict[str, Any]:
        i = r.indicator
        return {
            "indikator": i.name,
            "target": shown_target(i),
            "realisasi": shown_realisation(i),
            "capaian": pct(r.achievement.pct),
            "kategori": r.category,
            **years.year_cells(record, r),
        }

    return cells


def achievement_groups(record: AnalysisRecord) -> list[dict[str, Any]]:
    """The achievement table per sasaran: the PK indicators, then the kegiatan ones; each group's rows
    numbered "1.1", "1.2", ... and its comparison sentences (``kalimat``) under it."""
    activities = [r for r in record.indicators if r.indicator.agreement == ACTIVITY]
    results = in_agreement(record) + activities
    cells, found = _achievement_cells(record), groups(results, lambda r: {"result": r})
    for group in found:
        members = [row["result"] for row in group["baris"]]
        group["baris"] = [{**cells(r), "nomor": f"{group['no']}.{n}"} for n, r in enumerate(members, 1)]
        group["kalimat"] = years.group_sentences(record, members)
    return found


def budget_groups(record: AnalysisRecord, budget: BudgetAnalysis) -> list[dict[str, Any]]:
    """The budget table per kegiatan (its cells merged over its outputs); a program named once, on its
    first kegiatan."""
    lines = {line.code: line for line in record.budget_lines}
    found: list[dict[str, Any]] = []
    shown_program: str | None = None
    for n, o in enumerate(budget.outputs, 1):
        line = lines[o.code]
        program = _label(line.program_code, line.program_name)
        activity = _label(line.activity_code, line.activity_name)
        if not found or (found[-1]["_program"], found[-1]["kegiatan"]) != (program, activity):
            found.append(
                {"_program": program, "program": "" if program == shown_program else program, "kegiatan": activity}
            )
            found[-1]["baris"] = []
            shown_program = program
        found[-1]["baris"].append(
            {
                "no": n,
                "kode": o.code,
                "uraian": o.name,
                "pagu": rupiah(o.pagu),
                "realisasi": rupiah(o.realisation),
                "serapan": pct(o.pct),
            }
        )
    return found


def _label(code: str | None, name: str | None) -> str:
    """ "3355 Pelaksanaan ..." from a code and a name, either of which may be missing."""
    if name and code and not name.startswith(code):
        return f"{code} {name}"
    return name or code or "-"


def output_rows(record: AnalysisRecord, budget: BudgetAnalysis) -> list[dict[str, Any]]:
    """Realisation per DIPA output: each output's kegiatan indicators (target, realisation, capaian) beside
    its absorption and the efficiency; an output without an indicator shows its absorption alone."""
    measured: dict[str, list[IndicatorResult | None]] = {}
    for r in record.indicators:
        if r.indicator.output_code:
            measured.setdefault(r.indicator.output_code, []).append(r)
    rows = []
    for n, o in enumerate(budget.outputs, 1):
        for k, result in enumerate(measured.get(o.code) or [None]):
            first = {"no": n, "kode": o.code, "uraian": o.name, "serapan": pct(o.pct)}
            rows.append({**(first if k == 0 else dict.fromkeys(first, "")), **_output_cells(result)})
    return rows


def _output_cells(r: IndicatorResult | None) -> dict[str, str]:
    if r is None:
        return dict.fromkeys(("indikator", "target", "realisasi", "capaian", "efisiensi"), "-")
    i = r.indicator
    return {
        "indikator": i.name,
        "target": shown_target(i),
        "realisasi": shown_realisation(i),
        "capaian": pct(r.achievement.pct),
        "efisiensi": pct(r.efficiency),
    }
