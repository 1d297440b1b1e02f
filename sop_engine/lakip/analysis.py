"""Step 5 of the LAKIP SOP as pure computation: achievement, categories, absorption, efficiency.

No database and no files here: the service hands in plain records and gets plain records back,
so every rule is testable on its own and the draft LKj reuses the same numbers.

Achievement of one indicator, target T and realisation R (PermenPANRB 53/2014):

    higher is better   R / T × 100
    lower is better    (2T − R) / T × 100
    exact              100 − |R − T| / T × 100      (or met-or-not, ``Rules.graded_exact``)
    range [a, b]       100 inside; below a: R / a × 100; above b: (2b − R) / b × 100
    opinion, grade     met or not: R at least as good as T (WTP > WDP > TW > TMP; AA > A > … > D)

The choices the regulation leaves open are explicit in :class:`Rules`: a zero target (default
100 % when met — R = 0 for lower-is-better — else 0 %), values above 100 % (kept by default),
negative results of the lower formula (floored at 0 by default). Arithmetic is exact
(``Decimal``); a percentage is rounded half-up to 2 decimals once, and its category is the first
whose lower bound it reaches, so no value falls between categories (84,995 → 85,00 → Sangat
Berhasil; 84,994 → 84,99 → Berhasil).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise

from babel.numbers import format_decimal

from sop_engine.errors import ConfigError

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Polarity(StrEnum):
    """How an indicator's realisation is judged against its target."""

    HIGHER = "higher"
    LOWER = "lower"
    EXACT = "exact"
    RANGE = "range"
    OPINION = "opinion"
    GRADE = "grade"


#: Ordinal scales, best first: BPK audit opinions and evaluation grades (SAKIP, RB).
ORDINAL_SCALES: Mapping[Polarity, tuple[str, ...]] = {
    Polarity.OPINION: ("WTP", "WDP", "TW", "TMP"),
    Polarity.GRADE: ("AA", "A", "BB", "B", "CC", "C", "D"),
}

#: The category scale of the issue, as lower bounds from the top (85,00+ Sangat Berhasil, ...).
Scale = tuple[tuple[Decimal, str], ...]
DEFAULT_SCALE: Scale = (
    (Decimal(85), "Sangat Berhasil"),
    (Decimal(70), "Berhasil"),
    (Decimal(55), "Cukup Berhasil"),
    (Decimal(0), "Tidak Berhasil"),
)
MET, MISSED, NO_REALISATION = "Tercapai", "Tidak Tercapai", "Belum ada realisasi"


@dataclass(frozen=True)
class Rules:
    """The rules the regulation leaves to the office, each explicit and overridable."""

    #: T = 0: the percentage when the target is met (R = 0 for lower/exact, R ≥ 0 for higher) ...
    zero_target_met: Decimal = HUNDRED
    #: ... and when it is not.
    zero_target_missed: Decimal = Decimal(0)
    #: Values above 100 %: None keeps them (R/T = 1,2 gives 120,00 %); e.g. 100 caps them.
    cap: Decimal | None = None
    #: The lower formula goes negative when R > 2T; None keeps that, the default stops at 0.
    floor: Decimal | None = Decimal(0)
    #: Exact and range targets graded by distance (True) or met-or-not as 100/0 (False).
    graded_exact: bool = True
    #: Ordinal indicators: None gives no percentage (met or not only); (met, missed) gives one.
    ordinal_pct: tuple[Decimal, Decimal] | None = None


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Target:
    """A parsed target: ``value`` (and ``high`` for a range) for numbers, ``level`` for ordinals."""

    polarity: Polarity
    value: Decimal | None = None
    high: Decimal | None = None
    level: str | None = None


@dataclass(frozen=True)
class Achievement:
    """How far one indicator reached its target."""

    #: Rounded half-up to 2 decimals; None for a met-or-not indicator or a missing realisation.
    pct: Decimal | None
    #: Whether the target was reached; None without a realisation.
    met: bool | None
    #: Which rule produced it: higher, lower, exact, range, zero_target, ordinal, no_realisation.
    rule: str


@dataclass(frozen=True)
class Indicator:
    """One Perjanjian Kinerja indicator with its target and (possibly) its realisation."""

    key: str
    code: str | None
    sasaran: str
    name: str
    unit: str | None
    target: Target
    target_text: str
    realised: Decimal | str | None
    realised_text: str | None
    output_code: str | None = None
    #: The signed PK it belongs to: ketua, sekretaris, or kegiatan (in no PK; see targets.AGREEMENT_WORDS).
    agreement: str = "ketua"
    #: (year, value as written): realisations of earlier years, targets of the Renstra period.
    earlier: tuple[tuple[int, str], ...] = ()
    renstra: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator with its achievement, category, efficiency and earlier years."""

    indicator: Indicator
    achievement: Achievement
    category: str
    #: Achievement minus the absorption of the linked output; None without both.
    efficiency: Decimal | None = None
    #: (year, achievement %) of the same indicator in earlier years, oldest first.
    previous: tuple[tuple[int, Decimal | None], ...] = ()


def indicator_key(code: str | None, name: str) -> str:
    """What matches an indicator across years: its code, else its name without case or spacing."""
    return f"kode:{code.strip()}" if code and code.strip() else "nama:" + " ".join(name.casefold().split())


def round_pct(value: Decimal) -> Decimal:
    """Half-up to 2 decimals: 84,995 → 85,00; 84,994 → 84,99."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_pct(value: Decimal | None) -> str:
    """Indonesian percentage, e.g. "93,70 %"; "-" when there is none."""
    if value is None:
        return "-"
    return f"{format_decimal(round_pct(value), format='#,##0.00', locale='id')} %"


