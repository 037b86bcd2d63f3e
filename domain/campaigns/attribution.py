"""Which campaigns and journeys earned an order: its total shared among the messages that
touched the customer in the window before it, by one of four models."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

DEFAULT_WINDOW = timedelta(days=7)
CENT = Decimal("0.01")


class AttributionModel(StrEnum):
    LAST_TOUCH = "last_touch"
    FIRST_TOUCH = "first_touch"
    LINEAR = "linear"
    POSITION_BASED = "position_based"
    """40 % to the first touch, 40 % to the last, 20 % shared by those between."""


def _one_source(touch: Touch, _: object, journey_id: str | None) -> None:
    if (touch.campaign_id is None) == (journey_id is None):
        raise InvalidValue("touch", ErrorCode.INVALID, "a campaign or a journey, not both")


@frozen(kw_only=True)
class Touch:
    """A message that reached the customer (a send, open or click, as the caller counts)."""

    message_id: str
    at: datetime
    campaign_id: str | None = None
    journey_id: str | None = field(default=None, validator=_one_source)


def _not_negative(_: object, __: object, total: Decimal) -> None:
    if not total.is_finite() or total < 0:
        raise InvalidValue("total", ErrorCode.NEGATIVE, "must be a finite amount, 0 or more")


@frozen(kw_only=True)
class AttributedOrder:
    """An order as attribution needs it; ``quantum`` is the currency's smallest unit."""

    id: str
    placed_at: datetime
    total: Decimal = field(validator=_not_negative)
    quantum: Decimal = CENT

    def __attrs_post_init__(self) -> None:
        if self.total != self.total.quantize(self.quantum):
            raise InvalidValue("total", ErrorCode.INVALID, "must be whole units of the currency")


@frozen
class Credit:
    touch: Touch
    amount: Decimal


def attribute(
    order: AttributedOrder,
    touches: Sequence[Touch],
    model: AttributionModel,
    window: timedelta = DEFAULT_WINDOW,
) -> list[Credit]:
    """The order's total credited to the touches the model rewards, in time order.

    Only touches from ``window`` before the order up to the order itself count. Credits are
    whole quanta and sum to the total exactly: every share but the last is rounded down and
    the last touch takes the remainder. No touch in the window: no credit.
    """
    counted = sorted(
        (touch for touch in touches if order.placed_at - window <= touch.at <= order.placed_at),
        key=lambda touch: (touch.at, touch.message_id),
    )
    weights = _weights(model, len(counted))
    credited = [(touch, weight) for touch, weight in zip(counted, weights, strict=True) if weight]
    credits: list[Credit] = []
    remaining = order.total
    for index, (touch, weight) in enumerate(credited):
        if index == len(credited) - 1:
            amount = remaining
        else:
            quanta = math.floor(Fraction(order.total) * weight / Fraction(order.quantum))
            amount = (order.quantum * quanta).quantize(order.quantum)
        remaining -= amount
        credits.append(Credit(touch, amount.quantize(order.quantum)))
    return credits


def _weights(model: AttributionModel, count: int) -> list[Fraction]:
    if count == 0:
        return []
    if model is AttributionModel.LAST_TOUCH:
        return [Fraction(0)] * (count - 1) + [Fraction(1)]
    if model is AttributionModel.FIRST_TOUCH:
        return [Fraction(1)] + [Fraction(0)] * (count - 1)
    if model is AttributionModel.LINEAR or count <= 2:
        return [Fraction(1, count)] * count
    ends = Fraction(2, 5)
    middle = Fraction(1, 5) / (count - 2)
    return [ends] + [middle] * (count - 2) + [ends]
