"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sop_engine.context import Context
from sop_engine.db import migrate, models_letters, models_performance, models_web
from sop_engine.db.models import Base
from tests.helpers import run_cli


def test_migrated_database_matches_the_models(ctx: Context) -> None:
    # their tables are part of Base.metadata
    assert models_letters.__name__ and models_performance.__name__ and models_web.__name__
    with ctx.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_database_is_at_the_newest_revision(ctx: Context) -> None:
    assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()


def test_an_older_schema_is_refused_with_how_to_upgrade_and_init_upgrades_it(ctx: Context, settings, clock) -> None:
    config = migrate.alembic_config()
    with ctx.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    refused = run_cli(["case", "list"], settings, clock)
    assert refused.code == 1 and "berskema 0004" in refused.err and "`sop init`" in refused.err
    assert "Traceback" not in refused.err
    assert run_cli(["init"], settings, clock).code == 0
    assert run_cli(["case", "list"], settings, clock).code == 0
