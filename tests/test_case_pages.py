"""The case list a page at a time, and reads that do not grow with history.

Pages follow one another without a gap or a repeat, also when cases are started between two
pages; each front end (API, CLI, /kasus) hands out the next page; the first page of the list, a
case page and Tugas Saya issue the same statements with 3 cases as with 30; the queries read
their indexes (read from the query plans on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Connection, Select, event, insert, select, text

from sop_engine import access, api_tokens, case_pages, cases
from sop_engine.context import Context
from sop_engine.db.models import AuditEvent, Case, CaseStep
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.errors import InvalidInput
from sop_engine.identity import Identity
from sop_engine.machine import DONE
from tests.web_support import Site, client_for, elements

SEKRETARIS = Identity("sekretaris", "Sekretaris", ("sekretaris",))


def clone_cases(ctx: Context, pairs: Sequence[tuple[str, int]]) -> None:
    """Finished copies of the office's first case under other (workflow, year) pairs, in bulk: history."""
    case_table, step_table = Case.__table__, CaseStep.__table__
    with ctx.db.engine.begin() as connection:
        proto = dict(connection.execute(select(case_table).order_by(case_table.c.id).limit(1)).one()._mapping)
        steps = connection.execute(select(step_table).where(step_table.c.case_id == proto.pop("id"))).all()
        finished = {"status": CaseStatus.DONE, "state": DONE, "finished_at": proto["started_at"]}
        for workflow, year in pairs:
            row = {**proto, **finished, "workflow": workflow, "year": year, "code": f"{workflow}-{year}"}
            case_id = connection.execute(insert(case_table).values(**row)).inserted_primary_key[0]
            copies = [{**step._mapping, "case_id": case_id, "status": StepStatus.DONE} for step in steps]
            connection.execute(insert(step_table), [{k: v for k, v in c.items() if k != "id"} for c in copies])


def expected_order(ctx: Context) -> list[str]:
    with ctx.db.read() as session:
        rows = session.execute(select(Case.code, Case.year)).all()
    return [code for code, _ in sorted(rows, key=lambda row: (-row.year, row.code))]


def walk(ctx: Context, limit: int) -> list[str]:
    seen, after = [], None
    while True:
        page = cases.list_cases(ctx, limit=limit, after=after)
        seen += [case.id for case in page.items]
        if page.next is None:
            return seen
        after = page.next


# --- pages ---------------------------------------------------------------------------------


def test_pages_hold_every_case_once_newest_year_first_then_by_code(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2019), ("aaa", 2021), ("zzz", 2021), ("lakip", 2022), ("aaa", 2019), ("mmm", 2020)])
    order = expected_order(ctx)
    assert order[:4] == ["lakip-2022", "aaa-2021", "lakip-2021", "zzz-2021"]
    for limit in (1, 2, 3, 7, 50):
        assert walk(ctx, limit) == order, limit
    page = cases.list_cases(ctx, limit=7)
    assert len(page.items) == 7 and page.next is None


def test_cases_started_between_two_pages_neither_repeat_nor_push_one_out(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", year) for year in (2015, 2016, 2017, 2018, 2019, 2020)])
    first = cases.list_cases(ctx, limit=3)
    assert [case.id for case in first.items] == ["lakip-2021", "lakip-2020", "lakip-2019"]
    cases.start_case(ctx, "lakip", 2022, "sekretaris")  # before the cursor: on the first page next time
    clone_cases(ctx, [("aaa", 2018), ("lakip", 2010)])  # after it: on the pages still to come
    rest, after = [], first.next
    while after is not None:
        page = cases.list_cases(ctx, limit=3, after=after)
        rest += [case.id for case in page.items]
        after = page.next
    assert rest == ["aaa-2018", "lakip-2018", "lakip-2017", "lakip-2016", "lakip-2015", "lakip-2010"]


@pytest.mark.parametrize(
    "after", ["lakip-2020", "2021", ".lakip-2021", "20x1.lakip-2021", "2021.", "٢٠٢١.lakip-2021", "2021.lakip\x00"]
)
def test_a_cursor_no_page_gave_is_refused(ctx: Context, after: str):
    with pytest.raises(InvalidInput, match="Penanda halaman"):
        cases.list_cases(ctx, after=after)


@pytest.mark.parametrize("limit", [0, -1, case_pages.MAX_LIMIT + 1])
def test_a_page_size_out_of_bounds_is_refused(ctx: Context, limit: int):
    with pytest.raises(InvalidInput, match="per halaman"):
        cases.list_cases(ctx, limit=limit)


def test_a_page_holds_only_cases_the_reader_may_see_and_visibility_needs_no_case_built(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2020), ("lakip", 2019)])
    admin = Identity("admin", "Admin", ("admin",))
    assert access.visible_cases(ctx, admin, limit=1) == cases.CasePage((), None)
    assert [c.id for c in access.visible_cases(ctx, SEKRETARIS, limit=2).items] == ["lakip-2021", "lakip-2020"]
    access.require_visible(ctx, SEKRETARIS, "lakip-2019")
    for identity, code in ((admin, "lakip-2019"), (SEKRETARIS, "lakip-1999")):
        with pytest.raises(Exception, match="tidak ditemukan atau bukan bagian tugas Anda"):
            access.require_visible(ctx, identity, code)
        with pytest.raises(Exception, match="tidak ditemukan atau bukan bagian tugas Anda"):
            access.visible_case(ctx, identity, code)


