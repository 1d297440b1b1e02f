"""How the command line shows things to people: tables, timelines and messages in Indonesian.

Only formatting lives here: every function takes records from the services and returns text.
This module holds the shared helpers (:func:`table`, :func:`short`, :func:`clip`) and the casework:
cases, steps, documents, plans and the audit trail; :mod:`.output_office` shows the office and its
set-up, :mod:`.output_notify` the scheduler and its notifications. The JSON that ``--json``
prints is not made here but in :mod:`sop_engine.views`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sop_engine.artefacts import ArtefactRecord
from sop_engine.audit import AuditRecord, VerifyResult
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.durations import format_working_seconds
from sop_engine.formatting import format_date, format_instant, format_instant_short, format_size
from sop_engine.planning import Plan, Projection
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.views.labels import ACTION_LABELS, ANSWER_LABELS, CASE_STATUS_LABELS, STEP_STATUS_LABELS


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


def short(at: object, tz: ZoneInfo) -> str:
    """An instant in a table cell ("Sen 11/01/2021 08.00"), or "-" for none."""
    return format_instant_short(at, tz) if isinstance(at, datetime) else "-"


def _active(case: CaseRecord) -> tuple[int, ...]:
    """The steps active now, parallel ones together (the current step of a record that lists none)."""
    return case.active_steps or ((case.current_step,) if case.current_step else ())


def case_detail(case: CaseRecord, tz: ZoneInfo, roles: Roles = DEFAULT_ROLES) -> str:
    """``sop case show``: the case header and its steps."""
    head = [
        f"Kasus {case.id} — {case.title}",
        f"Tahun {case.year} · status {CASE_STATUS_LABELS.get(case.status, case.status)} · dimulai "
        f"{format_instant(case.started_at, tz)} oleh {case.started_by}",
        f"SOP revisi {format_date(case.revision)} (sha256 {case.definition_hash[:12]}…)",
    ]
    for no in _active(case):
        step = case.steps[no - 1]
        due = format_instant(step.due_at, tz) if step.due_at else "-"
        late = " — TERLAMBAT" if step.overdue else ""
        head.append(f"Langkah aktif: {step.no}. {step.name} ({roles.label(step.role)}), tenggat {due}{late}")
    if case.cancel_reason:
        head.append(f"Dibatalkan: {case.cancel_reason}")
    if case.restart_of:
        head.append(f"Memulai ulang kasus {case.restart_of} (dibatalkan)")
    if case.restarted_as:
        head.append(f"Dimulai ulang sebagai kasus {case.restarted_as}")
    if case.part_of:
        head.append(f"Bagian dari {case.part_of[0]} langkah {case.part_of[1]}")
    for no, linked, linked_status in case.linked_cases:
        head.append(
            f"Langkah {no} dijalankan sebagai kasus {linked} ({CASE_STATUS_LABELS.get(linked_status, linked_status)})"
        )
    rows = []
    for s in case.steps:
        status = STEP_STATUS_LABELS.get(s.status, s.status) + (" (terlambat)" if s.overdue else "")
        if s.answer:
            status += f", dijawab {ANSWER_LABELS.get(s.answer, s.answer)}"
        docs = ", ".join(f"{a.id} {a.filename}" for a in s.artefacts)
        rows.append(
            [
                s.no,
                clip(s.name, 44),
                roles.label(s.role),
                s.budget,
                status,
                s.round or "-",
                short(s.due_at, tz),
                short(s.completed_at, tz),
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
        + "".join(f"\n\n{_paraf_chain(s, tz, roles)}" for s in case.steps if s.parafs)
    )


def _paraf_chain(step: StepRecord, tz: ZoneInfo, roles: Roles) -> str:
    """A paraf chain's progress: each actor in order, who confirmed and when, whose turn it is."""
    lines = [f"Paraf berjenjang langkah {step.no} ({step.name}):"]
    for place, paraf in enumerate(step.parafs):
        if paraf.by is not None and paraf.at is not None:
            state = f"diparaf {paraf.by}, {format_instant(paraf.at, tz)}"
        else:
            state = "gilirannya sekarang" if step.turn == place else "belum"
        lines.append(f"  {place + 1}. {roles.label(paraf.role)}: {state}")
    return "\n".join(lines)


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
                CASE_STATUS_LABELS.get(c.status, c.status),
                f"{step.no}. {clip(step.name, 36)}" if step else "-",
                short(step.due_at, tz) if step else "-",
                "ya" if step and step.overdue else "-",
                short(c.started_at, tz),
            ]
        )
    return table(["Kasus", "Tahun", "Status", "Langkah aktif", "Tenggat", "Terlambat", "Dimulai"], rows)


def case_changed(case: CaseRecord, message: str, tz: ZoneInfo, roles: Roles = DEFAULT_ROLES) -> str:
    """One line of what happened and what comes next (who does it named as the office names the role)."""
    if _active(case):  # every step now active, each with its deadline (parallel steps start together)
        lines = [message]
        for no in _active(case):
            step = case.steps[no - 1]
            due = format_instant(step.due_at, tz) if step.due_at else "-"
            lines.append(f"Berikutnya: langkah {step.no} ({step.name}) oleh {roles.label(step.role)}, tenggat {due}.")
        return "\n".join(lines)
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
                short(a.uploaded_at, tz),
                a.sha256[:16] + "…",
            ]
            for a in items
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
                short(e.recorded_at, tz),
                short(e.stated_at, tz),
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


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def projection_text(projection: Projection, tz: ZoneInfo, per_day: float, done: bool = False) -> str:
    """The projected finish (the finish of a ``done`` case) and the slack against the workflow's deadline
    (``tenggat``), if it has one."""
    if projection.finish is None:
        return (
            ""
            if projection.deadline is None
            else f"\nBatas penyampaian kantor: {format_instant(projection.deadline, tz)}."
        )
    finish = format_instant(projection.finish, tz)
    line = (
        f"\nSelesai: {finish}."
        if done
        else f"\nPerkiraan selesai: {finish} (bila tiap langkah memakai seluruh waktunya)."
    )
    if projection.deadline is None or projection.slack_seconds is None:
        return line
    slack = format_working_seconds(abs(projection.slack_seconds), per_day)
    verdict = f"cadangan {slack} kerja" if projection.slack_seconds >= 0 else f"TERLAMBAT {slack} kerja dari batas itu"
    return f"{line}\nBatas penyampaian kantor: {format_instant(projection.deadline, tz)}; {verdict}."


def plan_text(plan: Plan, tz: ZoneInfo, per_day: float, roles: Roles = DEFAULT_ROLES) -> str:
    """``sop plan``: the latest start and finish of each step."""
    rows = [
        [
            s.no,
            clip(s.name, 48),
            roles.label(s.role),
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
