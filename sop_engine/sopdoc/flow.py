"""The flowchart pages of the SOP document: rows paginated, symbols in their actors' columns, arrows.

Rows are set one under the other; when the next row would not fit on the page, the page ends with
an off-page connector under the last symbol and the next page starts with the same letter above
the next symbol. An arrow to the next row leaves a symbol at its bottom and enters the next at its
top; any other (a return, a skip, a fork or a join past other rows) leaves at the side and runs
in a lane beside the target's symbols, up or down its column, into the target's side, so it
crosses no symbol. A paraf chain's later actors get small process symbols joined in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from sop_engine.sopdoc import flow_table as table
from sop_engine.sopdoc.model import Chart, Edge, Node, NodeKind
from sop_engine.sopdoc.scene import Item, Page, Path, Text
from sop_engine.sopdoc.symbols import CHAIN, CONNECTOR, Placed, connector, height_of, symbol, symbol_width

MARGIN = 34.0
GAP = 14.0  # above and below a symbol in its row
LINK = CONNECTOR + 10.0  # the room an off-page connector and its arrow take in a row
LANE = 6.0  # from a symbol's side to the first lane beside it
LANE_STEP = 3.5  # between lanes beside the same symbols


@dataclass(frozen=True)
class _Slot:
    """Where a row sits: its page, top, height, and the room kept for connectors above and below."""

    page: int
    top: float
    height: float
    link_in: bool
    link_out: bool


def flow_pages(chart: Chart, size: tuple[float, float], title: str) -> list[Page]:
    """The flowchart table over as many pages as it needs."""
    width, height = size
    cols = table.columns(MARGIN, width - 2 * MARGIN, len(chart.actors))
    head = table.heading_height(chart, cols)
    first_top = MARGIN + 16.0
    slots = _paginate(chart, cols, first_top + head, height - MARGIN)
    count = max(slot.page for slot in slots) + 1
    pages = [Page(width, height) for _ in range(count)]
    for number, page in enumerate(pages):
        page.items.append(Text(MARGIN, MARGIN + 8.0, title, 10.0, True))
        page.items.append(
            Text(width - MARGIN, MARGIN + 8.0, f"Bagan alir {number + 1} dari {count}", 8.0, False, "end")
        )
        page.items.extend(table.heading_items(chart, cols, first_top))
    places: dict[int, list[Placed]] = {}
    for row, slot in zip(chart.rows, slots, strict=True):
        pages[slot.page].items.extend(table.row_items(row, cols, slot.top, slot.height))
        places[row.no] = _place(chart.node(row.no), cols, slot)
    _draw_nodes(chart, pages, places, slots)
    _draw_edges(chart, pages, places, slots, cols)
    return pages


def _paginate(chart: Chart, cols: table.Columns, top: float, bottom: float) -> list[_Slot]:
    """Rows in order; a row that does not fit (with room for the connector out) starts a new page."""
    slots: list[_Slot] = []
    page, y = 0, top
    last = len(chart.rows) - 1
    for index, row in enumerate(chart.rows):
        need = max(table.text_height(row, cols), height_of(chart.node(row.no).kind) + 2 * GAP)
        out = LINK if index < last else 0.0
        link_in = False
        if slots and y > top and y + need + out > bottom:
            previous = slots[-1]
            slots[-1] = _Slot(previous.page, previous.top, previous.height + LINK, previous.link_in, True)
            page, y, link_in = page + 1, top, True
        grow = LINK if link_in else 0.0
        slots.append(_Slot(page, y, need + grow, link_in, False))
        y += need + grow
    return slots


def _place(node: Node, cols: table.Columns, slot: _Slot) -> list[Placed]:
    """The outline of the node in each of its columns: the first full size, a paraf chain's others small."""
    body_top = slot.top + (LINK if slot.link_in else 0.0)
    body = slot.height - (LINK if slot.link_in else 0.0) - (LINK if slot.link_out else 0.0)
    hh = height_of(node.kind) / 2
    placed = []
    for index, c in enumerate(node.columns):
        x, w = cols.actors[c]
        if index == 0:
            placed.append(Placed(x + w / 2, body_top + body / 2, symbol_width(w) / 2, hh))
        else:
            small = CHAIN * height_of(NodeKind.PROCESS) / 2
            placed.append(Placed(x + w / 2, body_top + body / 2, CHAIN * symbol_width(w) / 2, small))
    return placed