def test_the_lines_of_a_page_are_its_cases_without_their_steps(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2020), ("lakip", 2019), ("sop1", 2020)])
    admin = Identity("admin", "Admin", ("admin",))
    assert access.visible_case_lines(ctx, admin) == case_pages.LinePage((), None)
    for after in (None, "2021.lakip-2021", "2020.lakip-2020"):
        records, lines = cases.list_cases(ctx, limit=2, after=after), case_pages.lines(ctx, limit=2, after=after)
        assert lines.next == records.next
        expected = [(c.id, c.title, c.year, c.status, c.current_step, len(c.steps)) for c in records.items]
        assert [(c.id, c.title, c.year, c.status, c.current_step, c.steps) for c in lines.items] == expected
    assert [line.current_step for line in case_pages.lines(ctx).items] == [1, None, None, None]


# --- the front ends --------------------------------------------------------------------------


def bearer(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.issue_token(ctx, username)}"}


def office_id(ctx: Context) -> int:
    with ctx.db.read() as session:
        return ctx.office(session).id


def test_the_api_list_links_to_the_next_page_until_the_last(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2020), ("lakip", 2019)])
    client, headers = client_for(ctx), bearer(ctx, "staf1")
    listed, url = [], "/api/v1/cases?limit=2"
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        listed += [case["id"] for case in body["cases"]]
        url = body["next"]
        assert response.headers.get("link") == (f'<{url}>; rel="next"' if url else None)
        if url:
            assert urlsplit(url).path == "/api/v1/cases" and parse_qs(urlsplit(url).query)["limit"] == ["2"]
    assert listed == ["lakip-2021", "lakip-2020", "lakip-2019"]
    clone_cases(ctx, [("lakip", year) for year in range(2000, 2019)])
    first = client.get("/api/v1/cases", headers=headers).json()
    assert len(first["cases"]) == 20 and first["next"] == "/api/v1/cases?limit=20&after=2002.lakip-2002"
    assert client.get("/api/v1/cases?after=lakip-2020", headers=headers).status_code == 422
    assert client.get("/api/v1/cases?limit=0", headers=headers).status_code == 422


def test_sop_case_list_takes_limit_and_after_and_says_how_to_go_on(ctx: Context, sop):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2020), ("lakip", 2019)])
    first = sop("case", "list", "--limit", "2")
    assert first.code == 0, first.err
    assert "lakip-2021" in first.out and "lakip-2019" not in first.out
    hint = first.out.strip().splitlines()[-1]
    assert hint == "Halaman berikutnya: sop case list --limit 2 --after 2020.lakip-2020"
    second = sop(*hint.split(": ", 1)[1].split()[1:])
    assert "lakip-2019" in second.out and "Halaman berikutnya" not in second.out
    listed = sop("case", "list", "--json", "--limit", "2")
    assert [case["id"] for case in json.loads(listed.out)] == ["lakip-2021", "lakip-2020"]
    assert listed.err.strip() == "Halaman berikutnya: sop case list --json --limit 2 --after 2020.lakip-2020"
    assert json.loads(sop("case", "list", "--json", "--after", "2020.lakip-2020").out)[0]["id"] == "lakip-2019"
    refused = sop("case", "list", "--after", "lakip-2020")
    assert refused.code == 1 and "Penanda halaman 'lakip-2020'" in refused.err


def test_kasus_has_a_next_page_past_fifty_cases(ctx: Context, tmp_path):
    cases.start_case(ctx, "lakip", 2100, "sekretaris")
    clone_cases(ctx, [("lakip", year) for year in range(2045, 2100)])
    user = Site(ctx, tmp_path).as_("sekretaris")
    first = user.get("/kasus").text
    shown = [link["href"] for link in elements(first, "a", class_="case-link")]
    assert len(shown) == 50 and shown[0] == "/kasus/lakip-2100" and not elements(first, "a", id="halaman-pertama")
    (more,) = elements(first, "a", id="halaman-berikutnya")
    second = user.get(more["href"]).text
    rest = [link["href"] for link in elements(second, "a", class_="case-link")]
    assert rest == [f"/kasus/lakip-{year}" for year in range(2050, 2044, -1)]
    assert not elements(second, "a", id="halaman-berikutnya") and elements(second, "a", id="halaman-pertama")
    for cursor in ("bukan-penanda", "2050.lakip%00"):  # NUL never reaches the database (PostgreSQL refuses it)
        assert user.get(f"/kasus?setelah={cursor}").status_code == 422


