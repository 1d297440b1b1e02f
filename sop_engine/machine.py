"""The SOP as a state machine; the only module that imports ``transitions``.

One :class:`WorkflowMachine` is built per workflow definition (cached by content hash), never
one per case: a case's state lives in its database row. To move a case, the service hands the
stored state to :meth:`WorkflowMachine.fire`, which attaches a throw-away token to the machine,
fires the trigger, reads the new state and detaches the token again.

The states are the markings of :mod:`sop_engine.marking` reachable from the first one (``step_1``
... ``step_n`` for a straight SOP), plus ``done`` and ``cancelled``. Triggers: ``complete_<k>``
(step k confirmed by its current actor: the next actor's turn, or done), ``answer_<k>_ya`` /
``answer_<k>_tidak`` (decision k answered), ``return_<k>_to_<j>`` (only where the definition
declares ``kembali_ke``) and ``cancel`` (from any running state).
"""

from __future__ import annotations

import threading

from transitions import Machine, MachineError

from sop_engine.definitions import WorkflowDef
from sop_engine.errors import NotAllowed
from sop_engine.marking import (
    CANCELLED_STATE,
    DONE_STATE,
    Marking,
    answer_trigger,
    complete_trigger,
    decode,
    explore,
    return_trigger,
)

DONE = DONE_STATE
CANCELLED = CANCELLED_STATE
CANCEL = "cancel"

__all__ = [
    "CANCEL",
    "CANCELLED",
    "DONE",
    "WorkflowMachine",
    "answer_trigger",
    "complete_trigger",
    "machine_for",
    "return_trigger",
    "step_of",
    "step_state",
]


def step_state(no: int) -> str:
    """The machine state of a case whose one active step is ``no``, every step before it done."""
    return f"step_{no}"


def step_of(state: str) -> int | None:
    """The active step of a ``step_N`` state; None for ``done``/``cancelled`` and for a marking with
    parallel or skipped steps (ask :meth:`WorkflowMachine.active` for those)."""
    return int(state.removeprefix("step_")) if state.startswith("step_") else None


class _Token:
    """Stands in for a case while a trigger fires; ``transitions`` sets ``state`` on it."""

    state: str


class WorkflowMachine:
    """The legal moves of one workflow definition."""

    def __init__(self, definition: WorkflowDef) -> None:
        self.definition = definition
        first, graph = explore(definition)
        self._initial = first
        #: (state, trigger) -> the marking after, with its skipped steps (``done`` keeps no marking).
        self._after: dict[tuple[str, str], Marking] = {}
        moves: list[dict[str, str]] = []
        for state, outgoing in graph.items():
            for trigger, (dest, after) in outgoing.items():
                moves.append({"trigger": trigger, "source": state, "dest": dest})
                self._after[state, trigger] = after
            moves.append({"trigger": CANCEL, "source": state, "dest": CANCELLED})
        self._machine = Machine(
            model=None,
            states=[*graph, DONE, CANCELLED],
            transitions=moves,
            initial=self.initial,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        self._lock = threading.Lock()
        #: The moves already fired, (state, trigger) -> state: the machine never changes, so each is asked once.
        self._fired: dict[tuple[str, str], str] = {}

    @property
    def initial(self) -> str:
        return step_state(1)

    def fire(self, state: str, trigger: str) -> str:
        """The state after ``trigger`` from ``state``; NotAllowed if the move does not exist."""
        fired = self._fired.get((state, trigger))
        if fired is not None:
            return fired
        token = _Token()
        with self._lock:
            try:
                self._machine.add_model(token, initial=state)
            except ValueError as exc:
                raise NotAllowed(f"Keadaan kasus '{state}' tidak dikenal oleh SOP ini.", value=state) from exc
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
        return state in self._machine.states and trigger in self._machine.get_triggers(state)

    def triggers(self, state: str) -> list[str]:
        """The legal moves from ``state`` (none for an unknown state)."""
        return list(self._machine.get_triggers(state)) if state in self._machine.states else []

    def marking(self, state: str) -> Marking | None:
        """Where each step stands in ``state``; None for ``done`` and ``cancelled``."""
        return decode(self.definition, state)

    def after(self, state: str, trigger: str) -> Marking:
        """The marking a legal ``trigger`` leads to from ``state``, even when it is ``done``
        (which steps it settled or skipped); call :meth:`fire` first, it checks the move."""
        return self._after[state, trigger]

    def position(self, state: str, no: int) -> int:
        """The paraf position reached at step ``no`` in ``state`` (0: its first actor's turn, or not active)."""
        found = self.marking(state)
        return 0 if found is None else found.at(no)

    def active(self, state: str) -> tuple[int, ...]:
        """The active steps of ``state``, lowest first (none when the case has ended)."""
        found = self.marking(state)
        return () if found is None else found.active


_machines: dict[str, WorkflowMachine] = {}
_machines_lock = threading.Lock()


def machine_for(definition: WorkflowDef) -> WorkflowMachine:
    """The machine of ``definition``, built once per content hash and shared by all its cases."""
    with _machines_lock:
        machine = _machines.get(definition.content_hash)
        if machine is None:
            machine = _machines[definition.content_hash] = WorkflowMachine(definition)
        return machine
