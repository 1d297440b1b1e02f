"""Create or upgrade the schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from sop_engine.errors import ConfigError
from sop_engine.remedies import Hint, Remedy

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """The Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest schema."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None if it was never initialised."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current(engine: Engine) -> None:
    """ConfigError unless the database is at the schema this code needs (say how to get there)."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise ConfigError(
            "Basis data belum disiapkan (belum berskema).",
            value=None,
            hint=Hint(Remedy.INIT_DATABASE),
        )
    raise ConfigError(
        f"Basis data berskema {current}, sedangkan versi sop-engine ini memerlukan skema {head}; "
        "memperbaruinya tidak menghapus data yang ada.",
        value=current,
        hint=Hint(Remedy.UPGRADE_DATABASE),
        needed=head,
    )


@functools.cache
def head_revision() -> str | None:
    """The newest schema revision this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
