"""One set of text rules (hardening findings 2 and 7): one refusal from the services, the CLI, the pages, the API.

A line break in a person's name once stopped every notification; NUL answered 500 on PostgreSQL
and was stored silently on SQLite; a 60,000-character note with ESC went through the pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine import api_tokens, cases, people, textrules
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.people import NewPerson
from tests.helpers import pdf, run_cli
from tests.web_support import client_for, csrf_in, log_in

CASE = "lakip-2021"

BAD_IN_A_LINE = {
    "line feed": "Sari\nWulandari",
    "carriage return": "Sari\r\nBcc: semua@contoh.example",
    "NUL": "Sari\x00Wulandari",
    "ESC": "Sari\x1b[31mWulandari",
    "right-to-left override": "Sari \u202eirdnaluW",
}


@pytest.mark.parametrize("value", BAD_IN_A_LINE.values(), ids=BAD_IN_A_LINE.keys())
def test_a_line_refuses_control_and_bidi_characters_naming_the_field_and_position(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        textrules.line(value, "Nama lengkap")
    message = caught.value.message
    assert message.startswith("Nama lengkap berisi karakter kendali U+")
    assert (
        f"pada posisi {value.index(next(c for c in value if not c.isprintable() or c == chr(0x202E))) + 1}" in message
    )


def test_a_line_is_stripped_and_ordinary_indonesian_text_passes() -> None:
    assert textrules.line("  Drs. Hj. Siti Aminah, M.Si.  ", "Nama lengkap") == "Drs. Hj. Siti Aminah, M.Si."


def test_a_line_longer_than_its_column_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidInput, match=f"paling banyak {textrules.MAX_LINE_CHARS} karakter"):
        textrules.line("a" * (textrules.MAX_LINE_CHARS + 1), "Nama lengkap")


def test_a_text_keeps_line_breaks_and_tabs_and_normalises_crlf() -> None:
    assert textrules.text(" baris satu\r\n\tbaris dua\r", "Catatan") == "baris satu\n\tbaris dua"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\u202e", "\x85"])
def test_a_text_refuses_nul_escape_delete_and_bidi(bad: str) -> None:
    with pytest.raises(InvalidInput, match="Catatan berisi karakter kendali"):
        textrules.text(f"catatan{bad}", "Catatan")


def test_the_api_schema_patterns_agree_with_the_rules() -> None:
    import re

    for value in BAD_IN_A_LINE.values():
        assert not re.fullmatch(textrules.LINE_PATTERN, value)
    assert re.fullmatch(textrules.TEXT_PATTERN, "baris satu\nbaris dua\tkolom")
    assert not re.fullmatch(textrules.TEXT_PATTERN, "a\x00b")


def test_scrub_line_makes_a_stored_name_safe_for_a_header() -> None:
    assert textrules.scrub_line("Sari\r\nBcc: x@y.example\u202e") == "Sari Bcc: x@y.example"


# --- the services, both backends ------------------------------------------------------------


def test_a_person_name_with_crlf_is_refused_and_nobody_is_added(ctx: Context) -> None:
    before = people.list_people(ctx)
    with pytest.raises(InvalidInput, match=r"Nama lengkap berisi karakter kendali U\+000D"):
        people.add_person(ctx, NewPerson("staf3", "Sari\r\nWulandari", ("staf",)))
    assert people.list_people(ctx) == before


def test_a_person_name_over_200_characters_is_refused_on_both_backends(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="Nama lengkap terlalu panjang"):
        people.add_person(ctx, NewPerson("staf3", "N" * 201, ("staf",)))


def test_the_audit_system_actor_cannot_be_taken_as_a_username(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="dipakai sistem"):
        people.add_person(ctx, NewPerson("sistem", "Orang Sistem", ("staf",)))


@pytest.mark.parametrize("email", ["<b>x</b>@contoh.example", 'a"b@contoh.example', "nama@contoh", "a b@c.example"])
def test_an_email_address_with_markup_or_spaces_is_refused(ctx: Context, email: str) -> None:
    with pytest.raises(InvalidInput, match="Alamat email"):
        people.add_person(ctx, NewPerson("staf3", "Sari Wulandari", ("staf",), email=email))


def test_a_token_label_with_a_line_break_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="Label token"):
        api_tokens.issue_token(ctx, "staf1", label="laptop\nkantor")


def test_a_note_with_nul_is_refused_and_the_case_is_unchanged(ctx: Context, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    before = cases.get_case(ctx, CASE)
    file = IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))
    with pytest.raises(InvalidInput, match=r"Catatan berisi karakter kendali U\+0000"):
        cases.complete_step(ctx, CASE, 1, "sekretaris", files=[file], note="selesai\x00")
    assert cases.get_case(ctx, CASE) == before


def test_a_note_over_2000_characters_is_refused(ctx: Context, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    file = IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))
    with pytest.raises(InvalidInput, match="Catatan terlalu panjang"):
        cases.complete_step(ctx, CASE, 1, "sekretaris", files=[file], note="x" * 2001)


def test_a_cancel_reason_with_escape_is_refused(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    with pytest.raises(InvalidInput, match="Alasan pembatalan berisi karakter kendali"):
        cases.cancel_case(ctx, CASE, "sekretaris", "batal\x1b[2J")
    assert cases.get_case(ctx, CASE).status == "running"


# --- the front ends say the same --------------------------------------------------------------


def test_the_cli_refuses_a_name_with_a_line_break_with_exit_1(ctx: Context) -> None:
    run = run_cli(["people", "add", "staf3", "--name", "Sari\nWulandari", "--role", "staf"], ctx.settings, ctx.clock)
    assert run.code == 1
    assert "Nama lengkap berisi karakter kendali U+000A" in run.err


def test_the_orang_form_refuses_a_name_with_a_line_break(ctx: Context) -> None:
    client = client_for(ctx)
    csrf = log_in(client, "admin")
    form = {"csrf_token": csrf, "username": "staf3", "name": "Sari\r\nWulandari", "peran": ["staf"]}
    response = client.post("/orang", data=form)
    assert response.status_code == 422
    assert "Nama lengkap berisi karakter kendali" in response.text
    assert "staf3" not in {p.username for p in people.list_people(ctx)}


def test_the_login_form_with_nul_answers_4xx_not_500(ctx: Context) -> None:
    client = client_for(ctx)
    page = client.get("/masuk")
    response = client.post("/masuk", data={"login": "staf1\x00", "password": "x\x00", "csrf_token": csrf_in(page.text)})
    assert 400 <= response.status_code < 500


def test_the_page_and_the_api_refuse_a_nul_note_with_the_services_words(ctx: Context, tmp_path: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    client = client_for(ctx)
    csrf = log_in(client, "sekretaris")
    upload = ("disposisi.pdf", pdf(tmp_path, "disposisi.pdf").read_bytes(), "application/pdf")
    page = client.post(
        f"/kasus/{CASE}/langkah/1/selesai", data={"csrf_token": csrf, "catatan": "a\x00b"}, files={"berkas": upload}
    )
    assert page.status_code == 422 and "Catatan berisi karakter kendali" in page.text
    token = api_tokens.issue_token(ctx, "sekretaris")
    api = client.post(
        f"/api/v1/cases/{CASE}/steps/1/complete",
        headers={"Authorization": f"Bearer {token}"},
        data={"note": "a\x1bb"},
        files={"files": upload},
    )
    assert api.status_code == 422 and "Catatan berisi karakter kendali" in api.json()["error"]
    assert cases.get_case(ctx, CASE).steps[0].status == "active"


def test_nul_in_a_case_path_and_in_audit_filters_answers_4xx_on_both_backends(ctx: Context) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    client = client_for(ctx)
    log_in(client, "inspektorat")
    assert client.get("/kasus/lakip-2021%00").status_code == 404
    for query in ("kasus=lakip%00", "pelaku=staf1%00"):
        response = client.get(f"/audit?{query}")
        assert 400 <= response.status_code < 500, (query, response.status_code)
    unknown_action = client.get("/audit?tindakan=step.completed%00")  # not one of the listed actions: ignored
    assert unknown_action.status_code < 500 and "\x00" not in unknown_action.text
    token = api_tokens.issue_token(ctx, "inspektorat")
    api = client.get("/api/v1/cases/lakip-2021%00", headers={"Authorization": f"Bearer {token}"})
    assert 400 <= api.status_code < 500


def test_a_letter_subject_with_a_line_break_is_refused(ctx: Context) -> None:
    from datetime import date

    from sop_engine import letters

    with pytest.raises(InvalidInput, match="Perihal surat berisi karakter kendali"):
        letters.issue(ctx, 2021, "Penyampaian\nDokumen LAKIP", "kasubag", letter_date=date(2021, 1, 11))


def test_a_name_stored_with_a_bidi_override_before_the_rules_is_shown_without_it(ctx: Context) -> None:
    from sqlalchemy import update

    from sop_engine.db.models import Person

    with ctx.db.write() as session:
        session.execute(update(Person).where(Person.username == "staf1").values(name="Sari \u202eirdnaluW"))
    shown = {p.username: p.name for p in people.list_people(ctx)}["staf1"]
    assert shown == "Sari irdnaluW"
