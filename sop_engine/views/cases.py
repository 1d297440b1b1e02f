"""The JSON of a case: its documents, its steps, the case itself, its projected finish, a plan.

:func:`case_json` is what ``sop case list --json`` prints for each case (and the API's case list),
:func:`case_detail_json` what ``sop case show --json`` prints (and the API's answer about one
case): the case with its projection. An artefact has one shape everywhere, :func:`artefact_json`
(in a case, in ``sop artefacts list --json`` and in an archive's manifest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypedDict

from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.durations import format_working_seconds
from sop_engine.formatting import iso_local
from sop_engine.views.fields import Day, Doc, Instant

if TYPE_CHECKING:  # records only: services import views.labels, so views never import a service at run time
    from zoneinfo import ZoneInfo

    from sop_engine.artefacts import ArtefactRecord
    from sop_engine.cases import CaseRecord, StepRecord
    from sop_engine.planning import Plan, Projection


class ArtefactJson(TypedDict):
    """A stored document of a case."""

    id: Annotated[str, Doc("Kode dokumen (unduh di /cases/{kasus}/artefacts/{kode}).")]
    case: Annotated[str, Doc("Kode kasus.")]
    step: Annotated[int, Doc("Nomor langkah yang menghasilkan dokumen ini.")]
    round: Annotated[int, Doc("Putaran langkah itu (bertambah setiap pekerjaan dikembalikan).")]
    kind: Annotated[str, Doc("Jenis dokumen menurut SOP, misalnya 'Draft LAKIP'.")]
    file_kind: Annotated[str, Doc("Jenis berkas menurut isinya: pdf, docx, xlsx, odt, ods, jpeg, png.")]
    filename: Annotated[str, Doc("Nama berkas asli dari pengunggah.")]
    size: Annotated[int, Doc("Ukuran dalam bait.")]
    sha256: Annotated[str, Doc("Hash sha256 isinya (diperiksa ulang setiap kali dibaca).")]
    uploaded_by: Annotated[str, Doc("Nama pengguna pengunggah.")]
    uploaded_at: Annotated[Instant, Doc("Waktu unggah.")]


class StepJson(TypedDict):
    """One step of a case."""

    no: Annotated[int, Doc("Nomor langkah SOP.")]
    name: Annotated[str, Doc("Uraian prosedur langkah.")]
    role: Annotated[str, Doc("Peran pelaksana.")]
    budget: Annotated[str, Doc("Waktu kerja yang disediakan, misalnya '4 hari'.")]
    status: Annotated[StepStatus, Doc("waiting, active atau done.")]
    round: Annotated[int, Doc("Berapa kali langkah ini sudah dimulai (0: belum pernah).")]
    activated_at: Annotated[Instant | None, Doc("Mulai aktif (putaran terakhir).")]
    due_at: Annotated[Instant | None, Doc("Tenggat dalam jam kerja kantor.")]
    completed_at: Annotated[Instant | None, Doc("Waktu diselesaikan.")]
    completed_by: Annotated[str | None, Doc("Nama pengguna yang menyelesaikan.")]
    overdue: Annotated[bool, Doc("Lewat tenggat: masih aktif sesudahnya, atau diselesaikan sesudahnya.")]
    note: Annotated[str | None, Doc("Catatan saat diselesaikan.")]
    answer: Annotated[
        str | None,
        Doc(
            "Jawaban langkah keputusan, ya atau tidak, selama berlaku; "
            "null untuk langkah biasa atau yang belum dijawab."
        ),
    ]
    artefacts: Annotated[list[ArtefactJson], Doc("Dokumen keluaran langkah, semua putaran.")]


class CaseJson(TypedDict):
    """A case with its steps, as ``sop case list --json`` prints it."""

    id: Annotated[str, Doc("Kode kasus, misalnya 'lakip-2021'.")]
    workflow: Annotated[str, Doc("Nama SOP.")]
    year: Annotated[int, Doc("Tahun kasus.")]
    status: Annotated[CaseStatus, Doc("running, done atau cancelled.")]
    started_at: Annotated[Instant, Doc("Waktu dimulai.")]
    started_by: Annotated[str, Doc("Nama pengguna yang memulai.")]
    current_step: Annotated[int | None, Doc("Nomor langkah yang aktif; null bila kasus tidak berjalan.")]
    active_steps: Annotated[list[int], Doc("Semua langkah yang aktif (beberapa bila dikerjakan bersamaan).")]
    finished_at: Annotated[Instant | None, Doc("Waktu selesai atau dibatalkan.")]
    cancel_reason: Annotated[str | None, Doc("Alasan pembatalan.")]
    revision: Annotated[Day, Doc("Tanggal revisi SOP yang dipakai kasus ini.")]
    definition_sha256: Annotated[str, Doc("Hash sha256 definisi SOP yang dipakai kasus ini.")]
    steps: Annotated[list[StepJson], Doc("Semua langkah, urut nomor.")]


class ProjectionJson(TypedDict):
    """Where a case stands against the office's submission deadline."""

    projected_finish: Annotated[
        Instant | None, Doc("Perkiraan selesai bila tiap langkah memakai seluruh waktunya; null bila dibatalkan.")
    ]
    submission_deadline: Annotated[
        Instant | None, Doc("Batas penyampaian (tenggat SOP) untuk tahun kasus; null bila SOP tanpa tenggat.")
    ]
    slack_seconds: Annotated[int | None, Doc("Cadangan dalam detik kerja; negatif bila diperkirakan terlambat.")]
    slack: Annotated[str | None, Doc("Cadangan itu dalam kata-kata, misalnya '2 hari 3 jam'.")]
    on_track: Annotated[
        bool, Doc("Diperkirakan selesai sebelum batas; tanpa tenggat: berjalan tanpa langkah terlambat.")
    ]
    late_steps: Annotated[list[int], Doc("Langkah aktif yang sudah lewat tenggat.")]


