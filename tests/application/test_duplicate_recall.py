"""A generated population with planted duplicates: how many does the candidate list find?"""

from __future__ import annotations

import random

from application.customers.commands import ContactParser, CreateCustomersInBulk, NewCustomer
from application.customers.merging import FindDuplicateCandidates
from application.principal import Principal
from domain.access.visibility import EVERYTHING
from tests.application.conftest import App

SYSTEM = Principal.system()
PEOPLE, PLANTED = 3000, 300


def _email_variant(rng: random.Random, first: str, last: str, number: int) -> tuple[str, str]:
    original = f"{first}.{last}{number}@gmail.com".lower()
    variant = rng.choice(
        [
            f"{first.title()}{last.title()}{number}@GMail.com",
            f"{first}{last}{number}@gmail.com",
            f"{first}.{last}{number}+shop@gmail.com",
            f"{first}.{last}.{number}@googlemail.com",
        ]
    )
    return original, variant


def _phone_variant(rng: random.Random, number: int) -> tuple[str, str]:
    national = f"415{200 + number // 10000:03d}{number % 10000:04d}"
    formatted = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    return f"+1{national}", rng.choice(
        [formatted, f"1-{national[:3]}-{national[3:6]}-{national[6:]}", national]
    )


def test_candidates_find_at_least_99_percent_of_planted_duplicates(app: App) -> None:
    rng = random.Random(99)
    firsts = ["ada", "grace", "alan", "edsger", "barbara", "donald", "margaret", "ken", "li", "wei"]
    lasts = [
        "lovelace",
        "hopper",
        "turing",
        "dijkstra",
        "liskov",
        "knuth",
        "hamilton",
        "thompson",
        "na",
        "zhang",
    ]
    rows: list[NewCustomer] = []
    planted: dict[str, str] = {}  # duplicate email -> original email
    for number in range(PEOPLE):
        first, last = rng.choice(firsts), rng.choice(lasts)
        email, email_variant = _email_variant(rng, first, last, number)
        phone, phone_variant = _phone_variant(rng, number)
        rows.append(
            NewCustomer(first_name=first.title(), last_name=last.title(), email=email, phone=phone)
        )
        if number < PLANTED:
            kind = number % 3
            if kind == 0:  # the same mailbox written differently, no phone
                duplicate = NewCustomer(first_name=first, last_name=last, email=email_variant)
            elif kind == 1:  # the same phone in another format, a work address
                duplicate = NewCustomer(
                    first_name=first.title(),
                    email=f"{first}{number}@work.example",
                    phone=phone_variant,
                )
            else:  # from another system: its own external id, both keys written differently
                duplicate = NewCustomer(
                    last_name=last.upper(), email=email_variant, phone=phone_variant
                )
            rows.append(duplicate)
            planted[(duplicate.email or "").lower()] = email
    bulk = CreateCustomersInBulk(
        app.customers.create_in_bulk.uow,
        app.clock,
        app.customers.create_in_bulk.ids,
        ContactParser(default_region="US"),
    )
    result = bulk(SYSTEM, rows)
    assert result.problems == ()

    views = app.backend.customers
    candidates = FindDuplicateCandidates(views)(SYSTEM)
    by_id = views.get_many(
        {i for c in candidates for i in (c.first_id, c.second_id)}, visible=EVERYTHING
    )
    found = set()
    for candidate in candidates:
        a, b = by_id[candidate.first_id].email, by_id[candidate.second_id].email
        found.add(frozenset((a, b)))
    hits = sum(frozenset((dup, original)) in found for dup, original in planted.items())
    assert hits / len(planted) >= 0.99, f"found {hits} of {len(planted)}"
    # Distinct people share neither a mailbox nor a phone here, so nothing else is proposed.
    assert len(candidates) == len(found) == len(planted)