def achievement(target: Target, realised: Decimal | str | None, rules: Rules = DEFAULT_RULES) -> Achievement:
    """The achievement of realisation ``realised`` against ``target`` under ``rules``."""
    if realised is None:
        return Achievement(None, None, "no_realisation")
    if target.polarity in ORDINAL_SCALES:
        met = ordinal_met(target, str(realised))
        pct = None if rules.ordinal_pct is None else rules.ordinal_pct[0 if met else 1]
        return Achievement(None if pct is None else round_pct(pct), met, "ordinal")
    if isinstance(realised, str) or target.value is None:
        raise ValueError(f"numeric polarity {target.polarity} needs numbers, got {target!r} and {realised!r}")
    if target.polarity is Polarity.RANGE:
        return _range(target.value, target.high if target.high is not None else target.value, realised, rules)
    formula = {Polarity.HIGHER: _higher, Polarity.LOWER: _lower, Polarity.EXACT: _exact}[target.polarity]
    return formula(target.value, realised, rules)


def _zero_target(met: bool, rules: Rules) -> Achievement:
    return Achievement(round_pct(rules.zero_target_met if met else rules.zero_target_missed), met, "zero_target")


def _finish(raw: Decimal, met: bool, rule: str, rules: Rules) -> Achievement:
    if rules.cap is not None and raw > rules.cap:
        raw = rules.cap
    if rules.floor is not None and raw < rules.floor:
        raw = rules.floor
    return Achievement(round_pct(raw), met, rule)


def _higher(t: Decimal, r: Decimal, rules: Rules) -> Achievement:
    if t == 0:
        return _zero_target(r >= 0, rules)
    return _finish(r * HUNDRED / t, r >= t, "higher", rules)


def _lower(t: Decimal, r: Decimal, rules: Rules) -> Achievement:
    if t == 0:
        return _zero_target(r <= 0, rules)
    return _finish((2 * t - r) * HUNDRED / t, r <= t, "lower", rules)


def _exact(t: Decimal, r: Decimal, rules: Rules) -> Achievement:
    if t == 0:
        return _zero_target(r == 0, rules)
    if not rules.graded_exact:
        return _finish(HUNDRED if r == t else Decimal(0), r == t, "exact", rules)
    return _finish(HUNDRED - abs(r - t) * HUNDRED / t, r == t, "exact", rules)


def _range(low: Decimal, high: Decimal, r: Decimal, rules: Rules) -> Achievement:
    if low <= r <= high:
        return _finish(HUNDRED, True, "range", rules)
    if not rules.graded_exact:
        return _finish(Decimal(0), False, "range", rules)
    if r < low:
        return _zero_target(False, rules) if low == 0 else _finish(r * HUNDRED / low, False, "range", rules)
    if high == 0:
        return _zero_target(False, rules)
    return _finish((2 * high - r) * HUNDRED / high, False, "range", rules)


def ordinal_met(target: Target, realised: str) -> bool:
    """Whether ordinal ``realised`` is at least as good as the target level."""
    scale = ORDINAL_SCALES[target.polarity]
    if target.level not in scale or realised not in scale:
        raise ValueError(f"{realised!r} or {target.level!r} is not on the scale {scale}")
    return scale.index(realised) <= scale.index(target.level)


def validate_scale(scale: Scale) -> Scale:
    """``scale`` if its lower bounds strictly descend; ConfigError naming the problem otherwise."""
    bounds = [bound for bound, _ in scale]
    if not scale or any(a <= b for a, b in pairwise(bounds)):
        shown = ", ".join(f"{label} ≥ {bound}" for bound, label in scale) or "(kosong)"
        raise ConfigError(
            f"Skala kategori capaian tidak sah: {shown}. Tulis batas bawah dari yang tertinggi, "
            "misalnya Sangat Berhasil ≥ 85, Berhasil ≥ 70, Cukup Berhasil ≥ 55, Tidak Berhasil ≥ 0.",
            value=shown,
        )
    return scale


def category(pct: Decimal, scale: Scale = DEFAULT_SCALE) -> str:
    """The first category whose lower bound the rounded ``pct`` reaches (the last one below all)."""
    value = round_pct(pct)
    for bound, label in scale:
        if value >= bound:
            return label
    return scale[-1][1]


