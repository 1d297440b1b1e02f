"""Room for a case's marking: ``cases.state`` widened from 32 to 128 characters.

A case of an SOP with decisions, parallel steps or paraf chains is in a state named by its
marking (:mod:`sop_engine.marking`: ``m`` + the steps' statuses in hex, the decisions answered
Ya, the paraf positions), longer than ``step_N`` for an SOP of many steps. Existing states
(``step_N``, ``done``, ``cancelled``) are unchanged.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("state", existing_type=sa.String(32), type_=sa.String(128), existing_nullable=False)


def downgrade() -> None:
    long = op.get_bind().execute(sa.text("SELECT 1 FROM cases WHERE length(state) > 32"))
    if long.first() is not None:
        raise RuntimeError("cannot downgrade below 0018: a case's state is longer than 32 characters")
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("state", existing_type=sa.String(128), type_=sa.String(32), existing_nullable=False)
