"""Composing a notification: who it goes to, who is in copy, and the values its templates render.

:func:`compose` reads the case and step a notification is about and hands the values to
:mod:`sop_engine.notify.messages` for rendering; :func:`digest_items` lists the steps a person's
daily digest names. Nothing here sends or records anything.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_engine import backdating, textrules, workflows
from sop_engine.context import Context
from sop_engine.db.models import Case, CaseStep, Notification, Person
from sop_engine.db.statuses import CaseStatus, NotificationKind, StepStatus
from sop_engine.definitions import FileRule
from sop_engine.machine import machine_for
from sop_engine.notify.messages import Message, Recipient, common_values, render, step_values


def recipient_of(person: Person) -> Recipient:
    """The person as a message addresses them; a name stored before the text rules loses its control characters."""
    return Recipient(person.username, textrules.scrub_line(person.name), person.email, person.phone, person.chat_id)


def compose(ctx: Context, env: Environment, session: Session, note: Notification, now: datetime) -> Message:
    """The message of ``note`` at ``now``: its recipient, people in copy, and the rendered text and HTML."""
    to = recipient_of(note.recipient)
    values = common_values(ctx, to, now)
    cc: tuple[Recipient, ...] = ()
    data: dict[str, object] = {"kind": note.kind, "level": note.level, "sent_at": now}
    if note.kind == NotificationKind.DIGEST:
        items = digest_items(ctx, session, note.recipient, note.due_at, now)
        values.update(items=items, late_count=sum(1 for i in items if i["late"]))
        data.update(items=[{k: v for k, v in i.items()} for i in items])
    else:
        case = session.get_one(Case, note.case_id)
        row = case.steps[(note.step_no or 1) - 1]
        definition = workflows.definition_of(case)
        step = definition.step(row.no)
        paraf = machine_for(definition).position(case.state, row.no)
        names = [u for u in (note.cc or "").split(",") if u]
        people = (
            session.scalars(select(Person).where(Person.office_id == note.office_id, Person.username.in_(names))).all()
            if names
            else []
        )
        cc = tuple(recipient_of(p) for p in people)
        if row.activated_at is None or row.due_at is None:
            raise RuntimeError(f"notification {note.id} for a step that never started")
        values.update(
            step_values(
                ctx,
                case=case.code,
                title=definition.title,
                year=case.year,
                step_no=row.no,
                step_name=step.name,
                role=step.actors[paraf],
                output=step.output,
                file_required=step.file_rule is FileRule.REQUIRED,
                budget=workflows.budget_label(ctx, step),
                activated_at=row.activated_at,
                due_at=row.due_at,
                now=now,
                level=note.level,
                cc_names=[p.name for p in people],
                chain=step.actors,
                paraf=paraf,
            )
        )
        data.update(
            case=case.code,
            step=row.no,
            round=row.round,
            due_at=row.due_at.isoformat(),
            late=values["late"],
            late_text=values["late_text"],
            link=values["link"],
        )
    subject, text, html = render(env, note.kind, values)
    sender = ctx.settings.notifications.email.sender
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "sop-engine.local"
    message_id = f"<sop.{ctx.settings.office.satker}.{note.id}@{domain}>"
    return Message(note.id, note.kind, note.level, subject, text, html, message_id, to, cc, data)


def digest_items(
    ctx: Context, session: Session, person: Person, moment: datetime, now: datetime
) -> list[dict[str, object]]:
    """The steps ``person`` may act on that were active at ``moment`` and still are."""
    roles = set(person.role_names)
    rows = session.execute(
        select(Case, CaseStep)
        .join(CaseStep, CaseStep.case_id == Case.id)
        .where(
            Case.office_id == person.office_id,
            Case.status == CaseStatus.RUNNING,
            CaseStep.status == StepStatus.ACTIVE,
            CaseStep.activated_at <= moment,
        )
        .order_by(CaseStep.due_at)
    ).all()
    items: list[dict[str, object]] = []
    entered_late = _entered_late_steps(session, {case.id for case, _ in rows})
    for case, row in rows:
        definition = workflows.definition_of(case)
        step = definition.step(row.no)
        role = step.actors[machine_for(definition).position(case.state, row.no)]  # whose turn it is
        if role not in roles or row.due_at is None or (case.id, row.no, row.round) in entered_late:
            continue
        values = step_values(
            ctx,
            case=case.code,
            title="",
            year=case.year,
            step_no=row.no,
            step_name=step.name,
            role=role,
            output=step.output,
            file_required=False,
            budget=workflows.budget_label(ctx, step),
            activated_at=row.activated_at or moment,
            due_at=row.due_at,
            now=now,
            level=0,
            cc_names=[],
        )
        items.append(
            {k: values[k] for k in ("case", "step_no", "step_name", "due_at", "late", "late_text", "left_text", "link")}
        )
    return items


def _entered_late_steps(session: Session, case_ids: set[int]) -> set[tuple[int, int, int | None]]:
    """(case, step, round) of the active steps recorded after their deadline had passed (``--at``).

    A digest leaves them out as the scheduler skips their due notices: entering an old case is
    not news of work that is late.
    """
    if not case_ids:
        return set()
    dues = session.execute(
        select(Notification.case_id, Notification.step_no, Notification.round, Notification.due_at)
        .add_columns(Notification.created_at)
        .where(Notification.case_id.in_(case_ids), Notification.kind == NotificationKind.DUE)
    ).all()
    return {
        (case_id, step_no, round_no)
        for case_id, step_no, round_no, due_at, created_at in dues
        if case_id is not None
        and step_no is not None
        and backdating.is_backdated(NotificationKind.DUE, due_at, created_at)
    }
