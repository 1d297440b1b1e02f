"""Renstra targets, earlier realisations and earlier capaian of the LAKIP data (issue 12).

``performance_indicators.earlier`` and ``.renstra``: [[year, value], ...] as the targets file
wrote them (``realisasi_2019``, ``renstra_2024`` columns). ``performance_years``: the capaian
(and absorption) of an earlier year as its LKj stated it (the ``tahun``, ``capaian`` table).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("performance_indicators", sa.Column("earlier", sa.JSON(), nullable=True))
    op.add_column("performance_indicators", sa.Column("renstra", sa.JSON(), nullable=True))
    op.create_table(
        "performance_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("achievement_pct", sa.Numeric(9, 2), nullable=False),
        sa.Column("absorption_pct", sa.Numeric(9, 2), nullable=True),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "year", name="uq_performance_years_year"),
    )


def downgrade() -> None:
    op.drop_table("performance_years")
    op.drop_column("performance_indicators", "renstra")
    op.drop_column("performance_indicators", "earlier")
