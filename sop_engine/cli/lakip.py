"""Commands of the LAKIP documents and numbers: ``sop lakip targets|budget import``, ``sop lakip analyse``.

``sop lakip analyse CASE_OR_YEAR`` takes a year (2020) or a LAKIP case (``lakip-2021``); a case
analyses the year it reports on, its own year minus one (the LKj written in 2021 is about 2020),
and ``--year`` overrides that. The parser of the ``sop lakip`` group is in :mod:`.tree_documents`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_engine.cli.errors import advice
from sop_engine.cli.output import table
from sop_engine.cli.parsing import print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.formatting import format_rupiah
from sop_engine.lakip import service
from sop_engine.lakip.analysis import format_pct
from sop_engine.lakip.indicator_text import shown_realisation, shown_target
from sop_engine.lakip.records import AnalysisRecord
from sop_engine.lakip.tables import BadValue, Cell
from sop_engine.lakip.values import parse_rupiah
from sop_engine.remedies import explain


def amount(text: str | None, option: str) -> int | None:
    """A rupiah amount from the command line ("Rp 2.497.528.462" or "2497528462")."""
    if text is None:
        return None
    try:
        return parse_rupiah(Cell(1, 1, text))
    except BadValue as exc:
        raise InvalidInput(f"{option} '{text}': {exc}.", value=text) from exc


def cmd_targets_import(args: argparse.Namespace, ctx: Context) -> int:
    record = service.import_targets(ctx, Path(args.file), args.year, args.by)
    if args.json:
        print_json({k: v for k, v in vars(record).items()})
        return 0
    stored = []
    if record.indicators is not None:
        kept = f" ({record.realisations_kept} realisasi lama dipertahankan)" if record.realisations_kept else ""
        other = ""
        if record.with_other_years:
            other = f", {record.with_other_years} dengan realisasi tahun lalu/target Renstra"
        stored.append(f"{record.indicators} indikator{kept}{other}")
    if record.outputs is not None:
        stored.append(f"{record.outputs} output DIPA dengan pagu {format_rupiah(record.pagu or 0)}")
    if record.years is not None:
        stored.append(f"capaian {record.years} tahun sebelumnya")
    print(f"Target tahun {record.year} dari {record.filename} disimpan: {' dan '.join(stored)}.")
    return 0


def cmd_budget_import(args: argparse.Namespace, ctx: Context) -> int:
    record = service.import_budget(ctx, Path(args.file), args.year, args.by)
    if args.json:
        data = vars(record) | {
            "absorption_pct": None if record.absorption_pct is None else float(record.absorption_pct)
        }
        print_json(data)
        return 0
    print(
        f"Realisasi anggaran tahun {record.year} dari {record.filename} disimpan: {record.rows} output, pagu "
        f"{format_rupiah(record.pagu)}, realisasi {format_rupiah(record.realisation)} "
        f"({format_pct(record.absorption_pct)})."
    )
    return 0


def cmd_analyse(args: argparse.Namespace, ctx: Context) -> int:
    year = service.report_year(ctx, args.case_or_year, args.year)
    record = service.analyse(
        ctx,
        year,
        declared_realisation=amount(args.declared_realisation, "--declared-realisation"),
        declared_pagu=amount(args.declared_pagu, "--declared-pagu"),
    )
    if args.json:
        print_json(service.analysis_json(record))
    else:
        print(analysis_text(record))
    return 0


def analysis_text(record: AnalysisRecord) -> str:
    """The analysis for people: budget per output and program, indicators, summary, findings."""
    out = [f"Analisis kinerja tahun {record.year} — {record.office_name} ({record.office_code})"]
    if record.budget is not None:
        b = record.budget
        out += ["", "Realisasi anggaran per output:"]
        rows: list[list[object]] = [
            [o.code, _clip(o.name), format_rupiah(o.pagu), format_rupiah(o.realisation), format_pct(o.pct)]
            for o in b.outputs
        ]
        rows.append(
            ["", "JUMLAH", format_rupiah(b.total.pagu), format_rupiah(b.total.realisation), format_pct(b.total.pct)]
        )
        out.append(table(["Kode", "Uraian", "Pagu", "Realisasi", "Serapan"], rows))
        out += ["", "Per program:"]
        out.append(
            table(
                ["Program", "Pagu", "Realisasi", "Serapan"],
                [
                    [_clip(p.name), format_rupiah(p.pagu), format_rupiah(p.realisation), format_pct(p.pct)]
                    for p in b.programs
                ],
            )
        )
    if record.indicators:
        out += ["", "Capaian indikator kinerja:"]
        out.append(
            table(
                ["Indikator", "Target", "Realisasi", "Capaian", "Kategori"],
                [
                    [
                        _clip(r.indicator.name),
                        shown_target(r.indicator),
                        shown_realisation(r.indicator),
                        format_pct(r.achievement.pct),
                        r.category,
                    ]
                    for r in record.indicators
                ],
            )
        )
    s = record.summary
    out += [
        "",
        f"Rata-rata capaian {format_pct(s.achievement_pct)} ({record.category or '-'}), serapan anggaran "
        f"{format_pct(s.absorption_pct)}, efisiensi {format_pct(record.efficiency)} (capaian dikurangi serapan).",
    ]
    for y in record.history:
        out.append(
            f"Tahun {y.year}: capaian {format_pct(y.achievement_pct)}, serapan {format_pct(y.absorption_pct)}"
            + (f" (pagu {format_rupiah(y.pagu)}, realisasi {format_rupiah(y.realisation or 0)})" if y.pagu else "")
            + "."
        )
    out += ["", f"Temuan ({len(record.findings)}):" if record.findings else "Tidak ada temuan."]
    out += [f"- {explain(f.message, advice=advice(f.hint))}" for f in record.findings]
    return "\n".join(out)


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
