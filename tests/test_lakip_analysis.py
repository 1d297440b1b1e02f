"""Step 5 as pure computation: every polarity, T = 0, values above 100 %, category boundaries, absorption."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sop_engine.errors import ConfigError
from sop_engine.lakip import consistency
from sop_engine.lakip.analysis import (
    DEFAULT_RULES,
    BudgetLine,
    Indicator,
    Polarity,
    Rules,
    Target,
    absorption_pct,
    achievement,
    analyse_budget,
    assess,
    category,
    format_pct,
    indicator_key,
    mean_achievement,
    round_pct,
    validate_scale,
    with_previous,
)
from sop_engine.lakip.consistency import Declared, PlannedOutput, Thresholds
from sop_engine.lakip.tables import BadValue
from sop_engine.lakip.targets import parse_number, parse_target

HIGHER, LOWER, EXACT, RANGE, OPINION, GRADE = (
    Polarity.HIGHER,
    Polarity.LOWER,
    Polarity.EXACT,
    Polarity.RANGE,
    Polarity.OPINION,
    Polarity.GRADE,
)


def pct(polarity: Polarity, target: str, realised: str, rules: Rules = DEFAULT_RULES) -> D | None:
    parsed = parse_target(target, polarity)
    value: D | str = realised if polarity in (OPINION, GRADE) else parse_number(realised)
    return achievement(parsed, value, rules).pct


# --- higher is better ------------------------------------------------------------------------


def test_higher_is_realisation_over_target_times_hundred() -> None:
    assert pct(HIGHER, "90%", "81%") == D("90.00")


def test_higher_is_exact_decimal_arithmetic_not_float() -> None:
    assert pct(HIGHER, "3", "2,5") == D("83.33")
    assert pct(HIGHER, "3", "2") == D("66.67")


def test_higher_above_target_is_kept_above_hundred_by_default() -> None:
    result = achievement(Target(HIGHER, D(6)), D("6.3"))
    assert (result.pct, result.met) == (D("105.00"), True)


def test_higher_above_target_is_capped_when_the_rules_say_so() -> None:
    assert pct(HIGHER, "6,0%", "6,3%", Rules(cap=D(100))) == D("100.00")


def test_higher_with_zero_target_is_met_by_any_non_negative_realisation() -> None:
    result = achievement(Target(HIGHER, D(0)), D(0))
    assert (result.pct, result.met, result.rule) == (D("100.00"), True, "zero_target")


# --- lower is better -------------------------------------------------------------------------


def test_lower_is_two_targets_minus_realisation_over_target() -> None:
    assert pct(LOWER, "10", "8") == D("120.00")
    assert pct(LOWER, "10", "12") == D("80.00")


def test_lower_far_above_target_is_floored_at_zero_by_default() -> None:
    assert pct(LOWER, "10", "25") == D("0.00")


def test_lower_far_above_target_goes_negative_without_a_floor() -> None:
    assert pct(LOWER, "10", "25", Rules(floor=None)) == D("-50.00")


def test_lower_with_zero_target_gives_hundred_when_realisation_is_zero() -> None:
    result = achievement(Target(LOWER, D(0)), D(0))
    assert (result.pct, result.met, result.rule) == (D("100.00"), True, "zero_target")


def test_lower_with_zero_target_gives_zero_for_any_realisation_above_zero() -> None:
    result = achievement(Target(LOWER, D(0)), D("0.5"))
    assert (result.pct, result.met) == (D("0.00"), False)


def test_zero_target_percentages_are_configurable() -> None:
    rules = Rules(zero_target_met=D(120), zero_target_missed=D(50))
    assert achievement(Target(LOWER, D(0)), D(0), rules).pct == D("120.00")
    assert achievement(Target(LOWER, D(0)), D(3), rules).pct == D("50.00")


# --- exact and range -------------------------------------------------------------------------


def test_exact_hit_is_hundred_and_met() -> None:
    result = achievement(Target(EXACT, D(100)), D(100))
    assert (result.pct, result.met) == (D("100.00"), True)


def test_exact_is_graded_by_distance_on_either_side() -> None:
    assert pct(EXACT, "100", "90") == D("90.00")
    assert pct(EXACT, "100", "110") == D("90.00")
    assert achievement(Target(EXACT, D(100)), D(110)).met is False


def test_exact_met_or_not_gives_zero_for_a_miss() -> None:
    assert pct(EXACT, "100", "99", Rules(graded_exact=False)) == D("0.00")


def test_exact_with_zero_target_follows_the_zero_target_rule() -> None:
    assert pct(EXACT, "0", "0") == D("100.00")
    assert pct(EXACT, "0", "1") == D("0.00")


def test_range_inside_is_hundred_and_met() -> None:
    result = achievement(parse_target("80 - 90", RANGE), D(85))
    assert (result.pct, result.met) == (D("100.00"), True)


def test_range_below_is_higher_against_the_low_bound() -> None:
    assert pct(RANGE, "80 s.d. 90", "72") == D("90.00")


def test_range_above_is_lower_against_the_high_bound() -> None:
    assert pct(RANGE, "80 s/d 90", "99") == D("90.00")


def test_range_miss_is_zero_when_met_or_not() -> None:
    assert pct(RANGE, "80-90", "79", Rules(graded_exact=False)) == D("0.00")


def test_range_with_bounds_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(BadValue, match="batas bawah"):
        parse_target("90 - 80", RANGE)


# --- ordinal ---------------------------------------------------------------------------------


def test_opinion_equal_to_target_is_met_without_a_percentage() -> None:
    result = achievement(Target(OPINION, level="WTP"), "WTP")
    assert (result.pct, result.met, result.rule) == (None, True, "ordinal")


def test_opinion_worse_than_target_is_not_met() -> None:
    assert achievement(Target(OPINION, level="WTP"), "WDP").met is False


def test_opinion_better_than_target_is_met() -> None:
    assert achievement(Target(OPINION, level="WDP"), "WTP").met is True


def test_grade_above_target_is_met_and_below_is_not() -> None:
    assert achievement(Target(GRADE, level="B"), "BB").met is True
    assert achievement(Target(GRADE, level="B"), "C").met is False


def test_ordinal_category_says_met_or_not() -> None:
    def indicator(level: str) -> Indicator:
        return Indicator("k", None, "s", "Opini BPK", None, Target(OPINION, level="WTP"), "WTP", level, level)

    assert assess(indicator("WTP")).category == "Tercapai"
    assert assess(indicator("TMP")).category == "Tidak Tercapai"


def test_ordinal_can_be_given_percentages_by_the_rules() -> None:
    rules = Rules(ordinal_pct=(D(100), D(0)))
    assert achievement(Target(GRADE, level="B"), "A", rules).pct == D("100.00")
    assert achievement(Target(GRADE, level="B"), "CC", rules).pct == D("0.00")


def test_unknown_opinion_is_refused_with_the_scale() -> None:
    with pytest.raises(BadValue, match="WTP, WDP, TW, TMP"):
        parse_target("Wajar", OPINION)


def test_missing_realisation_has_no_percentage_and_says_so() -> None:
    indicator = Indicator("k", None, "s", "x", "%", Target(HIGHER, D(90)), "90%", None, None)
    result = assess(indicator)
    assert (result.achievement.pct, result.achievement.met, result.category) == (None, None, "Belum ada realisasi")


# --- numbers as offices write them -----------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("6,0%", "6.0"), ("90", "90"), ("1.000", "1000"), ("1.234,5", "1234.5")])
def test_indonesian_numbers_are_read(text: str, value: str) -> None:
    assert parse_number(text) == D(value)


def test_a_decimal_point_is_refused_as_ambiguous() -> None:
    with pytest.raises(BadValue, match="6,5"):
        parse_number("6.5")


# --- rounding and categories -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"), [("0.125", "0.13"), ("2.675", "2.68"), ("84.995", "85.00"), ("-0.005", "-0.01")]
)
def test_percentages_round_half_up_to_two_decimals(value: str, rounded: str) -> None:
    assert round_pct(D(value)) == D(rounded)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", "Sangat Berhasil"),
        ("100", "Sangat Berhasil"),
        ("85", "Sangat Berhasil"),
        ("84.995", "Sangat Berhasil"),
        ("84.994", "Berhasil"),
        ("84.99", "Berhasil"),
        ("70.00", "Berhasil"),
        ("69.995", "Berhasil"),
        ("69.994", "Cukup Berhasil"),
        ("69.99", "Cukup Berhasil"),
        ("55", "Cukup Berhasil"),
        ("54.995", "Cukup Berhasil"),
        ("54.994", "Tidak Berhasil"),
        ("0", "Tidak Berhasil"),
        ("-5", "Tidak Berhasil"),
    ],
)
def test_category_boundaries_are_lower_bounds_after_rounding(value: str, expected: str) -> None:
    assert category(D(value)) == expected


def test_an_achievement_of_84_995_percent_is_sangat_berhasil() -> None:
    indicator = Indicator("k", None, "s", "x", "%", Target(HIGHER, D(100)), "100", D("84.995"), "84,995")
    result = assess(indicator)
    assert (result.achievement.pct, result.category) == (D("85.00"), "Sangat Berhasil")


def test_a_scale_passed_in_replaces_the_default() -> None:
    scale = ((D(90), "Baik"), (D(0), "Kurang"))
    assert category(D("89.995"), scale) == "Baik"
    assert category(D("89.994"), scale) == "Kurang"


def test_a_scale_with_bounds_not_descending_is_refused() -> None:
    with pytest.raises(ConfigError, match="batas bawah"):
        validate_scale(((D(55), "Cukup"), (D(85), "Sangat")))


def test_percentages_are_shown_the_indonesian_way() -> None:
    assert format_pct(D("93.7")) == "93,70 %"
    assert format_pct(None) == "-"


# --- budget, efficiency, comparison ----------------------------------------------------------


LINES = [
    BudgetLine(
        "3357.001", "Dokumen Perencanaan Anggaran", 12_543_000, 7_544_525, "3357", "Manajemen", "076.01.01", "P1"
    ),
    BudgetLine("3357.004", "Laporan pelaksanaan kegiatan", 8_095_000, 5_029_700, "3357", None, "076.01.01", "P1"),
    BudgetLine("3364.004", "Pengelolaan PAW", 200_000, 0, "3364", "Fasilitasi", "076.01.06", "P2"),
]


def test_absorption_is_realisation_over_pagu_rounded_half_up() -> None:
    assert absorption_pct(2_701_548_000, 2_531_268_927) == D("93.70")


def test_absorption_without_pagu_is_none() -> None:
    assert absorption_pct(0, 5) is None


def test_budget_adds_up_per_kegiatan_program_and_total() -> None:
    budget = analyse_budget(LINES)
    assert [(a.code, a.pagu, a.realisation) for a in budget.activities] == [
        ("3357", 20_638_000, 12_574_225),
        ("3364", 200_000, 0),
    ]
    assert [(p.code, p.name) for p in budget.programs] == [("076.01.01", "P1"), ("076.01.06", "P2")]
    assert (budget.total.pagu, budget.total.realisation, budget.total.pct) == (20_838_000, 12_574_225, D("60.34"))


def test_efficiency_is_achievement_minus_the_absorption_of_its_output() -> None:
    indicator = Indicator("k", None, "s", "Dokumen", "Dokumen", Target(HIGHER, D(1)), "1", D(1), "1", "3357.001")
    result = assess(indicator, absorption_of_output={"3357.001": D("60.15")})
    assert result.efficiency == D("39.85")


def test_earlier_years_are_matched_by_code_else_by_name() -> None:
    def result(code: str | None, name: str, realised: str) -> Indicator:
        return Indicator(
            indicator_key(code, name), code, "s", name, "%", Target(HIGHER, D(100)), "100", D(realised), realised
        )

    now = [assess(result("1.1", "Partisipasi", "90")), assess(result(None, "Opini  BPK", "80"))]
    earlier = {2019: [assess(result("1.1", "Partisipasi pemilih", "96")), assess(result(None, "opini bpk", "70"))]}
    merged = with_previous(now, earlier)
    assert [r.previous for r in merged] == [((2019, D("96.00")),), ((2019, D("70.00")),)]
    assert mean_achievement(merged) == D("85.00")


# --- consistency -----------------------------------------------------------------------------


def test_a_narrative_figure_that_differs_names_both_numbers() -> None:
    total = analyse_budget([BudgetLine("3355.994", "Layanan", 2_701_548_000, 2_531_268_927, "3355")]).total
    [finding] = consistency.declared_totals(Declared("narrative", realisation=2_497_528_462), total)
    assert "Rp 2.497.528.462" in finding.message and "Rp 2.531.268.927" in finding.message
    assert finding.details["difference"] == 2_497_528_462 - 2_531_268_927


def test_a_declared_total_equal_to_the_table_gives_no_finding() -> None:
    total = analyse_budget(LINES).total
    assert consistency.declared_totals(Declared("file", 20_838_000, 12_574_225), total) == []


def test_absorption_under_one_percent_is_an_outlier_and_exactly_one_is_not() -> None:
    outputs = analyse_budget(
        [BudgetLine("3364.004", "PAW", 200_000, 0, "3364"), BudgetLine("3364.005", "Publikasi", 100_000, 1_000, "3364")]
    ).outputs
    assert [(f.kind, f.details["code"]) for f in consistency.outliers(outputs)] == [("low_absorption", "3364.004")]


def test_realisation_above_pagu_and_without_pagu_are_outliers() -> None:
    outputs = analyse_budget(
        [
            BudgetLine("3360.994", "Layanan", 100_000, 100_001, "3360"),
            BudgetLine("3360.010", "BMN", 0, 5_000, "3360"),
            BudgetLine("3364.030", "Dokumen", 800_000, 800_000, "3364"),
        ]
    ).outputs
    kinds = [(f.kind, f.details["code"]) for f in consistency.outliers(outputs, Thresholds())]
    assert kinds == [("high_absorption", "3360.994"), ("realisation_without_pagu", "3360.010")]


def test_outputs_missing_on_either_side_of_the_dipa_are_found() -> None:
    outputs = analyse_budget(LINES[:1]).outputs
    planned = [PlannedOutput("3357.001", "Dokumen", 12_000_000), PlannedOutput("3357.010", "Data pemilih", 9_970_000)]
    kinds = [f.kind for f in consistency.against_dipa(outputs, planned, 2020)]
    assert kinds == ["pagu_differs_from_dipa", "output_without_realisation"]
