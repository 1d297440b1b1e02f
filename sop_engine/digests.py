"""The daily digest: one row per person with active work, created once a day at the digest time.

The rows go into the notification outbox like any other and the worker delivers them; who has
work is read before the write transaction, from the distinct (revision, step) pairs of the active
steps rather than from every case, so a busy office's writers are not held while it is worked out.
:class:`DailyDigests` is a worker's memory that the day's rows exist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from sop_engine import workflows
from sop_engine.context import Context
from sop_engine.db.models import Case, CaseStep, Notification, Person, PersonRole, WorkflowDefinition
from sop_engine.db.statuses import CaseStatus, NotificationKind, NotificationStatus, StepStatus


class DailyDigests:
    """Creates each day's digest rows once per worker: later passes that day do not look again."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._done: date | None = None

    def create(self, now: datetime) -> int:
        """How many rows were created now (0 before the digest time, or once the day's exist)."""
        day = now.astimezone(self.ctx.tz).date()
        if self._done == day:
            return 0
        created = create_digests(self.ctx, now)
        if created is None:
            return 0
        self._done = day
        return created


def digest_moment(ctx: Context, now: datetime) -> datetime | None:
    """When the digests of ``now``'s day fall due (UTC); ``None`` when there are none that day."""
    config = ctx.settings.notifications.digest
    local = now.astimezone(ctx.tz)
    if not config.enabled or not ctx.calendar.is_working_day(local.date()):
        return None
    return datetime.combine(local.date(), config.time, tzinfo=ctx.tz).astimezone(UTC)


def create_digests(ctx: Context, now: datetime) -> int | None:
    """Create the day's digest rows once the digest time has come on a working day.

    How many were created (0 on a day without digests); ``None`` before the digest time. Who has
    work is read before the write transaction, so writers are held only for the missing rows.
    """
    moment = digest_moment(ctx, now)
    if moment is None:
        return 0
    if now < moment:
        return None
    prefix = f"digest/{moment.astimezone(ctx.tz).date().isoformat()}/"
    with ctx.db.read() as session:
        office_id = ctx.office(session).id
        wanted = _people_with_work(session, office_id, moment)
        missing = wanted.keys() - _digest_keys(session, office_id, moment, prefix, wanted)
    if not missing:
        return 0
    try:
        with ctx.db.write() as session:
            missing -= _digest_keys(session, office_id, moment, prefix, wanted)
            rows = [_digest_row(office_id, prefix + username, wanted[username], moment, now) for username in missing]
            if rows:
                session.execute(insert(Notification), rows)
            return len(rows)
    except DBIntegrityError:
        return 0  # another worker created them at the same moment


def _digest_keys(session: Session, office_id: int, moment: datetime, prefix: str, wanted: dict[str, int]) -> set[str]:
    """The usernames among ``wanted`` whose digest of ``moment`` exists (read by the indexed due_at)."""
    keys = session.scalars(
        select(Notification.dedupe_key).where(
            Notification.office_id == office_id,
            Notification.due_at == moment,
            Notification.kind == NotificationKind.DIGEST,
        )
    )
    return {key.removeprefix(prefix) for key in keys if key.startswith(prefix)} & wanted.keys()


def _digest_row(office_id: int, key: str, person_id: int, moment: datetime, now: datetime) -> dict[str, object]:
    return {
        "office_id": office_id,
        "dedupe_key": key,
        "kind": NotificationKind.DIGEST,
        "level": 0,
        "recipient_id": person_id,
        "due_at": moment,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": moment,
        "created_at": now,
    }


def _people_with_work(session: Session, office_id: int, moment: datetime) -> dict[str, int]:
    """The active people (username -> id) holding a role of a step active at ``moment``.

    Reads the distinct (revision, step) pairs of the active steps, not the cases themselves.
    """
    pairs = session.execute(
        select(Case.definition_id, CaseStep.no)
        .distinct()
        .join(CaseStep, CaseStep.case_id == Case.id)
        .where(
            Case.office_id == office_id,
            Case.status == CaseStatus.RUNNING,
            CaseStep.status == StepStatus.ACTIVE,
            CaseStep.activated_at <= moment,
        )
    ).all()
    if not pairs:
        return {}
    stored = session.scalars(
        select(WorkflowDefinition).where(WorkflowDefinition.id.in_({definition for definition, _ in pairs}))
    )
    definitions = {row.id: workflows.parse_stored(row) for row in stored}
    # Every actor of a paraf chain: whose turn it is is read from the case when the digest is composed.
    roles = {role for definition, no in pairs for role in definitions[definition].step(no).actors}
    people = session.execute(
        select(Person.username, Person.id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.office_id == office_id, Person.active.is_(True), PersonRole.role.in_(roles))
    )
    return {username: person_id for username, person_id in people}
