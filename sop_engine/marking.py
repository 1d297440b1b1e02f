"""Where a case stands in an SOP with decisions, parallel steps and paraf chains: its *marking*.

A marking holds, for every step, whether it is waiting, active (with the position reached in its
paraf chain), done or skipped, and which decisions were answered Ya. The moves follow dead-path
elimination (as BPEL): a step waits for its in-edges (:func:`in_edges`); when all their sources are
settled (done or skipped) it becomes active if at least one edge is live, else it is skipped and
the skip runs on. A decision's branch or a ``kembali_ke`` to an earlier-or-equal step is a return:
the target becomes active again and every step reachable from it goes back to waiting.

:func:`explore` walks every marking reachable from the first one (breadth first) and hands the
moves to :mod:`sop_engine.machine`, which registers them with ``transitions``. The state names are
compact: a marking equal to "step N active, every step before it done, none after" is ``step_N``
(as before these keys existed), a finished case ``done``, any other ``m<hex>`` (see :func:`encode`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sop_engine.definitions import StepDef, StepKind, WorkflowDef
from sop_engine.errors import DefinitionError

WAITING, ACTIVE, DONE, SKIPPED = 0, 1, 2, 3
DONE_STATE = "done"
CANCELLED_STATE = "cancelled"
#: The most markings a definition may reach; more is refused when it is loaded.
MAX_STATES = 3000


def in_edges(steps: Sequence[StepDef]) -> dict[int, tuple[int, ...]]:
    """The steps each step waits for: its ``setelah`` (default the step before, unless that one is a
    decision) plus every decision whose forward ``ya``/``tidak`` leads to it."""
    found: dict[int, list[int]] = {}
    for step in steps:
        if step.after is not None:
            found[step.no] = list(step.after)
        elif step.no > 1 and steps[step.no - 2].kind is not StepKind.DECISION:
            found[step.no] = [step.no - 1]
        else:
            found[step.no] = []
    for step in steps:
        for target in (step.if_yes, step.if_no):
            if target is not None and target > step.no and step.no not in found[target]:
                found[target].append(step.no)
    return {no: tuple(sorted(sources)) for no, sources in found.items()}


def out_edges(sources: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """The steps that wait for each step: :func:`in_edges` turned round. Every edge leads to a
    later step (returns are not edges), so the step numbers are an order of the graph."""
    found: dict[int, list[int]] = {no: [] for no in sources}
    for target, before in sources.items():
        for source in before:
            found[source].append(target)
    return {no: tuple(sorted(targets)) for no, targets in found.items()}


#: :func:`in_edges` of each definition read, by content hash.
_SOURCES: dict[str, dict[int, tuple[int, ...]]] = {}


def sources_of(definition: WorkflowDef) -> dict[int, tuple[int, ...]]:
    """:func:`in_edges` of ``definition``, computed once per content hash."""
    found = _SOURCES.get(definition.content_hash)
    if found is None:
        found = _SOURCES[definition.content_hash] = in_edges(definition.steps)
    return found


@dataclass(frozen=True)
class Marking:
    """Per step (index ``no - 1``): its status and paraf position; and the decisions answered Ya."""

    status: tuple[int, ...]
    position: tuple[int, ...]
    yes: frozenset[int] = frozenset()

    @property
    def active(self) -> tuple[int, ...]:
        """The active steps' numbers, lowest first."""
        return tuple(no for no, status in enumerate(self.status, 1) if status == ACTIVE)

    def of(self, no: int) -> int:
        return self.status[no - 1]

    def at(self, no: int) -> int:
        """The paraf position reached at step ``no`` (0: its first actor's turn)."""
        return self.position[no - 1]


class Flow:
    """The edges of one definition, and the moves of a marking along them."""

    def __init__(self, definition: WorkflowDef) -> None:
        self.definition = definition
        self.steps = definition.steps
        self.sources = in_edges(definition.steps)
        self.successors = out_edges(self.sources)

    def initial(self) -> Marking:
        count = len(self.steps)
        return Marking((ACTIVE, *([WAITING] * (count - 1))), (0,) * count)

    def complete(self, m: Marking, no: int) -> Marking:
        """Step ``no`` (active, a process) confirmed by its current actor: the next one's turn, or done."""
        step = self.steps[no - 1]
        if m.at(no) + 1 < len(step.actors):
            return replace(m, position=_put(m.position, no, m.at(no) + 1))
        return self._settle(m, no, yes=False)

    def answer(self, m: Marking, no: int, yes: bool) -> Marking:
        """Decision ``no`` answered: on to its branch, or back to it if the branch is an earlier step."""
        step = self.steps[no - 1]
        target = step.if_yes if yes else step.if_no
        assert target is not None
        if target > no:
            return self._settle(m, no, yes=yes)
        return self.send_back(m, target)

    def send_back(self, m: Marking, to: int) -> Marking:
        """Step ``to`` active again; every step reachable from it back to waiting, the others as they were."""
        reset = self.reachable(to)
        status = [WAITING if no in reset else s for no, s in enumerate(m.status, 1)]
        status[to - 1] = ACTIVE
        position = tuple(0 if no in reset else p for no, p in enumerate(m.position, 1))
        return Marking(tuple(status), position, frozenset(m.yes - reset))

    def reachable(self, start: int) -> set[int]:
        """``start`` and every step after it along the edges."""
        found, todo = {start}, [start]
        while todo:
            for target in self.successors[todo.pop()]:
                if target not in found:
                    found.add(target)
                    todo.append(target)
        return found

    def _settle(self, m: Marking, no: int, yes: bool) -> Marking:
        status = list(m.status)
        status[no - 1] = DONE
        answered = m.yes | {no} if yes else m.yes
        position = _put(m.position, no, 0)
        for target in range(no + 1, len(status) + 1):
            sources = self.sources[target]
            if status[target - 1] != WAITING or not sources:
                continue
            if any(status[source - 1] in (WAITING, ACTIVE) for source in sources):
                continue
            live = any(self._live(status, answered, source, target) for source in sources)
            status[target - 1] = ACTIVE if live else SKIPPED
        return Marking(tuple(status), position, frozenset(answered))

    def _live(self, status: Sequence[int], yes: frozenset[int], source: int, target: int) -> bool:
        """Whether the edge source -> target carries the work on (its source done, on the branch taken)."""
        if status[source - 1] != DONE:
            return False
        step = self.steps[source - 1]
        if step.kind is not StepKind.DECISION:
            return True
        plain = source in (self.steps[target - 1].after or ())
        taken = step.if_yes if source in yes else step.if_no
        return plain or taken == target

    def moves(self, m: Marking) -> Iterator[tuple[str, Marking]]:
        """Every (trigger, marking after) from ``m``; nothing from a finished marking."""
        for no in m.active:
            step = self.steps[no - 1]
            if step.kind is StepKind.DECISION:
                yield answer_trigger(no, True), self.answer(m, no, True)
                yield answer_trigger(no, False), self.answer(m, no, False)
                continue
            yield complete_trigger(no), self.complete(m, no)
            for to in step.returns_to:
                yield return_trigger(no, to), self.send_back(m, to)


