"""``GET /metrics`` counts the failed notifications through a partial index, not the history.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FAILED = "status = 'failed'"


def upgrade() -> None:
    op.create_index(
        "ix_notifications_failed",
        "notifications",
        ["office_id", "kind"],
        sqlite_where=sa.text(FAILED),
        postgresql_where=sa.text(FAILED),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_failed", table_name="notifications")
