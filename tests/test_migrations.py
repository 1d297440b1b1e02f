"""The Alembic migrations build exactly the schema the models describe, on both backends, and an upgrade
fills new tables from what the office already recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from sop_engine import audit, cases, returns
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db import migrate, models_letters, models_performance, models_web
from sop_engine.db.models import Base
from tests.helpers import pdf, run_cli, upgrade_from
from tests.web_support import CASE, Site, advance_to, step_html


def test_migrated_database_matches_the_models(ctx: Context) -> None:
    # their tables are part of Base.metadata
    assert models_letters.__name__ and models_performance.__name__ and models_web.__name__
    with ctx.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_database_is_at_the_newest_revision(ctx: Context) -> None:
    assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()


def test_the_revisions_read_without_alembic_are_alembics(ctx: Context, tmp_path: Path) -> None:
    """`require_current` reads both revisions without loading Alembic; Alembic agrees with both."""
    assert migrate.head_revision() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    with ctx.db.engine.connect() as connection:
        assert migrate.current_revision(ctx.db.engine) == MigrationContext.configure(connection).get_current_revision()
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert migrate.current_revision(empty) is None
    empty.dispose()


def test_an_older_schema_is_refused_with_how_to_upgrade_and_init_upgrades_it(ctx: Context, settings, clock) -> None:
    migrate.downgrade(ctx.db.engine, "0004")
    refused = run_cli(["case", "list"], settings, clock)
    assert refused.code == 1 and "berskema 0004" in refused.err and "`sop init`" in refused.err
    assert "Traceback" not in refused.err
    assert run_cli(["init"], settings, clock).code == 0
    assert run_cli(["case", "list"], settings, clock).code == 0


def test_the_upgrade_to_0007_fills_step_returns_from_the_trail_and_the_case_page_shows_the_same(
    ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    site = Site(ctx, tmp_path)
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    advance_to(ctx, tmp_path, 6)
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Tabel capaian kinerja belum lengkap")
    clock.advance(timedelta(hours=1))
    cases.complete_step(ctx, CASE, 6, "staf1", files=[IncomingFile.from_path(pdf(tmp_path, "lakip-v2.pdf"))])
    clock.advance(timedelta(hours=1))
    cases.return_step(ctx, CASE, 7, 6, "kasubag", "Lampiran <b>kurang</b>\nbaris kedua")
    before, page = returns.list_returns(ctx, CASE), site.as_("inspektorat").get(f"/kasus/{CASE}").text
    assert [(r.from_step, r.to_step, r.round, r.by) for r in before] == [(7, 6, 2, "kasubag"), (7, 6, 3, "kasubag")]
    assert before[0].stated_at < before[1].stated_at
    assert step_html(page, 6).count("Dikembalikan dari langkah 7") == 2
    trail = audit.list_events(ctx)

    upgrade_from(ctx, "0006", dropped=("step_returns",))

    assert returns.list_returns(ctx, CASE) == before
    assert step_html(site.as_("inspektorat").get(f"/kasus/{CASE}").text, 6) == step_html(page, 6)
    assert audit.list_events(ctx) == trail
    result = audit.verify(ctx)
    assert result.ok and result.mismatches == ()
