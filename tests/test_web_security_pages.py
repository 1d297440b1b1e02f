"""The pages refuse what they must and leave the data as it was: CSRF, roles, visibility, upload size,
and user text always shown as text. Both backends, through the real app.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_engine import cases, people, views
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.web.uploads import upload_dir
from tests.helpers import pdf
from tests.web_support import CASE, Site, advance_to, alert, start, step_html

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    return Site(ctx, tmp_path)


def snapshot(ctx: Context) -> dict[str, object]:
    return views.case_json(cases.get_case(ctx, CASE), ctx.tz)


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "token-palsu"])
@pytest.mark.parametrize(
    ("path", "form"),
    [
        (f"/kasus/{CASE}/langkah/1/selesai", {"catatan": "tanpa token"}),
        (f"/kasus/{CASE}/batalkan", {"alasan": "tanpa token"}),
        (f"/kasus/{CASE}/langkah/1/kembalikan", {"ke": "1", "alasan": "tanpa token"}),
    ],
)
def test_a_case_form_without_the_sessions_token_is_refused_and_changes_nothing(
    site: Site, ctx: Context, tmp_path: Path, path: str, form: dict[str, str], token: str | None
):
    start(site)
    before = snapshot(ctx)
    user = site.as_("sekretaris")
    data = form if token is None else {**form, "csrf_token": token}
    files = [("berkas", ("disposisi.pdf", pdf(tmp_path).read_bytes(), "application/pdf"))]
    response = user.client.post(path, data=data, files=files if path.endswith("selesai") else None)
    assert response.status_code == 403
    assert "CSRF" in alert(response.text, "error")
    assert snapshot(ctx) == before
    assert list(upload_dir(ctx).glob("*")) == []  # the refused upload's temp file is gone


def test_another_sessions_token_is_refused(site: Site, ctx: Context):
    start(site)
    before = snapshot(ctx)
    foreign = site.as_("kasubag").csrf
    response = site.as_("sekretaris").client.post(
        f"/kasus/{CASE}/batalkan", data={"csrf_token": foreign, "alasan": "token orang lain"}
    )
    assert response.status_code == 403
    assert snapshot(ctx) == before


def test_starting_adding_and_verifying_need_the_token_too(site: Site, ctx: Context):
    sekretaris = site.as_("sekretaris").client
    assert sekretaris.post("/kasus/baru", data={"workflow": "lakip", "tahun": "2021"}).status_code == 403
    assert cases.list_cases(ctx).items == ()
    assert sekretaris.post("/audit/verifikasi", data={"csrf_token": "x"}).status_code == 403
    admin = site.as_("admin").client
    response = admin.post("/orang", data={"username": "staf9", "name": "Tanpa Token", "peran": "staf"})
    assert response.status_code == 403
    assert "staf9" not in {person.username for person in people.list_people(ctx)}


# --- roles and visibility ------------------------------------------------------------------


def test_staf_cannot_complete_the_ketuas_step(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 8)
    before = snapshot(ctx)
    response = site.complete("staf1", 9, "persetujuan.pdf")
    assert response.status_code == 403
    assert "hanya dapat dikerjakan oleh peran ketua" in alert(response.text, "error")
    assert snapshot(ctx) == before


def test_staf_cannot_return_the_kasubags_step(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    advance_to(ctx, tmp_path, 6)
    before = snapshot(ctx)
    response = site.as_("staf1").post(f"/kasus/{CASE}/langkah/7/kembalikan", {"ke": "6", "alasan": "Saya mau"})
    assert response.status_code == 403
    assert snapshot(ctx) == before


@pytest.mark.parametrize("username", ["inspektorat", "kasubag", "ketua"])
def test_only_the_sekretaris_starts_or_cancels(site: Site, ctx: Context, username: str):
    start(site)
    before = snapshot(ctx)
    user = site.as_(username)
    assert user.post(f"/kasus/{CASE}/batalkan", {"alasan": "bukan wewenang"}).status_code == 403
    assert user.post("/kasus/baru", {"workflow": "lakip", "tahun": "2022"}).status_code == 403
    assert snapshot(ctx) == before
    assert [case.id for case in cases.list_cases(ctx).items] == [CASE]


def test_the_inspektorat_reads_but_cannot_act(site: Site, ctx: Context):
    start(site)
    before = snapshot(ctx)
    assert site.as_("inspektorat").get(f"/kasus/{CASE}").status_code == 200
    response = site.complete("inspektorat", 1, "disposisi.pdf")
    assert response.status_code == 403
    assert snapshot(ctx) == before


def test_a_document_of_a_case_the_person_may_not_see_is_not_found(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    start(site, 2022)
    advance_to(ctx, tmp_path, 1)
    document = cases.get_case(ctx, CASE).steps[0].artefacts[0]
    assert site.as_("admin").get(f"/kasus/{CASE}/dokumen/{document.id}").status_code == 404
    assert site.as_("admin").post(f"/kasus/{CASE}/batalkan", {"alasan": "x"}).status_code == 404
    # A known document asked for under another case, and an unknown id, are not found either.
    assert site.as_("sekretaris").get(f"/kasus/lakip-2022/dokumen/{document.id}").status_code == 404
    assert site.as_("sekretaris").get(f"/kasus/{CASE}/dokumen/000000000000").status_code == 404
    assert site.as_("sekretaris").get(f"/kasus/{CASE}/dokumen/{document.id}").status_code == 200


def test_an_unknown_case_is_not_found(site: Site):
    response = site.as_("sekretaris").get("/kasus/lakip-1999")
    assert response.status_code == 404
    assert "lakip-1999" in alert(response.text, "error")


# --- upload limits -------------------------------------------------------------------------


@pytest.fixture
def small_site(ctx: Context, clock: FixedClock, tmp_path: Path) -> Iterator[Site]:
    """The same install with an upload limit of 4 KB (a second context on the same database)."""
    storage = dataclasses.replace(ctx.settings.storage, max_upload_bytes=4096)
    small = Context.open(dataclasses.replace(ctx.settings, storage=storage), clock=clock)
    yield Site(small, tmp_path)
    small.db.dispose()


def test_an_oversized_upload_answers_413_and_changes_nothing(small_site: Site, ctx: Context):
    start(small_site)
    before = snapshot(ctx)
    big = b"%PDF-1.4\n" + b"0" * 8192
    response = small_site.as_("sekretaris").post(
        f"/kasus/{CASE}/langkah/1/selesai", {"catatan": "terlalu besar"}, files=[("berkas", ("besar.pdf", big, "a/b"))]
    )
    assert response.status_code == 413
    assert "besar.pdf" in alert(response.text, "error") and "4 KB" in alert(response.text, "error")
    assert snapshot(ctx) == before
    assert list(upload_dir(ctx).glob("*")) == []


# --- user text is text ---------------------------------------------------------------------


def test_a_note_with_a_script_tag_is_shown_escaped(site: Site, ctx: Context):
    start(site)
    assert site.complete("sekretaris", 1, "disposisi.pdf", note=SCRIPT).status_code == 303
    assert cases.get_case(ctx, CASE).steps[0].note == SCRIPT
    page = site.as_("kasubag").get(f"/kasus/{CASE}").text
    assert SCRIPT not in page
    assert ESCAPED in step_html(page, 1)
    audit_page = site.as_("inspektorat").get("/audit").text
    assert SCRIPT not in audit_page and ESCAPED in audit_page


def test_a_return_reason_and_a_file_name_with_markup_are_shown_escaped(site: Site, ctx: Context, tmp_path: Path):
    start(site)
    assert site.complete("sekretaris", 1, '"><img src=x onerror=alert(1)>.pdf').status_code == 303
    advance_to_six = [(2, "kasubag"), (3, "staf1"), (4, "staf1"), (5, "kasubag"), (6, "staf1")]
    for no, username in advance_to_six:
        assert site.complete(username, no, *([] if no == 3 else [f"langkah-{no}.pdf"])).status_code == 303
    response = site.as_("kasubag").post(f"/kasus/{CASE}/langkah/7/kembalikan", {"ke": "6", "alasan": SCRIPT})
    assert response.status_code == 303
    page = site.as_("staf1").get(f"/kasus/{CASE}").text
    assert SCRIPT not in page and ESCAPED in step_html(page, 6)
    assert "<img" not in page and "&gt;&lt;img src=x onerror=alert(1)&gt;.pdf</a>" in page


def test_a_refused_note_with_a_script_tag_is_kept_escaped(site: Site):
    start(site)
    response = site.complete("sekretaris", 1, note=SCRIPT)  # no file: refused
    assert response.status_code == 422
    assert SCRIPT not in response.text and f">{ESCAPED}</textarea>" in response.text


@pytest.mark.parametrize("path", ["/tugas", "/kasus", f"/kasus/{CASE}", "/kasus/baru", "/audit"])
def test_pages_carry_no_inline_script_or_style_and_the_strict_policy(site: Site, path: str):
    start(site)
    response = site.as_("sekretaris").get(path)
    assert response.status_code == 200
    html = response.text.lower()
    assert "<script" not in html and "<style" not in html and " style=" not in html
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
