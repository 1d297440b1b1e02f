"""Cases of a ``kasus = "bebas"`` workflow: many a year, numbered ``ID-YYYY-NNNN``.

``cases.serial`` is the number of such a case within its workflow and year (NULL for the one case
of a yearly workflow), and the partial unique index of 0012 over the cases that are not cancelled
(one case a year) is rebuilt to hold only for the cases without a serial.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX = "uq_cases_office_workflow_year_open"
YEARLY = "serial IS NULL"
OPEN = "status <> 'cancelled'"


def upgrade() -> None:
    op.add_column("cases", sa.Column("serial", sa.Integer(), nullable=True))
    op.drop_index(INDEX, table_name="cases")
    _create_index(f"{OPEN} AND {YEARLY}")


def downgrade() -> None:
    many = op.get_bind().execute(sa.text("SELECT 1 FROM cases WHERE serial IS NOT NULL"))
    if many.first() is not None:
        raise RuntimeError("cannot downgrade below 0014: cases of a 'bebas' workflow are numbered by serial")
    op.drop_index(INDEX, table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("serial")
    _create_index(OPEN)


def _create_index(where: str) -> None:
    op.create_index(
        INDEX,
        "cases",
        ["office_id", "workflow", "year"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
