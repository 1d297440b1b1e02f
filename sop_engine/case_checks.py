"""The refusals of the case actions: each check raises before anything is written.

A year that makes no sense, a role that may not act, a case that already exists or has ended, a
step that is not active (saying who completed it, and when), a return not declared by the SOP,
missing files, a stated time in the future or before the step began. :mod:`sop_engine.cases`
runs them in the order its actions read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sop_engine.artefacts import CheckedFile
from sop_engine.case_rows import CaseRow, StepRow
from sop_engine.clock import to_utc
from sop_engine.context import Context
from sop_engine.db.models import Case
from sop_engine.db.queries import table
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import FileRule, StepDef, StepKind
from sop_engine.directory import Member
from sop_engine.errors import Conflict, InvalidInput, NotAllowed
from sop_engine.formatting import format_instant
from sop_engine.remedies import Field, Hint, Remedy
from sop_engine.roles import DEFAULT_ROLES, Roles
from sop_engine.views.labels import STATUS_LABELS


def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"Tahun {year} tidak masuk akal; isikan tahun empat angka, misalnya 2021.", value=year, field=Field.YEAR
        )


def _require_role(person: Member, role: str, message: str) -> None:
    if role not in person.role_names:
        raise NotAllowed(message, value=person.username, role=role)


def require_step_role(person: Member, step: StepDef, roles: Roles = DEFAULT_ROLES, position: int = 0) -> str:
    """The role whose turn it is at ``step`` (its paraf chain's ``position``), if ``person`` holds it."""
    role = step.actors[position]
    if len(step.actors) == 1:
        message = f"Langkah {step.no} ({step.name}) hanya dapat dikerjakan oleh peran {roles.named(role)}"
    else:
        chain = " lalu ".join(roles.label(actor) for actor in step.actors)
        message = (
            f"Langkah {step.no} ({step.name}) sekarang menunggu paraf peran {roles.named(role)}, "
            f"urutan {position + 1} dari {len(step.actors)} ({chain})"
        )
    _require_role(
        person, role, f"{message}; '{person.username}' berperan {roles.named_all(person.role_names, '(tanpa peran)')}."
    )
    return role


def require_process(step: StepDef) -> None:
    """A decision is answered, not completed. (A ``jalankan`` step completes with its linked case:
    :func:`sop_engine.case_links.require_by_hand`.)"""
    if step.kind is StepKind.DECISION:
        raise NotAllowed(
            f"Langkah {step.no} ({step.name}) adalah keputusan: {step.question} Langkah ini dijawab Ya atau "
            "Tidak, tidak ditandai selesai.",
            value=step.no,
        )


_c = table(Case).c
_EXISTING = select(_c.code, _c.started_by, _c.status).where(
    _c.office_id == bindparam("office_id"),
    _c.workflow == bindparam("workflow"),
    _c.year == bindparam("year"),
    _c.status != CaseStatus.CANCELLED,  # a cancelled year may be started again (sop_engine.case_restarts)
)


def require_no_case(session: Session, office_id: int, workflow: str, year: int, code: str) -> None:
    existing = (
        session.connection().execute(_EXISTING, {"office_id": office_id, "workflow": workflow, "year": year}).first()
    )
    if existing is not None:
        existing_code, started_by, status = existing
        raise Conflict(
            f"Kasus {existing_code} untuk tahun {year} sudah ada (dimulai oleh {started_by}, status "
            f"{STATUS_LABELS.get(status, status)}); satu kasus per SOP per tahun.",
            value=year,
            hint=Hint(Remedy.SHOW_CASE, case=existing_code),
        )


def require_workable(ctx: Context, case: CaseRow, row: StepRow, step: StepDef) -> None:
    """The case runs and the step is active; a step already done is a Conflict naming who did it,
    even when that completion finished the case (the loser of a race on the last step)."""
    if row.status != StepStatus.DONE:
        require_running(ctx, case)
    _require_active(ctx, case, row, step)


def require_running(ctx: Context, case: CaseRow) -> None:
    if case.status != CaseStatus.RUNNING:
        when = format_instant(case.finished_at, ctx.tz) if case.finished_at else "-"
        raise NotAllowed(
            f"Kasus {case.code} sudah {STATUS_LABELS.get(case.status, case.status)} ({when}); tidak ada langkah "
            "yang dapat dikerjakan lagi.",
            value=case.code,
        )


def _require_active(ctx: Context, case: CaseRow, row: StepRow, step: StepDef) -> None:
    if row.status == StepStatus.ACTIVE:
        return
    active = [other.no for other in case.steps if other.status == StepStatus.ACTIVE]
    current = active[0] if active else None
    now_text = f"langkah yang aktif sekarang: {', '.join(map(str, active))}" if active else "tidak ada langkah aktif"
    if row.status == StepStatus.SKIPPED:
        raise NotAllowed(
            f"Langkah {step.no} ({step.name}) dilewati karena cabang keputusan tidak menuju ke sana; {now_text}.",
            value=step.no,
            current_step=current,
            active_steps=active,
        )
    if row.status == StepStatus.DONE and row.completed_at is not None:
        raise Conflict(
            f"Langkah {step.no} ({step.name}) sudah diselesaikan oleh {row.completed_by} pada "
            f"{format_instant(row.completed_at, ctx.tz)}; {now_text}.",
            value=step.no,
            completed_by=row.completed_by,
            completed_at=row.completed_at.isoformat(),
        )
    raise NotAllowed(
        f"Langkah {step.no} ({step.name}) belum aktif; {now_text}. Langkah dikerjakan berurutan.",
        value=step.no,
        current_step=current,
        **({"active_steps": active} if len(active) > 1 else {}),
    )


def require_declared_return(step: StepDef, target: StepDef) -> None:
    if target.no not in step.returns_to:
        allowed = ", ".join(str(n) for n in step.returns_to)
        hint = (
            f"langkah {step.no} hanya dapat dikembalikan ke langkah {allowed}"
            if allowed
            else (f"langkah {step.no} tidak dapat dikembalikan ke langkah mana pun")
        )
        raise NotAllowed(
            f"Pengembalian dari langkah {step.no} ke langkah {target.no} tidak diatur dalam SOP; {hint}.",
            value=target.no,
            allowed=allowed,
        )


def require_files(step: StepDef, checked: Sequence[CheckedFile], confirming: bool = False) -> None:
    """The step's file rule; a later actor of a paraf chain (``confirming``) need not attach again."""
    if step.file_rule is FileRule.REQUIRED and not checked and not confirming:
        raise InvalidInput(
            f"Langkah {step.no} ({step.name}) wajib melampirkan dokumen '{step.output}' "
            f"(jenis yang diterima: {', '.join(step.file_kinds)}); lampirkan berkasnya.",
            value=step.no,
            field=Field.FILE,
            output=step.output,
        )
    if step.file_rule is FileRule.NONE and checked:
        raise InvalidInput(
            f"Langkah {step.no} tidak menerima lampiran; kirim tanpa berkas.",
            value=step.no,
            field=Field.FILE,
        )


def stated_time(ctx: Context, at: datetime | None, not_before: datetime | None, what: str) -> datetime:
    """The time the action happened: now, or ``at`` for paper work recorded afterwards."""
    now = ctx.clock.now()
    if at is None:
        return now
    at = to_utc(at)
    if at > now:
        raise InvalidInput(
            f"Waktu kejadian {format_instant(at, ctx.tz)} ada di masa depan; waktu kejadian hanya untuk mencatat "
            f"pekerjaan yang sudah terjadi. Kosongkan waktu kejadian untuk {what} sekarang.",
            value=at.isoformat(),
            field=Field.AT,
        )
    if not_before is not None and at < not_before:
        raise InvalidInput(
            f"Waktu kejadian {format_instant(at, ctx.tz)} lebih awal dari saat langkah ini mulai "
            f"({format_instant(not_before, ctx.tz)}); isikan waktu sesudahnya.",
            value=at.isoformat(),
            field=Field.AT,
        )
    return at
