"""How the command line shows things to people: tables, timelines and messages in Indonesian.

Only formatting lives here: every function takes records from the services and returns text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sop_engine.api_tokens import TokenRecord
from sop_engine.artefacts import ArtefactRecord
from sop_engine.audit import ACTION_LABELS, AuditRecord, VerifyResult
from sop_engine.calendar import Holiday
from sop_engine.cases import STATUS_LABELS, CaseRecord
from sop_engine.definitions import ROLE_LABELS, WorkflowDef
from sop_engine.demo import DemoResult
from sop_engine.durations import format_working_seconds
from sop_engine.formatting import (
    format_date,
    format_day,
    format_instant,
    format_instant_short,
    format_size,
    iso_local,
)
from sop_engine.install import InitReport
from sop_engine.notify.worker import TickReport
from sop_engine.outbox import KIND_LABELS, Moved, NotificationRecord
from sop_engine.outbox import STATUS_LABELS as NOTE_STATUS
from sop_engine.people import PersonRecord
from sop_engine.planning import Plan, Projection
from sop_engine.workflows import RevisionRecord


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with a header rule; cells are converted with str()."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(headers), "  ".join("─" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _short(at: object, tz: ZoneInfo) -> str:
    from datetime import datetime

    return format_instant_short(at, tz) if isinstance(at, datetime) else "-"


def case_detail(case: CaseRecord, tz: ZoneInfo) -> str:
    """``sop case show``: the case header and its steps."""
    head = [
        f"Kasus {case.id} — {case.title}",
        f"Tahun {case.year} · status {STATUS_LABELS.get(case.status, case.status)} · dimulai "
        f"{format_instant(case.started_at, tz)} oleh {case.started_by}",
        f"SOP revisi {format_date(case.revision)} (sha256 {case.definition_hash[:12]}…)",
    ]
    if case.current_step:
        step = case.steps[case.current_step - 1]
        due = format_instant(step.due_at, tz) if step.due_at else "-"
        late = " — TERLAMBAT" if step.overdue else ""
        head.append(f"Langkah aktif: {step.no}. {step.name} ({step.role}), tenggat {due}{late}")
    if case.cancel_reason:
        head.append(f"Dibatalkan: {case.cancel_reason}")
    rows = []
    for s in case.steps:
        status = STATUS_LABELS.get(s.status, s.status) + (" (terlambat)" if s.overdue else "")
        docs = ", ".join(f"{a.id} {a.filename}" for a in s.artefacts)
        rows.append(
            [
                s.no,
                _clip(s.name, 44),
                ROLE_LABELS.get(s.role, s.role),
                s.budget,
                status,
                s.round or "-",
                _short(s.due_at, tz),
                _short(s.completed_at, tz),
                s.completed_by or "-",
                docs or "-",
            ]
        )
    return (
        "\n".join(head)
        + "\n\n"
        + table(
            ["No", "Langkah", "Pelaksana", "Waktu", "Status", "Putaran", "Tenggat", "Selesai", "Oleh", "Dokumen"], rows
        )
    )


def case_list(cases: Sequence[CaseRecord], tz: ZoneInfo) -> str:
    if not cases:
        return "Belum ada kasus. Mulai dengan: sop case start lakip --year TAHUN --by sekretaris"
    rows = []
    for c in cases:
        step = c.steps[c.current_step - 1] if c.current_step else None
        rows.append(
            [
                c.id,
                c.year,
                STATUS_LABELS.get(c.status, c.status),
                f"{step.no}. {_clip(step.name, 36)}" if step else "-",
                _short(step.due_at, tz) if step else "-",
                "ya" if step and step.overdue else "-",
                _short(c.started_at, tz),
            ]
        )
    return table(["Kasus", "Tahun", "Status", "Langkah aktif", "Tenggat", "Terlambat", "Dimulai"], rows)


def case_changed(case: CaseRecord, message: str, tz: ZoneInfo) -> str:
    """One line of what happened and what comes next."""
    if case.current_step:
        step = case.steps[case.current_step - 1]
        due = format_instant(step.due_at, tz) if step.due_at else "-"
        return f"{message}\nBerikutnya: langkah {step.no} ({step.name}) oleh peran {step.role}, tenggat {due}."
    if case.status == "done":
        return f"{message}\nKasus {case.id} selesai seluruhnya."
    return message


def artefact_list(items: Sequence[ArtefactRecord], tz: ZoneInfo) -> str:
    if not items:
        return "Belum ada dokumen pada kasus ini."
    return table(
        ["ID", "Langkah", "Putaran", "Jenis dokumen", "Nama berkas", "Ukuran", "Oleh", "Waktu", "sha256"],
        [
            [
                a.id,
                a.step,
                a.round,
                a.kind,
                a.filename,
                format_size(a.size),
                a.uploaded_by,
                _short(a.uploaded_at, tz),
                a.sha256[:16] + "…",
            ]
            for a in items
        ],
    )


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


def token_json(token: TokenRecord, tz: ZoneInfo) -> dict[str, object]:
    """One API token for ``sop people token list --json`` (never its value)."""
    return {
        "prefix": token.prefix,
        "label": token.label,
        "created_at": iso_local(token.created_at, tz),
        "last_used_at": iso_local(token.last_used_at, tz),
        "expires_at": iso_local(token.expires_at, tz),
        "revoked_at": iso_local(token.revoked_at, tz),
    }


def tokens_list(username: str, items: Sequence[TokenRecord], tz: ZoneInfo, now: datetime) -> str:
    if not items:
        return f"{username} belum punya token API. Buat dengan `sop people token issue {username}`."

    def state(token: TokenRecord) -> str:
        if token.revoked_at is not None:
            return f"dicabut {_short(token.revoked_at, tz)}"
        if token.expires_at is not None and token.expires_at <= now:
            return f"kedaluwarsa {_short(token.expires_at, tz)}"
        return "berlaku" + (f" s.d. {_short(token.expires_at, tz)}" if token.expires_at else "")

    return table(
        ["Awalan", "Label", "Dibuat", "Terakhir dipakai", "Status"],
        [
            [
                t.prefix + "…",
                t.label or "-",
                _short(t.created_at, tz),
                _short(t.last_used_at, tz) if t.last_used_at else "-",
                state(t),
            ]
            for t in items
        ],
    )


def audit_log(items: Sequence[AuditRecord], tz: ZoneInfo) -> str:
    if not items:
        return "Jejak audit kosong."
    return table(
        ["#", "Dicatat", "Terjadi", "Pelaku", "Peran", "Tindakan", "Kasus", "Langkah", "Hash"],
        [
            [
                e.seq,
                _short(e.recorded_at, tz),
                _short(e.stated_at, tz),
                e.actor,
                e.role,
                ACTION_LABELS.get(e.action, e.action),
                e.case or "-",
                e.step or "-",
                e.hash[:12] + "…",
            ]
            for e in items
        ],
    )


def verify_text(result: VerifyResult, hint: bool = True) -> str:
    if result.ok and not hint:
        return f"Jejak audit utuh: {result.events} peristiwa, rantai hash tersambung."
    if result.ok:
        return (
            f"Jejak audit utuh: {result.events} peristiwa, rantai hash tersambung.\n"
            f"Kepala rantai: #{result.head_seq} {result.head_hash}\n"
            "Catat kepala rantai ini di luar sistem; kelak `sop audit verify --head "
            f"{result.head_seq}:{result.head_hash}` membuktikan jejak tidak ditulis ulang."
        )
    if result.mismatches:
        return (
            f"ISI TABEL TIDAK SESUAI DENGAN JEJAK AUDIT ({len(result.mismatches)} isian; rantai hash sendiri utuh, "
            f"{result.events} peristiwa):\n"
            + "\n".join(f"- {line}" for line in result.mismatches)
            + "\nData itu diubah di luar sop-engine. Laporkan ke Inspektorat dan pulihkan basis data dari cadangan."
        )
    return (
        f"JEJAK AUDIT RUSAK mulai peristiwa #{result.first_bad_seq}.\n{result.problem}\n"
        f"({result.events} peristiwa diperiksa; kepala rantai tercatat #{result.head_seq}.) "
        "Laporkan ke Inspektorat dan pulihkan basis data dari cadangan."
    )


def holidays_list(year: int, items: Sequence[Holiday]) -> str:
    if not items:
        return f"Tidak ada hari libur tercatat untuk tahun {year}."
    return f"Hari libur dan cuti bersama tahun {year}:\n" + table(
        ["Tanggal", "Nama", "Jenis"], [[format_day(h.date), h.name, h.source] for h in items]
    )


def workflow_detail(definition: WorkflowDef) -> str:
    h = definition.header
    lines = [
        f"{definition.title} ({definition.name})",
        f"Nomor SOP: {h.nomor}",
        f"Dibuat {format_date(h.tanggal_pembuatan)}"
        + (f", direvisi {format_date(h.tanggal_revisi)}" if h.tanggal_revisi else "")
        + f", disahkan {format_date(h.tanggal_pengesahan)} oleh {h.disahkan_oleh}",
        "",
    ]
    rows = [
        [
            s.no,
            _clip(s.name, 60),
            ROLE_LABELS.get(s.role, s.role),
            str(s.budget),
            s.output,
            s.file_rule.value,
            ", ".join(map(str, s.returns_to)) or "-",
        ]
        for s in definition.steps
    ]
    return "\n".join(lines) + table(["No", "Uraian", "Pelaksana", "Waktu", "Output", "Berkas", "Kembali ke"], rows)


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
                _short(r.loaded_at, tz),
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
                _clip(r.name, 40),
                f"{r.actor} ({ROLE_LABELS.get(r.role, r.role)})",
                r.budget,
                _short(r.started, tz),
                _short(r.due, tz),
                _short(r.finished, tz),
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
        f"status akhir: {STATUS_LABELS.get(case.status, case.status)}.",
        verify_text(result.verify, hint=False),
    ]
    return "\n".join(summary)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def projection_text(projection: Projection, tz: ZoneInfo, per_day: float) -> str:
    """The projected finish and the slack against the office's submission deadline."""
    deadline = format_instant(projection.deadline, tz)
    if projection.finish is None or projection.slack_seconds is None:
        return f"\nBatas penyampaian kantor: {deadline}."
    slack = format_working_seconds(abs(projection.slack_seconds), per_day)
    verdict = f"cadangan {slack} kerja" if projection.slack_seconds >= 0 else f"TERLAMBAT {slack} kerja dari batas itu"
    return (
        f"\nPerkiraan selesai: {format_instant(projection.finish, tz)} (bila tiap langkah memakai seluruh "
        f"waktunya).\nBatas penyampaian kantor: {deadline}; {verdict}."
    )


