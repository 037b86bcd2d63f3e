"""RFM: recency, frequency and monetary quintile scores, and the standard named classes."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

from attrs import frozen

RFM_CLASSES: Final = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)


@frozen
class Purchases:
    """One customer's orders over the scoring window: the last day, how many, how much."""

    customer_id: str
    last_order_day: date
    orders: int
    amount_minor: int


@frozen
class RfmScore:
    """Quintile scores from 1 (worst) to 5 (best), and the class they place the customer in."""

    customer_id: str
    recency: int
    frequency: int
    monetary: int
    rfm_class: str


def quintiles(values: Sequence[int]) -> list[int]:
    """Each value's score: 1 + floor(5 * (how many values are strictly lower) / n).

    Ties share a score, so a customer's score never depends on the order of the input.
    """
    ordered = sorted(values)
    n = len(ordered)
    return [1 + (5 * bisect_left(ordered, value)) // n for value in values]


def rfm_class(recency: int, frequency: int) -> str:
    """The named class of an (R, F) pair, on the usual RFM segment map."""
    if recency == 5 and frequency >= 4:
        return "champions"
    if recency >= 3 and frequency >= 4:
        return "loyal"
    if recency >= 4 and frequency >= 2:
        return "potential_loyalist"
    if recency == 5:
        return "new"
    if recency == 4:
        return "promising"
    if recency == 3:
        return "need_attention" if frequency == 3 else "about_to_sleep"
    if frequency == 5:
        return "cant_lose"
    if frequency >= 3:
        return "at_risk"
    if recency == 1 and frequency == 1:
        return "lost"
    return "hibernating"


def score(purchases: Iterable[Purchases], as_of: date) -> list[RfmScore]:
    """Scores for every customer with purchases in the window; more recent is better."""
    rows = list(purchases)
    if not rows:
        return []
    # Fewer days since the last order is better: score the negated day count.
    recency = quintiles([-(as_of - row.last_order_day).days for row in rows])
    frequency = quintiles([row.orders for row in rows])
    monetary = quintiles([row.amount_minor for row in rows])
    return [
        RfmScore(row.customer_id, r, f, m, rfm_class(r, f))
        for row, r, f, m in zip(rows, recency, frequency, monetary, strict=True)
    ]
