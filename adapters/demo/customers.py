"""Demo customers from faker's ``en_US`` and ``zh_CN`` locales; the same seed, the same data."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from faker import Faker

from adapters.demo.companies import PLANS, SOURCES
from application.customers.commands import NewCustomer
from domain.access.roles import Role

DEMO_TEAM_NAME = "Field sales"
DEMO_TEAM: Sequence[tuple[str, str, Role]] = (
    ("Avery Chen", "avery.chen@demo.rapport.dev", Role.SALES_MANAGER),
    ("Jordan Patel", "jordan.patel@demo.rapport.dev", Role.SALES_REP),
    ("Li Na", "li.na@demo.rapport.dev", Role.SALES_REP),
    ("Sam Okafor", "sam.okafor@demo.rapport.dev", Role.SALES_REP),
)
"""The demo's sales team: its manager first, who the reps report to."""
_US_AREA_CODES = ("212", "312", "415", "617", "206", "512", "303", "404", "305", "503")


def demo_customers(
    count: int,
    *,
    owner_ids: Sequence[str],
    company_ids: Sequence[str] = (),
    seed: int = 2026,
) -> Iterator[NewCustomer]:
    """``count`` customers, about a third of them from mainland China; most in a company."""
    fakers = {"en_US": Faker("en_US"), "zh_CN": Faker("zh_CN")}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + index)
    rng = random.Random(seed)
    for number in range(count):
        locale = "zh_CN" if rng.random() < 0.33 else "en_US"
        fake = fakers[locale]
        first, last = fake.first_name(), fake.last_name()
        yield NewCustomer(
            first_name=first,
            last_name=last,
            email=f"{fake.user_name()}.{number}@{fake.free_email_domain()}",
            phone=_phone(rng, fake, locale) if rng.random() < 0.8 else None,
            custom_fields={
                "source": rng.choice(SOURCES),
                "plan": rng.choice(PLANS),
                "city": fake.city(),
                "newsletter": rng.random() < 0.6,
            },
            owner_id=rng.choice(owner_ids) if owner_ids else None,
            company_id=rng.choice(company_ids) if company_ids and rng.random() < 0.7 else None,
        )


def _phone(rng: random.Random, fake: Faker, locale: str) -> str:
    if locale == "zh_CN":
        return f"+86 {fake.phone_number()}"
    return f"+1 {rng.choice(_US_AREA_CODES)} {rng.randint(201, 989)} {rng.randint(0, 9999):04d}"
