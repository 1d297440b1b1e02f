"""Four indexes fewer to write: each was the first column of a unique constraint that indexes it already.

``ix_cases_office_id``, ``ix_case_steps_case_id``, ``ix_audit_events_office_id`` and
``ix_notifications_office_id`` each index one column that a unique constraint of the same table
starts with (``uq_cases_office_code``, ``uq_case_steps_case_no``, ``uq_audit_office_seq``,
``uq_notifications_office_key``); SQLite and PostgreSQL look a row up by that column through the
constraint's index as well. A step completion inserts an audit event and notifications, so each
of these indexes cost it a page written to the journal, for nothing a query needed.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: (index, table, column) of each index dropped.
DROPPED = (
    ("ix_cases_office_id", "cases", "office_id"),
    ("ix_case_steps_case_id", "case_steps", "case_id"),
    ("ix_audit_events_office_id", "audit_events", "office_id"),
    ("ix_notifications_office_id", "notifications", "office_id"),
)


def upgrade() -> None:
    for name, table, _column in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in DROPPED:
        op.create_index(name, table, [column])
