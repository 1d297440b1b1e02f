"""A web-only office plays the whole LAKIP 2021 case in Chromium, every document included (issue 12).

One journey on the live server (``tests/browser_support.py``) with the test's FixedClock moved
five minutes before each step: every step 1-11 is done by its person from *Tugas Saya*, with the
document the web generates where it generates one (disposisi, workbook and its returned copies,
analysis, draft LKj, surat pengantar with its number, archive) and a PDF the test makes otherwise.
Each task card's input document is downloaded from its link; at the end every attached document
is downloaded again and compared byte for byte, and the audit chain is verified on its page.
With ``SOP_SCREENSHOTS=docs/images/web`` every page visited is photographed (see ``screenshot``).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from sop_engine import audit, cases, letters, workflows
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.definitions import StepDef
from sop_engine.lakip import service
from sop_engine.lakip.workbook_write import META_SHEET
from tests.browser_support import PHONE, Browsing, download, screenshot, sha256_of
from tests.helpers import pdf
from tests.test_lakip_workbook import FIXTURES
from tests.test_web_browser import complete_step, start_case

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

CODE = "lakip-2021"
#: How long each person takes between being given a step and marking it done (well inside every budget).
STEP_TIME = timedelta(minutes=5)


@pytest.fixture
def backend() -> str:
    """Browser tests run on the embedded default only (the services are tested on both backends)."""
    return "sqlite"


@dataclass
class Journey:
    """The office at its browsers, and every file a person of it made, uploaded or downloaded."""

    browsing: Browsing
    ctx: Context
    clock: FixedClock
    folder: Path
    #: What each division writes into its returned workbook: by (``indikator`` or ``output``, code).
    realised: dict[tuple[str, str], str]
    #: Every document attached so far, by file name: the local file it was uploaded from or downloaded to.
    files: dict[str, Path] = field(default_factory=dict)
    #: The names of the documents the latest step with documents attached (the next step's input).
    latest: list[str] = field(default_factory=list)

    def keep(self, *paths: Path) -> list[Path]:
        self.files.update({path.name: path for path in paths})
        return list(paths)

    def made(self, no: int, title: str) -> Path:
        """A real PDF for step ``no`` (what a person scans or exports), under the journey's folder."""
        return pdf(self.folder, f"langkah-{no:02d}-{title}.pdf", text=f"LAKIP 2020, langkah {no}: {title}")


# --- the office's data, imported before the case as `sop lakip targets/budget import` would -----


