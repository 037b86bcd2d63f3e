"""Demo history: orders, tracked events, notes and calls, and a few planted duplicates."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from application.behaviour.tracking import IncomingEvent
from application.customers.commands import NewCustomer
from application.orders.commands import NewOrder, NewOrderLine
from application.orders.importing import OrderRow

CATALOGUE = (
    ("cd-kob", "Kind of Blue", "9.99"),
    ("cd-blt", "Blue Train", "12.50"),
    ("vinyl-tmo", "The Melody at Night", "24.00"),
    ("hp-pro", "Studio headphones", "149.00"),
    ("gift-25", "Gift card", "25.00"),
)
EVENT_NAMES = ("signed_in", "viewed_product", "added_to_cart", "opened_email")
# Fixed, so that the same seed gives the same history on any day.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def demo_orders(emails: Sequence[str], *, seed: int) -> Iterator[OrderRow]:
    """Zero to six orders per customer over two years; most paid, a few only placed."""
    rng = random.Random(seed + 1)
    row = 0
    for email in emails:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4, 6))):
            row += 1
            lines = [
                NewOrderLine(sku=sku, name=name, quantity=rng.randint(1, 3), unit_price=price)
                for sku, name, price in rng.sample(CATALOGUE, rng.randint(1, 3))
            ]
            yield OrderRow(
                row=row,
                customer_email=email,
                order=NewOrder(
                    customer_id="",
                    placed_at=NOW
                    - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440)),
                    currency="USD",
                    lines=lines,
                    paid=rng.random() < 0.9,
                    external_id=f"demo:order:{row}",
                ),
            )


def demo_events(emails: Sequence[str], *, seed: int) -> Iterator[IncomingEvent]:
    """A few behaviour events for about half of the customers, within the last 90 days."""
    rng = random.Random(seed + 2)
    number = 0
    for email in emails:
        if rng.random() < 0.5:
            continue
        for _ in range(rng.randint(1, 8)):
            number += 1
            yield IncomingEvent(
                email=email,
                name=rng.choice(EVENT_NAMES),
                occurred_at=NOW - timedelta(days=rng.randint(0, 90), seconds=rng.randint(0, 86400)),
                properties={"channel": rng.choice(("web", "ios", "android"))},
                event_id=f"demo:event:{number}",
            )


def planted_duplicates(originals: Sequence[NewCustomer], *, every: int = 40) -> list[NewCustomer]:
    """Second records of some customers, as a shop or a typo would make them.

    The address gets a ``+tag`` (same mailbox, different text) and the phone loses its
    country code formatting; the duplicate-candidate list should pair each with its original.
    """
    duplicates = []
    for index, original in enumerate(originals):
        if index % every or not original.email:
            continue
        local, _, domain = original.email.partition("@")
        duplicates.append(
            NewCustomer(
                first_name=original.first_name.lower(),
                last_name=original.last_name,
                email=f"{local}+shop@{domain}",
                phone=original.phone,
                owner_id=original.owner_id,
            )
        )
    return duplicates
