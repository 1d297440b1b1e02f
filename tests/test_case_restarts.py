"""A cancelled year can be started again: the cancelled case is kept, the new one links to it.

On both backends: the partial unique index lets one open case per year (a cancelled one does not
count), the service names the new case lakip-2021-2 and records the link both ways (JSON, the
command line, the case page, the trail), and the upgrade to the index keeps every step.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from sop_engine import archive, audit, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import Case
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.errors import Conflict
from tests.helpers import pdf, run_cli, upgrade_from
from tests.web_support import Site


def cancelled_2021(ctx: Context, folder: Path) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", files=[IncomingFile.from_path(pdf(folder, "d.pdf"))])
    cases.cancel_case(ctx, "lakip-2021", "sekretaris", "Dimulai dengan data yang salah")


def test_a_cancelled_year_starts_again_as_a_new_case_linked_both_ways(ctx: Context, tmp_path: Path) -> None:
    cancelled_2021(ctx, tmp_path)
    record = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert (record.id, record.status, record.restart_of) == ("lakip-2021-2", CaseStatus.RUNNING, "lakip-2021")
    assert record.current_step == 1
    old = cases.get_case(ctx, "lakip-2021")
    assert (old.status, old.restarted_as, old.restart_of) == (CaseStatus.CANCELLED, "lakip-2021-2", None)
    assert old.steps[0].status == StepStatus.DONE  # kept as it was
    new = cases.get_case(ctx, "lakip-2021-2")
    assert (new.restart_of, new.restarted_as, new.year) == ("lakip-2021", None, 2021)
    started = audit.list_events(ctx, "lakip-2021-2")[0]
    assert started.action == "case.started" and started.details["restart_of"] == "lakip-2021"
    assert audit.verify(ctx).ok


def test_an_open_case_still_holds_its_year_and_a_second_cancel_restarts_as_3(ctx: Context, tmp_path: Path) -> None:
    cancelled_2021(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    with pytest.raises(Conflict, match="lakip-2021-2 untuk tahun 2021 sudah ada"):
        cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.cancel_case(ctx, "lakip-2021-2", "sekretaris", "Salah lagi")
    third = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert (third.id, third.restart_of) == ("lakip-2021-3", "lakip-2021-2")
    assert cases.get_case(ctx, "lakip-2021-2").restarted_as == "lakip-2021-3"


def test_the_database_refuses_a_second_open_case_of_a_year(ctx: Context, tmp_path: Path) -> None:
    """The partial unique index, not only the service's check: reopening the cancelled case is refused."""
    cancelled_2021(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    with pytest.raises(IntegrityError), ctx.db.write() as session:
        session.execute(update(Case).where(Case.code == "lakip-2021").values(status=CaseStatus.RUNNING))


def test_case_show_json_text_and_page_name_the_link(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    cancelled_2021(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    old = json.loads(run_cli(["case", "show", "lakip-2021", "--json"], settings, clock).out)
    new = json.loads(run_cli(["case", "show", "lakip-2021-2", "--json"], settings, clock).out)
    assert (old["restart_of"], old["restarted_as"]) == (None, "lakip-2021-2")
    assert (new["restart_of"], new["restarted_as"]) == ("lakip-2021", None)
    shown = {code: run_cli(["case", "show", code], settings, clock).out for code in ("lakip-2021", "lakip-2021-2")}
    assert "Dimulai ulang sebagai kasus lakip-2021-2" in shown["lakip-2021"]
    assert "Memulai ulang kasus lakip-2021 (dibatalkan)" in shown["lakip-2021-2"]
    site = Site(ctx, tmp_path)
    page = site.as_("sekretaris").get("/kasus/lakip-2021").text
    assert 'id="dimulai-ulang"' in page and 'href="/kasus/lakip-2021-2"' in page
    page = site.as_("sekretaris").get("/kasus/lakip-2021-2").text
    assert 'id="memulai-ulang"' in page and 'href="/kasus/lakip-2021"' in page


def test_the_upgrade_to_0012_keeps_every_case_and_step_and_then_allows_a_restart(ctx: Context, tmp_path: Path) -> None:
    cancelled_2021(ctx, tmp_path)
    before = cases.get_case(ctx, "lakip-2021")
    upgrade_from(ctx, "0010")
    assert cases.get_case(ctx, "lakip-2021") == before
    assert cases.start_case(ctx, "lakip", 2021, "sekretaris").id == "lakip-2021-2"


def test_both_cases_archive_and_verify(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    cancelled_2021(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for code in ("lakip-2021", "lakip-2021-2"):
        built = archive.build_archive(ctx, code, tmp_path / f"arsip-{code}.zip")
        checked = archive.verify_archive(built.path)
        assert checked.ok and checked.case == code, checked.problem
