"""Letter register: a counter per office and year, and every number issued (rows never deleted).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEPT_MESSAGE = "letters are kept: cancel a number instead of deleting it"


def upgrade() -> None:
    op.create_table(
        "letter_counters",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("office_id", "year"),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("case_code", sa.String(length=64), nullable=True),
        sa.Column("step_no", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "year", "seq", name="uq_letters_office_year_seq"),
    )
    op.create_index("ix_letters_office_id", "letters", ["office_id"])
    op.create_index("ix_letters_number", "letters", ["number"])
    op.create_index("ix_letters_case_code", "letters", ["case_code"])
    _refuse_delete()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS letters_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS letters_no_delete ON letters")
        op.execute("DROP FUNCTION IF EXISTS letters_kept()")
    op.drop_index("ix_letters_case_code", table_name="letters")
    op.drop_index("ix_letters_number", table_name="letters")
    op.drop_index("ix_letters_office_id", table_name="letters")
    op.drop_table("letters")
    op.drop_table("letter_counters")


def _refuse_delete() -> None:
    """A number once issued stays in the register: the database refuses DELETE on letters."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters BEGIN SELECT RAISE(ABORT, '{KEPT_MESSAGE}'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE FUNCTION letters_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{KEPT_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters FOR EACH ROW EXECUTE FUNCTION letters_kept()"
        )
