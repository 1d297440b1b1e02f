"""The draft LKj as printed: converted to PDF with LibreOffice and its text extracted with pdftotext.

An office sends back a report whose amounts or words are split over two lines, whose pages carry no
numbers, or whose Daftar Isi has no pages; these tests read the PDF the way a reader sees it.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from sop_engine.context import Context
from sop_engine.lakip import draft, service
from tests.conftest import need
from tests.helpers import to_pdf

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET, SIGNED = FIXTURES / "budget-2020.csv", FIXTURES / "targets-2020-pk.csv"
#: The capaian of 2019 the seed's LKj 2020 states (96 %).
CAPAIAN_2019 = FIXTURES / "capaian-2019.csv"
pytestmark = pytest.mark.office


def tokens(text: str) -> Counter[str]:
    """The words and numbers of ``text`` (dot leaders and non-breaking spaces read as spaces).

    Lone punctuation and words with a hyphen are left out: a line may break after a hyphen
    ("Perundang-" / "Undangan"), and pdftotext joins some of those again.
    """
    words = re.sub(r"\.{2,}", " ", text.replace("\u00a0", " ")).split()
    return Counter(word for word in words if "-" not in word and any(c.isalnum() for c in word))


@pytest.fixture
def printed(ctx: Context, tmp_path: Path) -> tuple[Path, list[str]]:
    """The seed's draft as a .docx and the text of each page of its PDF."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        need("pdftotext is not installed (apt-get install poppler-utils)")
    service.import_targets(ctx, SIGNED, 2020, by="kasubag")
    service.import_targets(ctx, CAPAIAN_2019, 2020, by="kasubag")
    service.import_targets(ctx, BUDGET, 2020, by="kasubag")
    service.import_budget(ctx, BUDGET, 2020, by="kasubag")
    path = draft.draft_lkj(ctx, 2020, tmp_path / "draf.docx").path
    (printed,) = to_pdf([path], tmp_path, timeout=300)
    text = subprocess.run([str(pdftotext), str(printed), "-"], check=True, capture_output=True, text=True).stdout
    return path, text.split("\f")[:-1]


def test_every_page_but_the_cover_is_numbered(printed) -> None:
    _, pages = printed
    assert len(pages) > 10
    assert "Halaman" not in pages[0]
    for number, page in enumerate(pages[1:], 2):
        assert f"Halaman {number}" in page


def test_the_daftar_isi_gives_the_page_of_each_chapter(printed) -> None:
    _, pages = printed
    contents = next(p for p in pages if p.startswith("DAFTAR ISI"))
    listed = dict(re.findall(r"^((?:BAB [IV]+ )?[A-Z][A-Z ]+[A-Z])\.{3,}\s*(\d+)$", contents, re.MULTILINE))
    assert {"KATA PENGANTAR", "BAB II PERENCANAAN KINERJA", "BAB III AKUNTABILITAS KINERJA", "LAMPIRAN"} <= set(listed)
    for title, page in listed.items():
        assert pages[int(page) - 1].lstrip().startswith(title), (title, page)


def test_no_amount_is_split_over_two_lines(printed) -> None:
    _, pages = printed
    text = "\n".join(pages).replace("\u00a0", " ")
    with BUDGET.open(encoding="utf-8") as f:
        amounts = [row[k] for row in csv.DictReader(f) for k in ("pagu", "realisasi") if row[k] != "0"]
    assert len(amounts) >= 32  # the 17 outputs (two realised nothing) and the JUMLAH row
    for amount in amounts:
        assert re.search(rf"Rp {re.escape(amount)}(?!\d)", text), amount
    assert "Rp 2.701.548.000" in text and "Rp 2.531.268.927" in text
    assert not re.search(r"Rp\s*$", text, re.MULTILINE)
    assert not re.search(r"\d,\d\d\s*\n\s*%", text)  # "93,70 %" kept together


def test_no_word_is_split_over_two_lines(printed) -> None:
    path, pages = printed
    body = docx.Document(str(path)).element.body
    runs = (qn("w:t"), qn("w:tab"))  # a tab (after a list item's number) prints as space
    paragraphs = ["".join(t.text or " " for t in p.iter(*runs)) for p in body.iter(qn("w:p"))]
    written, shown = tokens("\n".join(paragraphs)), tokens("\n".join(pages))
    split = {word: n for word, n in written.items() if shown[word] < n}
    assert not split, {w: (n, shown[w]) for w, n in split.items()}


def test_the_wide_tables_are_on_landscape_pages(printed, tmp_path: Path) -> None:
    _, pages = printed
    info = subprocess.run(
        ["pdfinfo", "-l", str(len(pages)), str(tmp_path / "draf.pdf")], check=True, capture_output=True, text=True
    ).stdout
    sizes = [tuple(map(float, s)) for s in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]
    landscape = [n for n, (w, h) in enumerate(sizes, 1) if w > h]
    budget = next(n for n, p in enumerate(pages, 1) if re.search(r"^3\.3 Akuntabilitas Keuangan$", p, re.MULTILINE))
    assert landscape and budget in landscape
    assert sizes[0][0] < sizes[0][1]  # the cover stays portrait


def test_the_capaian_is_printed_per_sasaran_beside_2019(printed) -> None:
    _, pages = printed
    text = re.sub(r"\s+", " ", "\n".join(pages).replace("\u00a0", " "))
    assert "Sasaran 1: Meningkatnya Kualitas Penyelenggaraan Pemilu" in text
    assert "Realisasi 2019" in text and "Target Renstra" in text
    assert "Dibandingkan capaian kinerja tahun 2019 sebesar 96,00 %, capaian kinerja tahun 2020 sebesar" in text
    assert "Belum ada data tahun sebelumnya" not in text
