"""The SOP flowchart of every kind of step (sop_engine.sopdoc): decisions, parallel steps, paraf chains,
sub-SOPs, and the office's role names as column headings (the sample of tests/sopdoc_support.py)."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine.context import Context
from sop_engine.definitions import StepKind, WorkflowDef
from sop_engine.loader import load_workflow_file
from sop_engine.sopdoc import Names, flowchart_pages
from sop_engine.sopdoc.model import Edge, NodeKind, chart_of
from sop_engine.sopdoc.render import document_bytes
from sop_engine.sopdoc.scene import Box, Page, Shape
from sop_engine.sopdoc.scene import Path as Line
from tests.conftest import need
from tests.helpers import run_cli
from tests.policy_support import office_context
from tests.sopdoc_support import NAMES, QUESTION, ROLES, sample_sop
from tests.test_sopdoc import LAKIP, _within
from tests.web_support import Site

SVG = "{http://www.w3.org/2000/svg}"
Point = tuple[float, float]


@pytest.fixture(scope="module")
def sample() -> WorkflowDef:
    return sample_sop()


@pytest.fixture(scope="module")
def svg(sample: WorkflowDef) -> ET.Element:
    return ET.fromstring(document_bytes(sample, ".svg", "a4", NAMES))


def _symbols(root: ET.Element) -> dict[tuple[int, str], tuple[ET.Element, ET.Element]]:
    """Every step symbol by (step, role), with the page group holding it."""
    found = {}
    for page in root.iter(f"{SVG}g"):
        for element in page:
            if element.get("data-langkah"):
                found[(int(element.get("data-langkah", "0")), element.get("data-pelaksana", ""))] = (element, page)
    return found


def _box(element: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a rect or a polygon."""
    if element.tag == f"{SVG}rect":
        x, y = float(element.get("x", "0")), float(element.get("y", "0"))
        return x, y, x + float(element.get("width", "0")), y + float(element.get("height", "0"))
    points = [tuple(map(float, p.split(","))) for p in element.get("points", "").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _lines(page: ET.Element) -> list[list[Point]]:
    return [
        [(float(x), float(y)) for x, y in (p.split(",") for p in line.get("points", "").split())]
        for line in page.iter(f"{SVG}polyline")
    ]


def _on(point: Point, element: ET.Element) -> bool:
    """Whether ``point`` lies on the outline (within half a point) of ``element``'s bounding box."""
    left, top, right, bottom = _box(element)
    x, y = point
    inside = left - 0.6 <= x <= right + 0.6 and top - 0.6 <= y <= bottom + 0.6
    return inside and min(abs(x - left), abs(x - right), abs(y - top), abs(y - bottom)) <= 0.6


def _heading_x(page: ET.Element, word: str) -> float:
    heading = next(t for t in page.iter(f"{SVG}text") if t.text == word and t.get("text-anchor") == "middle")
    return float(heading.get("x", "0"))


def _centre_x(element: ET.Element) -> float:
    left, _, right, _ = _box(element)
    return (left + right) / 2


def test_the_model_has_the_decision_fork_join_chain_and_sub_sop(sample: WorkflowDef) -> None:
    chart = chart_of(sample, NAMES)
    assert [actor.label for actor in chart.actors] == [
        "Ketua",
        "Sekretaris",
        "Kepala Subbagian Program",
        "Staf/JFU",
        "Arsiparis",
    ]
    assert set(chart.edges) == {
        Edge(1, 2), Edge(2, 3), Edge(3, 4, "Ya"), Edge(3, 8, "Tidak"), Edge(4, 5), Edge(4, 6),
        Edge(5, 7), Edge(6, 7), Edge(7, 8), Edge(8, 9),
    }  # fmt: skip
    kinds = {node.row: node.kind for node in chart.nodes}
    assert (kinds[1], kinds[3], kinds[8], kinds[9]) == (
        NodeKind.TERMINATOR, NodeKind.DECISION, NodeKind.PREDEFINED, NodeKind.TERMINATOR,
    )  # fmt: skip
    assert chart.node(7).columns == (2, 1)  # Kepala Subbagian Program first, then Sekretaris
    assert chart.rows[7].keterangan.startswith("Menjalankan SOP Pengarsipan Dokumen")
    assert QUESTION in chart.rows[2].uraian


def test_the_decision_is_a_diamond_with_ya_and_tidak_to_their_targets(svg: ET.Element) -> None:
    symbols = _symbols(svg)
    diamond, page = symbols[(3, "sekretaris")]
    assert diamond.tag == f"{SVG}polygon" and diamond.get("data-simbol") == "keputusan"
    assert abs(_centre_x(diamond) - _heading_x(page, "Sekretaris")) < 0.5
    texts = [t.text for t in page.iter(f"{SVG}text")]
    assert texts.count("Ya") == 1 and texts.count("Tidak") == 1 and QUESTION in texts
    staf, archive = symbols[(4, "staf")][0], symbols[(8, "arsiparis")][0]
    ends = [(line[0], line[-1]) for line in _lines(page) if _on(line[0], diamond)]
    assert len(ends) == 2
    assert any(_on(end, staf) for _, end in ends), "Ya ke langkah 4 (kolom Staf/JFU)"
    assert any(_on(end, archive) for _, end in ends), "Tidak ke langkah 8 (kolom Arsiparis)"
    assert abs(_centre_x(archive) - _heading_x(page, "Arsiparis")) < 0.5


def test_parallel_steps_fork_from_one_and_join_into_one(svg: ET.Element) -> None:
    symbols = _symbols(svg)
    four, page = symbols[(4, "staf")]
    five, six = symbols[(5, "arsiparis")][0], symbols[(6, "kasubag_program")][0]
    seven = next(e for (no, _), (e, _) in symbols.items() if no == 7 and e.get("data-urutan") == "1")
    lines = _lines(page)
    from_four = [line[-1] for line in lines if _on(line[0], four)]
    assert sorted((_on(end, five), _on(end, six)) for end in from_four) == [(False, True), (True, False)]
    into_seven = [line[0] for line in lines if _on(line[-1], seven)]
    assert sorted((_on(start, five), _on(start, six)) for start in into_seven) == [(False, True), (True, False)]


def test_a_paraf_chain_puts_small_symbols_in_the_next_actors_columns_in_order(svg: ET.Element) -> None:
    symbols = _symbols(svg)
    first, page = symbols[(7, "kasubag_program")]
    second = symbols[(7, "sekretaris")][0]
    assert (first.get("data-urutan"), second.get("data-urutan")) == ("1", "2")
    assert abs(_centre_x(second) - _heading_x(page, "Sekretaris")) < 0.5
    assert float(second.get("width", "0")) < float(first.get("width", "0"))
    assert any(_on(line[0], first) and _on(line[-1], second) for line in _lines(page))


def test_a_sub_sop_is_the_predefined_process_named_in_keterangan(svg: ET.Element) -> None:
    element, page = _symbols(svg)[(8, "arsiparis")]
    assert element.get("data-simbol") == "sub_sop"
    left, _, right, _ = _box(element)
    bars = [line for line in page.iter(f"{SVG}polyline") if line.get("marker-end") is None]
    inside = [b for b in bars if all(left < float(p.split(",")[0]) < right for p in b.get("points", "").split())]
    assert len(inside) == 2
    texts = " ".join(t.text or "" for t in page.iter(f"{SVG}text"))
    assert "Menjalankan SOP Pengarsipan Dokumen" in texts


def test_headings_are_the_offices_role_names_not_ids(svg: ET.Element) -> None:
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"Arsiparis", "Subbagian"} <= texts and not {"arsiparis", "kasubag_program", "Kasubag"} & texts