class CaseDetailJson(CaseJson):
    """A case as ``sop case show --json`` prints it: with its projected finish and the cases it is linked to."""

    projection: Annotated[ProjectionJson, Doc("Perkiraan selesai dan cadangan waktu.")]
    restart_of: Annotated[str | None, Doc("Kasus tahun yang sama yang dibatalkan lalu dimulai ulang oleh kasus ini.")]
    restarted_as: Annotated[str | None, Doc("Kasus yang memulai ulang tahun ini setelah kasus ini dibatalkan.")]
    part_of: Annotated[PartOfJson | None, Doc("Kasus dan langkah (jalankan) yang memulai kasus ini.")]
    linked_cases: Annotated[list[LinkedCaseJson], Doc("Kasus yang dimulai oleh langkah jalankan kasus ini.")]


class PartOfJson(TypedDict):
    """The case and ``jalankan`` step that started a case."""

    case: Annotated[str, Doc("Kode kasus induk.")]
    step: Annotated[int, Doc("Nomor langkah kasus induk yang menjalankan SOP ini.")]


class LinkedCaseJson(TypedDict):
    """A case started by a ``jalankan`` step; the step completes when that case is done."""

    step: Annotated[int, Doc("Nomor langkah yang menjalankan SOP lain.")]
    case: Annotated[str, Doc("Kode kasus yang dimulai langkah itu.")]
    status: Annotated[str, Doc("Status kasus itu: running, done atau cancelled.")]


class PlannedStepJson(TypedDict):
    """One step of a backward plan."""

    no: Annotated[int, Doc("Nomor langkah SOP.")]
    name: Annotated[str, Doc("Uraian prosedur langkah.")]
    role: Annotated[str, Doc("Peran pelaksana.")]
    budget: Annotated[str, Doc("Waktu kerja yang disediakan.")]
    latest_start: Annotated[Instant, Doc("Mulai paling lambat.")]
    latest_finish: Annotated[Instant, Doc("Selesai paling lambat.")]


class PlanJson(TypedDict):
    """A workflow planned back from a deadline, as ``sop plan --json`` prints it."""

    workflow: Annotated[str, Doc("Nama SOP.")]
    deadline: Annotated[Instant, Doc("Batas yang diberikan.")]
    effective_deadline: Annotated[Instant, Doc("Saat kerja terakhir pada atau sebelum batas itu.")]
    start_by: Annotated[Instant, Doc("Langkah pertama mulai paling lambat.")]
    total_working_time: Annotated[str, Doc("Jumlah waktu kerja semua langkah.")]
    steps: Annotated[list[PlannedStepJson], Doc("Tiap langkah.")]


