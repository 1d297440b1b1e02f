"""Performance and budget data: PK indicators, DIPA outputs, budget realisations, their imports.

Revision ID: 0003
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _office_year(*columns: sa.Column[Any], position: bool = True) -> list[Any]:
    """id, office_id, year[, position], ``columns``, imported_by/at, and the key constraints."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *([sa.Column("position", sa.Integer(), nullable=False)] if position else []),
        *columns,
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "performance_indicators",
        *_office_year(
            sa.Column("code", sa.String(length=32), nullable=True),
            sa.Column("sasaran", sa.Text(), nullable=False),
            sa.Column("indicator", sa.Text(), nullable=False),
            sa.Column("unit", sa.String(length=64), nullable=True),
            sa.Column("polarity", sa.String(length=16), nullable=False),
            sa.Column("target", sa.String(length=64), nullable=False),
            sa.Column("output_code", sa.String(length=32), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("realisation", sa.String(length=64), nullable=True),
            sa.Column("realisation_by", sa.String(length=64), nullable=True),
            sa.Column("realisation_at", sa.DateTime(timezone=True), nullable=True),
        ),
        sa.UniqueConstraint("office_id", "year", "position", name="uq_performance_indicators_position"),
    )
    op.create_index("ix_performance_indicators_office_year", "performance_indicators", ["office_id", "year"])
    op.create_table(
        "budget_outputs",
        *_office_year(
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("pagu", sa.BigInteger(), nullable=False),
            sa.Column("activity_code", sa.String(length=16), nullable=False),
            sa.Column("activity_name", sa.Text(), nullable=True),
            sa.Column("program_code", sa.String(length=32), nullable=True),
            sa.Column("program_name", sa.Text(), nullable=True),
        ),
        sa.UniqueConstraint("office_id", "year", "code", name="uq_budget_outputs_code"),
    )
    op.create_index("ix_budget_outputs_office_year", "budget_outputs", ["office_id", "year"])
    op.create_table(
        "budget_realisations",
        *_office_year(
            sa.Column("code", sa.String(length=32), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("pagu", sa.BigInteger(), nullable=False),
            sa.Column("realisation", sa.BigInteger(), nullable=False),
        ),
        sa.UniqueConstraint("office_id", "year", "code", name="uq_budget_realisations_code"),
    )
    op.create_index("ix_budget_realisations_office_year", "budget_realisations", ["office_id", "year"])
    op.create_table(
        "performance_imports",
        *_office_year(
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("filename", sa.String(length=255), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("rows", sa.Integer(), nullable=False),
            sa.Column("declared_pagu", sa.BigInteger(), nullable=True),
            sa.Column("declared_realisation", sa.BigInteger(), nullable=True),
            position=False,
        ),
    )
    op.create_index("ix_performance_imports_office_year", "performance_imports", ["office_id", "year"])


def downgrade() -> None:
    op.drop_index("ix_performance_imports_office_year", table_name="performance_imports")
    op.drop_table("performance_imports")
    op.drop_index("ix_budget_realisations_office_year", table_name="budget_realisations")
    op.drop_table("budget_realisations")
    op.drop_index("ix_budget_outputs_office_year", table_name="budget_outputs")
    op.drop_table("budget_outputs")
    op.drop_index("ix_performance_indicators_office_year", table_name="performance_indicators")
    op.drop_table("performance_indicators")
