"""A decision's answer in a column of its own: ``case_steps.answer``, "ya" or "tidak".

Until now the answer of a decision step was kept only inside the step's note ("Jawaban: Ya; ...").
The column holds it while the answer stands (set when the step is answered, cleared when the step
starts a new round); the note is the person's note only from now on. This script fills the column
of every decision step that is done from the answer its last ``step.completed`` event carries (the
events have always carried ``answer``), so ``sop audit verify`` replays old and new cases alike. The
notes written the old way, and the events, are not touched.

Revision ID: 0020
Revises: 0019
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# The tables as this script knows them (not the models, which may change after it).
_events = sa.table(
    "audit_events",
    sa.column("office_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("case_code", sa.String()),
    sa.column("step_no", sa.Integer()),
    sa.column("details", sa.Text()),
)
_cases = sa.table(
    "cases", sa.column("id", sa.Integer()), sa.column("office_id", sa.Integer()), sa.column("code", sa.String())
)
_steps = sa.table(
    "case_steps",
    sa.column("case_id", sa.Integer()),
    sa.column("no", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("answer", sa.String()),
)


def upgrade() -> None:
    op.add_column("case_steps", sa.Column("answer", sa.String(length=8), nullable=True))
    conn = op.get_bind()
    answers: dict[tuple[int, str, int], str | None] = {}
    completed = (
        sa.select(_events.c.office_id, _events.c.case_code, _events.c.step_no, _events.c.details)
        .where(_events.c.action == "step.completed", _events.c.details.like('%"answer"%'))
        .order_by(_events.c.office_id, _events.c.seq)
    )
    for office_id, code, step_no, details in conn.execute(completed):
        answer = json.loads(details).get("answer")
        if code is not None and step_no is not None:
            answers[office_id, code, step_no] = answer if answer in ("ya", "tidak") else None
    case_id = (
        sa.select(_cases.c.id)
        .where(_cases.c.office_id == sa.bindparam("b_office"), _cases.c.code == sa.bindparam("b_code"))
        .scalar_subquery()
    )
    fill = (
        sa.update(_steps)
        .where(_steps.c.case_id == case_id, _steps.c.no == sa.bindparam("b_no"), _steps.c.status == "done")
        .values(answer=sa.bindparam("b_answer"))
    )
    rows = [
        {"b_office": office_id, "b_code": code, "b_no": no, "b_answer": answer}
        for (office_id, code, no), answer in answers.items()
        if answer is not None
    ]
    if rows:
        conn.execute(fill, rows)


def downgrade() -> None:
    with op.batch_alter_table("case_steps") as batch:
        batch.drop_column("answer")
