"""Loading the demo data set through the use cases, a batch at a time."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import islice

from adapters.demo.companies import DEMO_FIELDS, demo_companies
from adapters.demo.customers import DEMO_TEAM, DEMO_TEAM_NAME, demo_customers
from adapters.demo.history import demo_events, demo_orders, planted_duplicates
from adapters.demo.nurture import NURTURE_SEGMENT, seed_nurture
from adapters.demo.pipeline import seed_deals
from application.access.bundle import Access
from application.activities.bundle import Activities
from application.activities.commands import NewActivity
from application.behaviour.bundle import Behaviour
from application.companies.bundle import Companies
from application.custom_fields.bundle import CustomFields
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter, CustomerOrder
from application.modules import Modules
from application.orders.bundle import Orders
from application.pagination import PageRequest
from application.pipeline.bundle import Sales
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from application.tags.bundle import Tags
from application.tags.commands import NewTag
from domain.activities import ActivityKind, Direction
from domain.errors import DomainError
from domain.tags import TagCategory

BATCH_SIZE = 1000
CUSTOMERS_PER_COMPANY = 20
PLANTED_EVERY = 40


def demo_size(customers: int) -> int:
    """How many customers seeding ``customers`` creates: one planted duplicate per 40."""
    return customers + len(range(0, customers, PLANTED_EVERY))


def seed_demo(
    modules: Modules,
    *,
    customers: int,
    seed: int = 2026,
    on_batch: Callable[[int], None] = lambda _count: None,
) -> int:
    """Create the demo team, fields, companies, ``customers`` customers (and a few planted
    duplicates of them), their orders and tracked events, and on a first seeding tags,
    notes, a sales team and deals.

    Returns how many customers were created. Fields that exist already are kept.
    """
    system = Principal.system()
    manager_email = DEMO_TEAM[0][1]
    owners = [
        modules.use(Access)
        .register_user(
            system,
            name=name,
            email=email,
            role=role,
            team=DEMO_TEAM_NAME,
            manager_email=None if email == manager_email else manager_email,
            existing_ok=True,
        )
        .id
        for name, email, role in DEMO_TEAM
    ]
    _define_fields(modules, system)
    company_count = max(1, customers // CUSTOMERS_PER_COMPANY) if customers else 0
    companies = [
        modules.use(Companies).create(system, company).id
        for company in demo_companies(company_count, owner_ids=owners, seed=seed)
    ]
    originals = list(demo_customers(customers, owner_ids=owners, company_ids=companies, seed=seed))
    rows = iter([*originals, *planted_duplicates(originals, every=PLANTED_EVERY)])
    created = 0
    first_seeding = False
    first_row = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        result = modules.use(Customers).create_in_bulk(system, batch, first_row=first_row)
        created += result.created
        first_row += len(batch)
        on_batch(len(batch))
    if created:
        ids = _customer_ids(modules, system)
        first_seeding = _notes_and_tags(modules, system, ids, seed)
        if first_seeding:
            seed_deals(
                modules.use(Sales),
                customer_ids=ids,
                owner_ids=owners,
                seed=seed,
            )
    emails = [c.email for c in originals if c.email]
    orders = demo_orders(emails, seed=seed)
    while order_batch := list(islice(orders, BATCH_SIZE)):
        modules.use(Orders).import_rows(system, order_batch, create_missing_customers=False)
    events = demo_events(emails, seed=seed)
    while event_batch := list(islice(events, 500)):
        modules.use(Behaviour).track(system, event_batch)
    if first_seeding:
        made = {
            segment.name: modules.use(Segments).create(system, segment).id
            for segment in DEMO_SEGMENTS
        }
        seed_nurture(modules, made[NURTURE_SEGMENT])
    return created


DEMO_SEGMENTS = (
    NewSegment(name="VIPs", rule='tag("vip")', description="Everyone tagged VIP."),
    NewSegment(
        name="Repeat buyers",
        rule="orders.count(365d) >= 3",
        description="Three orders or more in the last year.",
    ),
    NewSegment(
        name="Signing in",
        rule='event("signed_in", 90d) >= 2',
        description="Signed in at least twice in the last 90 days.",
    ),
)


def _define_fields(modules: Modules, system: Principal) -> None:
    for field in DEMO_FIELDS:
        existing = modules.use(CustomFields).list(system, field.object_type)
        if all(definition.key != field.key for definition in existing):
            modules.use(CustomFields).define(system, field)


DEMO_TAGS = (
    NewTag(name="VIP", colour="#D4AF37", category=TagCategory.TRANSACTION),
    NewTag(name="Newsletter", colour="#1E88E5", category=TagCategory.MARKETING_RESPONSE),
    NewTag(name="Wholesale", colour="#43A047", category=TagCategory.STATIC),
)
DEMO_NOTES = (
    (ActivityKind.NOTE, "Asked about bulk pricing for the spring catalogue.", None),
    (ActivityKind.CALL, "Follow-up on a late delivery; refund offered.", Direction.INBOUND),
    (ActivityKind.EMAIL, "Sent the loyalty programme terms.", Direction.OUTBOUND),
    (ActivityKind.MEETING, "Quarterly review with the buying team.", None),
)


def _customer_ids(modules: Modules, system: Principal) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = modules.use(Customers).list(
            system, CustomerFilter(), CustomerOrder(), PageRequest(first=100, after=after)
        )
        ids += [edge.node.id for edge in page.edges]
        if not page.has_next_page:
            return ids
        after = page.end_cursor


def _notes_and_tags(modules: Modules, system: Principal, ids: list[str], seed: int) -> bool:
    """Tags on some customers and a logged activity on others, only on a first seeding;
    False when seeded before."""
    rng = random.Random(seed + 3)
    try:
        tags = [modules.use(Tags).create(system, tag).id for tag in DEMO_TAGS]
    except DomainError:
        return False  # seeded before: the tags, and whom they are on, are there already
    for tag_id, share in zip(tags, (0.1, 0.4, 0.05), strict=True):
        chosen = [customer_id for customer_id in ids if rng.random() < share]
        if chosen:
            modules.use(Tags).tag(system, chosen, [tag_id])
    for customer_id in ids:
        if rng.random() < 0.2:
            kind, body, direction = rng.choice(DEMO_NOTES)
            modules.use(Activities).log(
                system,
                NewActivity(customer_id=customer_id, kind=kind, body=body, direction=direction),
            )
    return True
