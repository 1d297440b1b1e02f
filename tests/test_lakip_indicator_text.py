"""The one rule for showing an indicator's target and realisation side by side (lakip.indicator_text)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_engine.lakip.analysis import Indicator, Polarity, Target
from sop_engine.lakip.indicator_text import shown_realisation, shown_target


def indicator(target: str, realised: str | None, unit: str | None = "%", parsed: Target | None = None) -> Indicator:
    shape = parsed or Target(Polarity.HIGHER, value=Decimal("1"))
    return Indicator("k", None, "Sasaran", "Indikator", unit, shape, target, None, realised)


@pytest.mark.parametrize(
    ("target", "realised", "unit", "shown"),
    [
        ("6,0%", "6", "%", ("6,0%", "6,0%")),  # typed without the unit and the decimal of the target
        ("6,0%", "6,35", "%", ("6,0%", "6,35%")),  # never fewer decimals than typed
        ("90", "85,5", "persen", ("90%", "85,5%")),  # the unit says percent
        ("1.000", "1200", "dokumen", ("1.000", "1.200")),  # Indonesian grouping, no percent
        ("6,0%", None, "%", ("6,0%", "-")),
        ("6,0%", "enam", "%", ("6,0%", "enam")),  # not a number: as written
    ],
)
def test_a_realisation_is_shown_as_its_target_is_written(
    target: str, realised: str | None, unit: str, shown: tuple[str, str]
) -> None:
    item = indicator(target, realised, unit)
    assert (shown_target(item), shown_realisation(item)) == shown


def test_ordinal_values_and_range_targets_keep_their_words() -> None:
    opinion = indicator("WTP", "WDP", None, Target(Polarity.OPINION, level="WTP"))
    assert (shown_target(opinion), shown_realisation(opinion)) == ("WTP", "WDP")
    band = indicator("80,5 - 90", "85", None, Target(Polarity.RANGE, value=Decimal("80.5"), high=Decimal("90")))
    assert (shown_target(band), shown_realisation(band)) == ("80,5 - 90", "85,0")
