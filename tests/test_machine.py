"""The state machine: one per definition, legal moves only."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine.errors import NotAllowed
from sop_engine.loader import load_workflow_file
from sop_engine.machine import CANCEL, DONE, complete_trigger, machine_for, return_trigger, step_of, step_state

LAKIP = load_workflow_file(Path(__file__).resolve().parent.parent / "workflows" / "lakip.toml")


def test_one_machine_is_shared_by_every_case_of_a_definition():
    assert machine_for(LAKIP) is machine_for(LAKIP)


def test_complete_moves_to_the_next_step_and_after_the_last_to_done():
    machine = machine_for(LAKIP)
    assert machine.fire(step_state(1), complete_trigger(1)) == step_state(2)
    assert machine.fire(step_state(11), complete_trigger(11)) == DONE
    with pytest.raises(NotAllowed):
        machine.fire(step_state(2), complete_trigger(3))


def test_only_declared_returns_are_legal():
    machine = machine_for(LAKIP)
    assert machine.fire(step_state(7), return_trigger(7, 6)) == step_state(6)
    assert machine.fire(step_state(9), return_trigger(9, 7)) == step_state(7)
    with pytest.raises(NotAllowed):
        machine.fire(step_state(7), return_trigger(7, 5))
    with pytest.raises(NotAllowed):
        machine.fire(step_state(2), return_trigger(2, 1))


def test_nothing_moves_a_finished_or_cancelled_case():
    machine = machine_for(LAKIP)
    assert machine.fire(step_state(4), CANCEL) == "cancelled"
    for state in (DONE, "cancelled"):
        with pytest.raises(NotAllowed):
            machine.fire(state, complete_trigger(11))


def test_an_unknown_trigger_is_refused_not_ignored():
    with pytest.raises(NotAllowed):
        machine_for(LAKIP).fire(step_state(1), "skip")


def test_step_of_reads_the_active_step():
    assert step_of(step_state(10)) == 10
    assert step_of(DONE) is None