# --- statements that do not grow with history ----------------------------------------------


@contextmanager
def statements(ctx: Context) -> Iterator[list[tuple[str, int]]]:
    """The SQL statements the reading engine sends while the block runs, with their number of parameters."""
    sent: list[tuple[str, int]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, len(parameters or ())))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def test_the_list_a_case_page_and_tugas_send_as_many_statements_with_30_cases_as_with_3(ctx: Context, tmp_path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", 2019), ("lakip", 2020)])
    site = Site(ctx, tmp_path)
    sekretaris, staf = site.as_("sekretaris"), site.as_("staf1")
    api, headers = site.anonymous(), bearer(ctx, "sekretaris")
    reads = {
        "the first page": lambda: cases.list_cases(ctx),
        "the API list": lambda: api.get("/api/v1/cases", headers=headers),
        "/kasus": lambda: sekretaris.get("/kasus"),
        "two a page": lambda: api.get("/api/v1/cases?limit=2", headers=headers),
        "a case page": lambda: sekretaris.get("/kasus/lakip-2021"),
        "the API case": lambda: api.get("/api/v1/cases/lakip-2021", headers=headers),
        "Tugas Saya": lambda: sekretaris.get("/tugas"),
        "Tugas Saya, none": lambda: staf.get("/tugas"),
    }

    def count() -> dict[str, list[tuple[str, int]]]:
        counted = {}
        for what, read in reads.items():
            read()  # warm: definitions parsed, sessions made
            with statements(ctx) as sent:
                read()
            counted[what] = sent
        return counted

    few = count()
    clone_cases(ctx, [("lakip", year) for year in range(2000, 2019)] + [(f"sop{n}", 2021) for n in range(8)])
    assert len(expected_order(ctx)) == 30
    many = count()
    assert {what: len(sent) for what, sent in many.items()} == {what: len(sent) for what, sent in few.items()}
    bounded = ("two a page", "a case page", "the API case", "Tugas Saya", "Tugas Saya, none")
    assert {what: many[what] for what in bounded} == {what: few[what] for what in bounded}  # the same parameters too
    assert len(few["the first page"]) <= 6 and len(few["Tugas Saya"]) <= 12, few


def test_kasus_sends_as_many_statements_with_200_cases_as_with_10(ctx: Context, tmp_path):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [("lakip", year) for year in range(2011, 2020)])
    user = Site(ctx, tmp_path).as_("sekretaris")

    def first_page() -> tuple[int, int]:
        user.get("/kasus")  # warm: definitions parsed
        with statements(ctx) as sent:
            page = user.get("/kasus").text
        return len(sent), len(elements(page, "a", class_="case-link"))

    few = first_page()
    clone_cases(ctx, [(f"sop{n}", year) for n in range(19) for year in range(2010, 2020)])
    assert len(expected_order(ctx)) == 200
    many = first_page()
    assert (few[1], many[1]) == (10, 50)
    assert many[0] == few[0] <= 4, (few, many)  # the session, the office with its definitions, the page


# --- the plans -----------------------------------------------------------------------------


def _plan(connection: Connection, query: Select[Any]) -> str:
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all())
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}").all())


def test_a_case_without_links_is_read_in_three_statements_its_row_steps_and_documents(ctx: Context):
    code = cases.start_case(ctx, "lakip", 2021, "sekretaris").id
    cases.get_case(ctx, code)  # warm: definition parsed
    with statements(ctx) as sent:
        record = cases.get_case(ctx, code)
    assert len(sent) == 3, sent  # no look for restarts (it is not cancelled) or linked cases (lakip runs none)
    assert (record.restart_of, record.restarted_as, record.part_of, record.linked_cases) == (None, None, None, ())


def test_the_list_tugas_and_the_audit_filters_read_their_indexes(ctx: Context):
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clone_cases(ctx, [(f"sop{n}", year) for n in range(10) for year in range(2000, 2030)])
    with ctx.db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        office = office_id(ctx)
        first = _plan(connection, case_pages.page_query(office, None, None, 51))
        later = _plan(connection, case_pages.page_query(office, [1], "2020.sop3-2020", 51))
        waiting = _plan(connection, case_pages.waiting_query(office, {1: [4, 6]}))
        by_action = _plan(
            connection,
            select(AuditEvent)
            .where(AuditEvent.office_id == office, AuditEvent.action == "step.completed", AuditEvent.seq < 100)
            .order_by(AuditEvent.seq.desc())
            .limit(501),
        )
    assert "ix_cases_office_year_code" in first and "ix_cases_office_year_code" in later, (first, later)
    assert "ix_case_steps_active" in waiting, waiting
    assert "ix_audit_events_office_action_seq" in by_action, by_action