def _draw_nodes(chart: Chart, pages: list[Page], places: dict[int, list[Placed]], slots: list[_Slot]) -> None:
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    linked = {(edge.source, edge.target) for edge in chart.edges}
    for index, (node, slot) in enumerate(zip(chart.nodes, slots, strict=True)):
        items = pages[slot.page].items
        placed = places[node.row]
        items.extend(_symbols(chart, node, placed))
        if not slot.link_out or index + 1 == len(slots):
            continue
        following = chart.nodes[index + 1].row
        if (node.row, following) not in linked:
            continue
        letter = next(letters)
        out = placed[-1]
        items.append(Path(((out.cx, out.bottom), (out.cx, slot.top + slot.height - LINK + 4))))
        items.extend(connector(out.cx, slot.top + slot.height - LINK + 4, letter))
        nxt, top = places[following][0], slots[index + 1].top + 4
        pages[slots[index + 1].page].items.extend(connector(nxt.cx, top, letter))
        pages[slots[index + 1].page].items.append(Path(((nxt.cx, top + CONNECTOR), (nxt.cx, nxt.top))))


def _symbols(chart: Chart, node: Node, placed: list[Placed]) -> list[Item]:
    """The node's symbol in its first column, a paraf chain's small ones in the others, joined in order."""
    items: list[Item] = []
    for order, (column, one) in enumerate(zip(node.columns, placed, strict=True)):
        kind = node.kind if order == 0 else NodeKind.PROCESS
        data: tuple[tuple[str, str], ...] = (("langkah", str(node.row)), ("pelaksana", chart.actors[column].role))
        if len(placed) > 1:
            data += (("urutan", str(order + 1)),)
        items.extend(symbol(kind, one, data))
    if node.kind is NodeKind.TERMINATOR:
        word = "Mulai" if node.row == chart.rows[0].no else "Selesai"
        items.append(Text(placed[0].cx, placed[0].cy + 2.5, word, 7.0, False, "middle"))
    for left, right in pairwise(placed):  # several actors: one after the other, in order
        sign = 1 if right.cx >= left.cx else -1
        items.append(Path(((left.cx + sign * left.hw, left.cy), (right.cx - sign * right.hw, right.cy))))
    return items


def _draw_edges(
    chart: Chart, pages: list[Page], places: dict[int, list[Placed]], slots: list[_Slot], cols: table.Columns
) -> None:
    router = _Router(chart, places, {row.no: slot for row, slot in zip(chart.rows, slots, strict=True)}, cols)
    order = {row.no: index for index, row in enumerate(chart.rows)}
    for edge in chart.edges:
        source, target = places[edge.source][-1], places[edge.target][0]
        page, target_page = router.slots[edge.source].page, router.slots[edge.target].page
        adjacent = order[edge.target] == order[edge.source] + 1
        if target_page != page and adjacent:  # the page's own connector carries it
            if edge.label:
                pages[page].items.append(Text(source.cx + 3, source.bottom + 8, edge.label, 7.0))
        elif target_page != page:
            pages[page].items.extend(router.beside(edge.source, -1, target.cx >= source.cx, edge, out=True))
            pages[target_page].items.extend(router.beside(edge.target, 0, source.cx >= target.cx, edge, out=False))
        elif adjacent:
            pages[page].items.extend(_forward(edge, source, target, router.slots[edge.source]))
        else:
            rows = chart.rows[order[edge.source] + 1 : order[edge.target]]
            pages[page].items.extend(router.skip(edge, [one for row in rows for one in places[row.no]]))


@dataclass
class _Router:
    """Routes the arrows past other rows on a page, keeping count of the lanes beside each column."""

    chart: Chart
    places: dict[int, list[Placed]]
    slots: dict[int, _Slot]
    cols: table.Columns
    #: Lanes taken beside the symbols of a column (by its centre), per side.
    lanes: dict[tuple[float, bool], int] = field(default_factory=dict)
    #: Off-page connectors already beside a row's symbol, per side.
    besides: dict[tuple[int, bool], int] = field(default_factory=dict)

    def beside(self, row: int, index: int, right: bool, edge: Edge, *, out: bool) -> list[Item]:
        """An off-page connector beside the symbol ``index`` of ``row`` for ``edge``, on the side towards
        the other end (``right``) unless the row's other symbols (a paraf chain's) are there; a second
        connector on the same side goes under the first."""
        placed = self.places[row]
        node = placed[index]
        if any((one.cx > node.cx) == right for one in placed if one is not node):
            right = not right
        stacked = self.besides.get((row, right), 0)
        self.besides[(row, right)] = stacked + 1
        name, label = (str(edge.target), edge.label) if out else (str(edge.source), "")
        return _side_connector(node, right, name, label, out=out, below=stacked * (CONNECTOR + 4))

    def skip(self, edge: Edge, between: list[Placed]) -> list[Item]:
        """An arrow past other rows (``between`` holds their symbols): straight down a column clear of
        them (the target's, or the source's), else along a lane beside the target's column. A
        decision's arrows past other rows leave at its side, so its Ya and Tidak never share a line."""
        source, target = self.places[edge.source][-1], self.places[edge.target][0]
        slot = self.slots[edge.source]
        if not edge.backwards and self.chart.node(edge.source).kind is not NodeKind.DECISION:
            if _clear(between, target.cx):
                return _forward(edge, source, target, slot)
            enter = target.cx + (target.hw if source.cx > target.cx else -target.hw)
            if _clear(between, source.cx) and _clear_across(self.places[edge.target][1:], source.cx, enter):
                points = ((source.cx, source.bottom), (source.cx, target.cy), (enter, target.cy))
                return [Path(points), *_forward(edge, source, target, slot)[1:]]
        right = target.cx >= source.cx
        taken = self.lanes.get((target.cx, right), 0)
        self.lanes[(target.cx, right)] = taken + 1
        return _lane(edge, source, target, slot, self.cols, taken, self.places[edge.source][:-1])


