"""Demo companies and the custom fields the demo data uses; the same seed, the same data."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from faker import Faker

from application.companies.commands import NewCompany
from application.custom_fields.commands import NewCustomField
from domain.companies import Address, CompanySize
from domain.custom_fields import FieldType, ObjectType

SOURCES = ("website", "store", "referral", "paid_search", "event", "partner")
PLANS = ("free", "starter", "growth", "enterprise")
_INDUSTRIES = ("Software", "Retail", "Manufacturing", "Logistics", "Healthcare", "Education")

DEMO_FIELDS: Sequence[NewCustomField] = (
    NewCustomField(
        object_type=ObjectType.CUSTOMER,
        key="source",
        label="Source",
        field_type=FieldType.SINGLE_CHOICE,
        choices=SOURCES,
    ),
    NewCustomField(
        object_type=ObjectType.CUSTOMER,
        key="plan",
        label="Plan",
        field_type=FieldType.SINGLE_CHOICE,
        choices=PLANS,
    ),
    NewCustomField(
        object_type=ObjectType.CUSTOMER, key="city", label="City", field_type=FieldType.TEXT
    ),
    NewCustomField(
        object_type=ObjectType.CUSTOMER,
        key="newsletter",
        label="Newsletter",
        field_type=FieldType.BOOLEAN,
    ),
    NewCustomField(
        object_type=ObjectType.COMPANY,
        key="annual_revenue",
        label="Annual revenue (USD)",
        field_type=FieldType.DECIMAL,
    ),
)


def demo_companies(
    count: int, *, owner_ids: Sequence[str], seed: int = 2026
) -> Iterator[NewCompany]:
    """``count`` companies with US addresses, sizes, industries and revenues."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    for number in range(count):
        name = fake.company()
        slug = "".join(char for char in name.lower() if char.isalnum())[:30] or "company"
        yield NewCompany(
            name=name,
            domain=f"{slug}{number}.example.com",
            industry=rng.choice(_INDUSTRIES),
            size=rng.choice(list(CompanySize)),
            address=Address(
                street=fake.street_address(),
                city=fake.city(),
                region=fake.state_abbr(),
                postal_code=fake.postcode(),
                country="US",
            ),
            custom_fields={"annual_revenue": f"{rng.randint(10_000, 50_000_000)}.00"},
            owner_id=rng.choice(owner_ids) if owner_ids else None,
        )