def _crossings(page: Page, kinds: frozenset[str] | None = None) -> list[str]:
    """Arrows that pass through the inside of a symbol on ``page`` (of ``kinds``, or of any kind)."""
    symbols = [
        (item, _bounds(item))
        for item in page.items
        if isinstance(item, Box | Shape)
        and dict(item.data).get("simbol")
        and (kinds is None or dict(item.data)["simbol"] in kinds)
    ]
    found = []
    for line in (item for item in page.items if isinstance(item, Line) and item.arrow):
        for (x0, y0), (x1, y1) in zip(line.points, line.points[1:], strict=False):
            for item, (left, top, right, bottom) in symbols:
                lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
                if lo_x < right - 1 and hi_x > left + 1 and lo_y < bottom - 1 and hi_y > top + 1:
                    found.append(f"{line.points} melintasi {dict(item.data)}")
    return found


def _bounds(item: Box | Shape) -> tuple[float, float, float, float]:
    if isinstance(item, Box):
        return item.x, item.y, item.x + item.w, item.y + item.h
    xs, ys = [p[0] for p in item.points], [p[1] for p in item.points]
    return min(xs), min(ys), max(xs), max(ys)


def test_no_arrow_crosses_a_symbol(sample: WorkflowDef) -> None:
    for definition, names in ((sample, NAMES), (load_workflow_file(LAKIP), Names())):
        pages = flowchart_pages(definition, "a4", names)
        assert [crossing for page in pages for crossing in _crossings(page)] == []


