"""Acceptance in a real browser: the LAKIP 2021 case played from Chromium, the audit trail, a phone.

Each test drives Debian's headless Chromium against the app on a live loopback server (see
``tests/browser_support.py``) on the SQLite backend, with the test's FixedClock moved between
steps. Every page any test opens is watched for Content-Security-Policy violations.
"""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from sop_engine import audit, cases, workflows
from sop_engine.audit import AuditFilter
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.lakip import service
from sop_engine.views.labels import ACTION_LABELS
from tests.browser_support import (
    PERSON_OF_ROLE,
    PHONE,
    Browsing,
    attachment_for,
    complete_with_services,
    indonesian_ui_installed,
    log_in,
)
from tests.helpers import need
from tests.test_lakip_workbook import FIXTURES, fill

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

CODE = "lakip-2021"
#: How long each person takes between being given a step and marking it done (well inside every budget).
STEP_TIME = timedelta(minutes=5)


@pytest.fixture
def backend() -> str:
    """Browser tests run on the embedded default only (the services are tested on both backends)."""
    return "sqlite"


@pytest.fixture
def lakip(ctx: Context) -> WorkflowDef:
    return workflows.show(ctx, "lakip")


# --- what people do in the browser ---------------------------------------------------------


def start_case(page: Page, year: int = 2021) -> None:
    """The Sekretaris starts the case through the "Mulai kasus" form."""
    page.get_by_role("link", name="Mulai kasus", exact=True).click()
    form = page.locator("form#form-mulai")
    form.locator("select#workflow").select_option("lakip")
    form.locator("input#tahun").fill(str(year))
    form.get_by_role("button", name="Mulai kasus", exact=True).click()
    page.wait_for_url(re.compile(rf"/kasus/lakip-{year}\?pesan=dimulai$"))


def open_task(page: Page, step: StepDef) -> None:
    """Tugas Saya, then the task of ``step``: the case page at that step."""
    page.get_by_role("link", name="Tugas Saya", exact=True).click()
    page.wait_for_url(re.compile(r"/tugas$"))
    task = page.locator("a.task", has_text=CODE)
    expect(task).to_have_count(1)
    expect(task).to_have_attribute("href", re.compile(rf"/kasus/{CODE}#langkah-{step.no}$"))
    task.click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}#langkah-{step.no}$"))
    expect(page.locator(f"li#langkah-{step.no}")).to_have_attribute("data-status", "active")


def complete_step(page: Page, step: StepDef, attachment: Path | None, note: str, *, last: bool = True) -> None:
    """Attach the document (if any), write the note, tap "Tandai selesai" ("Paraf" in a paraf chain); the
    page confirms it. ``last``: the step is then done (else a later actor of its chain still confirms it)."""
    form = page.locator("form#form-selesai")
    if attachment is not None:
        form.locator("#berkas").set_input_files(attachment)
    form.locator("#catatan").fill(note)
    form.get_by_role("button", name="Paraf" if len(step.actors) > 1 else "Tandai selesai", exact=True).click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}\?pesan={'selesai' if last else 'diparaf'}$"))
    expect(page.locator(".alert-ok")).to_contain_text("ditandai selesai" if last else "menunggu paraf berikutnya")
    done = page.locator(f"li#langkah-{step.no}")
    expect(done).to_have_attribute("data-status", "done" if last else "active")
    if not last:
        return
    expect(done).to_contain_text(note)
    if attachment is not None:
        expect(done.locator("a.document", has_text=attachment.name)).to_have_count(1)


def return_step(page: Page, step: StepDef, target: StepDef, reason: str) -> None:
    """Send the active ``step`` back to ``target`` with a reason through form#form-kembalikan."""
    form = page.locator("form#form-kembalikan")
    form.locator("select#ke").select_option(label=f"{target.no}. {target.name}")
    form.locator("textarea#alasan").fill(reason)
    form.get_by_role("button", name="Kembalikan", exact=True).click()
    page.wait_for_url(re.compile(rf"/kasus/{CODE}\?pesan=dikembalikan$"))
    expect(page.locator(".alert-ok")).to_be_visible()
    expect(page.locator(f"li#langkah-{target.no}")).to_have_attribute("data-status", "active")
    expect(page.locator(f"li#langkah-{step.no}")).to_have_attribute("data-status", "waiting")