def plan_text(plan: Plan, tz: ZoneInfo, per_day: float) -> str:
    """``sop plan``: the latest start and finish of each step."""
    rows = [
        [
            s.no,
            _clip(s.name, 48),
            ROLE_LABELS.get(s.role, s.role),
            s.budget,
            format_instant(s.latest_start, tz),
            format_instant(s.latest_finish, tz),
        ]
        for s in plan.steps
    ]
    head = [f"Rencana mundur {plan.workflow}: selesai paling lambat {format_instant(plan.effective_deadline, tz)}"]
    if plan.effective_deadline != plan.deadline:
        head.append(
            f"(batas {format_instant(plan.deadline, tz)} jatuh di luar jam kerja; dihitung dari jam kerja "
            "terakhir sebelumnya)"
        )
    head.append(
        f"Mulai paling lambat {format_instant(plan.start_by, tz)}; seluruhnya "
        f"{format_working_seconds(plan.total_seconds, per_day)} kerja."
    )
    return (
        "\n".join(head)
        + "\n\n"
        + table(["No", "Langkah", "Pelaksana", "Waktu", "Mulai paling lambat", "Selesai paling lambat"], rows)
    )


def tick_json(report: TickReport, tz: ZoneInfo) -> dict[str, object]:
    return {
        "now": report.now.astimezone(tz).isoformat(),
        "digests_created": report.digests_created,
        "handled": [
            {
                "id": o.id,
                "kind": o.kind,
                "level": o.level,
                "case": o.case,
                "step": o.step,
                "recipient": o.recipient,
                "status": o.status,
                "channels": list(o.channels),
                "note": o.note,
            }
            for o in report.outcomes
        ],
    }


