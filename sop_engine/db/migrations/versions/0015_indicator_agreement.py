"""Which signed Perjanjian Kinerja an indicator belongs to (issue 12).

``performance_indicators.agreement``: ``ketua`` (the head's PK), ``sekretaris`` (the secretary's
PK) or ``kegiatan`` (an indicator of a kegiatan/output of the RKA, in no PK). Rows stored before
keep ``ketua``, except those linked to a DIPA output, which become ``kegiatan`` (what the targets
reader infers for a file without a ``perjanjian`` column).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "performance_indicators",
        sa.Column("agreement", sa.String(length=16), server_default="ketua", nullable=False),
    )
    op.execute("UPDATE performance_indicators SET agreement = 'kegiatan' WHERE output_code IS NOT NULL")


def downgrade() -> None:
    op.drop_column("performance_indicators", "agreement")
