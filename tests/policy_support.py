"""An office with its own role and a second SOP: the LAKIP SOP and the fixture "SOP penerimaan surat
masuk" in its workflows folder, and ``[peran.arsiparis]`` in its config.toml (shared by the tests of
roles per office and of the case policy per workflow)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sop_engine import people
from sop_engine.config import Settings, load_settings
from sop_engine.context import Context
from sop_engine.people import NewPerson
from tests.helpers import ROOT, write_config

FIXTURE = ROOT / "tests" / "fixtures" / "sop-surat-masuk.toml"

#: The office's own role, as the test's config.toml defines it.
PERAN = """
[peran.arsiparis]
nama = "Arsiparis"
atasan = "sekretaris"
"""


def office_settings(folder: Path, settings: Settings, peran: str = PERAN) -> Settings:
    """``settings`` read back from a config.toml with ``peran`` and a workflows folder holding both SOPs."""
    workflows = folder / "workflows"
    workflows.mkdir()
    shutil.copy(ROOT / "workflows" / "lakip.toml", workflows / "lakip.toml")
    shutil.copy(FIXTURE, workflows / "surat-masuk.toml")
    path = write_config(folder, settings)
    text = path.read_text(encoding="utf-8").replace(f'dir = "{ROOT / "workflows"}"', f'dir = "{workflows}"')
    path.write_text(text + peran, encoding="utf-8")
    return load_settings(path, env={})


def office_context(ctx: Context, folder: Path) -> Context:
    """A context on ``ctx``'s database and clock with the office's config, and an arsiparis (arsip1)."""
    office = Context.open(office_settings(folder, ctx.settings), clock=ctx.clock, db=ctx.db)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    return office
