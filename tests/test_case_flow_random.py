"""Random valid definitions (decisions, setelah, paraf chains, returns) driven through the case services by
random legal actions: every case ends done, cancelled, or waiting on an active step with a legal move, and
each step row stands where the machine's marking says."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_engine import audit, cases
from sop_engine.case_decisions import answer_decision
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus
from sop_engine.machine import machine_for
from sop_engine.marking import ACTIVE, DONE, SKIPPED, WAITING
from tests.flow_support import flow_context, flow_text

#: A demo person for each step role.
PERSON = {"sekretaris": "sekretaris", "kasubag_program": "kasubag", "staf": "staf1", "ketua": "ketua"}
ROW_STATUS = {WAITING: "waiting", ACTIVE: "active", DONE: "done", SKIPPED: "skipped"}


@st.composite
def definitions(draw: st.DrawFn) -> str:
    """The text of a valid workflow ``acak`` of 2-7 steps."""
    count = draw(st.integers(2, 7))
    extra: dict[int, dict[str, str]] = {}
    decision_before = False
    for no in range(1, count + 1):
        keys: dict[str, str] = {}
        if no > 1 and (decision_before or draw(st.booleans())):
            earlier = draw(st.lists(st.integers(1, no - 1), min_size=1, max_size=2, unique=True))
            keys["setelah"] = str(sorted(earlier))
        decision_before = no < count and draw(st.integers(0, 3)) == 0
        if decision_before:
            yes = draw(st.integers(no + 1, count))
            no_ = draw(st.integers(1, count).filter(lambda target, n=no, y=yes: target not in (n, y)))
            keys |= {"jenis": '"keputusan"', "pertanyaan": '"Lanjut?"', "ya": str(yes), "tidak": str(no_)}
            keys["pelaksana"] = f'"{draw(st.sampled_from(sorted(PERSON)))}"'
        else:
            roles = draw(st.lists(st.sampled_from(sorted(PERSON)), min_size=1, max_size=2, unique=True))
            keys["pelaksana"] = f'"{roles[0]}"' if len(roles) == 1 else str(roles).replace("'", '"')
            if no > 1 and draw(st.integers(0, 3)) == 0:
                keys["kembali_ke"] = f"[{draw(st.integers(1, no - 1))}]"
        extra[no] = keys
    return flow_text(count, extra, workflow="acak").replace(
        'kasus = "bebas"', 'kasus = "bebas"\ndimulai_oleh = ["staf"]'
    )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=definitions(), data=st.data())
def test_random_definitions_and_actions_end_done_cancelled_or_on_an_active_step(
    ctx: Context, tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    office = flow_context(ctx, tmp_path_factory.mktemp("acak"), {"acak": text})
    case = cases.start_case(office, "acak", 2021, "staf1")
    definition = cases.pinned_workflow(office, case.id)
    assert definition is not None
    machine = machine_for(definition)
    for _ in range(30):
        if case.status != CaseStatus.RUNNING:
            break
        state = cases.get_case(office, case.id)
        marking = machine.marking(_state(office, case.id))
        assert marking is not None and marking.active == state.active_steps != ()
        assert [str(s.status) for s in state.steps] == [ROW_STATUS[s] for s in marking.status]
        assert machine.triggers(_state(office, case.id)) != ["cancel"]
        no = data.draw(st.sampled_from(state.active_steps))
        step, record = definition.step(no), state.steps[no - 1]
        by = PERSON[record.role]
        move = data.draw(st.sampled_from(["do", "do", "do", "back", "cancel"]))
        if move == "cancel" and data.draw(st.integers(0, 4)) == 0:
            case = cases.cancel_case(office, case.id, "sekretaris", "Dibatalkan dalam uji")
        elif step.if_yes is not None:
            case = answer_decision(office, case.id, no, by, data.draw(st.booleans()), "catatan uji")
        elif move == "back" and step.returns_to:
            case = cases.return_step(office, case.id, no, step.returns_to[0], by, "Perbaiki")
        else:
            case = cases.complete_step(office, case.id, no, by)
    assert case.status in (CaseStatus.DONE, CaseStatus.CANCELLED) or case.active_steps
    verified = audit.verify(office)  # the tables say what the trail says, whatever the moves were
    assert (verified.ok, verified.mismatches) == (True, ()), "\n".join(verified.mismatches)


def _state(ctx: Context, code: str) -> str:
    """The case's stored state (the machine's name for its marking)."""
    from sqlalchemy import select

    from sop_engine.db.models import Case

    with ctx.db.read() as session:
        return str(session.scalar(select(Case.state).where(Case.code == code)))
