"""The database schema, as SQLAlchemy 2 typed models.

Every row that belongs to an office carries ``office_id``, so one database can serve one office
(the embedded SQLite default) or many (a central PostgreSQL deployment). Instants are stored
in UTC; :class:`UTCDateTime` makes SQLite, which has no time zones, hand them back aware.
Cases and steps carry a version column for optimistic locking. The audit table is append-only:
the migration installs triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sop_engine.db.columns import Status as Status
from sop_engine.db.columns import UTCDateTime as UTCDateTime
from sop_engine.db.columns import partial_index
from sop_engine.db.statuses import CaseStatus, DeliveryStatus, NotificationKind, NotificationStatus, StepStatus


class Base(DeclarativeBase):
    """Declarative base of all models."""


class Office(Base):
    """A satuan kerja (e.g. KPU Kabupaten Bangkalan, satker 3526)."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    #: Moved on by database triggers whenever the office's people, roles or supervisors change (0010),
    #: so that a process may keep the office's directory and know when it is stale.
    people_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    #: The letterhead lines of an office added with ``sop offices add`` (0011); config.toml's office reads config.toml.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(200), default="", server_default="")
    website: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The keys of the office's ``[calendar]`` that differ from the install's, as JSON (None: none).
    calendar: Mapped[str | None] = mapped_column(Text)
    #: The office above this one (a provincial office over kabupaten offices), whose pengawas read it.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    #: The kop's e-mail and logo (a PNG or JPEG file's bytes, None: no logo) of an added office (0021).
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Moved on by ``sop offices set`` with every change of the row (0022), so that a running service
    #: knows when the context it built from the row is stale.
    settings_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class Person(Base):
    """Someone who works in an office, with roles and a supervisor for escalation."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("office_id", "username", name="uq_people_office_username"),
        UniqueConstraint("office_id", "nip", name="uq_people_office_nip"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    nip: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    #: Preferred channels, comma-separated (email, webhook, log); empty means the office default.
    channels: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    roles: Mapped[list[PersonRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PersonRole.role"
    )
    supervisor: Mapped[Person | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(r.role for r in self.roles)


class PersonRole(Base):
    """One role of a person (a person may hold several)."""

    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class WorkflowDefinition(Base):
    """An SOP definition exactly as a case started under it (content-addressed)."""

    __tablename__ = "workflow_definitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revision: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Case(Base):
    """One run of a workflow for one year in one office (e.g. ``lakip-2021``)."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("office_id", "code", name="uq_cases_office_code"),
        # One case per workflow and year that is not cancelled; any number of a "bebas" workflow (numbered by serial).
        partial_index(
            "uq_cases_office_workflow_year_open",
            "office_id",
            "workflow",
            "year",
            unique=True,
            where="status <> 'cancelled' AND serial IS NULL",
        ),
        # The order of a page of the case list (sop_engine.case_pages): newest year first, then code.
        Index("ix_cases_office_year_code", "office_id", "year", "code"),
        # The cases a case's jalankan steps started (sop_engine.case_links).
        Index("ix_cases_parent_case_id", "parent_case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_cases_office_code starts with it (migration 0013).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(String(64))
    workflow: Mapped[str] = mapped_column(String(64))
    definition_id: Mapped[int] = mapped_column(ForeignKey("workflow_definitions.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[CaseStatus] = mapped_column(Status(CaseStatus))
    state: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(64))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The code of the cancelled case of the same year this one starts again (None: a first start).
    restart_of: Mapped[str | None] = mapped_column(String(64))
    #: The number of a case of a ``kasus = "bebas"`` workflow within its year (None: the yearly case).
    serial: Mapped[int | None] = mapped_column(Integer)
    #: The case whose ``jalankan`` step started this one, and that step (None: started by a person).
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", name="fk_cases_parent_case_id"))
    parent_step: Mapped[int | None] = mapped_column(Integer)

    definition: Mapped[WorkflowDefinition] = relationship(lazy="joined")
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", order_by="CaseStep.no", lazy="selectin", cascade="all, delete-orphan"
    )
    artefacts: Mapped[list[Artefact]] = relationship(order_by="Artefact.recorded_at", lazy="selectin")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as-is


class CaseStep(Base):
    """The state of one SOP step within one case."""

    __tablename__ = "case_steps"
    __table_args__ = (
        UniqueConstraint("case_id", "no", name="uq_case_steps_case_no"),
        # The steps in progress (Tugas Saya), without the history of every step ever done.
        partial_index("ix_case_steps_active", "case_id", "no", where="status = 'active'"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_case_steps_case_no starts with it (migration 0013).
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    no: Mapped[int] = mapped_column(Integer)
    status: Mapped[StepStatus] = mapped_column(Status(StepStatus))
    round: Mapped[int] = mapped_column(Integer, default=0)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    #: A decision step's answer, "ya" or "tidak", while it stands (NULL for a process step; migration 0020).
    answer: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    case: Mapped[Case] = relationship(back_populates="steps")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as-is


class StepReturn(Base):
    """Work sent back from a step to an earlier one, with its reason; the target restarts at ``round``.

    Written with the step change and its ``step.returned`` audit event (the event stays the
    evidence; :mod:`sop_engine.reconcile` compares the two).
    """

    __tablename__ = "step_returns"
    __table_args__ = (UniqueConstraint("case_id", "to_step", "round", name="uq_step_returns_case_to_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    from_step: Mapped[int] = mapped_column(Integer)
    to_step: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    returned_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    stated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Artefact(Base):
    """A document attached to a step; the bytes live in the content-addressed store."""

    __tablename__ = "artefacts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step_no: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(200))
    file_kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArtefactBlob(Base):
    """The bytes of a small document, kept in the database and committed with the step that attached it.

    Content-addressed like the folder store: one row per sha256, however many artefacts share the bytes.
    """

    __tablename__ = "artefact_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEvent(Base):
    """One link of an office's hash-chained, append-only audit trail."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("office_id", "seq", name="uq_audit_office_seq"),
        # The filters of Jejak Audit, each in chain order for a page (audit.list_events).
        Index("ix_audit_events_office_actor_seq", "office_id", "actor", "seq"),
        Index("ix_audit_events_office_action_seq", "office_id", "action", "seq"),
        Index("ix_audit_events_office_stated_at", "office_id", "stated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_audit_office_seq starts with it (migration 0013).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    seq: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    case_code: Mapped[str | None] = mapped_column(String(64), index=True)
    step_no: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last link of each office's chain; locked while appending so the chain never forks."""

    __tablename__ = "audit_heads"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """One message due to one person at one moment: the outbox row the scheduler delivers.

    Created and cancelled in the same transaction as the step change that needs it, so the
    database, not a worker's memory, is the truth about what is due.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("office_id", "dedupe_key", name="uq_notifications_office_key"),
        # The queue reads only pending rows: due order for claims, lease ends for the next wake-up.
        partial_index("ix_notifications_pending", "office_id", "next_attempt_at", "id", where="status = 'pending'"),
        partial_index(
            "ix_notifications_leased",
            "office_id",
            "lease_until",
            where="status = 'pending' AND lease_until IS NOT NULL",
        ),
        # The failed rows /metrics counts by kind, without the history (0013).
        partial_index("ix_notifications_failed", "office_id", "kind", where="status = 'failed'"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_notifications_office_key starts with it (migration 0013).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[NotificationKind] = mapped_column(Status(NotificationKind))
    level: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    case_code: Mapped[str | None] = mapped_column(String(64))
    step_no: Mapped[int | None] = mapped_column(Integer)
    round: Mapped[int | None] = mapped_column(Integer)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    cc: Mapped[str | None] = mapped_column(Text)  # usernames in copy, comma-separated
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[NotificationStatus] = mapped_column(Status(NotificationStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[Person] = relationship(lazy="joined")
    deliveries: Mapped[list[Delivery]] = relationship(lazy="selectin", order_by="Delivery.id")


class Delivery(Base):
    """The ledger: the final outcome of one notification on one channel (unique, so never twice)."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[DeliveryStatus] = mapped_column(Status(DeliveryStatus))
    address: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempt: Mapped[int] = mapped_column(Integer)