def do_step_in_browser(
    browsing: Browsing, ctx: Context, clock: FixedClock, folder: Path, step: StepDef, note: str
) -> None:
    """The step's person logs in, opens the task, completes it with its document, logs out."""
    clock.advance(STEP_TIME)
    round_no = cases.get_case(ctx, CODE).steps[step.no - 1].round
    first, *others = step.actors  # a paraf chain: the first attaches, each next one confirms in turn
    with browsing.signed_in(PERSON_OF_ROLE[first]) as page:
        open_task(page, step)
        complete_step(page, step, attachment_for(step, folder, round_no), note, last=not others)
    for index, role in enumerate(others, 2):
        clock.advance(STEP_TIME)
        with browsing.signed_in(PERSON_OF_ROLE[role]) as page:
            open_task(page, step)
            complete_step(page, step, None, note, last=index == len(step.actors))


# --- the case, start to finish ---------------------------------------------------------------


def test_sekretaris_starts_the_2021_case_from_the_mulai_kasus_form(browsing: Browsing, ctx: Context) -> None:
    with browsing.signed_in("sekretaris") as page:
        start_case(page)
        expect(page.locator(".alert-ok")).to_be_visible()
        expect(page.locator("h1")).to_contain_text(CODE)
        expect(page.locator("ol.timeline li#langkah-1")).to_have_attribute("data-status", "active")
        expect(page.locator("ol.timeline li#langkah-2")).to_have_attribute("data-status", "waiting")
        expect(page.locator("figure.chart svg")).to_have_count(1)
    case = cases.get_case(ctx, CODE)
    assert (case.status, case.started_by, case.current_step) == ("running", "sekretaris", 1)


def test_the_sekretaris_makes_the_disposisi_in_the_browser_and_downloads_it(
    browsing: Browsing, ctx: Context, tmp_path: Path
) -> None:
    with browsing.signed_in("sekretaris") as page:
        start_case(page)
        form = page.locator("form#form-dokumen-disposisi")
        form.locator("#dok-kepada").fill("Kasubag Program dan Data")
        form.locator("#dok-isi").fill("Siapkan penyusunan LAKIP tahun 2020")
        form.locator("#dok-sifat").select_option("sangat segera")
        form.get_by_role("button", name="Buat dan lampirkan lembar disposisi", exact=True).click()
        page.wait_for_url(re.compile(rf"/kasus/{CODE}\?pesan=dokumen#langkah-1$"))
        expect(page.locator(".alert-ok")).to_be_visible()
        expect(page.locator("li#langkah-1")).to_have_attribute("data-status", "done")
        with page.expect_download() as download_info:
            page.locator("li#langkah-1 a.document").click()
        saved = tmp_path / "unduhan" / download_info.value.suggested_filename
        download_info.value.save_as(saved)
    assert saved.name == f"disposisi-{CODE}.docx"
    opened = docx.Document(str(saved))
    text = " ".join(
        [p.text for p in opened.paragraphs] + [c.text for t in opened.tables for r in t.rows for c in r.cells]
    )
    assert "Siapkan penyusunan LAKIP tahun 2020" in text
    assert cases.get_case(ctx, CODE).current_step == 2


