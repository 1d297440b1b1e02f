"""The e-mail and logo of an office of a central install, and changing them after ``sop offices add``.

config.toml's ``[office]`` gives the office of a single install an e-mail (on the kop's contact
line) and a logo (on the kop of the letters and the cover of the draft LKj). An office added with
``sop offices add`` keeps them in its row: ``email`` (empty for none) and ``logo``, the bytes of a
PNG or JPEG file (NULL for none), so that every node of the install reads the same logo from the
database. Rows that exist keep no e-mail and no logo until ``sop offices set`` gives them.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("offices", sa.Column("email", sa.String(length=200), server_default="", nullable=False))
    op.add_column("offices", sa.Column("logo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    for name in ("logo", "email"):
        op.drop_column("offices", name)
