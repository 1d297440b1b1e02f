"""The official SOP document drawn from a definition (sop_engine.sopdoc): SVG, PDF and .docx."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from sop_engine.definitions import ROLE_LABELS, WorkflowDef
from sop_engine.errors import InvalidInput
from sop_engine.loader import load_workflow_file
from sop_engine.sopdoc import flowchart_pages
from sop_engine.sopdoc.flow import flow_pages
from sop_engine.sopdoc.identity import identity_page
from sop_engine.sopdoc.model import Actor, Chart, Edge, Node, NodeKind, Row
from sop_engine.sopdoc.render import document_bytes
from sop_engine.sopdoc.scene import PAPERS, Box, Page, Shape, Text
from sop_engine.sopdoc.scene import Path as Line
from tests.helpers import to_pdf

LAKIP = Path(__file__).resolve().parent.parent / "sop_engine" / "defaults" / "workflows" / "lakip.toml"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def lakip() -> WorkflowDef:
    return load_workflow_file(LAKIP)


def _centre(element: ET.Element) -> float:
    if element.tag == f"{SVG}rect":
        return float(element.get("x", "0")) + float(element.get("width", "0")) / 2
    xs = [float(point.split(",")[0]) for point in element.get("points", "").split()]
    return (min(xs) + max(xs)) / 2


def test_svg_is_valid_xml_with_the_11_steps_and_step_8s_paraf_in_their_actor_columns(lakip: WorkflowDef) -> None:
    root = ET.fromstring(document_bytes(lakip, ".svg"))
    symbols = [e for e in root.iter() if e.get("data-langkah")]
    firsts = [e for e in symbols if e.get("data-urutan", "1") == "1"]  # a paraf chain adds one per next actor
    assert sorted(int(e.get("data-langkah", "0")) for e in firsts) == list(range(1, 12))
    assert sorted(e.get("data-pelaksana") for e in symbols if e.get("data-langkah") == "8") == [
        "kasubag_program",
        "sekretaris",
    ]
    for element in symbols:
        step = lakip.step(int(element.get("data-langkah", "0")))
        actor = step.actors[int(element.get("data-urutan", "1")) - 1]
        assert element.get("data-pelaksana") == actor
        page = next(g for g in root.iter(f"{SVG}g") if element in list(g))
        first_word = ROLE_LABELS[actor].split()[0]  # a long heading is wrapped, each line centred
        headings = (t for t in page.iter(f"{SVG}text") if t.get("text-anchor") == "middle")
        heading = next(t for t in headings if t.text == first_word)
        assert abs(_centre(element) - float(heading.get("x", "0"))) < 0.5, f"langkah {step.no}"


def test_first_and_last_are_terminators_returns_are_decisions_with_ya_and_tidak(lakip: WorkflowDef) -> None:
    root = ET.fromstring(document_bytes(lakip, ".svg"))
    kinds = {int(e.get("data-langkah", "0")): e.get("data-simbol") for e in root.iter() if e.get("data-langkah")}
    assert kinds[1] == kinds[11] == "terminator"
    assert kinds[7] == kinds[9] == "keputusan"
    assert {kinds[n] for n in (2, 3, 4, 5, 6, 8, 10)} == {"proses"}
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count("Ya") == 2 and texts.count("Tidak") == 2


def test_a_table_broken_across_pages_has_the_same_connector_at_both_ends(lakip: WorkflowDef) -> None:
    pages = flowchart_pages(lakip, "a4")
    assert len(pages) >= 2
    root = ET.fromstring(document_bytes(lakip, ".svg"))
    letters = [e.get("data-huruf") for e in root.iter() if e.get("data-simbol") == "penghubung"]
    assert letters.count("A") == 2


def _pdf_text(data: bytes) -> bytes:
    """The page contents of a ReportLab PDF (streams ASCII85 then Flate encoded), joined."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL)
    return b"".join(zlib.decompress(base64.a85decode(s.strip().removesuffix(b"~>"))) for s in streams)


def test_pdf_has_the_identity_table_with_the_signer_and_every_step(lakip: WorkflowDef) -> None:
    raw = document_bytes(lakip, ".pdf")
    assert raw.startswith(b"%PDF")
    data = _pdf_text(raw)
    for text in ("Nomor SOP", "Drs. Bambang Sutrisno, M.M.", "NIP. 19650412 199000 1 001", "Mengoreksi Dokumen LAKIP"):
        assert f"({text})".encode() in data, text
    assert raw.count(b"/Type /Page\n") == 1 + len(flowchart_pages(lakip))


def test_f4_paper_is_wider_than_a4(lakip: WorkflowDef) -> None:
    assert flowchart_pages(lakip, "f4")[0].width > flowchart_pages(lakip, "a4")[0].width
    with pytest.raises(InvalidInput, match="Kertas 'letter' tidak dikenal"):
        document_bytes(lakip, ".pdf", "letter")