def tick_text(report: TickReport, tz: ZoneInfo) -> str:
    """What one scheduler pass did, for people and for cron logs."""
    when = format_instant(report.now, tz)
    if not report.outcomes:
        return f"{when}: tidak ada notifikasi yang jatuh tempo."
    rows = [
        [
            o.id,
            KIND_LABELS.get(o.kind, o.kind) + (f" {o.level}" if o.level else ""),
            o.case or "-",
            o.step or "-",
            o.recipient,
            NOTE_STATUS.get(o.status, o.status),
            ", ".join(o.channels) or "-",
            o.note or "",
        ]
        for o in report.outcomes
    ]
    return f"{when}: {len(report.outcomes)} notifikasi diproses.\n" + table(
        ["ID", "Jenis", "Kasus", "Langkah", "Penerima", "Hasil", "Saluran", "Keterangan"], rows
    )


def notification_json(n: NotificationRecord, tz: ZoneInfo) -> dict[str, object]:
    return {
        "id": n.id,
        "kind": n.kind,
        "level": n.level,
        "case": n.case,
        "step": n.step,
        "round": n.round,
        "recipient": n.recipient,
        "cc": list(n.cc),
        "channels": list(n.channels),
        "due_at": n.due_at.astimezone(tz).isoformat(),
        "status": n.status,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "finished_at": n.finished_at.astimezone(tz).isoformat() if n.finished_at else None,
        "deliveries": [{"channel": c, "status": s} for c, s in n.deliveries],
    }