def office_data(ctx: Context, folder: Path) -> dict[tuple[str, str], str]:
    """Setup, not a click: the 2020 targets (realisations left blank: they come back in the workbook),
    the DIPA outputs and budget, imported through the services as a user does with the CLI.
    Returns what the divisions will write back: by (``indikator``, code) the realisation of the
    seed's table, by (``output``, code) the rupiah spent on the output."""
    with (FIXTURES / "targets-2020.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    realised = {("indikator", row["kode"]): row["realisasi"] for row in rows}
    blank = folder / "target-2020.csv"
    with blank.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row | {"realisasi": ""} for row in rows)
    service.import_targets(ctx, blank, 2020, by="kasubag")
    service.import_targets(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    service.import_budget(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    with (FIXTURES / "budget-2020.csv").open(encoding="utf-8", newline="") as handle:
        realised |= {("output", row["kode"]): row["realisasi"] for row in csv.DictReader(handle)}
    return realised


def as_typed(kind: str, given: str) -> object:
    """What a division types into a yellow cell, as the Petunjuk sheet asks: a percentage as a number
    without "%", an amount in whole rupiah, a count as a number, a predikat (B, WTP) as text."""
    if kind == "output":
        return int(given.replace(".", ""))
    number = given.removesuffix("%").replace(",", ".")
    if number.replace(".", "", 1).isdigit():
        return float(number) if "." in number else int(number)
    return given


def returned_copies(book: Path, realised: dict[tuple[str, str], str], folder: Path) -> list[Path]:
    """One copy of ``book`` per division, its own sheet's yellow cells filled (outside the system)."""
    meta = openpyxl.load_workbook(book)[META_SHEET].iter_rows(values_only=True)
    rows = [r for r in meta if len(r) >= 4 and r[2] in ("indikator", "output")]
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for sheet in dict.fromkeys(str(r[0]) for r in rows):
        wb = openpyxl.load_workbook(book)
        for _, _, kind, row in (r[:4] for r in rows if r[0] == sheet):
            given = realised[(str(kind), str(wb[sheet].cell(int(row), 1).value))]
            wb[sheet].cell(int(row), 7).value = as_typed(str(kind), given)
        copies.append(folder / f"buku-kerja-2020-{sheet.lower().replace(' ', '-').replace(',', '')}.xlsx")
        wb.save(copies[-1])
    return copies


# --- one step, from Tugas Saya to done -----------------------------------------------------------


def open_task(j: Journey, page: Page, step: StepDef) -> None:
    """Tugas Saya: the card names the input documents (each link downloads the very file) and what to
    attach; the card leads to the case page at the step."""
    page.get_by_role("link", name="Tugas Saya", exact=True).click()
    page.wait_for_url(re.compile(r"/tugas$"))
    card = page.locator("ul.tasks > li", has=page.locator("a.task", has_text=CODE))
    expect(card).to_have_count(1)
    expect(card.locator(".task-input")).to_contain_text(f"lampirkan: {step.output}")
    links = card.locator("a.input-document")
    expect(links).to_have_text(j.latest)
    for i in range(len(j.latest)):
        got = download(page, links.nth(i), j.folder / "masukan" / str(step.no))
        assert sha256_of(got) == sha256_of(j.files[got.name]), f"input {got.name} of step {step.no} differs"
    screenshot(page, f"tugas-2021-langkah-{step.no:02d}")
    card.locator("a.task").click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}#langkah-{step.no}$"))
    expect(page.locator(f"li#langkah-{step.no}")).to_have_attribute("data-status", "active")
    screenshot(page, f"kasus-2021-langkah-{step.no:02d}")


def generated(j: Journey, page: Page, no: int, button: str) -> list[Path]:
    """Press the step's "make and attach" button; download what it attached from the step's links."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}\?pesan=dokumen#langkah-{no}$"))
    expect(page.locator(".alert-ok")).to_be_visible()
    expect(page.locator(f"li#langkah-{no}")).to_have_attribute("data-status", "done")
    links = page.locator(f"li#langkah-{no} ul.documents a.document")
    return j.keep(*(download(page, links.nth(i), j.folder / "dibuat") for i in range(links.count())))


def uploaded(j: Journey, page: Page, step: StepDef, title: str) -> list[Path]:
    """Attach a PDF the person made, with a note, through "Tandai selesai"."""
    made = j.made(step.no, title)
    complete_step(page, step, made, f"Langkah {step.no}: {title.replace('-', ' ')}")
    return j.keep(made)


def docx_text(path: Path) -> str:
    """The paragraphs and table cells of a .docx, opened back with python-docx."""
    opened = docx.Document(str(path))
    cells = [c.text for t in opened.tables for r in t.rows for c in r.cells]
    return " ".join([p.text for p in opened.paragraphs] + cells)


def disposisi(j: Journey, page: Page, step: StepDef) -> list[Path]:
    form = page.locator("form#form-dokumen-disposisi")
    form.locator("#dok-kepada").fill("Kasubag Program dan Data")
    form.locator("#dok-isi").fill("Siapkan penyusunan LAKIP tahun 2020 sesuai SOP")
    form.locator("#dok-sifat").select_option("sangat segera")
    form.locator("#dok-agenda").fill("012/2021")
    [made] = generated(j, page, 1, "Buat dan lampirkan lembar disposisi")
    assert "Siapkan penyusunan LAKIP tahun 2020 sesuai SOP" in docx_text(made)
    return [made]


def workbook_sent(j: Journey, page: Page, step: StepDef) -> list[Path]:
    expect(page.locator("form#form-dokumen-kirim-buku-kerja input[name=subbagian]:checked")).to_have_count(4)
    generated(j, page, 3, "Catat pengiriman buku kerja")
    return []


def workbook_back(j: Journey, page: Page, step: StepDef) -> list[Path]:
    copies = j.keep(*returned_copies(j.files["buku-kerja-2020.xlsx"], j.realised, j.folder / "kembali"))
    page.locator("form#form-dokumen-impor-buku-kerja #dok-berkas").set_input_files(copies)
    attached = generated(j, page, 4, "Impor buku kerja yang kembali")
    expect(page.locator(".alert-ok")).not_to_contain_text("Belum kembali")
    return attached


def draft_lkj(j: Journey, page: Page, step: StepDef) -> list[Path]:
    """The analysis page (tables, findings, chart), the draft downloaded and previewed, then attached."""
    page.locator(f"li#langkah-{step.no} .step-links a", has_text="Analisis kinerja").click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}/analisis$"))
    expect(page.locator("main")).to_contain_text("Rp 2.701.548.000")
    expect(page.locator("main svg")).to_have_count(1)
    screenshot(page, "kasus-2021-analisis", full_page=True)
    page.go_back()
    form = page.locator("form#form-dokumen-draf-lkj")
    unattached = download(page, form.locator("a.draft-docx"), j.folder / "draf")
    assert "KATA PENGANTAR" in [p.text for p in docx.Document(str(unattached)).paragraphs]
    form.locator("a.draft-html").click()  # the preview opens in the browser, the .docx downloads
    page.wait_for_url(re.compile(rf"/kasus/{CODE}/draf-lkj\.html$"))
    expect(page.locator("body")).to_contain_text("KATA PENGANTAR")
    page.go_back()
    return generated(j, page, step.no, "Buat dan lampirkan draf LKj")


def sign(j: Journey, page: Page, step: StepDef) -> list[Path]:
    """Step 9: the page shows the document to sign (a link to it); the Ketua attaches the signed scan."""
    shown = page.locator(f"li#langkah-{step.no} p.step-input")
    expect(shown).to_contain_text("Dokumen yang ditandatangani")
    expect(shown.locator("a.input-document")).to_have_text(j.latest)
    return uploaded(j, page, step, "dokumen-lakip-ditandatangani")


def pengantar(j: Journey, page: Page, step: StepDef) -> list[Path]:
    """Step 10: the letter made with its register number; the number shown on the step and in /surat."""
    form = page.locator("form#form-dokumen-pengantar")
    form.locator("#dok-kepada").fill("Ketua KPU Provinsi Jawa Timur")
    form.locator("#dok-instansi").fill("KPU Provinsi Jawa Timur")
    form.locator("#dok-tempat").fill("Surabaya")
    form.locator("#dok-lampiran").fill("Dokumen LAKIP 2020;1 (satu) buku")
    [made] = generated(j, page, step.no, "Buat surat pengantar bernomor")
    [letter] = letters.list_letters(j.ctx, 2021)
    expect(page.locator(f"li#langkah-{step.no} .letter-number")).to_contain_text(letter.number)
    assert letter.number in docx_text(made)
    page.get_by_role("link", name="Register Surat", exact=True).click()
    page.wait_for_url(re.compile(r"/surat"))
    expect(page.locator("main table tr", has_text=letter.number)).to_contain_text(CODE)
    screenshot(page, "surat-2021")
    return [made]


def archive(j: Journey, page: Page, step: StepDef) -> list[Path]:
    """Step 11: the receipt attached, then the case's archive downloaded and verified on the page."""
    attached = uploaded(j, page, step, "tanda-terima")
    bundle = download(page, page.locator("a.archive-download"), j.folder / "arsip")
    names = zipfile.ZipFile(bundle).namelist()
    assert "manifest.json" in names, names
    page.locator("form#form-periksa-arsip #arsip").set_input_files(bundle)
    page.get_by_role("button", name="Periksa arsip", exact=True).click()
    expect(page.locator(".alert-ok")).to_contain_text(f"Arsip '{bundle.name}' utuh: kasus {CODE}")
    screenshot(page, "kasus-2021-arsip")
    return attached


Walk = Callable[[Journey, Page, StepDef], list[Path]]


def upload(title: str) -> Walk:
    return lambda j, page, step: uploaded(j, page, step, title)


def paraf(title: str, then: str) -> Walk:
    """A paraf chain of two: the first attaches its PDF; ``then`` (the next actor) opens the task and confirms it."""

    def walk(j: Journey, page: Page, step: StepDef) -> list[Path]:
        made = j.made(step.no, title)
        complete_step(page, step, made, f"Langkah {step.no}: {title.replace('-', ' ')}", last=False)
        j.keep(made)
        j.latest = [made.name]
        j.clock.advance(STEP_TIME)
        with j.browsing.signed_in(then) as next_page:
            open_task(j, next_page, step)
            complete_step(next_page, step, None, f"Paraf langkah {step.no}")
        return [made]

    return walk


#: Who opens each step's task, how it is done, and who completes it (step 8, a paraf chain: the
#: Kasubag Program attaches, the Sekretaris confirms and so completes it).
WALKS: dict[int, tuple[str, Walk]] = {
    1: ("sekretaris", disposisi),
    2: ("kasubag", lambda j, page, step: generated(j, page, 2, "Buat dan lampirkan buku kerja")),
    3: ("staf1", workbook_sent),
    4: ("staf2", workbook_back),
    5: ("kasubag", draft_lkj),
    6: ("staf1", upload("dokumen-lakip")),
    7: ("kasubag", upload("dokumen-lakip-koreksi")),
    8: ("kasubag", paraf("dokumen-lakip-untuk-ketua", then="sekretaris")),
    9: ("ketua", sign),
    10: ("kasubag", pengantar),
    11: ("staf2", archive),
}


def completer(no: int) -> str:
    """Who completes step ``no``: its walker, or the last of its paraf chain (step 8: the Sekretaris)."""
    return "sekretaris" if no == 8 else WALKS[no][0]


def walk_step(j: Journey, step: StepDef) -> None:
    """The step's person logs in, opens the task from Tugas Saya, does the step in the web, logs out."""
    j.clock.advance(STEP_TIME)
    login, walk = WALKS[step.no]
    with j.browsing.signed_in(login) as page:
        open_task(j, page, step)
        attached = walk(j, page, step)
    record = cases.get_case(j.ctx, CODE).steps[step.no - 1]
    assert (record.status, record.completed_by) == ("done", completer(step.no)), (step.no, record)
    assert sorted(a.filename for a in record.artefacts) == sorted(p.name for p in attached), (step.no, record)
    if attached:
        j.latest = [p.name for p in attached]


# --- the journey ---------------------------------------------------------------------------------


def test_a_web_only_office_plays_the_whole_2021_case_with_its_documents(
    browsing: Browsing, ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    j = Journey(browsing, ctx, clock, tmp_path, office_data(ctx, tmp_path))
    with browsing.signed_in("sekretaris") as page:
        page.get_by_role("link", name="Mulai kasus", exact=True).click()
        page.wait_for_url(re.compile(r"/kasus/baru"))
        screenshot(page, "kasus-2021-mulai")
        start_case(page)
    for step in workflows.show(ctx, "lakip").steps:
        if step.no == 6:
            with browsing.signed_in("staf1", **PHONE) as phone:
                phone.goto("/tugas")
                assert int(phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")) <= 0
                screenshot(phone, "tugas-2021-ponsel", full_page=True)
        walk_step(j, step)

    case = cases.get_case(ctx, CODE)
    assert case.status == "done"
    assert [(s.no, s.completed_by) for s in case.steps] == [(no, completer(no)) for no in range(1, 12)]
    with browsing.signed_in("sekretaris") as page:
        page.goto(f"/kasus/{CODE}")
        expect(page.locator("ol.timeline li[data-status=done]")).to_have_count(11)
        screenshot(page, "kasus-2021-selesai", full_page=True)
        for record in (a for s in case.steps for a in s.artefacts):
            link = page.locator(f"a.document[href='/kasus/{CODE}/dokumen/{record.id}']")
            got = download(page, link, tmp_path / "akhir" / record.id)
            assert sha256_of(got) == record.sha256 == sha256_of(j.files[record.filename]), record
    with browsing.signed_in("inspektorat") as page:
        page.get_by_role("link", name="Jejak Audit", exact=True).click()
        page.get_by_role("button", name="Verifikasi rantai", exact=True).click()
        expect(page.locator("#hasil-verifikasi")).to_contain_text("Rantai utuh")
        expect(page.locator("#kepala-rantai")).to_contain_text(audit.verify(ctx).head_hash)
        screenshot(page, "audit-2021-verifikasi")
