"""The outbox queue reads pending rows through partial indexes, never the history.

The index on status alone goes: it covered the history too, and the planner preferred it (then
sorted) to the partial index that already holds the pending rows in due order.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"
LEASED = "status = 'pending' AND lease_until IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_notifications_status", table_name="notifications")
    op.create_index(
        "ix_notifications_pending",
        "notifications",
        ["office_id", "next_attempt_at", "id"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index(
        "ix_notifications_leased",
        "notifications",
        ["office_id", "lease_until"],
        sqlite_where=sa.text(LEASED),
        postgresql_where=sa.text(LEASED),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_leased", table_name="notifications")
    op.drop_index("ix_notifications_pending", table_name="notifications")
    op.create_index("ix_notifications_status", "notifications", ["status"])
