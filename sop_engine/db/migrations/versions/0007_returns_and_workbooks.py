"""Returns of work and the data-collection workbook's state in tables of their own, filled from the trail.

Until 0006 the case page read a return's reason, and ``sop lakip workbook status`` the divisions a
workbook went to and came back from, out of the audit events' details. The new tables
``step_returns``, ``workbook_sends`` and ``workbook_import_divisions`` hold that state; this
script fills them from the existing events (``step.returned``, ``lakip.workbook_sent``,
``lakip.workbook_imported``) in chain order, so an upgraded office shows what it showed before.
The events themselves are not touched.

Revision ID: 0007
Revises: 0006
"""

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The tables as this script knows them (not the models, which may change after it).
_events = sa.table(
    "audit_events",
    sa.column("office_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
    sa.column("stated_at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("case_code", sa.String()),
    sa.column("step_no", sa.Integer()),
    sa.column("details", sa.Text()),
)
_cases = sa.table(
    "cases", sa.column("id", sa.Integer()), sa.column("office_id", sa.Integer()), sa.column("code", sa.String())
)


def upgrade() -> None:
    returns = op.create_table(
        "step_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_step", sa.Integer(), nullable=False),
        sa.Column("to_step", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("returned_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "to_step", "round", name="uq_step_returns_case_to_round"),
    )
    sends = op.create_table(
        "workbook_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("division", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workbook_sends_case_id", "workbook_sends", ["case_id"])
    divisions = op.create_table(
        "workbook_import_divisions",
        sa.Column("division", sa.Text(), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workbook_import_divisions_office_year", "workbook_import_divisions", ["office_id", "year"])
    _backfill(returns, sends, divisions)


def _backfill(returns: sa.Table, sends: sa.Table, divisions: sa.Table) -> None:
    """One row per return, per division sent to, per division an import named, in chain order."""
    bind = op.get_bind()
    cases = {(r.office_id, r.code): r.id for r in bind.execute(sa.select(_cases))}
    for event, details in _read(bind):
        case_id = cases.get((event.office_id, event.case_code))
        if event.action == "step.returned":
            table, rows = returns, _returned(event, details, case_id)
        elif event.action == "lakip.workbook_sent":
            table, rows = sends, _sent(event, details, case_id)
        else:
            table, rows = divisions, _imported(event, details)
        for row in rows:  # one by one: the ids keep the chain's order, which the readers rely on
            bind.execute(table.insert().values(**row))


def _returned(event: Any, details: dict[str, Any], case_id: int | None) -> list[dict[str, Any]]:
    to = details.get("to")
    if case_id is None or not isinstance(to, int) or event.step_no is None:
        return []
    return [
        {
            "case_id": case_id,
            "from_step": event.step_no,
            "to_step": to,
            "round": int(details.get("round", 0)),
            "returned_by": event.actor,
            "reason": str(details.get("reason", "")),
            "stated_at": event.stated_at,
            "recorded_at": event.recorded_at,
        }
    ]


def _sent(event: Any, details: dict[str, Any], case_id: int | None) -> list[dict[str, Any]]:
    if case_id is None:
        return []
    return [
        {
            "office_id": event.office_id,
            "case_id": case_id,
            "division": str(name),
            "filename": details.get("file"),
            "sha256": details.get("sha256"),
            "sent_by": event.actor,
            "sent_at": event.recorded_at,
        }
        for name in details.get("divisions", [])
    ]


def _imported(event: Any, details: dict[str, Any]) -> list[dict[str, Any]]:
    named = [(d, True) for d in details.get("divisions", [])] + [(d, False) for d in details.get("missing", [])]
    return [
        {
            "office_id": event.office_id,
            "year": int(details["year"]),
            "imported_by": event.actor,
            "imported_at": event.recorded_at,
            "division": str(name),
            "returned": returned,
        }
        for name, returned in named
    ]


def _read(bind: sa.Connection) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The events the new tables are filled from, each office's in chain order, with their details."""
    actions = ("step.returned", "lakip.workbook_sent", "lakip.workbook_imported")
    query = sa.select(_events).where(_events.c.action.in_(actions)).order_by(_events.c.office_id, _events.c.seq)
    for event in bind.execute(query).all():
        yield event, json.loads(event.details)


def downgrade() -> None:
    op.drop_index("ix_workbook_import_divisions_office_year", table_name="workbook_import_divisions")
    op.drop_table("workbook_import_divisions")
    op.drop_index("ix_workbook_sends_case_id", table_name="workbook_sends")
    op.drop_table("workbook_sends")
    op.drop_table("step_returns")
