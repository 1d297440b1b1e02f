"""The neutral model of an SOP flowchart: actors (columns), nodes (symbols) and edges (arrows).

Every drawing of the SOP document (:mod:`.flow`) reads this model, never the definition itself, so a
new feature of the definition format (decisions, parallel steps, several actors, a sub-SOP) is
added here once: a node per step in its actors' columns, of one of the PermenPAN-RB 35/2012 kinds,
and edges between them labelled "Ya"/"Tidak" where a step decides.

A decision step (``jenis = "keputusan"``) is a diamond with arrows "Ya" and "Tidak" to its targets;
a step with ``kembali_ke`` returns is drawn as a decision too (its actor checks the work): "Ya"
goes on to the next step, "Tidak" returns. A step after several (``setelah``) gets an arrow from
each; a paraf chain (``pelaksana = [...]``) has a node in each actor's column, the first the
step's symbol; a sub-SOP (``jalankan``) is the predefined-process symbol, named in keterangan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sop_engine.critical_path import budget_label
from sop_engine.definitions import StepDef, StepKind, WorkflowDef
from sop_engine.marking import in_edges
from sop_engine.roles import DEFAULT_ROLES, Roles


class NodeKind(StrEnum):
    """The symbols of the SOP AP flowchart (the arrow is an :class:`Edge`)."""

    TERMINATOR = "terminator"  # the first and the last step
    PROCESS = "proses"
    DECISION = "keputusan"
    CONNECTOR = "penghubung"  # off-page connector, added by the layout where a page breaks
    PREDEFINED = "sub_sop"  # predefined process: the step runs another SOP (``jalankan``)


@dataclass(frozen=True)
class Actor:
    """One actor column of the flowchart: a role and its heading."""

    role: str
    label: str


@dataclass(frozen=True)
class Row:
    """One row of the flowchart table: a step and its mutu baku columns."""

    no: int
    uraian: str
    kelengkapan: tuple[str, ...]
    waktu: str
    output: str
    keterangan: str


@dataclass(frozen=True)
class Node:
    """The symbol of one row, drawn in the column of each of its actors (index into ``Chart.actors``):
    the first column holds the symbol of ``kind``, the others (a paraf chain) small process symbols."""

    row: int
    kind: NodeKind
    columns: tuple[int, ...]


@dataclass(frozen=True)
class Edge:
    """An arrow from the symbol of row ``source`` to that of row ``target``; ``label`` is "Ya", "Tidak" or ""."""

    source: int
    target: int
    label: str = ""

    @property
    def backwards(self) -> bool:
        return self.target < self.source


@dataclass(frozen=True)
class Chart:
    """A whole flowchart: the actor columns in order, the rows with their nodes, the edges."""

    actors: tuple[Actor, ...]
    rows: tuple[Row, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, row: int) -> Node:
        return next(node for node in self.nodes if node.row == row)


@dataclass(frozen=True)
class Names:
    """What the document calls the office's roles (``[peran]``) and the SOPs its steps run (id -> nama)."""

    roles: Roles = DEFAULT_ROLES
    sops: Mapping[str, str] = field(default_factory=dict)
    #: The budget of each step of the SOP drawn, by step number, as the office reads it (a step that runs
    #: an SOP without ``waktu``: "mengikuti SOP <id> (± 6 hari 3 jam)", that SOP's critical path); a step
    #: not in it shows its budget as the definition alone says it.
    budgets: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, roles: Roles, definitions: Iterable[WorkflowDef], budgets: Mapping[int, str] | None = None) -> Names:
        """The names of an office with ``roles`` whose workflows folder holds ``definitions``; ``budgets``
        the labels of the drawn SOP's steps (:func:`sop_engine.workflows.budget_labels`)."""
        sops = {definition.name: definition.header.nama for definition in definitions}
        return cls(roles, sops, dict(budgets or {}))


#: The names of an office without ``[peran]`` whose steps run no other SOP.
DEFAULT_NAMES = Names()


def chart_of(definition: WorkflowDef, names: Names = DEFAULT_NAMES) -> Chart:
    """The flowchart of ``definition``: actor columns in the order of the office's roles (headed by
    their names), then any other role."""
    roles = names.roles
    used = list(dict.fromkeys(role for step in definition.steps for role in step.actors))
    order = [role for role in roles.step_ids if role in used] + [role for role in used if role not in roles.step_ids]
    actors = tuple(Actor(role, roles.label(role)) for role in order)
    column = {actor.role: index for index, actor in enumerate(actors)}
    rows = tuple(_row(step, names) for step in definition.steps)
    nodes = tuple(
        Node(step.no, _kind(step, len(definition.steps)), tuple(column[role] for role in step.actors))
        for step in definition.steps
    )
    return Chart(actors, rows, nodes, _edges(definition))


def _row(step: StepDef, names: Names) -> Row:
    uraian = step.name
    if step.question and step.question not in uraian:
        uraian = f"{uraian}\n{step.question}"
    keterangan = step.keterangan
    if step.runs is not None:
        runs = f"Menjalankan SOP {names.sops.get(step.runs, step.runs)}"
        keterangan = f"{runs}\n{keterangan}" if keterangan else runs
    budget = names.budgets.get(step.no) or budget_label(step)
    return Row(step.no, uraian, step.kelengkapan, budget, step.output, keterangan)


def _kind(step: StepDef, last: int) -> NodeKind:
    if step.kind is StepKind.DECISION or step.returns_to:
        return NodeKind.DECISION
    if step.runs is not None:
        return NodeKind.PREDEFINED
    return NodeKind.TERMINATOR if step.no in (1, last) else NodeKind.PROCESS


def _edges(definition: WorkflowDef) -> tuple[Edge, ...]:
    """Every arrow once: a decision's Ya and Tidak, the returns, and from each step's predecessors."""
    edges: dict[tuple[int, int], Edge] = {}
    for step in definition.steps:
        if step.kind is StepKind.DECISION:
            for target, label in ((step.if_yes, "Ya"), (step.if_no, "Tidak")):
                if target is not None:
                    edges.setdefault((step.no, target), Edge(step.no, target, label))
        edges.update(((step.no, target), Edge(step.no, target, "Tidak")) for target in step.returns_to)
    sources = in_edges(definition.steps)
    for step in definition.steps:
        for source in sources[step.no]:
            label = "Ya" if definition.step(source).returns_to else ""
            edges.setdefault((source, step.no), Edge(source, step.no, label))
    return tuple(sorted(edges.values(), key=lambda edge: (edge.source, edge.target)))
