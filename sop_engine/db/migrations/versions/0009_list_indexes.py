"""Indexes for lists read a page at a time: the case list's order, the active steps, the audit filters.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ACTIVE = "status = 'active'"


def upgrade() -> None:
    op.create_index("ix_cases_office_year_code", "cases", ["office_id", "year", "code"])
    op.create_index(
        "ix_case_steps_active",
        "case_steps",
        ["case_id", "no"],
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_index("ix_audit_events_office_actor_seq", "audit_events", ["office_id", "actor", "seq"])
    op.create_index("ix_audit_events_office_action_seq", "audit_events", ["office_id", "action", "seq"])
    op.create_index("ix_audit_events_office_stated_at", "audit_events", ["office_id", "stated_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_office_stated_at", table_name="audit_events")
    op.drop_index("ix_audit_events_office_action_seq", table_name="audit_events")
    op.drop_index("ix_audit_events_office_actor_seq", table_name="audit_events")
    op.drop_index("ix_case_steps_active", table_name="case_steps")
    op.drop_index("ix_cases_office_year_code", table_name="cases")
