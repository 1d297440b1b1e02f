"""The admin's account page (/orang/{username}): password, deactivate/activate, roles, API tokens.

Every test runs on both backends (the ``ctx`` fixture) through the real app with a TestClient:
the admin's forms are posted with the session's CSRF token, the person logs in through /masuk
and calls the API with a Bearer token, and the audit trail is read back through the service.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from sop_engine import accounts, api_tokens, audit, people
from sop_engine.api_tokens import TokenStatus
from sop_engine.audit import AuditRecord
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.people import NewPerson
from sop_engine.web.pages_people import NO_PREFIX, PASSWORD_MISMATCH, PERSON_NOTICES
from tests.web_support import PASSWORD, Site, alert, csrf_in, elements

NEW_PASSWORD = "kopi-pagi-di-bangkalan"
#: Every form of the account page, with a valid filling for staf1 (the token routes need a token).
FORMS: dict[str, dict[str, object]] = {
    "/orang/staf1/sandi": {"sandi": NEW_PASSWORD, "ulangi": NEW_PASSWORD},
    "/orang/staf1/nonaktifkan": {},
    "/orang/staf1/aktifkan": {},
    "/orang/staf1/peran": {"peran": ["staf", "inspektorat"]},
    "/orang/staf1/token": {"label": "integrasi"},
    "/orang/staf1/token/cabut": {"awalan": "sop_"},
    "/orang/staf1/token/cabut-semua": {},
}
#: People who may not manage people: each gets 403 on every route of the account page.
NOT_ADMINS = ("sekretaris", "staf1", "inspektorat", "ketua")


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    return Site(ctx, tmp_path)


def can_log_in(site: Site, login: str, password: str) -> bool:
    """Whether ``login`` gets a session through the /masuk form with ``password``."""
    client = site.anonymous()
    page = client.get("/masuk")
    response = client.post("/masuk", data={"login": login, "password": password, "csrf_token": csrf_in(page.text)})
    return response.status_code == 303


def me(site: Site, token: str) -> int:
    """The status of /api/v1/me with ``token``."""
    return site.anonymous().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def events(ctx: Context) -> list[AuditRecord]:
    return audit.list_events(ctx)


def assert_audited_by_admin(ctx: Context, action: str, **details: object) -> AuditRecord:
    """The newest event is ``action`` by the admin in the admin role, with ``details`` among its details."""
    event = events(ctx)[-1]
    assert (event.action, event.actor, event.role) == (action, "admin", "admin")
    assert {key: event.details.get(key) for key in details} == details
    return event


def refused(response_text: str) -> str:
    return alert(response_text, "error")


# --- the list and the page -----------------------------------------------------------------


def test_each_person_on_orang_links_to_their_account_page(site: Site):
    page = site.as_("admin").get("/orang").text
    for username in ("admin", "staf1", "ketua"):
        assert elements(page, "a", href=f"/orang/{username}")
    assert "sop people set-password" not in page


def test_the_account_page_shows_state_roles_password_and_tokens(site: Site, ctx: Context):
    api_tokens.issue_token(ctx, "staf1", "integrasi", by="admin")
    page = site.as_("admin").get("/orang/staf1")
    assert page.status_code == 200
    html = page.text
    assert "Aktif" in html and "Sudah disetel" in html and "Staf" in html
    (row,) = elements(html, "tr", class_="token")
    assert row["data-prefix"].startswith("sop_") and "live" in row["class"]
    assert "integrasi" in html
    assert elements(html, "form", id="form-sandi") and elements(html, "form", id="form-nonaktifkan")
    assert elements(html, "input", id="peran-staf", checked="")
    assert not elements(html, "input", id="peran-ketua", checked="")


def test_a_person_without_a_password_is_shown_as_such(site: Site, ctx: Context):
    people.add_person(ctx, NewPerson("staf3", "Sari Wulandari", ("staf",)), by="admin")
    html = site.as_("admin").get("/orang/staf3").text
    assert "Belum disetel" in html and "Setel kata sandi pertama" in html
    assert accounts.account_of(ctx, "staf3").has_password is False


def test_an_unknown_person_is_404(site: Site):
    response = site.as_("admin").get("/orang/tidak-ada")
    assert response.status_code == 404
    assert "tidak-ada" in response.text


def test_the_account_page_carries_no_inline_script_or_style(site: Site):
    response = site.as_("admin").get("/orang/staf1")
    html = response.text.lower()
    assert "<script" not in html and "<style" not in html and " style=" not in html


# --- passwords -----------------------------------------------------------------------------


def test_a_first_password_set_on_the_page_lets_the_person_log_in(site: Site, ctx: Context):
    people.add_person(ctx, NewPerson("staf3", "Sari Wulandari", ("staf",)), by="admin")
    assert not can_log_in(site, "staf3", NEW_PASSWORD)
    response = site.as_("admin").post("/orang/staf3/sandi", {"sandi": NEW_PASSWORD, "ulangi": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/orang/staf3?pesan=sandi"
    assert NEW_PASSWORD not in response.headers["location"]
    assert_audited_by_admin(ctx, "person.password_set", username="staf3")
    page = site.as_("admin").get(response.headers["location"]).text
    assert alert(page, "ok") == PERSON_NOTICES["sandi"]
    assert "sesi" in PERSON_NOTICES["sandi"] and "token API" in PERSON_NOTICES["sandi"]
    assert "Sudah disetel" in page and NEW_PASSWORD not in page
    assert can_log_in(site, "staf3", NEW_PASSWORD)


def test_a_reset_password_ends_the_persons_sessions_and_revokes_their_tokens(site: Site, ctx: Context):
    staf1 = site.as_("staf1")
    token = api_tokens.issue_token(ctx, "staf1", by="admin")
    assert staf1.get("/tugas").status_code == 200 and me(site, token) == 200
    response = site.as_("admin").post("/orang/staf1/sandi", {"sandi": NEW_PASSWORD, "ulangi": NEW_PASSWORD})
    assert response.status_code == 303
    assert staf1.get("/tugas").headers["location"] == "/masuk?lanjut=/tugas"
    assert me(site, token) == 401
    assert not can_log_in(site, "staf1", PASSWORD)
    assert can_log_in(site, "staf1", NEW_PASSWORD)


def test_a_mismatched_pair_is_refused_and_changes_nothing(site: Site, ctx: Context):
    before = events(ctx)
    response = site.as_("admin").post("/orang/staf1/sandi", {"sandi": NEW_PASSWORD, "ulangi": NEW_PASSWORD + "x"})
    assert response.status_code == 422
    assert refused(response.text) == PASSWORD_MISMATCH
    assert NEW_PASSWORD not in response.text
    assert events(ctx) == before
    assert can_log_in(site, "staf1", PASSWORD) and not can_log_in(site, "staf1", NEW_PASSWORD)


def test_a_weak_password_is_refused_with_the_services_message_and_changes_nothing(site: Site, ctx: Context):
    before = events(ctx)
    response = site.as_("admin").post("/orang/staf1/sandi", {"sandi": "pendek", "ulangi": "pendek"})
    assert response.status_code == 422
    assert "terlalu pendek (6 karakter)" in refused(response.text)
    assert 'value="pendek"' not in response.text
    assert events(ctx) == before
    assert can_log_in(site, "staf1", PASSWORD)


# --- deactivating and activating -----------------------------------------------------------


def test_a_deactivated_person_cannot_log_in_and_their_token_answers_401(site: Site, ctx: Context):
    staf1 = site.as_("staf1")
    token = api_tokens.issue_token(ctx, "staf1", by="admin")
    response = site.as_("admin").post("/orang/staf1/nonaktifkan")
    assert response.status_code == 303
    assert response.headers["location"] == "/orang/staf1?pesan=dinonaktifkan"
    assert_audited_by_admin(ctx, "person.deactivated", username="staf1", active=False)
    assert me(site, token) == 401
    assert staf1.get("/tugas").status_code == 303
    assert not can_log_in(site, "staf1", PASSWORD)
    page = site.as_("admin").get(response.headers["location"]).text
    assert alert(page, "ok") == PERSON_NOTICES["dinonaktifkan"]
    assert "Nonaktif" in page and elements(page, "form", id="form-aktifkan")
    assert not elements(page, "form", id="form-sandi") and not elements(page, "form", id="form-token")
    assert re.search(r'<tr class="person inactive">\s*<td>staf1</td>', site.as_("admin").get("/orang").text)


def test_an_activated_person_logs_in_again_with_their_password(site: Site, ctx: Context):
    people.set_active(ctx, "staf1", False, by="admin")
    response = site.as_("admin").post("/orang/staf1/aktifkan")
    assert response.status_code == 303
    assert response.headers["location"] == "/orang/staf1?pesan=diaktifkan"
    assert_audited_by_admin(ctx, "person.activated", username="staf1", active=True)
    assert can_log_in(site, "staf1", PASSWORD)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/orang/admin/nonaktifkan", 403, "tidak dapat menonaktifkan akun sendiri"),
        ("/orang/staf1/aktifkan", 409, "'staf1' sudah aktif"),
    ],
)
def test_deactivating_yourself_or_activating_an_active_account_is_refused_and_changes_nothing(
    site: Site, ctx: Context, path: str, status: int, words: str
):
    before, everyone = events(ctx), people.list_people(ctx)
    response = site.as_("admin").post(path)
    assert response.status_code == status
    assert words in refused(response.text)
    assert events(ctx) == before and people.list_people(ctx) == everyone
    assert site.as_("admin").get("/orang").status_code == 200


# --- roles ---------------------------------------------------------------------------------


def test_a_role_change_changes_what_the_person_may_open(site: Site, ctx: Context):
    staf1 = site.as_("staf1")
    assert staf1.get("/audit").status_code == 403 and staf1.get("/tugas").status_code == 200
    response = site.as_("admin").post("/orang/staf1/peran", {"peran": ["inspektorat"]})
    assert response.status_code == 303
    assert response.headers["location"] == "/orang/staf1?pesan=peran"
    assert_audited_by_admin(ctx, "person.roles_changed", username="staf1", roles=["inspektorat"], before=["staf"])
    assert staf1.get("/audit").status_code == 200 and staf1.get("/tugas").status_code == 403
    page = site.as_("admin").get(response.headers["location"]).text
    assert alert(page, "ok") == PERSON_NOTICES["peran"]
    assert elements(page, "input", id="peran-inspektorat", checked="")
    assert not elements(page, "input", id="peran-staf", checked="")


def test_a_refused_role_change_keeps_the_ticked_boxes_and_changes_nothing(site: Site, ctx: Context):
    before = events(ctx)
    none = site.as_("admin").post("/orang/staf1/peran", {})
    assert none.status_code == 422 and "(kosong)" in refused(none.text)
    assert not elements(none.text, "input", id="peran-staf", checked="")
    own = site.as_("admin").post("/orang/admin/peran", {"peran": ["staf"]})
    assert own.status_code == 403 and "melepas peran admin" in refused(own.text)
    assert elements(own.text, "input", id="peran-staf", checked="")
    assert not elements(own.text, "input", id="peran-admin", checked="")
    same = site.as_("admin").post("/orang/staf1/peran", {"peran": ["staf"]})
    assert same.status_code == 409
    assert events(ctx) == before
    assert {p.username: p.roles for p in people.list_people(ctx)}["staf1"] == ("staf",)


# --- API tokens ----------------------------------------------------------------------------


def test_tokens_are_listed_without_their_values(site: Site, ctx: Context, clock: FixedClock):
    values = [api_tokens.issue_token(ctx, "staf1", f"aplikasi-{n}", by="admin") for n in range(3)]
    api_tokens.issue_token(ctx, "staf1", "sebentar", by="admin", expires_days=1)
    api_tokens.revoke_tokens(ctx, "staf1", by="admin", prefix=values[2][:10])
    clock.advance(timedelta(days=2))
    html = site.as_("admin").get("/orang/staf1").text
    rows = {row["data-prefix"]: row["class"].split() for row in elements(html, "tr", class_="token")}
    assert len(rows) == 4
    assert "revoked" in rows[values[2][:10]] and "live" in rows[values[0][:10]]
    assert sum("expired" in classes for classes in rows.values()) == 1
    assert not any(value in html for value in values)
    assert len(elements(html, "input", name="awalan")) == 2  # a Cabut button for each live token only
    assert elements(html, "form", id="form-cabut-semua")


def test_revoking_one_token_makes_it_answer_401_and_leaves_the_others(site: Site, ctx: Context):
    first, second = (api_tokens.issue_token(ctx, "staf1", by="admin") for _ in range(2))
    response = site.as_("admin").post("/orang/staf1/token/cabut", {"awalan": first[:10]})
    assert response.status_code == 303
    assert response.headers["location"] == "/orang/staf1?pesan=dicabut"
    assert_audited_by_admin(ctx, "person.token_revoked", username="staf1", prefixes=[first[:10]])
    assert me(site, first) == 401 and me(site, second) == 200
    assert alert(site.as_("admin").get(response.headers["location"]).text, "ok") == PERSON_NOTICES["dicabut"]


def test_revoking_all_tokens_makes_each_answer_401(site: Site, ctx: Context):
    tokens = [api_tokens.issue_token(ctx, "staf1", by="admin") for _ in range(2)]
    response = site.as_("admin").post("/orang/staf1/token/cabut-semua")
    assert response.status_code == 303
    event = assert_audited_by_admin(ctx, "person.token_revoked", username="staf1")
    assert sorted(event.details["prefixes"]) == sorted(token[:10] for token in tokens)
    assert [me(site, token) for token in tokens] == [401, 401]


def test_revoking_without_a_prefix_or_without_live_tokens_is_refused(site: Site, ctx: Context):
    before = events(ctx)
    empty = site.as_("admin").post("/orang/staf1/token/cabut", {"awalan": " "})
    assert empty.status_code == 422 and refused(empty.text) == NO_PREFIX
    nothing = site.as_("admin").post("/orang/staf1/token/cabut-semua")
    assert nothing.status_code == 404 and "tidak punya token aktif" in refused(nothing.text)
    assert events(ctx) == before


def test_a_token_issued_on_the_page_is_shown_exactly_once(site: Site, ctx: Context):
    response = site.as_("admin").post("/orang/staf1/token", {"label": "integrasi", "masa_berlaku": "90"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    (value,) = re.findall(r"sop_[A-Za-z0-9_-]{43}", response.text)
    assert response.text.count(value) == 1
    assert "tidak ditampilkan lagi" in alert(response.text, "warn")
    assert me(site, value) == 200
    event = assert_audited_by_admin(ctx, "person.token_issued", username="staf1", label="integrasi")
    assert value not in str(event.details) and value[:10] == event.details["prefix"]
    (token,) = api_tokens.list_tokens(ctx, "staf1")
    assert token.expires_at is not None and token.expires_at - token.created_at == timedelta(days=90)
    assert value not in site.as_("admin").get("/orang/staf1").text


def test_a_bad_expiry_is_refused_keeping_the_label_and_issuing_nothing(site: Site, ctx: Context):
    for days, words, status in (("abc", "bukan bilangan bulat", 422), ("0", "tidak sah", 422)):
        response = site.as_("admin").post("/orang/staf1/token", {"label": "integrasi", "masa_berlaku": days})
        assert response.status_code == status
        assert words in refused(response.text)
        (label,) = elements(response.text, "input", id="label")
        assert label["value"] == "integrasi"
        assert not re.search(r"sop_[A-Za-z0-9_-]{43}", response.text)
    assert api_tokens.list_tokens(ctx, "staf1") == []


def test_the_status_of_a_token_follows_revocation_and_expiry(ctx: Context, clock: FixedClock):
    api_tokens.issue_token(ctx, "staf1", by="admin", expires_days=1)
    (token,) = api_tokens.list_tokens(ctx, "staf1")
    assert api_tokens.token_status(token, clock.now()) is TokenStatus.LIVE
    assert api_tokens.token_status(token, clock.now() + timedelta(days=1)) is TokenStatus.EXPIRED
    api_tokens.revoke_tokens(ctx, "staf1", by="admin")
    (revoked,) = api_tokens.list_tokens(ctx, "staf1")
    assert api_tokens.token_status(revoked, clock.now()) is TokenStatus.REVOKED


# --- who may post what ---------------------------------------------------------------------


@pytest.mark.parametrize("path", list(FORMS))
def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(site: Site, ctx: Context, path: str):
    api_tokens.issue_token(ctx, "staf1", by="admin")
    before, tokens = events(ctx), api_tokens.list_tokens(ctx, "staf1")
    admin = site.as_("admin")
    form = urlencode(FORMS[path], doseq=True)  # as a browser posts the form, less its csrf_token field
    response = admin.client.post(path, content=form, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 403
    assert "CSRF" in refused(response.text)
    assert events(ctx) == before and api_tokens.list_tokens(ctx, "staf1") == tokens
    assert can_log_in(site, "staf1", PASSWORD)


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_someone_who_does_not_manage_people_gets_403_on_every_account_route(site: Site, ctx: Context, username: str):
    api_tokens.issue_token(ctx, "staf1", by="admin")
    before, tokens = events(ctx), api_tokens.list_tokens(ctx, "staf1")
    user = site.as_(username)
    assert user.get("/orang/staf1").status_code == 403
    for path, data in FORMS.items():
        response = user.post(path, data)
        assert response.status_code == 403, (path, response.text[:300])
        assert "hanya untuk peran admin" in refused(response.text)
    assert events(ctx) == before and api_tokens.list_tokens(ctx, "staf1") == tokens


def test_an_anonymous_visitor_is_sent_to_the_login_form(site: Site, ctx: Context):
    before = events(ctx)
    client = site.anonymous()
    assert client.get("/orang/staf1").headers["location"] == "/masuk?lanjut=/orang/staf1"
    for path, data in FORMS.items():
        response = client.post(path, data=data)
        assert response.status_code == 303 and response.headers["location"].startswith("/masuk"), path
    assert events(ctx) == before
