"""Alembic environment: runs on the connection handed in by sop_engine.db.migrate."""

from alembic import context

from sop_engine.db import models_letters, models_performance, models_web  # noqa: F401 - their tables join Base.metadata
from sop_engine.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through sop_engine.db.migrate.upgrade (what the init command calls)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
