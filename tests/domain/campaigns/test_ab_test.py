"""A/B tests: variants, stable assignment, the two-proportion z-test and the winner."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.ab_test import (
    AbTest,
    Variant,
    VariantResult,
    WinnerMetric,
    choose_winner,
    two_proportion_z_test,
)
from domain.errors import DomainError, ErrorCode


def ab_test(share: int = 20, weights: tuple[int, ...] = (50, 50)) -> AbTest:
    return AbTest(
        variants=tuple(
            Variant(chr(ord("A") + index), f"t-{index}", weight)
            for index, weight in enumerate(weights)
        ),
        test_share_percent=share,
        metric=WinnerMetric.OPEN_RATE,
        confidence=0.95,
        wait=timedelta(hours=4),
    )


def test_weights_must_sum_to_exactly_100() -> None:
    with pytest.raises(DomainError) as raised:
        ab_test(weights=(50, 40))
    assert [(p.field, p.code) for p in raised.value.problems] == [("variants", ErrorCode.INVALID)]


@pytest.mark.parametrize("confidence", [0.5, 1.0, 0.3])
def test_confidence_is_strictly_between_a_half_and_one(confidence: float) -> None:
    with pytest.raises(DomainError) as raised:
        AbTest(
            variants=(Variant("A", "t-a", 50), Variant("B", "t-b", 50)),
            test_share_percent=10,
            metric=WinnerMetric.CLICK_RATE,
            confidence=confidence,
            wait=timedelta(hours=1),
        )
    assert raised.value.problems[0].field == "confidence"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as raised:
        AbTest(
            variants=(Variant("A", "", 0), Variant("A", "t", 100)),
            test_share_percent=0,
            metric=WinnerMetric.OPEN_RATE,
            confidence=0.9,
            wait=timedelta(hours=-1),
        )
    assert {p.field for p in raised.value.problems} == {
        "variants",
        "variants.0.templateId",
        "variants.0.weightPercent",
        "testSharePercent",
        "wait",
    }


def test_assignment_is_stable_and_follows_the_share_and_the_weights() -> None:
    test = ab_test(share=20, weights=(70, 30))
    assignments = [test.assign("cmp-1", f"c-{n}") for n in range(20_000)]
    assert assignments == [test.assign("cmp-1", f"c-{n}") for n in range(20_000)]
    counts = Counter(variant.key if variant else None for variant in assignments)
    assert 3_700 < counts["A"] + counts["B"] < 4_300  # 20 % of 20,000
    assert 0.65 < counts["A"] / (counts["A"] + counts["B"]) < 0.75


def test_another_campaign_draws_another_split() -> None:
    test = ab_test(share=50)
    first = [test.assign("cmp-1", f"c-{n}") for n in range(200)]
    second = [test.assign("cmp-2", f"c-{n}") for n in range(200)]
    assert first != second


def test_a_full_share_has_no_holdout() -> None:
    test = ab_test(share=100)
    assert not test.has_holdout
    assert all(test.assign("cmp", f"c-{n}") is not None for n in range(500))


def test_the_z_test_matches_a_hand_computed_figure() -> None:
    # 200/1000 = 0.20 against 150/1000 = 0.15. Pooled p = 350/2000 = 0.175;
    # SE = sqrt(0.175 * 0.825 * (1/1000 + 1/1000)) = sqrt(0.00028875) = 0.0169926;
    # z = 0.05 / 0.0169926 = 2.9425; two-sided p = erfc(2.9425 / sqrt 2) = 0.003257.
    result = two_proportion_z_test(200, 1000, 150, 1000)
    assert result.z == pytest.approx(2.9425, abs=1e-4)
    assert result.p_value == pytest.approx(0.003257, abs=1e-5)


def test_a_second_hand_computed_figure_with_unequal_groups() -> None:
    # 30/200 = 0.15 against 45/400 = 0.1125. Pooled p = 75/600 = 0.125;
    # SE = sqrt(0.125 * 0.875 * (1/200 + 1/400)) = sqrt(0.000820313) = 0.0286411;
    # z = 0.0375 / 0.0286411 = 1.3093; two-sided p = erfc(1.3093 / sqrt 2) = 0.19043.
    result = two_proportion_z_test(30, 200, 45, 400)
    assert result.z == pytest.approx(1.3093, abs=1e-4)
    assert result.p_value == pytest.approx(0.19043, abs=1e-4)


def test_no_trials_or_no_variance_is_no_evidence() -> None:
    assert two_proportion_z_test(0, 0, 5, 10) == two_proportion_z_test(0, 10, 0, 10)
    assert two_proportion_z_test(10, 10, 10, 10).p_value == 1.0
    with pytest.raises(DomainError):
        two_proportion_z_test(11, 10, 0, 10)


@given(st.integers(0, 500), st.integers(1, 500), st.integers(0, 500), st.integers(1, 500))
def test_the_z_test_is_antisymmetric_and_its_p_value_a_probability(
    a: int, trials_a: int, b: int, trials_b: int
) -> None:
    a, b = min(a, trials_a), min(b, trials_b)
    forward = two_proportion_z_test(a, trials_a, b, trials_b)
    backward = two_proportion_z_test(b, trials_b, a, trials_a)
    assert forward.z == pytest.approx(-backward.z)
    assert 0.0 <= forward.p_value <= 1.0
    assert math.isclose(forward.p_value, backward.p_value)


def test_the_best_rate_wins_significantly_when_the_test_says_so() -> None:
    results = [
        VariantResult("A", sent=1000, opened=150),
        VariantResult("B", sent=1000, opened=200),
        VariantResult("C", sent=1000, opened=120),
    ]
    winner = choose_winner(results, WinnerMetric.OPEN_RATE, 0.99)
    assert winner.variant_key == "B"
    assert winner.significant  # p = 0.0033 < 0.01
    assert winner.z == pytest.approx(2.9425, abs=1e-4)


def test_without_significance_the_best_rate_still_wins() -> None:
    results = [VariantResult("A", sent=200, clicked=30), VariantResult("B", sent=400, clicked=45)]
    winner = choose_winner(results, WinnerMetric.CLICK_RATE, 0.95)
    assert (winner.variant_key, winner.significant) == ("A", False)
    assert winner.p_value == pytest.approx(0.19043, abs=1e-4)


def test_the_metric_decides_which_counts_are_compared() -> None:
    results = [
        VariantResult("A", sent=100, opened=60, converted=1),
        VariantResult("B", sent=100, opened=40, converted=9),
    ]
    assert choose_winner(results, WinnerMetric.OPEN_RATE, 0.9).variant_key == "A"
    assert choose_winner(results, WinnerMetric.CONVERSION_RATE, 0.9).variant_key == "B"


def test_a_tie_goes_to_more_trials_then_the_first_listed() -> None:
    tied = [VariantResult("A", sent=10, opened=1), VariantResult("B", sent=20, opened=2)]
    assert choose_winner(tied, WinnerMetric.OPEN_RATE, 0.9).variant_key == "B"
    even = [VariantResult("A", sent=10, opened=1), VariantResult("B", sent=10, opened=1)]
    assert choose_winner(even, WinnerMetric.OPEN_RATE, 0.9).variant_key == "A"
