"""Attribution of an order to the touches before it, by four models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.attribution import (
    AttributedOrder,
    AttributionModel,
    Credit,
    Touch,
    attribute,
)
from domain.errors import DomainError

PLACED = datetime(2026, 3, 10, 12, tzinfo=UTC)
ORDER = AttributedOrder(id="o-1", placed_at=PLACED, total=Decimal("100.00"))


def touch(name: str, days_before: float, journey: bool = False) -> Touch:
    at = PLACED - timedelta(days=days_before)
    if journey:
        return Touch(message_id=name, at=at, journey_id="j-1")
    return Touch(message_id=name, at=at, campaign_id="cmp-1")


FOUR = [touch("m1", 6), touch("m2", 4), touch("m3", 2, journey=True), touch("m4", 0.5)]


def amounts(credits: list[Credit]) -> list[tuple[str, Decimal]]:
    return [(credit.touch.message_id, credit.amount) for credit in credits]


def test_last_touch_gives_everything_to_the_last() -> None:
    assert amounts(attribute(ORDER, FOUR, AttributionModel.LAST_TOUCH)) == [
        ("m4", Decimal("100.00"))
    ]


def test_first_touch_gives_everything_to_the_first_in_the_window() -> None:
    assert amounts(attribute(ORDER, FOUR, AttributionModel.FIRST_TOUCH)) == [
        ("m1", Decimal("100.00"))
    ]


def test_linear_shares_evenly_and_the_last_takes_the_rounding_remainder() -> None:
    # 100.00 / 3 = 33.333…: 33.33, 33.33, and the last 100.00 - 66.66 = 33.34.
    credits = attribute(ORDER, FOUR[1:], AttributionModel.LINEAR)
    assert amounts(credits) == [
        ("m2", Decimal("33.33")),
        ("m3", Decimal("33.33")),
        ("m4", Decimal("33.34")),
    ]


def test_position_based_is_40_20_40_with_the_middle_shared() -> None:
    # Four touches: 40 % = 40.00 to the first and last, 20 % = 20.00 split over two: 10.00 each.
    assert amounts(attribute(ORDER, FOUR, AttributionModel.POSITION_BASED)) == [
        ("m1", Decimal("40.00")),
        ("m2", Decimal("10.00")),
        ("m3", Decimal("10.00")),
        ("m4", Decimal("40.00")),
    ]


def test_position_based_with_odd_middles_rounds_down_and_gives_the_rest_to_the_last() -> None:
    # 99.99 over five touches: ends 40 % = 39.996 → 39.99; middles 20 % / 3 = 6.666 → 6.66 each;
    # the last gets 99.99 - 39.99 - 3 * 6.66 = 40.02.
    order = AttributedOrder(id="o-2", placed_at=PLACED, total=Decimal("99.99"))
    touches = [touch(f"m{n}", 6 - n) for n in range(5)]
    assert [
        credit.amount for credit in attribute(order, touches, AttributionModel.POSITION_BASED)
    ] == [
        Decimal("39.99"),
        Decimal("6.66"),
        Decimal("6.66"),
        Decimal("6.66"),
        Decimal("40.02"),
    ]


def test_position_based_with_one_or_two_touches() -> None:
    assert amounts(attribute(ORDER, FOUR[:1], AttributionModel.POSITION_BASED)) == [
        ("m1", Decimal("100.00"))
    ]
    assert amounts(attribute(ORDER, FOUR[:2], AttributionModel.POSITION_BASED)) == [
        ("m1", Decimal("50.00")),
        ("m2", Decimal("50.00")),
    ]


def test_touches_after_the_order_or_before_the_window_do_not_count() -> None:
    late = touch("after", -0.1)
    early = touch("before", 7.5)
    edge = touch("edge", 7)
    credits = attribute(ORDER, [late, early, edge], AttributionModel.LINEAR)
    assert amounts(credits) == [("edge", Decimal("100.00"))]
    assert attribute(ORDER, [late, early], AttributionModel.LINEAR) == []
    assert attribute(ORDER, [early], AttributionModel.LINEAR, window=timedelta(days=8)) != []


def test_currencies_without_cents_get_whole_units() -> None:
    order = AttributedOrder(id="o-3", placed_at=PLACED, total=Decimal("1000"), quantum=Decimal("1"))
    credits = attribute(order, FOUR[1:], AttributionModel.LINEAR)
    assert [credit.amount for credit in credits] == [Decimal(333), Decimal(333), Decimal(334)]


def test_bad_orders_and_touches_are_refused() -> None:
    with pytest.raises(DomainError):
        AttributedOrder(id="o", placed_at=PLACED, total=Decimal("-1.00"))
    with pytest.raises(DomainError):
        AttributedOrder(id="o", placed_at=PLACED, total=Decimal("1.005"))
    with pytest.raises(DomainError):
        Touch(message_id="m", at=PLACED, campaign_id="c", journey_id="j")
    with pytest.raises(DomainError):
        Touch(message_id="m", at=PLACED)


@given(
    st.integers(min_value=0, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100),
    st.lists(st.integers(min_value=-2 * 24 * 60, max_value=10 * 24 * 60), max_size=30),
    st.sampled_from(list(AttributionModel)),
)
def test_credits_always_sum_to_the_total_in_whole_cents(
    total: Decimal, minutes_before: list[int], model: AttributionModel
) -> None:
    order = AttributedOrder(id="o", placed_at=PLACED, total=total.quantize(Decimal("0.01")))
    touches = [
        Touch(message_id=f"m{n}", at=PLACED - timedelta(minutes=m), campaign_id="c")
        for n, m in enumerate(minutes_before)
    ]
    credits = attribute(order, touches, model)
    counted = [t for t in touches if PLACED - timedelta(days=7) <= t.at <= PLACED]
    if not counted:
        assert credits == []
        return
    assert sum(credit.amount for credit in credits) == order.total
    assert all(credit.amount >= 0 for credit in credits)
    assert all(credit.amount == credit.amount.quantize(Decimal("0.01")) for credit in credits)
    assert {credit.touch for credit in credits} <= set(counted)
