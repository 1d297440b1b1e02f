"""The version of an office's settings, so that running services notice a change made elsewhere.

``sop offices set`` changes an office's row (name, zone, kop, logo, calendar, parent) while
``sop serve`` and ``sop scheduler run`` keep each office's context built from the row. The set
moves ``settings_version`` on in its transaction; the web reads the version of the office of the
person asking in the query that reads the person (no extra statement), the scheduler reads every
office's version in the query of its pass, and each rebuilds the context of an office whose
version moved past the one it was built from. Rows that exist start at 1.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("offices", sa.Column("settings_version", sa.Integer(), server_default=sa.text("1"), nullable=False))


def downgrade() -> None:
    op.drop_column("offices", "settings_version")