def test_docx_holds_the_identity_table_and_one_picture_per_flowchart_page(lakip: WorkflowDef) -> None:
    document = docx.Document(io.BytesIO(document_bytes(lakip, ".docx")))
    cells = {cell.text for row in document.tables[0].rows for cell in row.cells}
    assert "Nomor SOP" in cells and any("NIP. 19650412 199000 1 001" in cell for cell in cells)
    assert len(document.inline_shapes) == len(flowchart_pages(lakip))


@pytest.mark.office
def test_docx_opens_in_libreoffice(lakip: WorkflowDef, tmp_path: Path) -> None:
    source = tmp_path / "sop.docx"
    source.write_bytes(document_bytes(lakip, ".docx"))
    (printed,) = to_pdf([source], tmp_path / "pdf")
    assert printed.name == "sop.pdf" and printed.read_bytes().startswith(b"%PDF")


def test_cli_writes_the_document_and_refuses_an_unknown_suffix(sop, tmp_path: Path) -> None:
    out = tmp_path / "sop.svg"
    run = sop("workflows", "document", "lakip", "-o", str(out))
    assert run.code == 0, run.err
    assert f"ditulis ke {out}" in run.out and out.read_bytes().startswith(b"<?xml")
    run = sop("workflows", "document", "lakip", "-o", str(tmp_path / "sop.txt"))
    assert run.code != 0
    assert "akhiri nama berkas dengan .svg, .pdf, .docx" in run.err
    assert not (tmp_path / "sop.txt").exists()


def _within(page: Page) -> bool:
    """Everything on ``page`` lies inside its edges."""
    points: list[tuple[float, float]] = []
    for item in page.items:
        if isinstance(item, Box):
            points += [(item.x, item.y), (item.x + item.w, item.y + item.h)]
        elif isinstance(item, Shape | Line):
            points += list(item.points)
        else:
            points.append((item.x, item.y))
    return all(0 <= x <= page.width and 0 <= y <= page.height for x, y in points)


def test_a_long_sop_breaks_into_pages_each_ending_and_starting_with_its_own_letter(lakip: WorkflowDef) -> None:
    steps = tuple(replace(lakip.steps[n % 11], no=n + 1, returns_to=()) for n in range(40))
    long = replace(lakip, steps=steps)
    flow = flowchart_pages(long)
    assert len(flow) >= 4 and all(_within(page) for page in flow)
    letters = [[dict(i.data)["huruf"] for i in page.items if isinstance(i, Shape) and i.data] for page in flow]
    assert letters[0] == ["A"] and letters[-1] == [chr(ord("A") + len(flow) - 2)]
    assert all(middle == [chr(ord("A") + n), chr(ord("A") + n + 1)] for n, middle in enumerate(letters[1:-1]))


def test_the_model_draws_a_node_in_each_of_its_actors_columns_and_a_decision_with_ya_and_tidak() -> None:
    actors = (Actor("ketua", "Ketua"), Actor("sekretaris", "Sekretaris"), Actor("bendahara", "Bendahara"))
    rows = tuple(Row(n, f"Langkah {n}", (), "1 jam", "Dokumen", "-") for n in (1, 2, 3, 4))
    nodes = (
        Node(1, NodeKind.TERMINATOR, (1,)),
        Node(2, NodeKind.PROCESS, (1, 2)),  # paraf chain: sekretaris, then bendahara
        Node(3, NodeKind.DECISION, (0,)),
        Node(4, NodeKind.TERMINATOR, (2,)),
    )
    edges = (Edge(1, 2), Edge(2, 3), Edge(3, 4, "Ya"), Edge(3, 2, "Tidak"))
    (page,) = flow_pages(Chart(actors, rows, nodes, edges), PAPERS["a4"], "Uji")
    marked = [dict(item.data) for item in page.items if isinstance(item, Box | Shape) and item.data]
    steps = [(m["langkah"], m["pelaksana"], m["simbol"]) for m in marked if "langkah" in m]
    assert ("2", "sekretaris", "proses") in steps and ("2", "bendahara", "proses") in steps
    assert ("3", "ketua", "keputusan") in steps
    labels = [item.text for item in page.items if isinstance(item, Text)]
    assert labels.count("Ya") == 1 and labels.count("Tidak") == 1 and _within(page)


def test_a_long_identity_is_set_smaller_to_stay_on_its_page(lakip: WorkflowDef) -> None:
    laws = tuple(f"Peraturan nomor {n} tentang sesuatu yang panjang sekali untuk diuji cetaknya" for n in range(30))
    header = replace(lakip.header, dasar_hukum=laws)
    page = identity_page(header, PAPERS["a4"])
    sizes = {item.size for item in page.items if isinstance(item, Text) and "Peraturan nomor" in item.text}
    assert sizes and max(sizes) < 9.0 and _within(page)
