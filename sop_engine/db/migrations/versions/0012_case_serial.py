"""Cases of a ``kasus = "bebas"`` workflow: many a year, numbered ``ID-YYYY-NNNN``.

``cases.serial`` is the number of such a case within its workflow and year (NULL for the one case
of a yearly workflow), and the one-case-per-year rule becomes a partial unique index over the
cases without a serial. This migration meets the rule in either of two shapes:

- the unique constraint ``uq_cases_office_workflow_year`` of 0001: on SQLite it lives in the
  table's CREATE statement, so the table is rebuilt (foreign keys off, see
  :func:`sop_engine.db.migrate.upgrade`);
- the partial index ``uq_cases_office_workflow_year_open`` over the cases that are not cancelled
  (the migration that lets a cancelled year start again): it is rebuilt with both conditions.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEX = "uq_cases_office_workflow_year_open"
YEARLY = "serial IS NULL"
OPEN = "status <> 'cancelled'"


def upgrade() -> None:
    op.add_column("cases", sa.Column("serial", sa.Integer(), nullable=True))
    if INDEX in _indexes():
        op.drop_index(INDEX, table_name="cases")
        _create_index(f"{OPEN} AND {YEARLY}")
        return
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_office_workflow_year", type_="unique")
    _create_index(YEARLY)


def downgrade() -> None:
    many = op.get_bind().execute(sa.text("SELECT 1 FROM cases WHERE serial IS NOT NULL"))
    if many.first() is not None:
        raise RuntimeError("cannot downgrade below 0012: cases of a 'bebas' workflow are numbered by serial")
    op.drop_index(INDEX, table_name="cases")
    reopened = "restart_of" in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("cases")}
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("serial")
        if not reopened:
            batch.create_unique_constraint("uq_cases_office_workflow_year", ["office_id", "workflow", "year"])
    if reopened:  # the shape of the migration that lets a cancelled year start again
        _create_index(OPEN)


def _indexes() -> set[str]:
    return {str(index["name"]) for index in sa.inspect(op.get_bind()).get_indexes("cases")}


def _create_index(where: str) -> None:
    op.create_index(
        INDEX,
        "cases",
        ["office_id", "workflow", "year"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
