"""The step-5 categories follow the office's scale in config.toml."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from sop_engine.context import Context
from sop_engine.lakip import service

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_analysis_uses_the_category_scale_from_config(ctx: Context) -> None:
    service.import_targets(ctx, FIXTURES / "targets-2020.csv", 2020, by="kasubag")
    default = {i.category for i in service.analyse(ctx, 2020).indicators}
    assert "Sangat Berhasil" in default
    scale = ((Decimal(101), "Melampaui"), (Decimal(0), "Belum Melampaui"))
    office = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, category_scale=scale))
    custom = {i.category for i in service.analyse(office, 2020).indicators}
    assert "Sangat Berhasil" not in custom and "Belum Melampaui" in custom
