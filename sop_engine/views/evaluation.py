"""The JSON of the monitoring evaluation of an SOP (``sop evaluasi ID --json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from sop_engine.views.fields import Doc

if TYPE_CHECKING:  # records only (see views/cases.py)
    from sop_engine.evaluation import Evaluation, StepFigures


class BudgetShareJson(TypedDict):
    """A step's mutu baku in one revision."""

    revision: Annotated[str, Doc("Revisi SOP, mis. 'revisi 20 Januari 2021'.")]
    budget: Annotated[str, Doc("Mutu baku pada revisi itu.")]
    budget_seconds: Annotated[int, Doc("Mutu baku pada revisi itu, dalam detik kerja.")]
    cases: Annotated[int, Doc("Kasus revisi itu yang dihitung pada langkah ini.")]


class RevisionShareJson(TypedDict):
    """One revision of the SOP the cases of the period ran under."""

    revision: Annotated[str, Doc("Revisi SOP, mis. 'revisi 20 Januari 2021'.")]
    sha256: Annotated[str, Doc("Hash sha256 definisi revisi itu.")]
    cases: Annotated[int, Doc("Kasus periode yang memakai revisi itu.")]
    current: Annotated[bool, Doc("Revisi yang berlaku sekarang untuk kasus baru.")]


class StepFiguresJson(TypedDict):
    """One step's figures over the period and its verdict."""

    no: Annotated[int, Doc("Nomor langkah.")]
    name: Annotated[str, Doc("Uraian prosedur.")]
    role: Annotated[str, Doc("Peran pelaksana.")]
    actors: Annotated[list[str], Doc("Semua peran yang mengerjakan langkah, berurutan (paraf berjenjang).")]
    budget_seconds: Annotated[int, Doc("Mutu baku waktu revisi sekarang, dalam detik kerja.")]
    budget: Annotated[
        str, Doc("Mutu baku seperti dibaca orang: waktu langkah, atau 'mengikuti SOP ...' (jalur kritis).")
    ]
    budgets: Annotated[list[BudgetShareJson], Doc("Mutu baku per revisi yang dipakai kasus yang dihitung.")]
    median_ratio: Annotated[float | None, Doc("Median waktu kerja nyata dibagi mutu baku revisi kasusnya.")]
    cases: Annotated[int, Doc("Kasus yang menjalankan langkah ini.")]
    runs: Annotated[int, Doc("Pelaksanaan (selesai atau dikembalikan), semua putaran.")]
    median_seconds: Annotated[int | None, Doc("Median waktu kerja nyata, detik kerja.")]
    p90_seconds: Annotated[int | None, Doc("Persentil ke-90 waktu kerja nyata, detik kerja.")]
    late: Annotated[int, Doc("Pelaksanaan yang melewati tenggat.")]
    returned: Annotated[int, Doc("Berapa kali langkah ini mengembalikan pekerjaan.")]
    redone: Annotated[int, Doc("Kasus yang mengulang langkah ini karena dikembalikan.")]
    skipped: Annotated[int, Doc("Berapa kali langkah ini dilewati.")]
    verdict: Annotated[str, Doc("Penilaian: Berjalan baik, Kurang baik atau Tidak berjalan.")]
    note: Annotated[str, Doc("Catatan teknis.")]
    action: Annotated[str, Doc("Tindakan yang harus diambil.")]


class EvaluationJson(TypedDict):
    """The evaluation of one SOP over a period."""

    workflow: Annotated[str, Doc("Id SOP.")]
    title: Annotated[str, Doc("Nama SOP.")]
    since: Annotated[str | None, Doc("Awal periode (tanggal mulai kasus), YYYY-MM-DD.")]
    until: Annotated[str | None, Doc("Akhir periode, YYYY-MM-DD.")]
    cases: Annotated[list[str], Doc("Kode kasus yang dinilai.")]
    rule: Annotated[str, Doc("Aturan penilaian.")]
    revisions: Annotated[list[RevisionShareJson], Doc("Revisi SOP yang dipakai kasus periode, terlama dahulu.")]
    remarks: Annotated[list[str], Doc("Keterangan: beberapa revisi, langkah yang tidak cocok, mutu baku berbeda.")]
    steps: Annotated[list[StepFiguresJson], Doc("Angka dan penilaian per langkah.")]


def step_figures_json(item: StepFigures) -> StepFiguresJson:
    return {
        "no": item.step.no,
        "name": item.step.name,
        "role": item.step.role,
        "actors": list(item.step.actors),
        "budget_seconds": item.budget_seconds,
        "budget": item.budget,
        "budgets": [
            {
                "revision": share.revision,
                "budget": share.budget,
                "budget_seconds": share.budget_seconds,
                "cases": share.cases,
            }
            for share in item.budgets
        ],
        "median_ratio": None if item.median_ratio is None else round(item.median_ratio, 3),
        "cases": item.cases,
        "runs": item.runs,
        "median_seconds": item.median_seconds,
        "p90_seconds": item.p90_seconds,
        "late": item.late,
        "returned": item.returned,
        "redone": item.redone,
        "skipped": item.skipped,
        "verdict": item.verdict.value,
        "note": item.note,
        "action": item.action,
    }


def evaluation_json(result: Evaluation) -> EvaluationJson:
    return {
        "workflow": result.workflow.name,
        "title": result.workflow.title,
        "since": result.since.isoformat() if result.since else None,
        "until": result.until.isoformat() if result.until else None,
        "cases": list(result.cases),
        "rule": result.rule,
        "revisions": [
            {"revision": share.label, "sha256": share.content_hash, "cases": share.cases, "current": share.current}
            for share in result.revisions
        ],
        "remarks": list(result.remarks),
        "steps": [step_figures_json(item) for item in result.steps],
    }
