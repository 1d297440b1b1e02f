"""*Jejak Audit*'s verify form checked against a chain head recorded earlier (finding 5).

The attack is a cut tail: someone holding the database drops the append-only trigger, deletes the
newest events and moves the stored head back, leaving a shorter chain that is intact in itself
(the cut events are letter numbers, which the state tables do not replay, so nothing else shows
it). Only the head the Inspektorat recorded at an earlier verification reveals the cut. Every
test runs through the real app on both backends.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from sop_engine import audit, cases, letters
from sop_engine.context import Context
from sop_engine.web.pages_audit import HEAD_FIELD
from tests.web_support import client_for, log_in


@pytest.fixture
def inspektorat(ctx: Context) -> tuple[TestClient, str]:
    """The Inspektorat's browser and its CSRF token, on a trail with a started case."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    client = client_for(ctx)
    return client, log_in(client, "inspektorat")


def verify(browser: tuple[TestClient, str], head: str | None = None) -> tuple[int, str]:
    """Post the verify form (with ``head`` typed in the recorded-head field); status and result text."""
    client, csrf = browser
    form = {"csrf_token": csrf} if head is None else {"csrf_token": csrf, HEAD_FIELD: head}
    response = client.post("/audit/verifikasi", data=form)
    return response.status_code, response.text


def section(page: str, element_id: str) -> str:
    """The text of the element ``element_id`` (tags dropped, entities decoded)."""
    found = re.search(rf'<(section|p) id="{element_id}"[^>]*>(.*?)</\1>', page, re.DOTALL)
    assert found, f"no #{element_id} on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def issue_letters(ctx: Context, count: int) -> None:
    for number in range(count):
        letters.issue(ctx, 2021, f"Undangan rapat {number + 1}", "kasubag", letter_date=date(2021, 1, 11))


def cut_tail_after(ctx: Context, keep: int) -> None:
    """Delete every event after seq ``keep`` and move the stored head back to it, as an intruder would."""
    kept = audit.list_events(ctx)[keep - 1]
    with ctx.db.engine.begin() as conn:
        if ctx.db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update_delete ON audit_events"))
        conn.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": keep})
        conn.execute(text("UPDATE audit_heads SET seq = :seq, hash = :hash"), {"seq": kept.seq, "hash": kept.hash})


def test_the_verify_form_has_a_field_for_the_recorded_head(inspektorat: tuple[TestClient, str]):
    page = inspektorat[0].get("/audit").text
    form = re.search(r'<form id="form-verifikasi".*?</form>', page, re.DOTALL)
    assert form and f'name="{HEAD_FIELD}"' in form.group(0)
    assert "Kepala rantai yang dicatat" in form.group(0)


def test_a_cut_tail_reads_intact_without_the_recorded_head_and_broken_with_it(
    ctx: Context, inspektorat: tuple[TestClient, str]
):
    issue_letters(ctx, 3)
    recorded = audit.verify(ctx)
    assert recorded.ok, recorded.problem
    cut_tail_after(ctx, recorded.head_seq - 3)  # the three letters are gone from the trail

    status, page = verify(inspektorat)
    assert status == 200 and "Rantai utuh" in section(page, "hasil-verifikasi")  # the gap the field closes

    status, page = verify(inspektorat, f"{recorded.head_seq}:{recorded.head_hash}")
    assert status == 200
    result = section(page, "hasil-verifikasi")
    assert "Rantai utuh" not in result and "Rantai rusak" in result
    assert f"#{recorded.head_seq}" in result and "dipotong" in result
    named = section(page, "kepala-dicatat")
    assert f"#{recorded.head_seq}" in named and recorded.head_hash in named


def test_a_recorded_head_still_in_the_chain_reads_intact_after_later_events(
    ctx: Context, inspektorat: tuple[TestClient, str]
):
    recorded = audit.verify(ctx)
    issue_letters(ctx, 2)
    status, page = verify(inspektorat, f"  #{recorded.head_seq}:{recorded.head_hash}  ")
    assert status == 200
    result = section(page, "hasil-verifikasi")
    assert "Rantai utuh" in result and "kepala rantai yang dicatat masih ada" in result
    assert f"#{recorded.head_seq}" in section(page, "kepala-dicatat")
    now = audit.verify(ctx)
    assert f"{now.head_seq}:{now.head_hash}" in section(page, "kepala-rantai")  # the head to record next


def test_a_rewritten_recorded_head_reads_broken(ctx: Context, inspektorat: tuple[TestClient, str]):
    recorded = audit.verify(ctx)
    status, page = verify(inspektorat, f"{recorded.head_seq}:{'0' * 64}")
    assert status == 200
    result = section(page, "hasil-verifikasi")
    assert "Rantai rusak" in result and "ditulis ulang" in result


@pytest.mark.parametrize(
    "typed", ["23", "23:9dda1e11", "dua:" + "a" * 64, "23:" + "g" * 64, "-4:" + "a" * 64, "23 " + "a" * 64]
)
def test_a_malformed_recorded_head_is_refused_with_422_naming_it_and_the_format(
    inspektorat: tuple[TestClient, str], typed: str
):
    status, page = verify(inspektorat, typed)
    assert status == 422
    assert 'id="hasil-verifikasi"' not in page  # nothing was verified
    message = html.unescape(re.search(r'<p class="alert alert-error" role="alert">(.*?)</p>', page, re.DOTALL)[1])
    assert f"'{typed}'" in message and "NOMOR:HASH" in message
    assert f'value="{html.escape(typed)}"' in page  # kept in the field to correct
