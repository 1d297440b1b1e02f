"""Two offices in one database, through the web pages and the API: neither sees the other's rows.

Office 3526 (config.toml's, KPU Kabupaten Bangkalan) has case lakip-2021 with a document; office
3527 (KPU Kabupaten Sampang, added with ``sop offices add``) has lakip-2022 and the same usernames.
A person of one office who guesses the other's case code, document id or username gets 404, and
every list holds only their own office's rows. The pengawas of a provincial office over both
reads their LAKIP progress and can do nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sop_engine import api_tokens, artefacts, cases, offices, people
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.offices import OfficeChange
from sop_engine.web.app import create_app
from tests.helpers import statements
from tests.offices_support import OTHER, OTHER_NAME, PROVINCE, add_other_office, add_province
from tests.web_support import CASE, PASSWORD, advance_to, csrf_in, give_passwords

OTHER_CASE = "lakip-2022"


@pytest.fixture
def two(ctx: Context, tmp_path: Path) -> Context:
    """Both offices with their cases; the context of office 3527."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    advance_to(ctx, tmp_path, 1)
    other = add_other_office(ctx)
    cases.start_case(other, "lakip", 2022, "sekretaris")
    give_passwords(ctx)
    return other


def browser(ctx: Context, login: str, satker: str | None) -> TestClient:
    """A browser logged in as ``login`` of office ``satker`` (None: the form without a satker field)."""
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = {"login": login, "password": PASSWORD, "csrf_token": csrf_in(client.get("/masuk").text)}
    response = client.post("/masuk", data=form if satker is None else {**form, "satker": satker})
    assert response.status_code == 303, response.text
    return client


def test_a_single_office_login_asks_no_satker_and_two_offices_do(ctx: Context) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    assert 'name="satker"' not in client.get("/masuk").text
    add_other_office(ctx)
    assert 'name="satker"' in client.get("/masuk").text


def test_the_satker_decides_whose_account_a_shared_username_opens(two: Context) -> None:
    own = browser(two, "sekretaris", OTHER).get("/kasus").text
    home = browser(two, "sekretaris", "3526").get("/kasus").text
    assert OTHER_CASE in own and CASE not in own
    assert CASE in home and OTHER_CASE not in home


def test_an_unknown_satker_is_refused_without_naming_the_offices(two: Context) -> None:
    client = TestClient(create_app(two), follow_redirects=False)
    form = {"login": "sekretaris", "password": PASSWORD, "csrf_token": csrf_in(client.get("/masuk").text)}
    response = client.post("/masuk", data={**form, "satker": "9999"})
    assert response.status_code == 403
    assert "9999" in response.text and "tidak dikenal" in response.text
    assert OTHER not in response.text.replace('value="3527"', "")


def test_pages_answer_another_offices_case_document_and_people_as_missing(ctx: Context, two: Context) -> None:
    document = artefacts.list_artefacts(ctx, CASE)[0].id
    sekretaris = browser(two, "sekretaris", OTHER)
    assert sekretaris.get(f"/kasus/{OTHER_CASE}").status_code == 200
    assert sekretaris.get(f"/kasus/{CASE}").status_code == 404
    assert sekretaris.get(f"/kasus/{CASE}/dokumen/{document}").status_code == 404
    assert f'value="{CASE}"' not in sekretaris.get("/audit").text  # the case filter offers own cases only
    trail = sekretaris.get("/audit.csv").text
    assert OTHER_CASE in trail and CASE not in trail
    admin = browser(two, "admin", OTHER)
    staff = admin.get("/orang").text
    assert "sampang.example" in staff and "bangkalan.example" not in staff
    assert admin.get("/orang/staf1").status_code == 200
    people.add_person(ctx, people.NewPerson("khusus", "Rini Astuti", ("staf",)))  # a username of 3526 only
    assert admin.get("/orang/khusus").status_code == 404
    home_admin = browser(two, "admin", "3526")
    assert "sampang.example" not in home_admin.get("/orang").text
    # the home office's own reader still sees its case and document
    home = browser(two, "sekretaris", "3526")
    assert home.get(f"/kasus/{CASE}/dokumen/{document}").status_code == 200
    assert CASE in home.get("/audit.csv").text and OTHER_CASE not in home.get("/audit.csv").text


def test_the_api_answers_another_offices_case_and_document_as_missing(ctx: Context, two: Context) -> None:
    document = artefacts.list_artefacts(ctx, CASE)[0].id
    headers = {"Authorization": f"Bearer {api_tokens.issue_token(two, 'sekretaris')}"}
    client = TestClient(create_app(ctx), follow_redirects=False)
    listed = client.get("/api/v1/cases", headers=headers).json()
    assert [case["id"] for case in listed["cases"]] == [OTHER_CASE]
    assert client.get(f"/api/v1/cases/{CASE}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cases/{CASE}/artefacts/{document}", headers=headers).status_code == 404
    events = client.get("/api/v1/audit", headers=headers).json()["events"]
    assert events and all(event.get("case") in (None, OTHER_CASE) for event in events)
    home = {"Authorization": f"Bearer {api_tokens.issue_token(ctx, 'sekretaris')}"}
    assert client.get(f"/api/v1/cases/{OTHER_CASE}", headers=home).status_code == 404
    assert client.get(f"/api/v1/cases/{CASE}", headers=home).status_code == 200