def test_the_workbook_goes_out_and_comes_back_through_the_browser(
    browsing: Browsing, ctx: Context, lakip: WorkflowDef, tmp_path: Path
) -> None:
    service.import_targets(ctx, FIXTURES / "targets-2020.csv", 2020, by="kasubag")
    service.import_targets(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    complete_with_services(ctx, CODE, lakip.steps[0], tmp_path, "disposisi")
    with browsing.signed_in("kasubag") as page:
        page.goto(f"/kasus/{CODE}")
        page.get_by_role("button", name="Buat dan lampirkan buku kerja", exact=True).click()
        page.wait_for_url(re.compile(r"\?pesan=dokumen#langkah-2$"))
        with page.expect_download() as download_info:
            page.locator("li#langkah-2 a.document").click()
        book = tmp_path / "unduhan" / download_info.value.suggested_filename
        download_info.value.save_as(book)
    assert book.name == "buku-kerja-2020.xlsx"
    with browsing.signed_in("staf1") as page:
        page.goto(f"/kasus/{CODE}")
        page.get_by_role("button", name="Catat pengiriman buku kerja", exact=True).click()
        page.wait_for_url(re.compile(r"\?pesan=dokumen#langkah-3$"))
        form = page.locator("form#form-dokumen-impor-buku-kerja")
        form.locator("#dok-berkas").set_input_files(
            fill(book, tmp_path / "rusak.xlsx", {("Hukum dan SDM", "2.3"): "n/a"})
        )
        form.get_by_role("button", name="Impor buku kerja yang kembali", exact=True).click()
        expect(page.locator(".alert-error")).to_contain_text("Berkas 'rusak.xlsx' ditolak seluruhnya")
        expect(page.locator("ul.import-problems li").first).to_contain_text("lembar 'Hukum dan SDM'")
        form = page.locator("form#form-dokumen-impor-buku-kerja")
        form.locator("#dok-berkas").set_input_files(fill(book, tmp_path / "isi.xlsx", {("Hukum dan SDM", "2.3"): 100}))
        form.get_by_role("button", name="Impor buku kerja yang kembali", exact=True).click()
        page.wait_for_url(re.compile(r"\?pesan=dokumen#langkah-4$"))
        expect(page.locator("li#langkah-4")).to_have_attribute("data-status", "done")
    assert cases.get_case(ctx, CODE).current_step == 5


def test_every_step_is_done_from_the_browser_including_a_return_of_step_7(
    browsing: Browsing, ctx: Context, clock: FixedClock, lakip: WorkflowDef, tmp_path: Path
) -> None:
    steps = {step.no: step for step in lakip.steps}
    with browsing.signed_in("sekretaris") as page:
        start_case(page)
    for no in range(1, 7):
        do_step_in_browser(browsing, ctx, clock, tmp_path, steps[no], f"Langkah {no} selesai dari peramban")

    clock.advance(STEP_TIME)
    with browsing.signed_in("kasubag") as page:
        open_task(page, steps[7])
        return_step(page, steps[7], steps[6], "Tabel realisasi anggaran belum cocok; perbaiki Bab III")
    do_step_in_browser(browsing, ctx, clock, tmp_path, steps[6], "Dokumen LAKIP versi 2, Bab III diperbaiki")
    for no in range(7, 12):
        do_step_in_browser(browsing, ctx, clock, tmp_path, steps[no], f"Langkah {no} selesai dari peramban")

    case = cases.get_case(ctx, CODE)
    assert case.status == "done"
    assert [s.status for s in case.steps] == ["done"] * 11
    assert [s.round for s in case.steps][5:7] == [2, 2]
    assert case.steps[5].note == "Dokumen LAKIP versi 2, Bab III diperbaiki"
    with browsing.signed_in("sekretaris") as page:
        page.goto(f"/kasus/{CODE}")
        expect(page.locator("ol.timeline li[data-status=done]")).to_have_count(11)


# --- the audit trail ---------------------------------------------------------------------------


@pytest.fixture
def returned_case(ctx: Context, clock: FixedClock, lakip: WorkflowDef, tmp_path: Path) -> None:
    """A case played through the services to step 7, returned to 6, redone up to step 7 again."""
    steps = {step.no: step for step in lakip.steps}
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no in range(1, 7):
        clock.advance(STEP_TIME)
        complete_with_services(ctx, CODE, steps[no], tmp_path, f"Langkah {no}")
    clock.advance(STEP_TIME)
    cases.return_step(ctx, CODE, 7, 6, "kasubag", "Bab III belum lengkap")
    clock.advance(STEP_TIME)
    complete_with_services(ctx, CODE, steps[6], tmp_path, "Langkah 6 putaran 2")


@pytest.mark.usefixtures("returned_case")
def test_inspektorat_filters_the_audit_trail_verifies_the_chain_and_downloads_the_csv(
    browsing: Browsing, ctx: Context, tmp_path: Path
) -> None:
    everything = audit.list_events(ctx, None)
    returned = audit.list_events(ctx, None, where=AuditFilter(action="step.returned"))
    assert len(returned) == 1 < len(everything)
    with browsing.signed_in("inspektorat") as page:
        page.get_by_role("link", name="Jejak Audit", exact=True).click()
        page.wait_for_url(re.compile(r"/audit"))
        expect(page.locator("table#audit tr.event")).to_have_count(len(everything))

        page.locator("#aksi").select_option("step.returned")
        page.get_by_role("button", name="Saring", exact=True).click()
        page.wait_for_url(re.compile(r"/audit\?.*aksi=step\.returned"))
        rows = page.locator("table#audit tr.event")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-seq", str(returned[0].seq))
        expect(rows.first).to_contain_text("kasubag")
        expect(rows.first).to_contain_text(ACTION_LABELS["step.returned"])

        with page.expect_download() as download_info:
            page.click("#unduh-csv")
        download = download_info.value
        assert download.suggested_filename == "jejak-audit.csv"
        saved = tmp_path / "unduhan" / "jejak-audit.csv"
        download.save_as(saved)
        with saved.open(newline="", encoding="utf-8-sig") as handle:
            header, *lines = list(csv.reader(handle, delimiter=";"))
        assert header[:6] == ["No.", "Waktu dicatat (WIB)", "Waktu kejadian (WIB)", "Pelaku", "Peran", "Tindakan"]
        assert [(line[0], line[header.index("Tindakan")]) for line in lines] == [
            (str(returned[0].seq), ACTION_LABELS["step.returned"])
        ]

        page.get_by_role("button", name="Verifikasi rantai", exact=True).click()
        result = page.locator("#hasil-verifikasi")
        expect(result).to_contain_text("Rantai utuh")
        chain = audit.verify(ctx)
        expect(page.locator("#kepala-rantai")).to_contain_text(str(chain.head_seq))
        expect(page.locator("#kepala-rantai")).to_contain_text(chain.head_hash)


@pytest.mark.usefixtures("returned_case")
def test_audit_filter_by_actor_shows_only_that_persons_events(browsing: Browsing, ctx: Context) -> None:
    by_staf = audit.list_events(ctx, None, where=AuditFilter(actor="staf1"))
    assert 0 < len(by_staf) < len(audit.list_events(ctx, None))
    with browsing.signed_in("inspektorat") as page:
        page.goto("/audit")
        page.fill("#pelaku", "staf1")
        page.get_by_role("button", name="Saring", exact=True).click()
        page.wait_for_url(re.compile(r"/audit\?.*pelaku=staf1"))
        rows = page.locator("table#audit tr.event")
        expect(rows).to_have_count(len(by_staf))
        shown = {rows.nth(i).get_attribute("data-seq") for i in range(len(by_staf))}
        assert shown == {str(event.seq) for event in by_staf}


# --- a phone ---------------------------------------------------------------------------------


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 or less: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_tugas_saya_fits_a_phone_and_the_step_can_be_completed_there(
    browsing: Browsing, ctx: Context, clock: FixedClock, lakip: WorkflowDef, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(STEP_TIME)
    step = lakip.steps[0]
    with browsing.signed_in("sekretaris", **PHONE) as page:
        page.goto("/tugas")
        assert overflow(page) <= 0, "Tugas Saya scrolls sideways on a 390 px phone"
        task = page.locator("a.task", has_text=CODE)
        box = task.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        task.tap()
        page.wait_for_url(re.compile(rf"/kasus/{CODE}#langkah-1$"))
        assert overflow(page) <= 0, "the case page scrolls sideways on a 390 px phone"
        button = page.locator("form#form-selesai").get_by_role("button", name="Tandai selesai", exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        complete_step(page, step, attachment_for(step, tmp_path), "Disposisi dari ponsel")
    assert cases.get_case(ctx, CODE).current_step == 2


def test_the_admin_sets_a_password_from_a_phone_and_the_person_logs_in_with_it(browsing: Browsing) -> None:
    password = "kopi-pagi-di-bangkalan"
    with browsing.signed_in("admin", **PHONE) as page:
        page.goto("/orang")
        page.get_by_role("link", name=re.compile(r"\(staf1\)$")).tap()
        page.wait_for_url(re.compile(r"/orang/staf1$"))
        assert overflow(page) <= 0, "the account page scrolls sideways on a 390 px phone"
        form = page.locator("form#form-sandi")
        form.locator("#sandi-baru").fill(password)
        form.locator("#sandi-ulangi").fill(password)
        form.get_by_role("button", name="Setel kata sandi", exact=True).tap()
        page.wait_for_url(re.compile(r"/orang/staf1\?pesan=sandi$"))
        expect(page.locator(".alert-ok")).to_contain_text("token API-nya dicabut")
        assert password not in page.content()
    log_in(browsing.page(**PHONE), "staf1", password)


# --- the browser's own words ----------------------------------------------------------------


def test_chromium_speaks_indonesian_in_its_own_widgets(browsing: Browsing) -> None:
    """What Chromium itself writes on a page (a required field's bubble, the file input) is Indonesian."""
    if not indonesian_ui_installed():
        need("Chromium's Indonesian strings (apt-get install chromium-l10n)")
    page = browsing.page()
    page.goto("/masuk")
    assert page.evaluate("navigator.language") == "id-ID"
    password = page.locator("#password")
    assert password.input_value() == ""
    assert password.evaluate("field => field.validationMessage") == "Harap isi bidang ini."


# --- the Content Security Policy ---------------------------------------------------------------


def test_the_csp_watch_reports_an_inline_style_the_policy_blocks(browsing: Browsing) -> None:
    page = browsing.page()
    page.goto("/masuk")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    assert any("style-src" in text for text in browsing.csp_violations), browsing.csp_violations
    browsing.csp_violations.clear()  # this one was provoked on purpose
