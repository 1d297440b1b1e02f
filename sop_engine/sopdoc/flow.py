"""The flowchart pages of the SOP document: rows paginated, symbols in their actors' columns, arrows.

Rows are set one under the other; when the next row would not fit on the page, the page ends with
an off-page connector under the last symbol and the next page starts with the same letter above
the next symbol. Forward arrows leave a symbol at its bottom and enter the next at its top; a
return ("Tidak") leaves a decision at its side and enters the earlier symbol at its side.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from sop_engine.sopdoc import flow_table as table
from sop_engine.sopdoc.model import Chart, Edge, Node, NodeKind
from sop_engine.sopdoc.scene import Item, Page, Path, Text
from sop_engine.sopdoc.symbols import CONNECTOR, Placed, connector, height_of, symbol, symbol_width

MARGIN = 34.0
GAP = 14.0  # above and below a symbol in its row
LINK = CONNECTOR + 10.0  # the room an off-page connector and its arrow take in a row


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
    body_top = slot.top + (LINK if slot.link_in else 0.0)
    body = slot.height - (LINK if slot.link_in else 0.0) - (LINK if slot.link_out else 0.0)
    hh = height_of(node.kind) / 2
    return [
        Placed(cols.actors[c][0] + cols.actors[c][1] / 2, body_top + body / 2, symbol_width(cols.actors[c][1]) / 2, hh)
        for c in node.columns
    ]


def _draw_nodes(chart: Chart, pages: list[Page], places: dict[int, list[Placed]], slots: list[_Slot]) -> None:
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for node, slot in zip(chart.nodes, slots, strict=True):
        items = pages[slot.page].items
        placed = places[node.row]
        for column, one in zip(node.columns, placed, strict=True):
            items.extend(symbol(node.kind, one, (("langkah", str(node.row)), ("pelaksana", chart.actors[column].role))))
        if node.kind is NodeKind.TERMINATOR:
            word = "Mulai" if node.row == chart.rows[0].no else "Selesai"
            items.append(Text(placed[0].cx, placed[0].cy + 2.5, word, 7.0, False, "middle"))
        for left, right in pairwise(placed):  # several actors: one after the other
            items.append(Path(((left.cx + left.hw, left.cy), (right.cx - right.hw, right.cy))))
        if slot.link_out:
            letter = next(letters)
            out = placed[-1]
            items.append(Path(((out.cx, out.bottom), (out.cx, slot.top + slot.height - LINK + 4))))
            items.extend(connector(out.cx, slot.top + slot.height - LINK + 4, letter))
            following = slots.index(slot) + 1
            if following < len(slots):
                nxt = places[chart.nodes[following].row][0]
                top = slots[following].top + 4
                pages[slots[following].page].items.extend(connector(nxt.cx, top, letter))
                pages[slots[following].page].items.append(Path(((nxt.cx, top + CONNECTOR), (nxt.cx, nxt.top))))


def _draw_edges(
    chart: Chart, pages: list[Page], places: dict[int, list[Placed]], slots: list[_Slot], cols: table.Columns
) -> None:
    slot_of = {row.no: slot for row, slot in zip(chart.rows, slots, strict=True)}
    for edge in chart.edges:
        source, target = places[edge.source][-1], places[edge.target][0]
        page, target_page = slot_of[edge.source].page, slot_of[edge.target].page
        if edge.backwards and target_page == page:
            pages[page].items.extend(_return(edge, source, target, cols))
        elif edge.backwards:
            pages[page].items.extend(
                _side_connector(source, target.cx >= source.cx, str(edge.target), edge.label, out=True)
            )
            pages[target_page].items.extend(
                _side_connector(target, source.cx >= target.cx, str(edge.source), "", out=False)
            )
        elif target_page == page and not slot_of[edge.source].link_out:
            pages[page].items.extend(_forward(edge, source, target, slot_of[edge.source]))
        elif edge.label:
            pages[page].items.append(Text(source.cx + 3, source.bottom + 8, edge.label, 7.0))


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


def _return(edge: Edge, source: Placed, target: Placed, cols: table.Columns) -> list[Item]:
    """From the decision's side across and up into the earlier symbol's side."""
    right = target.cx >= source.cx
    exit_x = source.cx + source.hw if right else source.cx - source.hw
    if abs(source.cx - target.cx) < 0.5:  # up the column's edge: the label under the line, clear of it
        column = next(x + w for x, w in cols.actors if x <= source.cx <= x + w)
        lane, enter, label_y = column - 5, target.cx + target.hw, source.cy + 9
    elif right:
        lane, enter, label_y = target.cx - target.hw - 6, target.cx - target.hw, source.cy - 3
    else:
        lane, enter, label_y = target.cx + target.hw + 6, target.cx + target.hw, source.cy - 3
    label = Text(exit_x + (2 if right else -2), label_y, edge.label, 6.5, False, "start" if right else "end")
    points = ((exit_x, source.cy), (lane, source.cy), (lane, target.cy), (enter, target.cy))
    return [Path(points), label]


def _side_connector(node: Placed, right: bool, name: str, label: str, *, out: bool) -> list[Item]:
    """An off-page connector beside ``node`` naming the step on the other page: the arrow leaves the
    node towards it (``out``) or comes from it into the node."""
    sign = 1 if right else -1
    side = node.cx + sign * node.hw
    centre = side + sign * (20 + CONNECTOR / 2)
    end = centre - sign * CONNECTOR / 2
    line: tuple[tuple[float, float], ...] = (
        ((side, node.cy), (end, node.cy)) if out else ((end, node.cy), (side, node.cy))
    )
    items: list[Item] = [Path(line), *connector(centre, node.cy - CONNECTOR / 2, name)]
    if label:
        items.append(Text(side + sign * 2, node.cy - 3, label, 6.5, False, "start" if right else "end"))
    return items
