"""A cancelled year can be started again: one case per office, workflow and year that is not cancelled.

The unique constraint ``uq_cases_office_workflow_year`` becomes the partial unique index
``uq_cases_office_workflow_year_open`` over the cases that are not cancelled (SQLite and
PostgreSQL both index a WHERE clause), and ``cases.restart_of`` names the cancelled case a new
one restarts (the cancelled case is kept as it was). On SQLite the constraint lives in the
table's CREATE statement, so the table is rebuilt: :func:`sop_engine.db.migrate.upgrade` runs
migrations with foreign keys off (else dropping the old table would cascade to the steps) and
checks them afterwards. A downgrade is refused while a year holds a cancelled case and its restart.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = "status <> 'cancelled'"


def upgrade() -> None:
    _require_foreign_keys_off()
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_office_workflow_year", type_="unique")
        batch.add_column(sa.Column("restart_of", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_cases_office_workflow_year_open",
        "cases",
        ["office_id", "workflow", "year"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    _require_foreign_keys_off()
    shared = op.get_bind().execute(
        sa.text("SELECT office_id, workflow, year FROM cases GROUP BY office_id, workflow, year HAVING COUNT(*) > 1")
    )
    if shared.first() is not None:
        raise RuntimeError("cannot downgrade below 0011: a year holds a cancelled case and the case restarting it")
    op.drop_index("uq_cases_office_workflow_year_open", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("restart_of")
        batch.create_unique_constraint("uq_cases_office_workflow_year", ["office_id", "workflow", "year"])


def _require_foreign_keys_off() -> None:
    """Refuse to rebuild ``cases`` on SQLite with foreign keys on: dropping it would delete every step."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("run this migration through sop_engine.db.migrate (foreign keys off while cases is rebuilt)")
