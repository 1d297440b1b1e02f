"""The write path of a step in one commit: small documents kept in the database, and a version of
each office's people that database triggers move on, so that a process may keep the directory.

``artefact_blobs`` holds the bytes of small documents, written in the transaction of the step that
attached them. ``offices.people_version`` changes whenever a person is added, removed or changes
username, NIP, activity or supervisor, and whenever a role is given or taken, by whatever writes
it (this code, another process, an administrator's SQL). A downgrade keeps ``artefact_blobs`` if
it holds documents (dropping it would lose them; the older code does not read them, but they are
back after the next upgrade).

Revision ID: 0010
Revises: 0008 (0009 once the list indexes of 0009 are merged before it)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The columns of ``people`` a directory holds (an UPDATE of others, e.g. a password, changes nothing).
WATCHED = "username, nip, active, supervisor_id, office_id"
BUMP = "UPDATE offices SET people_version = people_version + 1 WHERE id = {office}"
OF_PERSON = "(SELECT office_id FROM people WHERE id = {row}.person_id)"


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("artefact_blobs"):  # kept by a downgrade that found documents
        _create_blobs()
    op.add_column("offices", sa.Column("people_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_triggers()
    elif dialect == "postgresql":
        _postgresql_triggers()


def _create_blobs() -> None:
    op.create_table(
        "artefact_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def _sqlite_triggers() -> None:
    events = {
        "people": [
            ("insert", "INSERT", [BUMP.format(office="NEW.office_id")]),
            (
                "update",
                f"UPDATE OF {WATCHED}",
                [BUMP.format(office="OLD.office_id"), BUMP.format(office="NEW.office_id")],
            ),
            ("delete", "DELETE", [BUMP.format(office="OLD.office_id")]),
        ],
        "person_roles": [
            ("insert", "INSERT", [BUMP.format(office=OF_PERSON.format(row="NEW"))]),
            (
                "update",
                "UPDATE",
                [BUMP.format(office=OF_PERSON.format(row="OLD")), BUMP.format(office=OF_PERSON.format(row="NEW"))],
            ),
            ("delete", "DELETE", [BUMP.format(office=OF_PERSON.format(row="OLD"))]),
        ],
    }
    for table, triggers in events.items():
        for name, event, statements in triggers:
            body = " ".join(f"{statement};" for statement in statements)
            op.execute(f"CREATE TRIGGER {table}_version_{name} AFTER {event} ON {table} BEGIN {body} END")


def _postgresql_triggers() -> None:
    for table, office in (("people", "{row}.office_id"), ("person_roles", OF_PERSON)):
        old, new = BUMP.format(office=office.format(row="OLD")), BUMP.format(office=office.format(row="NEW"))
        op.execute(
            f"CREATE FUNCTION {table}_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {old}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {new}; END IF; "
            "RETURN NULL; END $$"
        )
        watched = f"UPDATE OF {WATCHED}" if table == "people" else "UPDATE"
        op.execute(
            f"CREATE TRIGGER {table}_version AFTER INSERT OR DELETE OR {watched} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_version()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("people", "person_roles"):
        if dialect == "sqlite":
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_version_{name}")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_version()")
    op.drop_column("offices", "people_version")
    if not op.get_bind().execute(sa.text("SELECT count(*) FROM artefact_blobs")).scalar():
        op.drop_table("artefact_blobs")
