"""Loading the demo data set through the use cases, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from adapters.demo.customers import DEMO_TEAM, demo_customers
from application.access.users import RegisterUser
from application.customers.commands import CreateCustomersInBulk
from application.principal import Principal

BATCH_SIZE = 1000


def seed_demo(
    register_user: RegisterUser,
    create_customers_in_bulk: CreateCustomersInBulk,
    *,
    customers: int,
    seed: int = 2026,
    on_batch: Callable[[int], None] = lambda _count: None,
) -> int:
    """Create the demo team and ``customers`` customers; returns how many were created."""
    system = Principal.system()
    owners = [
        register_user(system, name=name, email=email, role=role, existing_ok=True).id
        for name, email, role in DEMO_TEAM
    ]
    rows = demo_customers(customers, owner_ids=owners, seed=seed)
    created = 0
    first_row = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        result = create_customers_in_bulk(system, batch, first_row=first_row)
        created += result.created
        first_row += len(batch)
        on_batch(len(batch))
    return created
