"""Linked cases: the case a ``jalankan`` step started names its parent case and step.

``cases.parent_case_id`` (a foreign key to ``cases.id``) and ``cases.parent_step`` are NULL for a
case started by a person; a case started by a step of another case (a sub-SOP) holds both. The
parent step completes when that case is done (:mod:`sop_engine.case_links`).

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("parent_case_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("parent_step", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_parent_case_id", "cases", ["parent_case_id"], ["id"])
        batch.create_index("ix_cases_parent_case_id", ["parent_case_id"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_parent_case_id")
        batch.drop_constraint("fk_cases_parent_case_id", type_="foreignkey")
        batch.drop_column("parent_step")
        batch.drop_column("parent_case_id")
