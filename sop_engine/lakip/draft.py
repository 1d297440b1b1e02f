"""The draft LKj of steps 5-6: the step-5 analysis written into the report the office submits.

The draft follows PermenPANRB 53/2014 (Kata Pengantar, Ikhtisar Eksekutif, Bab I-IV, Lampiran)
and is filled with docxtpl from the office-editable ``documents/draft-lkj.docx`` (built by
``documents/build_draft_template.py``), with the same strict rules as the letters
(:func:`sop_engine.docx_fill.fill`: a tag without a value is refused by name). The numbers and the
sentences made of them are computed here, in Indonesian formats; every narrative paragraph stays
a "[isi: ...]" placeholder for the staff. ``documents/draft-lkj.html.j2`` renders the same values
as an HTML preview (Jinja2, autoescaped, strict).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from sop_engine import cases, documents, docx_fill
from sop_engine.artefacts import IncomingFile
from sop_engine.cases import CaseRecord
from sop_engine.context import Context
from sop_engine.errors import NotFound
from sop_engine.formatting import format_instant_short
from sop_engine.lakip import draft_signing as signing
from sop_engine.lakip import draft_tables as tables
from sop_engine.lakip import draft_years as years
from sop_engine.lakip import service
from sop_engine.lakip.analysis import MET, MISSED, NO_REALISATION, BudgetAnalysis
from sop_engine.lakip.records import AnalysisRecord
from sop_engine.remedies import Hint, Remedy
from sop_engine.views.labels import IMPORT_KIND_LABELS

#: The templates' file names in the documents folder (``[documents] dir``, else the package's).
DRAFT_TEMPLATE = "draft-lkj.docx"
HTML_TEMPLATE = "draft-lkj.html.j2"
#: The LAKIP step whose output the draft is (Menganalisis dan mengevaluasi ... → Draft LAKIP).
DRAFT_STEP = 5


@dataclass(frozen=True)
class DraftRecord:
    """A generated draft LKj: where it is, the totals it states, and the case if it was attached."""

    path: Path
    html_path: Path | None
    year: int
    pagu: int
    realisation: int
    absorption_pct: Decimal | None
    indicators: int
    #: (category, number of indicators) in the order of the scale, then met/not met.
    categories: tuple[tuple[str, int], ...]
    findings: int
    case: CaseRecord | None = None


def draft_lkj(
    ctx: Context,
    year: int,
    out_path: Path,
    *,
    case: str | None = None,
    html_path: Path | None = None,
    attach_by: str | None = None,
    attach_at: datetime | None = None,
    template: Path | None = None,
    html_template: Path | None = None,
    declared_realisation: int | None = None,
    declared_pagu: int | None = None,
) -> DraftRecord:
    """Write the draft LKj of ``year`` to ``out_path`` (and its HTML preview to ``html_path``).

    With ``attach_by`` the draft completes step 5 of ``case`` as that user (at ``attach_at``, for
    work recorded afterwards); whether the step is active and theirs, and the time, are checked
    before anything is written. ``declared_realisation`` / ``declared_pagu`` are the figures the
    narrative states; one that differs from the tables is a finding in Bab III (as with
    ``sop lakip analyse``). Refuses a year without a stored
    budget realisation, naming the import to run.
    """
    if attach_by is not None:
        if case is None:
            raise NotFound(
                "Draf LKj hanya dapat dilampirkan ke sebuah kasus; sebutkan kasusnya, bukan tahunnya.",
                value=year,
                hint=Hint(Remedy.DRAFT_FOR_CASE),
            )
        documents.require_attachable(ctx, case, DRAFT_STEP, attach_by, attach_at)
    record = service.analyse(ctx, year, declared_realisation, declared_pagu)
    values = draft_values(ctx, record, case)
    template = template or ctx.settings.documents_dir / DRAFT_TEMPLATE
    _require_template(template)
    path = docx_fill.fill(template, values, out_path)
    if html_path is not None:
        render_html(values, html_path, html_template or ctx.settings.documents_dir / HTML_TEMPLATE)
    attached = None
    if attach_by is not None and case is not None:
        attached = cases.complete_step(
            ctx, case, DRAFT_STEP, attach_by, files=[IncomingFile.from_path(path)], at=attach_at
        )
    budget = record.budget
    if budget is None:  # draft_values refused already; this keeps the type checker informed
        raise _no_budget(year)
    return DraftRecord(
        path=path,
        html_path=html_path,
        year=year,
        pagu=budget.total.pagu,
        realisation=budget.total.realisation,
        absorption_pct=budget.total.pct,
        indicators=len(record.indicators),
        categories=_categories(record),
        findings=len(record.findings),
        case=attached,
    )


def draft_values(ctx: Context, record: AnalysisRecord, case: str | None = None) -> dict[str, Any]:
    """The values of the template (and the HTML preview): plain texts and rows, formatted."""
    budget = record.budget
    if budget is None:
        raise _no_budget(record.year)
    office, year = ctx.settings.office.name, record.year
    total = budget.total
    counts = _categories(record)
    return {
        "kantor": office,
        "tahun": year,
        **signing.signing_values(ctx, case),
        "kasus": case or "",
        "pagu": tables.rupiah(total.pagu),
        "realisasi": tables.rupiah(total.realisation),
        "serapan": tables.pct(total.pct),
        "jumlah_indikator": len(record.indicators),
        **_sentences(office, record, budget, counts),
        "kategori": [{"kategori": label, "jumlah": n} for label, n in counts],
        "skala": _scale(record),
        "pk": tables.agreement_rows(record),
        "perjanjian": tables.agreement_tables(record, budget),
        "indikator_kegiatan": tables.activity_groups(record),
        "capaian": tables.achievement_groups(record),
        "anggaran": tables.budget_groups(record, budget),
        "program": _program_rows(budget),
        "per_output": tables.output_rows(record, budget),
        **_renstra(ctx),
        "perbandingan": _comparison_rows(record),
        "kalimat_perbandingan": years.comparison_sentences(record),
        "ada_tahun_lain": years.has_other_years(record),
        "tahun_lalu": year - 1,
        "tahun_renstra": years.renstra_year(record) or "akhir",
        "catatan": [tables.unbroken(f.message) for f in record.findings],
        "sumber": _source_rows(ctx, record),
    }


def _sentences(
    office: str, record: AnalysisRecord, budget: BudgetAnalysis, counts: tuple[tuple[str, int], ...]
) -> dict[str, str]:
    """The sentences of the draft made of its numbers (``kalimat_*``)."""
    year, total, summary = record.year, budget.total, record.summary
    counted = "; ".join(f"{label} {n}" for label, n in counts if n) or "belum ada indikator"
    mean = ""
    if summary.achievement_pct is not None:
        mean = (
            f" Rata-rata capaian indikator yang berpersentase adalah {tables.pct(summary.achievement_pct)} "
            f"(kategori {record.category})."
        )
    closing = f"Secara umum, penyerapan anggaran {office} tahun {year} mencapai {tables.pct(total.pct)}"
    if summary.achievement_pct is not None:
        closing += (
            f" dan rata-rata capaian kinerjanya {tables.pct(summary.achievement_pct)}, termasuk kategori "
            f"{record.category}; selisih keduanya (efisiensi) {tables.pct(record.efficiency)}"
        )
    return {
        "kalimat_anggaran": (
            f"Pada tahun anggaran {year}, {office} mengelola pagu anggaran sebesar {tables.rupiah(total.pagu)} "
            f"dengan realisasi sebesar {tables.rupiah(total.realisation)}, atau penyerapan anggaran "
            f"{tables.pct(total.pct)}, pada {len(budget.outputs)} output dan {len(budget.programs)} program."
        ),
        "kalimat_indikator": f"Kinerja tahun {year} diukur dengan {len(record.indicators)} indikator: {counted}.{mean}",
        "kalimat_pk": tables.agreement_sentence(office, record),
        "kalimat_capaian": f"Dari {tables.indicator_count(record)}: {counted}.{mean}",
        "kalimat_penutup": closing + ".",
    }


def _renstra(ctx: Context) -> dict[str, Any]:
    """The Renstra text of config ``[lakip]`` (empty values: the template keeps its placeholders)."""
    renstra = ctx.settings.renstra
    return {
        "renstra_periode": renstra.period,
        "visi": renstra.vision,
        "misi": list(renstra.missions),
        "tujuan": list(renstra.goals),
    }


def _program_rows(budget: BudgetAnalysis) -> list[dict[str, Any]]:
    """Absorption per program."""
    return [
        {
            "uraian": p.name,
            "pagu": tables.rupiah(p.pagu),
            "realisasi": tables.rupiah(p.realisation),
            "serapan": tables.pct(p.pct),
        }
        for p in budget.programs
    ]


def _comparison_rows(record: AnalysisRecord) -> list[dict[str, Any]]:
    """The earlier years beside this one (none without history)."""
    summary = record.summary
    return (
        [
            {
                "tahun": y.year,
                "pagu": "-" if y.pagu is None else tables.rupiah(y.pagu),
                "realisasi": "-" if y.realisation is None else tables.rupiah(y.realisation),
                "serapan": tables.pct(y.absorption_pct),
                "capaian": tables.pct(y.achievement_pct),
            }
            for y in (*record.history, summary)
        ]
        if record.history
        else []
    )


def _source_rows(ctx: Context, record: AnalysisRecord) -> list[dict[str, Any]]:
    """The imported files the numbers come from."""
    return [
        {
            "jenis": tables.SOURCE_LABELS.get(s.kind, IMPORT_KIND_LABELS.get(s.kind, s.kind)),
            "berkas": s.filename,
            "sha256": s.sha256[:16] + "…",
            "oleh": s.imported_by,
            "pada": format_instant_short(s.imported_at, ctx.tz),
        }
        for s in record.sources
    ]


def render_html(values: Mapping[str, Any], out_path: Path, template: Path) -> Path:
    """The HTML preview of the draft (autoescaped; a value the template lacks is refused by name)."""
    _require_template(template)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template.parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    try:
        html = environment.get_template(template.name).render(dict(values))
    except jinja2.UndefinedError as exc:
        raise docx_fill.missing_values(template, [docx_fill.undefined_name(exc)], values) from exc
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def _categories(record: AnalysisRecord) -> tuple[tuple[str, int], ...]:
    counted = Counter(r.category for r in record.indicators)
    labels = [label for _, label in record.scale]
    labels += [label for label in (MET, MISSED, NO_REALISATION) if counted[label]]
    labels += sorted(set(counted) - set(labels))
    return tuple((label, counted[label]) for label in labels)


def _scale(record: AnalysisRecord) -> list[dict[str, str]]:
    rows, upper = [], None
    for bound, label in record.scale:
        below = "" if upper is None else f" sampai di bawah {tables.pct(upper)}"
        rows.append({"kategori": label, "rentang": f"{tables.pct(bound)}{below}" + (" ke atas" if not below else "")})
        upper = bound
    return rows


def _require_template(template: Path) -> None:
    if not template.is_file():
        raise NotFound(
            f"Templat draf LKj '{template}' tidak ditemukan; buat ulang dengan "
            "`python documents/build_draft_template.py`.",
            value=str(template),
        )


def _no_budget(year: int) -> NotFound:
    return NotFound(
        f"Realisasi anggaran tahun {year} belum diimpor, jadi draf LKj belum dapat dibuat; impor realisasi dan "
        "targetnya dulu.",
        value=year,
        hint=Hint(Remedy.IMPORT_TARGETS_AND_BUDGET, year=year),
    )