def artefact_json(a: ArtefactRecord, tz: ZoneInfo) -> ArtefactJson:
    """A stored document, its upload time with the office offset."""
    return {
        "id": a.id,
        "case": a.case,
        "step": a.step,
        "round": a.round,
        "kind": a.kind,
        "file_kind": a.file_kind,
        "filename": a.filename,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by,
        "uploaded_at": iso_local(a.uploaded_at, tz),
    }


def step_json(s: StepRecord, tz: ZoneInfo) -> StepJson:
    """One step of a case with its documents."""
    return {
        "no": s.no,
        "name": s.name,
        "role": s.role,
        "budget": s.budget,
        "status": s.status,
        "round": s.round,
        "activated_at": iso_local(s.activated_at, tz),
        "due_at": iso_local(s.due_at, tz),
        "completed_at": iso_local(s.completed_at, tz),
        "completed_by": s.completed_by,
        "overdue": s.overdue,
        "note": s.note,
        "answer": s.answer,
        "artefacts": [artefact_json(a, tz) for a in s.artefacts],
    }


def case_json(case: CaseRecord, tz: ZoneInfo) -> CaseJson:
    """The ``sop case list --json`` document of one case, instants with the office offset."""
    return {
        "id": case.id,
        "workflow": case.workflow,
        "year": case.year,
        "status": case.status,
        "started_at": iso_local(case.started_at, tz),
        "started_by": case.started_by,
        "current_step": case.current_step,
        "active_steps": list(case.active_steps),
        "finished_at": iso_local(case.finished_at, tz),
        "cancel_reason": case.cancel_reason,
        "revision": case.revision.isoformat(),
        "definition_sha256": case.definition_hash,
        "steps": [step_json(s, tz) for s in case.steps],
    }


def projection_json(projection: Projection, tz: ZoneInfo, jam_kerja_per_hari: float) -> ProjectionJson:
    """The projection part of ``sop case show --json``; ``on_track`` is false without a finish."""
    slack = projection.slack_seconds
    return {
        "projected_finish": iso_local(projection.finish, tz),
        "submission_deadline": iso_local(projection.deadline, tz),
        "slack_seconds": slack,
        "slack": None if slack is None else format_working_seconds(slack, jam_kerja_per_hari),
        "on_track": (slack is not None and slack >= 0)
        if projection.deadline is not None
        else projection.finish is not None and not projection.late_steps,
        "late_steps": list(projection.late_steps),
    }


def case_detail_json(
    case: CaseRecord, projection: Projection, tz: ZoneInfo, jam_kerja_per_hari: float
) -> CaseDetailJson:
    """The ``sop case show --json`` document (also the API's): the case and its projected finish
    (``planning.case_projection``); ``jam_kerja_per_hari`` is the office's."""
    return {
        **case_json(case, tz),
        "projection": projection_json(projection, tz, jam_kerja_per_hari),
        "restart_of": case.restart_of,
        "restarted_as": case.restarted_as,
        "part_of": None if case.part_of is None else {"case": case.part_of[0], "step": case.part_of[1]},
        "linked_cases": [{"step": no, "case": code, "status": str(status)} for no, code, status in case.linked_cases],
    }


def plan_json(plan: Plan, tz: ZoneInfo, jam_kerja_per_hari: float) -> PlanJson:
    """The ``sop plan --json`` document; ``jam_kerja_per_hari`` is the office's (``calendar.jam_kerja_per_hari``)."""
    return {
        "workflow": plan.workflow,
        "deadline": iso_local(plan.deadline, tz),
        "effective_deadline": iso_local(plan.effective_deadline, tz),
        "start_by": iso_local(plan.start_by, tz),
        "total_working_time": format_working_seconds(plan.total_seconds, jam_kerja_per_hari),
        "steps": [
            {
                "no": s.no,
                "name": s.name,
                "role": s.role,
                "budget": s.budget,
                "latest_start": iso_local(s.latest_start, tz),
                "latest_finish": iso_local(s.latest_finish, tz),
            }
            for s in plan.steps
        ],
    }
