"""How the command line shows the office and its set-up: people, API tokens, SOP revisions and
definitions, the calendar, ``sop init`` and the demo's timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sop_engine import policy
from sop_engine.api_tokens import TokenRecord
from sop_engine.calendar import Holiday
from sop_engine.cli.output import clip, short, table, verify_text
from sop_engine.cli.output_notify import notices_text
from sop_engine.critical_path import budget_label
from sop_engine.definitions import ROLE_LABELS, CasePolicy, StepDef, StepKind, WorkflowDef
from sop_engine.demo import DemoResult
from sop_engine.durations import format_working_seconds
from sop_engine.formatting import format_date, format_day, format_instant, format_month_day
from sop_engine.install import InitReport
from sop_engine.people import PersonRecord
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.views.labels import CASE_STATUS_LABELS
from sop_engine.workflows import RevisionRecord


def people_list(items: Sequence[PersonRecord]) -> str:
    if not items:
        return "Belum ada pegawai. Tambahkan dengan `sop people add` atau `sop init --demo`."
    return table(
        ["Pengguna", "Nama", "NIP", "Peran", "Atasan", "Email", "Telepon", "Akun"],
        [
            [
                p.username,
                p.name,
                p.nip or "-",
                ", ".join(p.roles),
                p.supervisor or "-",
                p.email or "-",
                p.phone or "-",
                "aktif" if p.active else "nonaktif",
            ]
            for p in items
        ],
    )


def tokens_list(username: str, items: Sequence[TokenRecord], tz: ZoneInfo, now: datetime) -> str:
    if not items:
        return f"{username} belum punya token API. Buat dengan `sop people token issue {username}`."

    def state(token: TokenRecord) -> str:
        if token.revoked_at is not None:
            return f"dicabut {short(token.revoked_at, tz)}"
        if token.expires_at is not None and token.expires_at <= now:
            return f"kedaluwarsa {short(token.expires_at, tz)}"
        return "berlaku" + (f" s.d. {short(token.expires_at, tz)}" if token.expires_at else "")

    return table(
        ["Awalan", "Label", "Dibuat", "Terakhir dipakai", "Status"],
        [
            [
                t.prefix + "…",
                t.label or "-",
                short(t.created_at, tz),
                short(t.last_used_at, tz) if t.last_used_at else "-",
                state(t),
            ]
            for t in items
        ],
    )


def holidays_list(year: int, items: Sequence[Holiday]) -> str:
    if not items:
        return f"Tidak ada hari libur tercatat untuk tahun {year}."
    return f"Hari libur dan cuti bersama tahun {year}:\n" + table(
        ["Tanggal", "Nama", "Jenis"], [[format_day(h.date), h.name, h.source] for h in items]
    )


def _case_policy(definition: WorkflowDef, roles: Roles) -> str:
    """One line: how many cases a year, who starts them, and the year deadline."""
    count = "satu per tahun" if definition.cases is CasePolicy.YEARLY else "banyak per tahun, bernomor urut"
    starters = ", ".join(roles.label(role) for role in policy.start_roles(definition))
    deadline = format_month_day(definition.deadline) if definition.deadline else "tidak ada"
    return f"Kasus: {count}; dimulai oleh {starters}; tenggat tahunan: {deadline}"


def workflow_detail(
    definition: WorkflowDef, roles: Roles = DEFAULT_ROLES, budgets: Mapping[int, str] | None = None
) -> str:
    """``sop workflows show``: the SOP's header and steps; ``budgets`` each step's budget as the office reads
    it (:func:`sop_engine.workflows.budget_labels`), else as the definition alone says it."""
    budgets = budgets or {}
    h = definition.header
    lines = [
        f"{definition.title} ({definition.name})",
        f"Nomor SOP: {h.nomor}",
        f"Dibuat {format_date(h.tanggal_pembuatan)}"
        + (f", direvisi {format_date(h.tanggal_revisi)}" if h.tanggal_revisi else "")
        + f", disahkan {format_date(h.tanggal_pengesahan)} oleh {h.disahkan_oleh}",
        _case_policy(definition, roles),
        "",
    ]
    rows = [
        [
            s.no,
            clip(s.name, 60),
            " → ".join(roles.label(role) for role in s.actors),
            budgets.get(s.no) or budget_label(s),
            s.output,
            s.file_rule.value,
            _flow(s),
        ]
        for s in definition.steps
    ]
    questions = [
        f"Keputusan langkah {s.no}: {s.question} Ya: langkah {s.if_yes}; Tidak: langkah {s.if_no}."
        for s in definition.steps
        if s.kind is StepKind.DECISION
    ]
    shown = table(["No", "Uraian", "Pelaksana", "Waktu", "Output", "Berkas", "Alur"], rows)
    return "\n".join([*lines, shown, *(["", *questions] if questions else [])])


def _flow(step: StepDef) -> str:
    """Where a step leads besides the next one: its returns, decision, waited-for steps, linked SOP."""
    parts = []
    if step.after is not None:
        parts.append("setelah " + ", ".join(map(str, step.after)))
    if step.kind is StepKind.DECISION:
        parts.append(f"Ya → {step.if_yes}, Tidak → {step.if_no}")
    if step.returns_to:
        parts.append("kembali ke " + ", ".join(map(str, step.returns_to)))
    if step.runs:
        parts.append(f"menjalankan SOP {step.runs}")
    return "; ".join(parts) or "-"


def revisions_list(items: Sequence[RevisionRecord], tz: ZoneInfo) -> str:
    if not items:
        return "Belum ada SOP terdaftar; jalankan `sop init`."
    return table(
        ["SOP", "Revisi", "sha256", "Didaftarkan", "Kasus", "Berlaku untuk kasus baru"],
        [
            [
                r.name,
                format_date(r.revision),
                r.content_hash[:12] + "…",
                short(r.loaded_at, tz),
                r.cases,
                "ya" if r.current else "-",
            ]
            for r in items
        ],
    )


def init_text(report: InitReport) -> str:
    lines = [f"Basis data siap: {report.database} (skema {report.schema_revision})."]
    if report.office_created:
        lines.append("Kantor dibuat dan jejak audit dimulai.")
    lines.append(f"SOP terdaftar: {', '.join(report.workflows) or '-'}.")
    if report.people_added:
        lines.append(f"Pegawai demo ditambahkan: {', '.join(report.people_added)}.")
    return "\n".join(lines)


def demo_timeline(result: DemoResult) -> str:
    """The simulated case as a Sekretaris would read it."""
    tz, per_day = result.tz, result.jam_kerja_per_hari
    rows = []
    for r in result.rows:
        verdict = (
            "tepat waktu" if r.late_seconds == 0 else f"terlambat {format_working_seconds(r.late_seconds, per_day)}"
        )
        rows.append(
            [
                f"{r.no}" + (f" (ke-{r.round})" if r.round > 1 else ""),
                clip(r.name, 40),
                f"{r.actor} ({ROLE_LABELS.get(r.role, r.role)})",
                r.budget,
                short(r.started, tz),
                short(r.due, tz),
                short(r.finished, tz),
                verdict,
                r.outcome,
            ]
        )
    case = result.case
    late = [r for r in result.rows if r.late_seconds]
    summary = [
        f"Simulasi kasus {case.id}: {case.title}",
        f"Dimulai {format_instant(case.started_at, tz)}; "
        + (f"selesai {format_instant(case.finished_at, tz)}." if case.finished_at else "belum selesai."),
        "Waktu dihitung dalam jam kerja kantor menurut config.toml: istirahat siang, akhir pekan, "
        "libur nasional dan cuti bersama dilewati.",
        "",
        table(["Langkah", "Uraian", "Pelaksana", "Waktu", "Mulai", "Tenggat", "Selesai", "Ketepatan", "Hasil"], rows),
        "",
        notices_text(result),
        "",
        f"{len(result.rows)} tindakan, {len(late)} terlambat; "
        f"status akhir: {CASE_STATUS_LABELS.get(case.status, case.status)}.",
        verify_text(result.verify, hint=False),
    ]
    return "\n".join(summary)
