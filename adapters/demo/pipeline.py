"""Demo deals: a sales team of the demo reps and deals at every stage, some won or lost."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from application.pipeline.bundle import Sales
from application.pipeline.opportunities import NewOpportunity
from application.pipeline.teams import TeamMemberInput
from application.principal import Principal
from domain.pipeline import Outcome, default_pipeline

DEALS_EVERY = 8
PRODUCTS = ("Studio licence", "Support plan", "Training day", "Hardware bundle")
TODAY = date(2026, 1, 5)


def seed_deals(
    sales: Sales,
    *,
    customer_ids: Sequence[str],
    owner_ids: Sequence[str],
    seed: int,
) -> int:
    """One deal for every ``DEALS_EVERY`` customers, spread over the default pipeline."""
    system = Principal.system()
    rng = random.Random(seed + 6)
    sales.create_sales_team(
        system,
        name="Demo sales",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=owner) for owner in owner_ids],
    )
    stages = default_pipeline().stages
    made = 0
    for index, customer_id in enumerate(customer_ids[::DEALS_EVERY]):
        opened = sales.create_opportunity(
            system,
            NewOpportunity(
                name=f"{rng.choice(PRODUCTS)} #{index + 1}",
                customer_id=customer_id,
                owner_id=owner_ids[index % len(owner_ids)],
                currency=rng.choice(("USD", "USD", "EUR", "GBP")),
                amount=f"{rng.randrange(500, 50_000)}.00",
                expected_close_date=TODAY + timedelta(days=rng.randrange(10, 200)),
                next_step="Send the proposal",
            ),
        )
        for stage in stages[1 : rng.randrange(1, len(stages) + 1)]:
            sales.move_opportunity(system, opened.id, stage.id)
        ending = rng.random()
        if ending < 0.2:
            sales.close_opportunity(system, opened.id, Outcome.WON, "Signed the order form")
        elif ending < 0.3:
            sales.close_opportunity(system, opened.id, Outcome.LOST, "Went with a competitor")
        made += 1
    return made