def notifications_table(items: Sequence[NotificationRecord], tz: ZoneInfo) -> str:
    if not items:
        return "Belum ada notifikasi."
    rows = [
        [
            n.id,
            KIND_LABELS.get(n.kind, n.kind) + (f" {n.level}" if n.level else ""),
            n.case or "-",
            n.step or "-",
            n.recipient,
            ", ".join(n.channels),
            format_instant_short(n.due_at, tz),
            NOTE_STATUS.get(n.status, n.status),
            n.attempts,
            _clip(n.last_error or "", 60),
        ]
        for n in items
    ]
    return table(
        ["ID", "Jenis", "Kasus", "Langkah", "Penerima", "Saluran", "Jatuh tempo", "Status", "Percobaan", "Keterangan"],
        rows,
    )


def moved_text(moved: Sequence[Moved], tz: ZoneInfo) -> str:
    if not moved:
        return "Tidak ada tenggat yang berubah."
    return f"{len(moved)} tenggat dipindahkan:\n" + table(
        ["Kasus", "Langkah", "Tenggat lama", "Tenggat baru", "Notifikasi"],
        [
            [m.case, m.step, format_instant(m.old_due, tz), format_instant(m.new_due, tz), m.notifications]
            for m in moved
        ],
    )


def notices_text(result: DemoResult) -> str:
    """The notifications the simulated scheduler sent, in order."""
    if not result.notices:
        return "Tidak ada pengingat atau eskalasi yang terkirim."
    rows = [
        [
            format_instant_short(n.at, result.tz),
            KIND_LABELS.get(n.kind, n.kind) + (f" {n.level}" if n.level else ""),
            n.step,
            n.recipient,
        ]
        for n in result.notices
    ]
    return "Pengingat dan eskalasi yang dikirim penjadwal:\n" + table(["Waktu", "Jenis", "Langkah", "Penerima"], rows)