STEP_SYMBOLS = frozenset(kind.value for kind in NodeKind if kind is not NodeKind.CONNECTOR)


def _random_sop(seed: int, base: WorkflowDef) -> WorkflowDef:
    """3 to 25 steps of random actors and wording: decisions (Ya on, Tidak anywhere), steps after one or
    two earlier ones, paraf chains of two, sub-SOPs and returns."""
    chance = random.Random(seed)
    roles, count = list(ROLES.step_ids), chance.randint(3, 25)
    steps = []
    for no in range(1, count + 1):
        extra: dict[str, Any] = {}
        if 1 < no < count - 1 and chance.random() < 0.2:
            other = chance.choice([n for n in range(2, count + 1) if n not in (no, no + 1)])
            extra = {"kind": StepKind.DECISION, "question": "Benar?", "if_yes": no + 1, "if_no": other}
        elif no > 2 and chance.random() < 0.2:
            extra["after"] = tuple(sorted(chance.sample(range(1, no), chance.randint(1, 2))))
        elif no > 2 and chance.random() < 0.1:
            extra["returns_to"] = (chance.randint(1, no - 1),)
        if chance.random() < 0.15:
            extra["roles"] = tuple(chance.sample(roles, 2))
        if chance.random() < 0.1:
            extra["runs"] = "pengarsipan"
        role = extra["roles"][0] if "roles" in extra else chance.choice(roles)
        name = f"Langkah {no} " + "uraian " * chance.randint(1, 30)
        steps.append(replace(base.steps[0], no=no, name=name, role=role, **extra))
    return replace(base, steps=tuple(steps))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_no_arrow_crosses_a_step_symbol_in_random_sops(sample: WorkflowDef, seed: int) -> None:
    """Every kind of step in random order, over several pages: arrows pass beside the step symbols and
    everything stays on its page (off-page connectors may still meet a lane where many arrows cross pages)."""
    pages = flowchart_pages(_random_sop(seed, sample), "a4", NAMES)
    assert [crossing for page in pages for crossing in _crossings(page, STEP_SYMBOLS)] == []
    assert all(_within(page) for page in pages)


def test_the_pdf_shows_the_question_and_ya_tidak_and_the_docx_opens(sample: WorkflowDef, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        need("pdftotext is not installed (apt-get install poppler-utils)")
        return
    pdf = tmp_path / "sop.pdf"
    pdf.write_bytes(document_bytes(sample, ".pdf", "a4", NAMES))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert QUESTION in text and "Tidak" in text and "Ya" in text and "Arsiparis" in text
    document = docx.Document(io.BytesIO(document_bytes(sample, ".docx", "a4", NAMES)))
    assert len(document.inline_shapes) == len(flowchart_pages(sample, "a4", NAMES))


def test_the_cli_and_the_web_head_the_columns_with_the_offices_role_names(ctx: Context, tmp_path: Path) -> None:
    office = office_context(ctx, tmp_path)  # [peran.arsiparis] nama = "Arsiparis"
    out = tmp_path / "surat-masuk.svg"
    run = run_cli(["workflows", "document", "surat-masuk", "-o", str(out)], office.settings, office.clock)
    assert run.code == 0, run.err
    from_web = Site(office, tmp_path).as_("ketua").get("/sop/surat-masuk/dokumen.svg")
    assert from_web.status_code == 200
    for drawing in (out.read_bytes(), from_web.content):
        headings = {t.text for t in ET.fromstring(drawing).iter(f"{SVG}text") if t.get("font-weight") == "bold"}
        assert {"Arsiparis", "Sekretaris", "Staf/JFU"} <= headings and "arsiparis" not in headings
