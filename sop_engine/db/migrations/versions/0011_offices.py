"""Offices of a central install: the letterhead lines, the calendar and the parent of each office.

An office added with ``sop offices add`` keeps its settings in its row (what config.toml's
``[office]`` and ``[calendar]`` say for the office of a single install): ``address``, ``phone`` and
``website`` for the letterhead, ``calendar`` the keys of its ``[calendar]`` table that differ from
the install's (JSON, NULL for none), and ``parent_id`` the office above it (a provincial office
over the kabupaten offices), whose ``pengawas`` read the offices under it. The office of
config.toml keeps reading config.toml, so a single install behaves as before.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LINES = ("address", "phone", "website")


def upgrade() -> None:
    for name in LINES:
        op.add_column("offices", sa.Column(name, sa.String(length=200), server_default="", nullable=False))
    op.add_column("offices", sa.Column("calendar", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column with its reference, never a constraint
        op.execute("ALTER TABLE offices ADD COLUMN parent_id INTEGER REFERENCES offices (id)")
    else:
        op.add_column("offices", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_offices_parent_id", "offices", "offices", ["parent_id"], ["id"])
    op.create_index("ix_offices_parent_id", "offices", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_offices_parent_id", table_name="offices")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_offices_parent_id", "offices", type_="foreignkey")
    for name in ("parent_id", "calendar", *LINES):
        op.drop_column("offices", name)
