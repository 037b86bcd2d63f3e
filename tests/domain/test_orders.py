import contextlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, InvalidValue, RuleViolated
from domain.orders import Currency, Money, Order, OrderLine, OrderStatus

T0 = datetime(2026, 1, 5, tzinfo=UTC)
USD, JPY, KWD = Currency("USD"), Currency("JPY"), Currency("KWD")


def line(price: str = "9.99", quantity: int = 1) -> OrderLine:
    return OrderLine.of(
        sku="sku", name="Thing", quantity=quantity, unit_price=Money.of(price, USD), index=0
    )


def order(*lines: OrderLine, total: str | None = None, paid: bool = True) -> Order:
    return Order.place(
        id="o-1",
        customer_id="c-1",
        placed_at=T0,
        currency=USD,
        lines=lines,
        total=Money.of(total, USD) if total else None,
        paid=paid,
        at=T0,
        by="u",
    )


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [("12.34", USD, 1234), ("1500", JPY, 1500), ("1.250", KWD, 1250), ("0", USD, 0)],
)
def test_money_is_kept_in_minor_units_exactly(raw: str, currency: Currency, minor: int) -> None:
    money = Money.of(raw, currency)
    assert money.minor_units == minor
    assert Money.from_minor_units(minor, currency) == money


@pytest.mark.parametrize(
    ("raw", "currency"), [("1.999", USD), ("12.5", JPY), ("abc", USD), ("NaN", USD)]
)
def test_money_refuses_amounts_the_currency_cannot_hold(raw: str, currency: Currency) -> None:
    with pytest.raises(InvalidValue):
        Money.of(raw, currency)


@pytest.mark.parametrize("code", ["XXX", "usdollar", "", "ZZZ"])
def test_unknown_currency_is_refused(code: str) -> None:
    with pytest.raises(InvalidValue):
        Currency.parse(code)


def test_total_defaults_to_the_lines() -> None:
    placed = order(line("9.99", 2), line("0.02", 1))
    assert placed.total == Money(Decimal("20.00"), USD)
    assert placed.status is OrderStatus.PAID
    assert placed.events[0].event_type == "rapport.order.placed.v1"


@pytest.mark.parametrize("quantity", [0, -3])
def test_line_quantity_must_be_positive(quantity: int) -> None:
    with pytest.raises(DomainError) as caught:
        line(quantity=quantity)
    assert caught.value.problems[0].field == "lines.0.quantity"


def test_refunds_adjust_the_net_total_until_all_is_back() -> None:
    paid = order(line("10.00", 3))
    paid.refund(Money.of("10.00", USD), reason="one broken", at=T0, by="u")
    assert (paid.net_total, paid.status, paid.version) == (
        Money.of("20.00", USD),
        OrderStatus.PAID,
        2,
    )
    with pytest.raises(RuleViolated):
        paid.refund(Money.of("20.01", USD), reason="", at=T0, by="u")
    paid.refund(Money.of("20.00", USD), reason="all back", at=T0, by="u")
    assert paid.status is OrderStatus.REFUNDED
    assert paid.net_total == Money.zero(USD)


def test_only_unpaid_orders_cancel_and_only_paid_orders_refund() -> None:
    placed = order(line(), paid=False)
    with pytest.raises(RuleViolated):
        placed.refund(Money.of("1.00", USD), reason="", at=T0, by="u")
    placed.cancel(at=T0, by="u")
    assert placed.status is OrderStatus.CANCELLED
    with pytest.raises(RuleViolated):
        placed.mark_paid(at=T0, by="u")


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=20))
def test_refunds_never_exceed_the_total(cents: list[int]) -> None:
    paid = order(line("50.00", 2))
    for amount in cents:
        with contextlib.suppress(RuleViolated):
            paid.refund(Money.from_minor_units(amount, USD), reason="", at=T0, by="u")
        assert Money.zero(USD) <= paid.refunded <= paid.total
    assert (paid.status is OrderStatus.REFUNDED) == (paid.refunded == paid.total)
