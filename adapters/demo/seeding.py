"""Loading the demo data set through the use cases, a batch at a time."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import islice

from attrs import frozen

from adapters.demo.companies import DEMO_FIELDS, demo_companies
from adapters.demo.customers import DEMO_TEAM, demo_customers
from adapters.demo.history import demo_events, demo_orders, planted_duplicates
from adapters.demo.pipeline import seed_deals
from application.access.users import RegisterUser
from application.activities.commands import LogActivity, NewActivity
from application.behaviour.tracking import TrackEvents
from application.companies.commands import CreateCompany
from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from application.customers.commands import CreateCustomersInBulk
from application.customers.queries import ListCustomers
from application.customers.views import CustomerFilter, CustomerOrder
from application.orders.importing import ImportOrders
from application.pagination import PageRequest
from application.pipeline.opportunities import (
    CloseOpportunity,
    CreateOpportunity,
    MoveOpportunity,
)
from application.pipeline.teams import CreateSalesTeam
from application.principal import Principal
from application.segments.commands import CreateSegment, NewSegment
from application.tags.commands import CreateTag, NewTag, TagCustomers
from domain.activities import ActivityKind, Direction
from domain.errors import DomainError
from domain.tags import TagCategory

BATCH_SIZE = 1000
CUSTOMERS_PER_COMPANY = 20
PLANTED_EVERY = 40


@frozen
class DemoServices:
    """The use cases that loading the demo data goes through."""

    register_user: RegisterUser
    create_customers_in_bulk: CreateCustomersInBulk
    create_company: CreateCompany
    define_custom_field: DefineCustomField
    list_custom_field_definitions: ListCustomFieldDefinitions
    import_orders: ImportOrders
    track_events: TrackEvents
    list_customers: ListCustomers
    log_activity: LogActivity
    create_tag: CreateTag
    tag_customers: TagCustomers
    create_sales_team: CreateSalesTeam
    create_opportunity: CreateOpportunity
    move_opportunity: MoveOpportunity
    close_opportunity: CloseOpportunity
    create_segment: CreateSegment


def demo_size(customers: int) -> int:
    """How many customers seeding ``customers`` creates: one planted duplicate per 40."""
    return customers + len(range(0, customers, PLANTED_EVERY))


def seed_demo(
    services: DemoServices,
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
    owners = [
        services.register_user(system, name=name, email=email, role=role, existing_ok=True).id
        for name, email, role in DEMO_TEAM
    ]
    _define_fields(services, system)
    company_count = max(1, customers // CUSTOMERS_PER_COMPANY) if customers else 0
    companies = [
        services.create_company(system, company).id
        for company in demo_companies(company_count, owner_ids=owners, seed=seed)
    ]
    originals = list(demo_customers(customers, owner_ids=owners, company_ids=companies, seed=seed))
    rows = iter([*originals, *planted_duplicates(originals, every=PLANTED_EVERY)])
    created = 0
    first_seeding = False
    first_row = 0
    while batch := list(islice(rows, BATCH_SIZE)):
        result = services.create_customers_in_bulk(system, batch, first_row=first_row)
        created += result.created
        first_row += len(batch)
        on_batch(len(batch))
    if created:
        ids = _customer_ids(services, system)
        first_seeding = _notes_and_tags(services, system, ids, seed)
        if first_seeding:
            seed_deals(
                create_team=services.create_sales_team,
                create=services.create_opportunity,
                move=services.move_opportunity,
                close=services.close_opportunity,
                customer_ids=ids,
                owner_ids=owners,
                seed=seed,
            )
    emails = [c.email for c in originals if c.email]
    orders = demo_orders(emails, seed=seed)
    while order_batch := list(islice(orders, BATCH_SIZE)):
        services.import_orders(system, order_batch, create_missing_customers=False)
    events = demo_events(emails, seed=seed)
    while event_batch := list(islice(events, 500)):
        services.track_events(system, event_batch)
    if first_seeding:
        for segment in DEMO_SEGMENTS:
            services.create_segment(system, segment)
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


def _define_fields(services: DemoServices, system: Principal) -> None:
    for field in DEMO_FIELDS:
        existing = services.list_custom_field_definitions(system, field.object_type)
        if all(definition.key != field.key for definition in existing):
            services.define_custom_field(system, field)


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


def _customer_ids(services: DemoServices, system: Principal) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        page = services.list_customers(
            system, CustomerFilter(), CustomerOrder(), PageRequest(first=100, after=after)
        )
        ids += [edge.node.id for edge in page.edges]
        if not page.has_next_page:
            return ids
        after = page.end_cursor


def _notes_and_tags(services: DemoServices, system: Principal, ids: list[str], seed: int) -> bool:
    """Tags on some customers and a logged activity on others, only on a first seeding;
    False when seeded before."""
    rng = random.Random(seed + 3)
    try:
        tags = [services.create_tag(system, tag).id for tag in DEMO_TAGS]
    except DomainError:
        return False  # seeded before: the tags, and whom they are on, are there already
    for tag_id, share in zip(tags, (0.1, 0.4, 0.05), strict=True):
        chosen = [customer_id for customer_id in ids if rng.random() < share]
        if chosen:
            services.tag_customers(system, chosen, [tag_id])
    for customer_id in ids:
        if rng.random() < 0.2:
            kind, body, direction = rng.choice(DEMO_NOTES)
            services.log_activity(
                system,
                NewActivity(customer_id=customer_id, kind=kind, body=body, direction=direction),
            )
    return True
