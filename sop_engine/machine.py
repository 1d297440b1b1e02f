"""The SOP as a state machine; the only module that imports ``transitions``.

One :class:`WorkflowMachine` is built per workflow definition (cached by content hash), never
one per case: a case's state lives in its database row. To move a case, the service hands the
stored state to :meth:`WorkflowMachine.fire`, which attaches a throw-away token to the machine,
fires the trigger, reads the new state and detaches the token again.

States: ``step_1`` ... ``step_n``, ``done``, ``cancelled``. Triggers: ``complete`` (to the next
step, or ``done`` after the last), ``return_to_<k>`` (only where the definition declares
``kembali_ke``) and ``cancel`` (from any step).
"""

from __future__ import annotations

import threading

from transitions import Machine, MachineError

from sop_engine.definitions import WorkflowDef
from sop_engine.errors import NotAllowed

DONE = "done"
CANCELLED = "cancelled"
COMPLETE = "complete"
CANCEL = "cancel"


def step_state(no: int) -> str:
    """The machine state of a case whose active step is ``no``."""
    return f"step_{no}"


def step_of(state: str) -> int | None:
    """The active step number of ``state``, or None for ``done``/``cancelled``."""
    return int(state.removeprefix("step_")) if state.startswith("step_") else None


def return_trigger(to: int) -> str:
    """The trigger that sends a case back to step ``to``."""
    return f"return_to_{to}"


class _Token:
    """Stands in for a case while a trigger fires; ``transitions`` sets ``state`` on it."""

    state: str


class WorkflowMachine:
    """The legal moves of one workflow definition."""

    def __init__(self, definition: WorkflowDef) -> None:
        self.definition = definition
        steps = [step.no for step in definition.steps]
        states = [step_state(no) for no in steps] + [DONE, CANCELLED]
        moves: list[dict[str, str]] = []
        for index, no in enumerate(steps):
            after = step_state(steps[index + 1]) if index + 1 < len(steps) else DONE
            moves.append({"trigger": COMPLETE, "source": step_state(no), "dest": after})
            moves.append({"trigger": CANCEL, "source": step_state(no), "dest": CANCELLED})
            for to in definition.step(no).returns_to:
                moves.append({"trigger": return_trigger(to), "source": step_state(no), "dest": step_state(to)})
        self._machine = Machine(
            model=None,
            states=states,
            transitions=moves,
            initial=step_state(steps[0]),
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        self._lock = threading.Lock()
        #: The moves already fired, (state, trigger) -> state: the machine never changes, so each is asked once.
        self._fired: dict[tuple[str, str], str] = {}

    @property
    def initial(self) -> str:
        return step_state(self.definition.first_step.no)

    def fire(self, state: str, trigger: str) -> str:
        """The state after ``trigger`` from ``state``; NotAllowed if the move does not exist."""
        fired = self._fired.get((state, trigger))
        if fired is not None:
            return fired
        token = _Token()
        with self._lock:
            self._machine.add_model(token, initial=state)
            try:
                token.trigger(trigger)  # type: ignore[attr-defined]  # added by transitions
            except (MachineError, AttributeError) as exc:
                raise NotAllowed(
                    f"Tindakan '{trigger}' tidak dapat dilakukan pada keadaan '{state}'.", value=trigger
                ) from exc
            finally:
                self._machine.remove_model(token)
            self._fired[state, trigger] = token.state
        return token.state

    def can_fire(self, state: str, trigger: str) -> bool:
        """Whether ``trigger`` is a legal move from ``state``."""
        return trigger in self._machine.get_triggers(state)


_machines: dict[str, WorkflowMachine] = {}
_machines_lock = threading.Lock()


def machine_for(definition: WorkflowDef) -> WorkflowMachine:
    """The machine of ``definition``, built once per content hash and shared by all its cases."""
    with _machines_lock:
        machine = _machines.get(definition.content_hash)
        if machine is None:
            machine = _machines[definition.content_hash] = WorkflowMachine(definition)
        return machine
