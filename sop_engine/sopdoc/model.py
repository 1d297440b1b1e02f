"""The neutral model of an SOP flowchart: actors (columns), nodes (symbols) and edges (arrows).

Every drawing of the SOP document (:mod:`.flow`) reads this model, never the definition itself, so a
new feature of the definition format (decisions, parallel steps, several actors, a sub-SOP) is
added here once: a node per step in its actors' columns, of one of the PermenPAN-RB 35/2012 kinds,
and edges between them labelled "Ya"/"Tidak" where a step decides.

Today's format has straight steps with ``kembali_ke`` returns: a step that may send the work back
is a decision (its actor checks the work): "Ya" goes on to the next step, "Tidak" returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sop_engine.definitions import ROLE_LABELS, WorkflowDef


class NodeKind(StrEnum):
    """The symbols of the SOP AP flowchart (the arrow is an :class:`Edge`)."""

    TERMINATOR = "terminator"  # the first and the last step
    PROCESS = "proses"
    DECISION = "keputusan"
    CONNECTOR = "penghubung"  # off-page connector, added by the layout where a page breaks


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
    """The symbol of one row, drawn in the column of each of its actors (index into ``Chart.actors``)."""

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


def chart_of(definition: WorkflowDef) -> Chart:
    """The flowchart of ``definition``: actors in the order of :data:`ROLE_LABELS`, then any other role."""
    used = list(dict.fromkeys(step.role for step in definition.steps))
    known = [Actor(role, label) for role, label in ROLE_LABELS.items() if role in used]
    others = [Actor(role, role.replace("_", " ").title()) for role in used if role not in ROLE_LABELS]
    actors = (*known, *others)  # an office's own roles after the LAKIP four, in the order the steps use them
    column = {actor.role: index for index, actor in enumerate(actors)}
    last = len(definition.steps)
    rows, nodes, edges = [], [], []
    for step in definition.steps:
        rows.append(Row(step.no, step.name, step.kelengkapan, str(step.budget), step.output, step.keterangan))
        kind = NodeKind.DECISION if step.returns_to else NodeKind.PROCESS
        if step.no in (1, last) and not step.returns_to:
            kind = NodeKind.TERMINATOR
        nodes.append(Node(step.no, kind, (column[step.role],)))
        if step.no < last:
            edges.append(Edge(step.no, step.no + 1, "Ya" if step.returns_to else ""))
        edges.extend(Edge(step.no, target, "Tidak") for target in step.returns_to)
    return Chart(actors, tuple(rows), tuple(nodes), tuple(edges))
