"""The pages behind the login: who may open which page, the case walked through its forms, Tugas Saya,
the case list, documents, the audit trail with its filters, CSV and verification, and Orang.

Every test runs on both backends (the ``ctx`` fixture) through the real app with a TestClient, and
moves time only with the fixed ``clock``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from sop_engine import artefacts, audit, cases, people, views
from sop_engine.audit import AuditFilter
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.views import audit_export
from tests.web_support import Site, advance_to, alert, csrf_in, elements, start, step_html

CASE = "lakip-2021"
PAGES = ("/tugas", "/kasus", "/kasus/baru", f"/kasus/{CASE}", "/audit", "/orang")
#: Who may open each page (everyone else gets 403).
ALLOWED = {
    "/tugas": {"ketua", "sekretaris", "kasubag", "staf1", "staf2"},
    "/kasus": {"ketua", "sekretaris", "kasubag", "staf1", "staf2", "inspektorat"},
    "/kasus/baru": {"sekretaris"},
    f"/kasus/{CASE}": {"ketua", "sekretaris", "kasubag", "staf1", "staf2", "inspektorat"},
    "/audit": {"inspektorat", "ketua", "sekretaris"},
    "/orang": {"admin"},
}
USERS = ("ketua", "sekretaris", "kasubag", "staf1", "staf2", "inspektorat", "admin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


# --- the browser side of the tests ---------------------------------------------------------


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    return Site(ctx, tmp_path)


# --- reading the HTML ----------------------------------------------------------------------


def seqs_shown(html: str) -> list[int]:
    return [int(attrs["data-seq"]) for attrs in elements(html, "tr", class_="event")]


# --- who may open what ---------------------------------------------------------------------


def test_each_page_opens_for_its_roles_and_is_refused_to_the_others(site: Site):
    assert start(site).status_code == 303
    for username in USERS:
        user = site.as_(username)
        for path in PAGES:
            response = user.get(path)
            expected = 200 if username in ALLOWED[path] else 403
            assert response.status_code == expected, (username, path, response.text[:300])
            if expected == 403:
                assert "hanya untuk peran" in alert(response.text, "error")


def test_a_page_without_login_sends_the_browser_to_the_login_form(site: Site):
    response = site.anonymous().get("/tugas")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?lanjut=/tugas"


def test_the_navigation_marks_the_current_page(site: Site):
    page = site.as_("sekretaris").get("/audit").text
    assert elements(page, "a", href="/audit", **{"aria-current": "page"})
    assert not elements(page, "a", href="/kasus", **{"aria-current": "page"})


def test_admin_is_refused_a_case_page_and_its_document(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 1)
    document = cases.get_case(ctx, CASE).steps[0].artefacts[0]
    admin = site.as_("admin")
    assert admin.get(f"/kasus/{CASE}").status_code == 403
    assert admin.get(f"/kasus/{CASE}/dokumen/{document.id}").status_code == 404


# --- starting and walking a case -------------------------------------------------------------


def test_the_whole_2021_case_is_walked_through_the_forms_to_done(site: Site, ctx: Context, clock: FixedClock):
    response = start(site)
    assert response.status_code == 303
    assert response.headers["location"] == f"/kasus/{CASE}?pesan=dimulai"
    walk = [
        ("sekretaris", 1, ["disposisi.pdf"]),
        ("kasubag", 2, ["format.pdf"]),
        ("staf1", 3, []),
        ("staf1", 4, ["format-terisi.pdf"]),
        ("kasubag", 5, ["draft.docx"]),
        ("staf1", 6, ["lakip-v1.docx"]),
    ]
    for username, no, names in walk:
        clock.advance(timedelta(minutes=5))
        response = site.complete(username, no, *names)
        assert response.status_code == 303, (no, alert(response.text, "error"))
        assert response.headers["location"] == f"/kasus/{CASE}?pesan=selesai"

    returned = site.as_("kasubag").post(
        f"/kasus/{CASE}/langkah/7/kembalikan", {"ke": "6", "alasan": "Tabel capaian kinerja belum lengkap"}
    )
    assert returned.status_code == 303
    assert returned.headers["location"] == f"/kasus/{CASE}?pesan=dikembalikan"
    assert cases.get_case(ctx, CASE).current_step == 6

    rest = [
        ("staf2", 6, ["lakip-v2.docx"]),
        ("kasubag", 7, ["lakip-koreksi.pdf"]),
        ("kasubag", 8, []),
        ("sekretaris", 8, []),  # the paraf chain of step 8
        ("ketua", 9, ["persetujuan.pdf"]),
        ("kasubag", 10, ["pengantar.pdf"]),
        ("staf1", 11, []),
    ]
    for username, no, names in rest:
        clock.advance(timedelta(minutes=5))
        response = site.complete(username, no, *names)
        assert response.status_code == 303, (no, alert(response.text, "error"))

    case = cases.get_case(ctx, CASE)
    assert case.status == "done"
    assert [step.completed_by for step in case.steps] == [name for name, _, _ in walk[:5]] + [
        "staf2",
        "kasubag",
        "sekretaris",
        "ketua",
        "kasubag",
        "staf1",
    ]
    page = site.as_("sekretaris").get(f"/kasus/{CASE}?pesan=selesai").text
    assert alert(page, "ok") == "Langkah telah ditandai selesai."
    assert [attrs["data-status"] for attrs in elements(page, "li") if attrs.get("id", "").startswith("langkah-")] == [
        "done"
    ] * 11
    six = step_html(page, 6)
    assert "Tabel capaian kinerja belum lengkap" in six
    assert "Dikembalikan dari langkah 7" in six
    assert "lakip-v2.docx" in six and "lakip-v1.docx" in six  # the earlier round's document stays listed
    assert not elements(page, "form", id="form-selesai")
    assert not elements(page, "form", id="form-batal")


def test_the_case_page_shows_the_chart_timeline_times_and_documents(site: Site, ctx: Context):
    start(site)
    site.complete("sekretaris", 1, "disposisi.pdf", note="Segera disusun")
    page = site.as_("kasubag").get(f"/kasus/{CASE}").text
    assert re.search(r"<h1>Penyusunan Laporan Akuntabilitas.*\(lakip-2021\)", page)
    assert re.search(r'<figure class="chart">\s*<svg', page) and "<figcaption>" in page
    one = step_html(page, 1)
    assert 'data-status="done"' in one
    assert "Senin, 11 Januari 2021 08.00 WIB" in one
    assert "Dra. Ratna Kusumawati, M.M. (sekretaris)" in one
    assert "Segera disusun" in one
    (link,) = elements(one, "a", class_="document")
    document = cases.get_case(ctx, CASE).steps[0].artefacts[0]
    assert link["href"] == f"/kasus/{CASE}/dokumen/{document.id}"
    two = step_html(page, 2)
    assert 'data-status="active"' in two and "Senin, 11 Januari 2021 10.00 WIB" in two and "2 jam" in two


def test_the_active_steps_role_gets_its_forms_and_others_do_not(site: Site):
    start(site)
    page = site.as_("sekretaris").get(f"/kasus/{CASE}").text
    (form,) = elements(page, "form", id="form-selesai")
    assert form["action"] == f"/kasus/{CASE}/langkah/1/selesai"
    assert form["enctype"] == "multipart/form-data" and form["method"] == "post"
    (files,) = elements(page, "input", id="berkas")
    assert files["name"] == "berkas" and files["type"] == "file" and "multiple" in files
    assert set(files["accept"].split(",")) == {".pdf", ".docx", ".jpg", ".jpeg", ".png"}
    assert "(wajib)" in step_html(page, 1)
    assert elements(page, "textarea", id="catatan", name="catatan")
    assert not elements(page, "form", id="form-kembalikan")  # step 1 returns nowhere
    assert elements(page, "form", id="form-batal", action=f"/kasus/{CASE}/batalkan")
    assert elements(page, "textarea", id="alasan-batal", name="alasan")
    assert elements(page, "form", id="form-dokumen-disposisi", action=f"/kasus/{CASE}/langkah/1/dokumen/disposisi")
    assert len(elements(page, "input", name="csrf_token")) == 4  # logout, make the disposisi, complete, cancel

    for username in ("kasubag", "staf1", "ketua", "inspektorat"):
        other = site.as_(username).get(f"/kasus/{CASE}").text
        assert not elements(other, "form", id="form-selesai"), username
        assert not elements(other, "form", id="form-batal"), username


def test_the_correcting_step_offers_its_declared_return_targets(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 6)
    page = site.as_("kasubag").get(f"/kasus/{CASE}").text
    (form,) = elements(page, "form", id="form-kembalikan")
    assert form["action"] == f"/kasus/{CASE}/langkah/7/kembalikan"
    assert [attrs["value"] for attrs in elements(page, "option") if attrs.get("value") == "6"] == ["6"]
    assert "6. Membuat Dokumen LAKIP" in page
    (reason,) = elements(page, "textarea", id="alasan")
    assert reason["name"] == "alasan" and "required" in reason
    seven = step_html(page, 7)
    assert "(wajib)" in seven and "Sisa waktu kerja" in seven


def test_a_refused_step_shows_the_service_message_and_keeps_the_note(site: Site, ctx: Context):
    start(site)
    before = views.case_json(cases.get_case(ctx, CASE), ctx.tz)
    response = site.complete("sekretaris", 1, note="Catatan panjang yang tidak boleh hilang")
    assert response.status_code == 422
    assert "wajib melampirkan dokumen 'Disposisi surat'" in alert(response.text, "error")
    assert ">Catatan panjang yang tidak boleh hilang</textarea>" in response.text
    assert views.case_json(cases.get_case(ctx, CASE), ctx.tz) == before


def test_a_file_of_a_kind_the_step_does_not_take_is_refused_by_name(site: Site, ctx: Context):
    start(site)
    user = site.as_("sekretaris")
    files = [("berkas", ("laporan.exe", b"MZ\x90\x00 not a document", "application/octet-stream"))]
    response = user.post(f"/kasus/{CASE}/langkah/1/selesai", {"catatan": ""}, files=files)
    assert response.status_code == 422
    assert "laporan.exe" in alert(response.text, "error")
    assert cases.get_case(ctx, CASE).current_step == 1


def test_a_return_without_a_reason_is_refused_and_keeps_the_choice(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 6)
    response = site.as_("kasubag").post(f"/kasus/{CASE}/langkah/7/kembalikan", {"ke": "6", "alasan": "   "})
    assert response.status_code == 422
    assert "Alasan pengembalian wajib diisi" in alert(response.text, "error")
    assert cases.get_case(ctx, CASE).current_step == 7


def test_a_return_to_an_undeclared_step_is_refused_with_403(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 6)
    response = site.as_("kasubag").post(f"/kasus/{CASE}/langkah/7/kembalikan", {"ke": "2", "alasan": "Ulangi"})
    assert response.status_code == 403
    assert "tidak diatur dalam SOP" in alert(response.text, "error")
    assert ">Ulangi</textarea>" in response.text


def test_completing_a_step_already_done_answers_409_naming_who(site: Site, ctx: Context):
    start(site)
    assert site.complete("sekretaris", 1, "a.pdf").status_code == 303
    response = site.complete("sekretaris", 1, "b.pdf")
    assert response.status_code == 409
    assert "sudah diselesaikan oleh sekretaris" in alert(response.text, "error")


def test_a_step_that_does_not_exist_answers_404_on_the_case_page(site: Site):
    start(site)
    response = site.complete("sekretaris", 12, "a.pdf")
    assert response.status_code == 404
    assert "Langkah 12 tidak ada" in alert(response.text, "error")


def test_the_sekretaris_cancels_a_case_with_a_reason(site: Site, ctx: Context):
    start(site)
    refused = site.as_("sekretaris").post(f"/kasus/{CASE}/batalkan", {"alasan": ""})
    assert refused.status_code == 422 and cases.get_case(ctx, CASE).status == "running"
    response = site.as_("sekretaris").post(f"/kasus/{CASE}/batalkan", {"alasan": "Dobel input"})
    assert response.headers["location"] == f"/kasus/{CASE}?pesan=dibatalkan"
    assert cases.get_case(ctx, CASE).status == "cancelled"
    page = site.as_("sekretaris").get(response.headers["location"]).text
    assert alert(page, "ok") == "Kasus telah dibatalkan."
    assert "Dobel input" in page


def test_the_notice_comes_from_a_fixed_list_never_from_the_address(site: Site):
    start(site)
    page = site.as_("sekretaris").get(f"/kasus/{CASE}?pesan=Kasus+diretas").text
    assert alert(page, "ok") == ""
    assert "diretas" not in page


def test_starting_a_year_twice_shows_the_conflict_on_the_start_form(site: Site):
    start(site)
    response = start(site)
    assert response.status_code == 409
    assert "sudah ada" in alert(response.text, "error")
    (year,) = elements(response.text, "input", id="tahun")
    assert year["value"] == "2021" and year["type"] == "number"


def test_a_year_that_is_not_a_number_is_named_on_the_start_form(site: Site):
    response = site.as_("sekretaris").post("/kasus/baru", {"workflow": "lakip", "tahun": "duaribu"})
    assert response.status_code == 422
    assert "'duaribu'" in alert(response.text, "error")


# --- documents -----------------------------------------------------------------------------


def test_a_document_downloads_with_its_type_and_stored_name(site: Site, ctx: Context):
    start(site)
    site.complete("sekretaris", 1, "Disposisi Sekretaris é.pdf")
    document = cases.get_case(ctx, CASE).steps[0].artefacts[0]
    response = site.as_("staf1").get(f"/kasus/{CASE}/dokumen/{document.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == artefacts.store_for(ctx).read(document.sha256)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''Disposisi%20Sekretaris%20%C3%A9.pdf" in disposition
    assert 'filename="Disposisi Sekretaris _.pdf"' in disposition


# --- Tugas Saya and the case list ----------------------------------------------------------


def test_my_tasks_show_the_step_and_its_working_time_left(site: Site):
    start(site)
    page = site.as_("sekretaris").get("/tugas").text
    (task,) = elements(page, "a", class_="task")
    assert task["href"] == f"/kasus/{CASE}#langkah-1"
    assert "late" not in task["class"].split()
    assert CASE in page and "Memerintahkan penyusunan LAKIP" in page and "10 menit" in page


def test_a_late_task_is_marked_late(site: Site, clock: FixedClock):
    start(site)
    clock.advance(timedelta(hours=1))
    page = site.as_("sekretaris").get("/tugas").text
    (task,) = elements(page, "a", class_="task")
    assert "late" in task["class"].split()
    assert "terlambat 50 menit" in page


def test_the_most_urgent_task_comes_first(site: Site, clock: FixedClock):
    start(site, 2021)
    clock.advance(timedelta(minutes=8))
    start(site, 2022)
    page = site.as_("sekretaris").get("/tugas").text
    assert [attrs["href"] for attrs in elements(page, "a", class_="task")] == [
        "/kasus/lakip-2021#langkah-1",
        "/kasus/lakip-2022#langkah-1",
    ]


def test_someone_without_active_steps_reads_a_friendly_line(site: Site):
    start(site)
    page = site.as_("staf1").get("/tugas").text
    assert not elements(page, "a", class_="task")
    assert "Tidak ada tugas yang menunggu Anda" in page


def test_cases_are_listed_by_year_with_their_status(site: Site, ctx: Context):
    start(site, 2021)
    start(site, 2022)
    site.as_("sekretaris").post("/kasus/lakip-2022/batalkan", {"alasan": "Salah tahun"})
    page = site.as_("inspektorat").get("/kasus").text
    assert re.findall(r"<h2>Tahun (\d+)</h2>", page) == ["2022", "2021"]
    assert [attrs["href"] for attrs in elements(page, "a", class_="case-link")] == [
        "/kasus/lakip-2022",
        "/kasus/lakip-2021",
    ]
    assert "dibatalkan" in page and "berjalan" in page


# --- Jejak Audit ---------------------------------------------------------------------------


@pytest.fixture
def worked(site: Site, ctx: Context, clock: FixedClock, tmp_path: Path) -> Site:
    """A case started on Monday 11 January, step 1 on Tuesday by the sekretaris, step 2 on Wednesday."""
    start(site)
    for day, username, no in (("2021-01-12", "sekretaris", 1), ("2021-01-13", "kasubag", 2)):
        clock.set(at(f"{day}T09:00"))
        site.users.clear()  # the sessions of yesterday have expired: log in again
        assert site.complete(username, no, f"langkah-{no}.pdf").status_code == 303
    return site


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("pelaku=kasubag", AuditFilter(actor="kasubag")),
        ("aksi=step.completed", AuditFilter(action="step.completed")),
        (f"kasus={CASE}", AuditFilter(case=CASE)),
        ("dari=2021-01-12&sampai=2021-01-12", AuditFilter.from_text(since="2021-01-12", until="2021-01-12")),
        ("dari=2021-01-13&aksi=step.completed", AuditFilter.from_text(since="2021-01-13", action="step.completed")),
    ],
)
def test_the_audit_filters_narrow_the_rows(worked: Site, ctx: Context, query: str, where: AuditFilter):
    everything = seqs_shown(worked.as_("inspektorat").get("/audit").text)
    page = worked.as_("inspektorat").get(f"/audit?{query}").text
    expected = [event.seq for event in reversed(audit.list_events(ctx, where=where))]
    assert expected and seqs_shown(page) == expected
    assert len(expected) < len(everything)
    (link,) = elements(page, "a", id="unduh-csv")
    path, _, link_query = link["href"].partition("?")
    assert path == "/audit.csv" and parse_qs(link_query) == parse_qs(query)


def test_the_audit_page_shows_newest_first_with_labels(worked: Site, ctx: Context):
    page = worked.as_("ketua").get("/audit").text
    assert seqs_shown(page) == [event.seq for event in reversed(audit.list_events(ctx))]
    assert "Langkah diselesaikan" in page and "Kasus dimulai" in page
    (select,) = elements(page, "select", id="aksi")
    assert select["name"] == "aksi"
    assert elements(page, "option", value="step.completed")
    for name in ("kasus", "pelaku", "dari", "sampai"):
        assert elements(page, "input", id=name, name=name)
    assert elements(page, "input", id="dari", type="date")


def test_a_bad_date_answers_422_naming_it(worked: Site):
    response = worked.as_("inspektorat").get("/audit?dari=12-01-2021")
    assert response.status_code == 422
    assert "'12-01-2021'" in alert(response.text, "error")
    assert not elements(response.text, "table", id="audit")
    assert worked.as_("inspektorat").get("/audit.csv?sampai=kemarin").status_code == 422


def test_the_csv_has_the_header_and_every_filtered_row(worked: Site, ctx: Context):
    response = worked.as_("inspektorat").get("/audit.csv?aksi=step.completed")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="jejak-audit.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == audit_export.people_headers(ctx.tz)
    expected = audit.list_events(ctx, where=AuditFilter(action="step.completed"))
    assert [int(row[0]) for row in rows[1:]] == [event.seq for event in expected] and len(expected) == 2
    assert {row[5] for row in rows[1:]} == {"Langkah diselesaikan"}


def _add_people(ctx: Context, count: int, first: int = 0) -> None:
    with ctx.db.write() as session:  # audited additions in one transaction, for speed
        office_id = ctx.office(session).id
        for number in range(first, first + count):
            people.add_person_in(
                session, ctx, office_id, people.NewPerson(f"orang{number}", f"Orang {number}", ("staf",))
            )


def test_the_page_shows_500_a_page_newest_first_and_the_csv_has_them_all(site: Site, ctx: Context):
    _add_people(ctx, 505)
    user = site.as_("inspektorat")
    page = user.get("/audit").text
    events = audit.list_events(ctx)
    assert seqs_shown(page) == [event.seq for event in reversed(events[-500:])]
    assert "Ditampilkan 500 peristiwa per halaman" in page and not elements(page, "a", id="halaman-terbaru")
    (older,) = elements(page, "a", id="halaman-berikutnya")
    _add_people(ctx, 3, first=505)  # appended meanwhile: the next page is still the one below the first
    second = user.get(older["href"]).text
    assert seqs_shown(second) == [event.seq for event in reversed(events[:-500])]
    assert not elements(second, "a", id="halaman-berikutnya") and elements(second, "a", id="halaman-terbaru")
    rows = list(csv.reader(io.StringIO(user.get("/audit.csv").text)))
    assert len(rows) == len(events) + 3 + 1


def test_the_next_audit_page_keeps_the_filters(site: Site, ctx: Context):
    _add_people(ctx, 503)
    user = site.as_("inspektorat")
    page = user.get("/audit?aksi=person.added").text
    (older,) = elements(page, "a", id="halaman-berikutnya")
    path, _, query = older["href"].partition("?")
    assert path == "/audit" and parse_qs(query)["aksi"] == ["person.added"]
    added = [e.seq for e in audit.list_events(ctx, where=AuditFilter(action="person.added"))]
    second = seqs_shown(user.get(older["href"]).text)
    assert seqs_shown(page) + second == list(reversed(added)) and len(second) == len(added) - 500
    response = user.get("/audit?sebelum=dua")
    assert response.status_code == 422 and "'dua'" in alert(response.text, "error")


def test_verifying_the_chain_shows_it_whole_with_its_head(worked: Site, ctx: Context):
    response = worked.as_("inspektorat").post("/audit/verifikasi")
    assert response.status_code == 200
    result = audit.verify(ctx)
    section = re.search(r'<section id="hasil-verifikasi".*?</section>', response.text, re.DOTALL)
    assert section and "Rantai utuh" in section.group(0)
    head = re.search(r'<p id="kepala-rantai">(.*?)</p>', section.group(0), re.DOTALL)
    assert head and f"#{result.head_seq}" in head.group(1) and result.head_hash in head.group(1)


def test_the_verify_form_carries_the_csrf_token(worked: Site):
    page = worked.as_("sekretaris").get("/audit").text
    (form,) = elements(page, "form", action="/audit/verifikasi")
    assert form["method"] == "post"
    assert csrf_in(page) == worked.as_("sekretaris").csrf


# --- Orang ---------------------------------------------------------------------------------


def test_orang_lists_everyone_with_their_details(site: Site):
    page = site.as_("admin").get("/orang").text
    assert elements(page, "table", id="orang")
    for username in USERS:
        assert f"<td>{username}</td>" in page
    assert "198005102000001003" in page and "kasubag@kpu-bangkalan.example" in page
    assert "Bambang Setiawan, S.E. (kasubag)" in page  # staf1's supervisor


def test_the_admin_adds_a_person_through_the_form(site: Site, ctx: Context):
    form = {
        "username": "staf3",
        "name": "Sari Wulandari",
        "nip": "19930303 200001 2 008",
        "peran": ["staf", "inspektorat"],
        "supervisor": "kasubag",
        "email": "staf3@kpu-bangkalan.example",
        "phone": "081200000008",
    }
    response = site.as_("admin").post("/orang", form)
    assert response.status_code == 303
    assert response.headers["location"] == "/orang?pesan=ditambahkan"
    added = {person.username: person for person in people.list_people(ctx)}["staf3"]
    assert set(added.roles) == {"staf", "inspektorat"} and added.supervisor == "kasubag"
    assert added.nip == "199303032000012008"
    page = site.as_("admin").get("/orang?pesan=ditambahkan").text
    assert "Pegawai telah ditambahkan" in alert(page, "ok")
    assert "<td>staf3</td>" in page


def test_a_refused_person_keeps_what_the_admin_typed(site: Site, ctx: Context):
    response = site.as_("admin").post("/orang", {"username": "staf1", "name": "Orang Baru", "peran": ["staf"]})
    assert response.status_code == 409
    assert "nama pengguna 'staf1'" in alert(response.text, "error")
    (name,) = elements(response.text, "input", id="name")
    assert name["value"] == "Orang Baru"
    assert elements(response.text, "input", id="peran-staf", checked="")
    no_role = site.as_("admin").post("/orang", {"username": "staf4", "name": "Tanpa Peran"})
    assert no_role.status_code == 422
    assert "staf4" not in {person.username for person in people.list_people(ctx)}
