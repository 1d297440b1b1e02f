"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sop_engine.context import Context
from sop_engine.db import migrate, models_letters, models_performance, models_web
from sop_engine.db.models import Base


def test_migrated_database_matches_the_models(ctx: Context) -> None:
    # their tables are part of Base.metadata
    assert models_letters.__name__ and models_performance.__name__ and models_web.__name__
    with ctx.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_database_is_at_the_newest_revision(ctx: Context) -> None:
    assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()
