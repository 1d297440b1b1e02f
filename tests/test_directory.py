"""The office's directory (sop_engine/directory.py): kept in the process under the office's people
version, and a change made anywhere else (another Context, another process's SQL) is seen by the
next action at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from sop_engine import cases, passwords, people
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import Office
from sop_engine.errors import NotFound
from sop_engine.outbox import list_notifications
from tests.helpers import pdf, statements

CASE = "lakip-2021"


@pytest.fixture
def other(ctx: Context, clock: FixedClock) -> Iterator[Context]:
    """A second Context on the same database: what another process of the office would hold."""
    second = Context.open(ctx.settings, clock=clock)
    yield second
    second.db.dispose()


def started(ctx: Context, tmp_path: Path) -> None:
    """The 2021 case with step 1 done; step 2 (kasubag_program) active."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))])


def recipients(ctx: Context, step: int, kind: str) -> set[str]:
    return {n.recipient for n in list_notifications(ctx, CASE) if n.step == step and n.kind == kind}


def version(ctx: Context) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(Office.people_version)) or 0)


def test_a_person_given_a_role_through_another_context_is_notified_at_the_next_activation(
    ctx: Context, other: Context, tmp_path: Path
) -> None:
    started(ctx, tmp_path)
    assert recipients(ctx, 2, "reminder") == {"kasubag"}
    people.add_person(other, people.NewPerson("staf3", "Rina Lestari", ("staf",), supervisor="kasubag"))
    cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(pdf(tmp_path, "format.pdf"))])
    assert recipients(ctx, 3, "reminder") == {"staf1", "staf2", "staf3"}


def test_an_account_deactivated_through_another_context_can_no_longer_act(
    ctx: Context, other: Context, tmp_path: Path
) -> None:
    started(ctx, tmp_path)
    people.set_active(other, "kasubag", False, by="admin")
    with pytest.raises(NotFound, match="dinonaktifkan"):
        cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(pdf(tmp_path, "format.pdf"))])


def test_a_supervisor_changed_by_another_process_in_sql_moves_the_escalation(ctx: Context, tmp_path: Path) -> None:
    started(ctx, tmp_path)
    elsewhere = create_engine(ctx.settings.database.url)
    with elsewhere.begin() as conn:  # staf1 and staf2 now answer to the sekretaris directly
        conn.execute(
            text(
                "UPDATE people SET supervisor_id = (SELECT id FROM people WHERE username = 'sekretaris') "
                "WHERE username IN ('staf1', 'staf2')"
            )
        )
    elsewhere.dispose()
    cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(pdf(tmp_path, "format.pdf"))])
    escalations = {(n.level, n.recipient) for n in list_notifications(ctx, CASE) if n.step == 3 and n.level}
    assert escalations == {(1, "sekretaris"), (2, "ketua")}


def test_the_people_version_moves_with_people_roles_and_supervisors_but_not_with_a_password(ctx: Context) -> None:
    start = version(ctx)
    people.add_person(ctx, people.NewPerson("staf3", "Rina Lestari", ("staf",), supervisor="kasubag"))
    added = version(ctx)
    people.set_roles(ctx, "staf3", ["staf", "kasubag_program"], by="admin")
    roles_changed = version(ctx)
    people.set_active(ctx, "staf3", False, by="admin")
    deactivated = version(ctx)
    passwords.set_password(ctx, "staf1", "kata-sandi-yang-panjang-1")
    assert start < added < roles_changed < deactivated == version(ctx)


def test_an_unchanged_directory_is_not_read_again(ctx: Context, tmp_path: Path) -> None:
    started(ctx, tmp_path)
    with statements(ctx) as seen:
        cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(pdf(tmp_path, "format.pdf"))])
    assert not [s for s in seen if "FROM people" in s or "person_roles" in s]