def _put(values: tuple[int, ...], no: int, value: int) -> tuple[int, ...]:
    return (*values[: no - 1], value, *values[no:])


def complete_trigger(no: int) -> str:
    return f"complete_{no}"


def answer_trigger(no: int, yes: bool) -> str:
    return f"answer_{no}_{'ya' if yes else 'tidak'}"


def return_trigger(no: int, to: int) -> str:
    return f"return_{no}_to_{to}"


def encode(m: Marking) -> str:
    """The state name of ``m``: ``step_N`` for the linear marking of step N, ``done`` when nothing is
    active, else ``m`` + hex of the statuses (2 bits a step, step 1 lowest), then ``y`` + hex of the
    decisions answered Ya (bit no - 1) and ``p`` + ``no.position`` of each active step past its first actor."""
    active = m.active
    if not active:
        return DONE_STATE
    if len(active) == 1 and not m.yes and not any(m.position):
        no = active[0]
        if all(s == DONE for s in m.status[: no - 1]) and all(s == WAITING for s in m.status[no:]):
            return f"step_{no}"
    text = "m" + format(sum(s << (2 * i) for i, s in enumerate(m.status)), "x")
    if m.yes:
        text += "y" + format(sum(1 << (no - 1) for no in m.yes), "x")
    positions = [f"{no}.{p}" for no, p in enumerate(m.position, 1) if p]
    return text + ("p" + "p".join(positions) if positions else "")


def explore(definition: WorkflowDef) -> tuple[Marking, dict[str, dict[str, tuple[str, Marking]]]]:
    """The first marking and, per reachable state, its moves ``trigger -> (state after, marking after)``.

    Refuses (DefinitionError) a definition that reaches more than :data:`MAX_STATES` states, or
    a marking where nothing is active but some step still waits (the case could never finish).
    """
    flow = Flow(definition)
    first = flow.initial()
    graph: dict[str, dict[str, tuple[str, Marking]]] = {}
    queue = deque([first])
    seen = {encode(first)}
    while queue:
        m = queue.popleft()
        state = encode(m)
        graph[state] = {}
        for trigger, after in flow.moves(m):
            name = encode(after)
            graph[state][trigger] = (name, after)
            if name == DONE_STATE:
                _check_finished(definition, after)
            elif name not in seen:
                seen.add(name)
                queue.append(after)
                if len(seen) > MAX_STATES:
                    raise DefinitionError(
                        f"SOP {definition.name} terlalu bercabang: lebih dari {MAX_STATES} keadaan kasus yang "
                        "mungkin; kurangi langkah yang berjalan bersamaan atau pecah menjadi SOP lain (jalankan).",
                        value=len(seen),
                        workflow=definition.name,
                    )
    return first, graph


def _check_finished(definition: WorkflowDef, m: Marking) -> None:
    waiting = [no for no, s in enumerate(m.status, 1) if s == WAITING]
    if waiting:
        raise DefinitionError(
            f"SOP {definition.name}: kasus dapat berhenti tanpa langkah aktif sementara langkah "
            f"{', '.join(map(str, waiting))} masih menunggu; periksa setelah dan ya/tidak.",
            value=waiting,
            workflow=definition.name,
        )


def decode(definition: WorkflowDef, state: str) -> Marking | None:
    """The marking named ``state`` (None for ``done``/``cancelled``)."""
    count = len(definition.steps)
    if state in (DONE_STATE, CANCELLED_STATE):
        return None
    if state.startswith("step_"):
        no = int(state.removeprefix("step_"))
        return Marking(((DONE,) * (no - 1) + (ACTIVE,) + (WAITING,) * (count - no)), (0,) * count)
    body, _, rest = state.removeprefix("m").partition("p")
    bits, _, yes_hex = body.partition("y")
    packed = int(bits, 16)
    status = tuple((packed >> (2 * i)) & 3 for i in range(count))
    position = [0] * count
    for part in rest.split("p") if rest else ():
        step_no, _, at = part.partition(".")
        position[int(step_no) - 1] = int(at)
    yes_bits = int(yes_hex, 16) if yes_hex else 0
    yes = frozenset(no for no in range(1, count + 1) if yes_bits >> (no - 1) & 1)
    return Marking(status, tuple(position), yes)
