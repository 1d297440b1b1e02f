"""How an indicator's target and realisation are shown side by side: in the same unit and format.

A realisation is kept as it was typed (the import keeps ``"6"``, ``"6,3%"`` or ``"WTP"``); shown next
to its target it is written the way the target is: the same number of decimals (never fewer than
it was typed with), Indonesian notation with ``.`` grouping thousands and ``,`` before decimals, and
``%`` when the target or the indicator's unit is a percentage. So a realisation typed ``6`` against a
target of ``6,0%`` is shown ``6,0%``. Ordinal values (WTP, BB), range targets and text that is not a
number are shown as written.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from sop_engine.lakip.analysis import ORDINAL_SCALES, Indicator, Polarity
from sop_engine.lakip.tables import BadValue
from sop_engine.lakip.targets import parse_number


def shown_target(indicator: Indicator) -> str:
    """The target as written in the Perjanjian Kinerja, with ``%`` when the unit is a percentage."""
    return target_text(indicator.target_text, indicator.unit, indicator.target.polarity)


def target_text(text: str, unit: str | None, polarity: Polarity) -> str:
    """A target ``text`` of ``polarity`` shown as :func:`shown_target` shows it (for a target not yet
    analysed, e.g. a row of the data-collection workbook)."""
    if polarity in ORDINAL_SCALES or polarity is Polarity.RANGE:
        return text
    return _written(text, _decimals(text), _percent_unit(unit, text))


def shown_realisation(indicator: Indicator) -> str:
    """The realisation written like the target (``"-"`` when there is none)."""
    text = indicator.realised_text
    if text is None or not text.strip():
        return "-"
    if not _numeric(indicator):
        return text
    decimals = max(_decimals(text), _decimals(_first_number(indicator)))
    return _written(text, decimals, _percent(indicator))


def _numeric(indicator: Indicator) -> bool:
    return indicator.target.polarity not in ORDINAL_SCALES


def _percent(indicator: Indicator) -> bool:
    return _percent_unit(indicator.unit, indicator.target_text)


def _percent_unit(unit: str | None, target: str) -> bool:
    """Whether an indicator counts in percent: its unit says so, or its target is written with ``%``."""
    return (unit or "").strip().casefold() in {"%", "persen", "persentase"} or target.strip().endswith("%")


def _first_number(indicator: Indicator) -> str:
    """The target's number (the lower bound of a range), whose decimals the realisation takes."""
    value = indicator.target.value
    return indicator.target_text if value is None or indicator.target.polarity is not Polarity.RANGE else str(value)


def _decimals(text: str) -> int:
    """How many decimals ``text`` is written with: "6,0%" → 1, "1.000" → 0, "6.5" (a Decimal) → 1."""
    bare = text.strip().removesuffix("%").strip()
    if "," in bare:
        return len(bare.rpartition(",")[2])
    if bare.count(".") == 1 and not _grouped(bare):
        return len(bare.rpartition(".")[2])
    return 0


def _grouped(bare: str) -> bool:
    whole, _, tail = bare.partition(".")
    return len(tail) == 3 and whole.lstrip("-").isdigit() and 1 <= len(whole.lstrip("-")) <= 3


def _written(text: str, decimals: int, percent: bool) -> str:
    """``text`` as an Indonesian number with ``decimals`` decimals (and ``%``); as written if not a number."""
    try:
        value: Decimal = parse_number(text)
    except BadValue:
        return text
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    number = format_decimal(value, format=pattern, locale="id", decimal_quantization=True)
    return f"{number}%" if percent else number