def _clear_across(symbols: list[Placed], a: float, b: float) -> bool:
    """Whether a horizontal line from ``a`` to ``b`` passes beside every one of ``symbols`` (in its row)."""
    low, high = min(a, b), max(a, b)
    return not any(one.cx + one.hw > low and one.cx - one.hw < high for one in symbols)


def _clear(symbols: list[Placed], x: float) -> bool:
    """Whether a vertical line at ``x`` passes beside every one of ``symbols``."""
    return all(abs(one.cx - x) > one.hw + 1 for one in symbols)


def _forward(edge: Edge, source: Placed, target: Placed, slot: _Slot) -> list[Item]:
    """Down from the source's bottom, across below it if the target is in another column, down into its top."""
    points: tuple[tuple[float, float], ...] = ((source.cx, source.bottom), (target.cx, target.top))
    if abs(source.cx - target.cx) >= 0.5:
        mid = (source.bottom + slot.top + slot.height) / 2
        points = ((source.cx, source.bottom), (source.cx, mid), (target.cx, mid), (target.cx, target.top))
    items: list[Item] = [Path(points)]
    if edge.label:  # on the side the line does not turn to
        right = target.cx < source.cx
        items.append(
            Text(
                source.cx + (3 if right else -3), source.bottom + 8, edge.label, 7.0, False, "start" if right else "end"
            )
        )
    return items


def _lane(
    edge: Edge, source: Placed, target: Placed, slot: _Slot, cols: table.Columns, taken: int, row: list[Placed]
) -> list[Item]:
    """From the source's side across to a lane beside the target's column of symbols, up or down it,
    into the target's side; ``taken`` lanes beside those symbols are already used. When another
    symbol of the source's row (a paraf chain's) is in the way, the arrow leaves at the bottom and
    crosses below the row instead."""
    right = target.cx >= source.cx
    exit_x = source.cx + source.hw if right else source.cx - source.hw
    shift = LANE + taken * LANE_STEP
    if abs(source.cx - target.cx) < 0.5:  # up or down the column's right edge, the label under the line
        column = next(x + w for x, w in cols.actors if x <= source.cx <= x + w)
        lane, enter, label_y = column - 5 - taken * LANE_STEP, target.cx + target.hw, source.cy + 9
    elif right:
        lane, enter, label_y = target.cx - target.hw - shift, target.cx - target.hw, source.cy - 3
    else:
        lane, enter, label_y = target.cx + target.hw + shift, target.cx + target.hw, source.cy - 3
    label = Text(exit_x + (2 if right else -2), label_y, edge.label, 6.5, False, "start" if right else "end")
    points: tuple[tuple[float, float], ...] = ((exit_x, source.cy), (lane, source.cy))
    if not _clear_across(row, exit_x, lane):
        below = (source.bottom + slot.top + slot.height - (LINK if slot.link_out else 0.0)) / 2
        points = ((source.cx, source.bottom), (source.cx, below), (lane, below))
        label = Text(source.cx + 3, source.bottom + 8, edge.label, 6.5)
    points += ((lane, target.cy), (enter, target.cy))
    return [Path(points), label] if edge.label else [Path(points)]


def _side_connector(node: Placed, right: bool, name: str, label: str, *, out: bool, below: float = 0.0) -> list[Item]:
    """An off-page connector beside ``node`` (``below`` its centre line) naming the step on the other
    page: the arrow leaves the node towards it (``out``) or comes from it into the node."""
    sign = 1 if right else -1
    side = node.cx + sign * node.hw
    centre = side + sign * (20 + CONNECTOR / 2)
    end = centre - sign * CONNECTOR / 2
    y = node.cy + below
    line: tuple[tuple[float, float], ...] = ((side, node.cy), (end, y))
    if below:
        elbow = side + sign * 16
        line = ((side, node.cy), (elbow, node.cy), (elbow, y), (end, y))
    items: list[Item] = [Path(line if out else line[::-1]), *connector(centre, y - CONNECTOR / 2, name)]
    if label:
        items.append(Text(side + sign * 2, node.cy - 3, label, 6.5, False, "start" if right else "end"))
    return items
