"""The generated documents from the web: each LAKIP step's document made, attached and opened back.

Through the real app (TestClient) on both backends: the disposisi, the workbook and its returned
copies, the analysis, the draft LKj, the surat pengantar with its register number and the
archive, each downloaded and opened with python-docx/openpyxl/zipfile; a wrong step, a wrong
role and a broken workbook are refused with their Indonesian message and the case unchanged.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from sop_engine import cases, letters
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.lakip import service
from tests.helpers import pdf
from tests.test_lakip_workbook import fill
from tests.web_support import CASE, Site, advance_to, alert, elements, start, step_html

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    service.import_targets(ctx, FIXTURES / "targets-2020.csv", 2020, by="kasubag")
    service.import_targets(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    service.import_budget(ctx, FIXTURES / "budget-2020.csv", 2020, by="kasubag")
    made = Site(ctx, tmp_path)
    assert start(made).status_code == 303
    return made


def step_document(site: Site, no: int) -> bytes:
    """The bytes of the one current document of step ``no``, downloaded through its link."""
    [artefact] = cases.get_case(site.ctx, CASE).steps[no - 1].artefacts[-1:]
    answer = site.as_("ketua").get(f"/kasus/{CASE}/dokumen/{artefact.id}")
    assert answer.status_code == 200
    return answer.content


def make(site: Site, user: str, no: int, slug: str, data: dict[str, str] | None = None, files=None):
    return site.as_(user).post(f"/kasus/{CASE}/langkah/{no}/dokumen/{slug}", data or {}, files=files)


def test_disposisi_is_generated_attached_and_completes_step_1(site: Site) -> None:
    page = site.as_("sekretaris").get(f"/kasus/{CASE}").text
    assert 'id="form-dokumen-disposisi"' in step_html(page, 1)
    answer = make(site, "sekretaris", 1, "disposisi", {"kepada": "Kasubag Program", "isi": "Siapkan LAKIP 2020"})
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"/kasus/{CASE}?pesan=dokumen")
    assert cases.get_case(site.ctx, CASE).steps[0].status == StepStatus.DONE
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(step_document(site, 1))).paragraphs)
    tables = " ".join(
        c.text for t in docx.Document(io.BytesIO(step_document(site, 1))).tables for r in t.rows for c in r.cells
    )
    assert "Siapkan LAKIP 2020" in text + tables and "Kasubag Program" in text + tables


def test_wrong_role_wrong_step_and_missing_field_are_refused_and_the_case_unchanged(site: Site) -> None:
    before = cases.get_case(site.ctx, CASE)
    wrong_role = make(site, "kasubag", 1, "disposisi", {"kepada": "Staf", "isi": "x"})
    assert wrong_role.status_code == 403
    wrong_step = make(site, "sekretaris", 1, "pengantar", {"kepada": "Ketua KPU Provinsi"})
    assert wrong_step.status_code == 404
    assert alert(wrong_step.text, "error").startswith(
        "Langkah 1 kasus lakip-2021 tidak membuat dokumen 'pengantar'; langkah itu membuat: "
        "buat dan lampirkan lembar disposisi."
    )
    empty = make(site, "sekretaris", 1, "disposisi", {"kepada": "", "isi": "Siapkan"})
    assert empty.status_code == 422 and "Kepada" in alert(empty.text, "error")
    assert ">Siapkan</textarea>" in step_html(empty.text, 1)  # what was typed is kept
    assert cases.get_case(site.ctx, CASE) == before


def test_workbook_generated_sent_and_imported_with_errors_by_file_sheet_and_cell(site: Site, tmp_path: Path) -> None:
    advance_to(site.ctx, tmp_path, 1)
    assert make(site, "kasubag", 2, "buku-kerja").status_code == 303
    book = tmp_path / "buku.xlsx"
    book.write_bytes(step_document(site, 2))
    assert openpyxl.load_workbook(book).sheetnames[:2] == ["Petunjuk", "Program dan Data"]
    sent = make(site, "staf1", 3, "kirim-buku-kerja", {"subbagian": "Subbagian Program dan Data"})
    assert sent.status_code == 303
    bad = fill(book, tmp_path / "rusak.xlsx", {("Program dan Data", "1.1"): "n/a"})
    before = cases.get_case(site.ctx, CASE)
    refused = make(site, "staf1", 4, "impor-buku-kerja", files=[("berkas", ("rusak.xlsx", bad.read_bytes(), "x"))])
    assert refused.status_code == 422
    assert alert(refused.text, "error").startswith("Berkas 'rusak.xlsx' ditolak seluruhnya")
    problems = re.findall(r"<li>(.*?)</li>", refused.text.split('class="import-problems', 1)[1].split("</ul>")[0])
    assert problems and "rusak.xlsx" in problems[0] and "lembar &#39;Program dan Data&#39;" in problems[0]
    assert "(sel G" in problems[0]
    assert cases.get_case(site.ctx, CASE) == before
    good = fill(book, tmp_path / "isi.xlsx", {("Program dan Data", "1.1"): 5})
    done = make(site, "staf1", 4, "impor-buku-kerja", files=[("berkas", ("isi.xlsx", good.read_bytes(), "x"))])
    assert done.status_code == 303
    assert cases.get_case(site.ctx, CASE).steps[3].artefacts[0].filename == "isi.xlsx"


def test_analysis_page_and_draft_lkj_of_step_5(site: Site, tmp_path: Path) -> None:
    advance_to(site.ctx, tmp_path, 4)
    page = site.as_("kasubag").get(f"/kasus/{CASE}/analisis")
    assert page.status_code == 200 and "Rp 2.701.548.000" in page.text and "Temuan (" in page.text
    unattached = site.as_("kasubag").get(f"/kasus/{CASE}/draf-lkj.docx")
    assert (
        unattached.status_code == 200
        and unattached.headers["content-disposition"] == 'attachment; filename="draf-lkj-2020.docx"'
    )  # the .docx stays a download; the preview opens in the browser
    assert "KATA PENGANTAR" in [p.text for p in docx.Document(io.BytesIO(unattached.content)).paragraphs]
    preview = site.as_("kasubag").get(f"/kasus/{CASE}/draf-lkj.html")
    assert preview.headers["content-type"].startswith("text/html") and "KATA PENGANTAR" in preview.text.upper()
    assert preview.headers["content-disposition"] == 'inline; filename="draf-lkj-2020.html"'
    policy = dict(part.strip().partition(" ")[::2] for part in preview.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and "script-src" not in policy and "sandbox" in policy
    assert "<style>" in preview.text and policy["style-src"] == "'unsafe-inline'"  # its own styles apply
    assert site.as_("kasubag").get(f"/kasus/{CASE}/draf-lkj.pdf").status_code == 404
    assert cases.get_case(site.ctx, CASE).steps[4].status == StepStatus.ACTIVE  # nothing attached yet
    assert make(site, "kasubag", 5, "draf-lkj").status_code == 303
    drafted = docx.Document(io.BytesIO(step_document(site, 5)))
    assert "KATA PENGANTAR" in [p.text for p in drafted.paragraphs]
    card = site.as_("staf1").get("/tugas").text
    assert "draf-lkj-2020.docx" in card and "lampirkan: Dokumen LAKIP" in card


def test_step_9_shows_the_document_to_sign(site: Site, tmp_path: Path) -> None:
    advance_to(site.ctx, tmp_path, 8)
    step = step_html(site.as_("ketua").get(f"/kasus/{CASE}").text, 9)
    assert "Dokumen yang ditandatangani" in step and "langkah-7.pdf" in step


def test_surat_pengantar_takes_a_number_and_the_archive_downloads_and_verifies(site: Site, tmp_path: Path) -> None:
    advance_to(site.ctx, tmp_path, 9)
    data = {"kepada": "Ketua KPU Provinsi Jawa Timur", "tempat": "Surabaya"}
    made = make(site, "kasubag", 10, "pengantar", data)
    assert made.status_code == 303, alert(made.text, "error")
    [letter] = letters.list_letters(site.ctx, 2021)
    text = " ".join(
        [p.text for p in docx.Document(io.BytesIO(step_document(site, 10))).paragraphs]
        + [c.text for t in docx.Document(io.BytesIO(step_document(site, 10))).tables for r in t.rows for c in r.cells]
    )
    assert letter.number in text and letter.case == CASE
    shown = step_html(site.as_("kasubag").get(f"/kasus/{CASE}").text, 10)
    assert f"Nomor surat pengantar: <strong>{letter.number}</strong>" in shown
    bundle = site.as_("staf1").get(f"/kasus/{CASE}/arsip")
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    checked = site.as_("staf1").post(
        f"/kasus/{CASE}/arsip/periksa", files=[("arsip", ("arsip.zip", bundle.content, "application/zip"))]
    )
    assert checked.status_code == 200 and alert(checked.text, "ok").startswith(
        "Arsip 'arsip.zip' utuh: kasus lakip-2021"
    )
    broken = site.as_("staf1").post(f"/kasus/{CASE}/arsip/periksa", files=[("arsip", ("x.zip", b"bukan zip", "x"))])
    assert broken.status_code == 422 and alert(broken.text, "error").startswith("Arsip 'x.zip' tidak utuh:")


def test_the_analysis_chart_draws_each_indicator_and_the_absorption(site: Site, tmp_path: Path) -> None:
    record = service.analyse(site.ctx, 2020)
    with_pct = [r for r in record.indicators if r.achievement.pct is not None]
    page = site.as_("kasubag").get(f"/kasus/{CASE}/analisis").text
    svg = page.split('<svg xmlns="http://www.w3.org/2000/svg" viewBox', 1)[1].split("</svg>")[0]
    assert svg.count('<g class="bar capaian">') == len(with_pct)
    assert svg.count('<g class="bar serapan">') == len(record.budget.programs) + 1
    assert with_pct and f"<title>Serapan {record.budget.total.name or record.budget.total.code}: 93,70 %</title>" in svg
    assert "style=" not in svg


def test_the_analysis_shows_a_realisation_in_the_unit_and_format_of_its_target(site: Site, tmp_path: Path) -> None:
    """A realisation typed "6" against a target of "6,0%" is shown "6,0%", as its target is written."""
    typed = (FIXTURES / "targets-2020.csv").read_text(encoding="utf-8").replace('tinggi,"6,0%"', "tinggi,6", 1)
    (tmp_path / "targets.csv").write_text(typed, encoding="utf-8")
    service.import_targets(site.ctx, tmp_path / "targets.csv", 2020, by="kasubag")
    advance_to(site.ctx, tmp_path, 4)
    page = site.as_("kasubag").get(f"/kasus/{CASE}/analisis").text
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>", page)
    first = next(row for row in rows if row[0].startswith("Persentase KPU Kabupaten Bangkalan"))
    assert first[1:] == ("6,0%", "6,0%")
    assert ("Persentase Partisipasi Pemilih dalam Pemilu/ Pemilihan", "6,0%", "5,4%") in rows


def test_step_3_attaches_its_optional_file_and_step_4_still_works_on_the_workbook(site: Site, tmp_path: Path) -> None:
    """Step 3's berkas is optional: the form offers it as such; a receipt attached there is not what
    step 4 fills in, so step 4's task card and step page still offer the workbook of step 2."""
    advance_to(site.ctx, tmp_path, 1)
    assert make(site, "kasubag", 2, "buku-kerja").status_code == 303
    step_3 = step_html(site.as_("staf1").get(f"/kasus/{CASE}").text, 3)
    form = step_3.split('id="form-dokumen-kirim-buku-kerja"', 1)[1].split("</form>", 1)[0]
    [field] = elements(form, "input", id="dok-berkas")
    assert (field["name"], field["accept"]) == ("berkas", ".pdf,.docx,.xlsx,.odt,.ods")
    assert "aria-required" not in field
    assert "Lampiran (opsional): Format penyusunan LAKIP" in form
    receipt = ("berkas", ("tanda-terima.pdf", pdf(tmp_path, "tanda-terima.pdf").read_bytes(), "application/pdf"))
    sent = make(site, "staf1", 3, "kirim-buku-kerja", {"subbagian": "Subbagian Program dan Data"}, files=[receipt])
    assert sent.status_code == 303, alert(sent.text, "error")
    [attached] = cases.get_case(site.ctx, CASE).steps[2].artefacts
    assert attached.filename == "tanda-terima.pdf"
    card = elements(site.as_("staf1").get("/tugas").text, "a", class_="input-document")
    workbook = cases.get_case(site.ctx, CASE).steps[1].artefacts[0]
    assert [a["href"] for a in card] == [f"/kasus/{CASE}/dokumen/{workbook.id}"]
    assert workbook.filename in step_html(site.as_("staf1").get(f"/kasus/{CASE}").text, 4)