def assess(
    indicator: Indicator,
    rules: Rules = DEFAULT_RULES,
    scale: Scale = DEFAULT_SCALE,
    absorption_of_output: Mapping[str, Decimal | None] | None = None,
) -> IndicatorResult:
    """Achievement, category and (when its output is known) efficiency of one indicator."""
    result = achievement(indicator.target, indicator.realised, rules)
    if result.pct is not None:
        label = category(result.pct, scale)
    elif result.met is None:
        label = NO_REALISATION
    else:
        label = MET if result.met else MISSED
    absorbed = (absorption_of_output or {}).get(indicator.output_code or "")
    return IndicatorResult(indicator, result, label, efficiency(result.pct, absorbed))


def efficiency(achievement_pct: Decimal | None, absorption_pct: Decimal | None) -> Decimal | None:
    """Achievement minus absorption, in percentage points (positive: more result per rupiah)."""
    if achievement_pct is None or absorption_pct is None:
        return None
    return round_pct(achievement_pct - absorption_pct)


def mean_achievement(results: Iterable[IndicatorResult]) -> Decimal | None:
    """The average of the indicators that have a percentage (met-or-not ones are left out)."""
    values = [r.achievement.pct for r in results if r.achievement.pct is not None]
    return round_pct(sum(values, Decimal(0)) / len(values)) if values else None


# --- budget ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    """One output's pagu and realisation, with the kegiatan and program it belongs to."""

    code: str
    description: str
    pagu: int
    realisation: int
    activity_code: str
    activity_name: str | None = None
    program_code: str | None = None
    program_name: str | None = None


@dataclass(frozen=True)
class Absorption:
    """Pagu, realisation and absorption of an output, kegiatan, program or the whole budget."""

    code: str
    name: str
    pagu: int
    realisation: int
    pct: Decimal | None

    @property
    def remaining(self) -> int:
        return self.pagu - self.realisation


@dataclass(frozen=True)
class BudgetAnalysis:
    """Absorption per output, kegiatan, program and in total."""

    total: Absorption
    outputs: tuple[Absorption, ...]
    activities: tuple[Absorption, ...]
    programs: tuple[Absorption, ...]


UNKNOWN_PROGRAM = "(program belum tercatat di DIPA)"


def absorption_pct(pagu: int, realisation: int) -> Decimal | None:
    """realisation / pagu × 100, rounded half-up to 2 decimals; None without a pagu."""
    return None if pagu == 0 else round_pct(Decimal(realisation) * HUNDRED / Decimal(pagu))


def _group(code: str, name: str, lines: Sequence[BudgetLine]) -> Absorption:
    pagu, realisation = sum(x.pagu for x in lines), sum(x.realisation for x in lines)
    return Absorption(code, name, pagu, realisation, absorption_pct(pagu, realisation))


def analyse_budget(lines: Sequence[BudgetLine]) -> BudgetAnalysis:
    """Absorption of every output, of each kegiatan and program (in first-seen order), and in total."""
    activities: dict[str, list[BudgetLine]] = {}
    programs: dict[str, list[BudgetLine]] = {}
    for line in lines:
        activities.setdefault(line.activity_code, []).append(line)
        programs.setdefault(line.program_code or "", []).append(line)

    def name_of(group: list[BudgetLine], attribute: str, fallback: str) -> str:
        return next((str(getattr(x, attribute)) for x in group if getattr(x, attribute)), fallback)

    return BudgetAnalysis(
        total=_group("", "Jumlah", lines),
        outputs=tuple(_group(x.code, x.description, [x]) for x in lines),
        activities=tuple(_group(c, name_of(g, "activity_name", c), g) for c, g in activities.items()),
        programs=tuple(_group(c, name_of(g, "program_name", UNKNOWN_PROGRAM), g) for c, g in programs.items()),
    )


# --- comparison with earlier years -----------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    """One year of an office at a glance, for comparisons."""

    year: int
    pagu: int | None
    realisation: int | None
    absorption_pct: Decimal | None
    achievement_pct: Decimal | None
    indicators: int


def summarise(year: int, budget: BudgetAnalysis | None, results: Sequence[IndicatorResult]) -> YearSummary:
    """The totals of one year: budget absorption and the mean achievement of its indicators."""
    return YearSummary(
        year=year,
        pagu=None if budget is None else budget.total.pagu,
        realisation=None if budget is None else budget.total.realisation,
        absorption_pct=None if budget is None else budget.total.pct,
        achievement_pct=mean_achievement(results),
        indicators=len(results),
    )


def with_previous(
    results: Sequence[IndicatorResult], earlier: Mapping[int, Sequence[IndicatorResult]]
) -> tuple[IndicatorResult, ...]:
    """``results`` with each indicator's achievement in the ``earlier`` years (matched by key)."""
    by_year = {year: {r.indicator.key: r.achievement.pct for r in items} for year, items in sorted(earlier.items())}
    out = []
    for result in results:
        history = tuple(
            (year, found[result.indicator.key]) for year, found in by_year.items() if result.indicator.key in found
        )
        out.append(IndicatorResult(result.indicator, result.achievement, result.category, result.efficiency, history))
    return tuple(out)