def test_a_step_of_another_office_cannot_be_completed_by_guessing_its_code(ctx: Context, two: Context) -> None:
    sekretaris = browser(two, "kasubag", OTHER)
    csrf = csrf_in(sekretaris.get(f"/kasus/{OTHER_CASE}").text)
    response = sekretaris.post(f"/kasus/{CASE}/langkah/2/selesai", data={"csrf_token": csrf, "catatan": ""})
    assert response.status_code == 404
    assert cases.get_case(ctx, CASE).current_step == 2


def test_the_pengawas_reads_each_office_under_theirs_and_how_late_it_is(
    ctx: Context, two: Context, clock: FixedClock
) -> None:
    province = add_province(ctx)
    _set_parent(ctx, ("3526", OTHER), PROVINCE)
    give_passwords(ctx)
    clock.advance(timedelta(days=1))  # step 2 of lakip-2021 (2 jam) is late
    pengawas = browser(ctx, "pengawas", PROVINCE)
    page = pengawas.get("/pengawas?tahun=2021")
    assert page.status_code == 200
    assert "KPU Kabupaten Bangkalan" in page.text and "KPU Kabupaten Sampang" in page.text
    assert "terlambat" in page.text and "belum dimulai" in page.text
    assert pengawas.get(f"/kasus/{CASE}").status_code == 403  # no case page for a role without cases
    assert pengawas.get("/tugas").status_code == 403
    token = {"Authorization": f"Bearer {api_tokens.issue_token(province, 'pengawas')}"}
    client = TestClient(create_app(ctx), follow_redirects=False)
    rows = {row["satker"]: row for row in client.get("/api/v1/offices?tahun=2021", headers=token).json()["offices"]}
    assert rows["3526"]["case"] == CASE and rows["3526"]["step"] == 2
    # due Monday 10:00 WIB, now Tuesday 08:00: 10:00-12:00, 13:00-16:00 and 07:30-08:00 of working time
    assert (rows["3526"]["late_seconds"], rows["3526"]["late"]) == (19_800, "terlambat 5 jam 30 menit")
    assert rows[OTHER]["case"] is None and rows[OTHER]["late"] == ""
    assert client.get(f"/api/v1/cases/{CASE}", headers=token).status_code == 404
    started = client.post("/api/v1/cases", headers=token, json={"workflow": "lakip", "year": 2023})
    assert started.status_code == 403  # a pengawas reads, never acts
    sekretaris = {"Authorization": f"Bearer {api_tokens.issue_token(ctx, 'sekretaris')}"}
    assert client.get("/api/v1/offices?tahun=2021", headers=sekretaris).status_code == 403


def _set_parent(ctx: Context, satkers: tuple[str, ...], parent: str) -> None:
    from sqlalchemy import select, update

    from sop_engine.db.models import Office

    with ctx.db.write() as session:
        parent_id = session.scalar(select(Office.id).where(Office.code == parent))
        session.execute(update(Office).where(Office.code.in_(satkers)).values(parent_id=parent_id))


def test_a_running_server_shows_an_office_renamed_by_another_process_from_the_next_request(
    ctx: Context, two: Context
) -> None:
    renamed = "KPU Kabupaten Sampang Raya"
    client = browser(ctx, "sekretaris", OTHER)  # the server of the install (config.toml's office)
    api = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {api_tokens.issue_token(two, 'sekretaris')}"})
    assert OTHER_NAME in client.get("/kasus").text and api.get(f"/api/v1/cases/{OTHER_CASE}").status_code == 200
    with statements(ctx) as page_before:
        assert OTHER_NAME in client.get("/kasus").text
    with statements(ctx) as api_before:
        assert api.get(f"/api/v1/cases/{OTHER_CASE}").status_code == 200
    kept = ctx.for_office(OTHER)

    elsewhere = Context.open(ctx.settings, clock=ctx.clock)  # another process: its own kept contexts
    try:
        offices.set_office(elsewhere, OTHER, OfficeChange(name=renamed))
    finally:
        elsewhere.db.dispose()
    assert ctx.for_office(OTHER) is kept  # nothing told this process

    page = client.get("/kasus").text  # no restart: the next request sees the office's new settings
    assert renamed in page and OTHER_NAME not in page.replace(renamed, "")
    rebuilt = ctx.for_office(OTHER)
    assert rebuilt is not kept and rebuilt.settings.office.name == renamed
    with statements(ctx) as page_after:
        assert renamed in client.get("/kasus").text
    with statements(ctx) as api_after:
        assert api.get(f"/api/v1/cases/{OTHER_CASE}").status_code == 200
    assert ctx.for_office(OTHER) is rebuilt  # built once, not per request
    assert len(page_after) == len(page_before) and len(api_after) == len(api_before)
