"""The public ``Customer`` and ``Company``, assembled from the fields each module owns.

A module that owns data declares its fields on these types as a small strawberry type (a
mixin): orders owns ``Customer.orders``, tags ``Customer.tags``, and so on. Only this module
imports them all; the others refer to the assembled types by name, lazily.

It also holds what ``node(id:)`` can fetch, from the modules that own each type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from adapters.graphql.access import load_user
from adapters.graphql.activities import fetch_activity
from adapters.graphql.behaviour import fetch_behaviour_event
from adapters.graphql.companies import COMPANY_NODE, CompanyBase, CustomerCompany, fetch_company
from adapters.graphql.context import Info
from adapters.graphql.customers import CUSTOMER_NODE, CompanyPeople, CustomerBase, fetch_customer
from adapters.graphql.lifecycle import CustomerLifecycle
from adapters.graphql.opportunities import CompanyOpportunities, fetch_opportunity
from adapters.graphql.orders import CompanyOrders, CustomerOrders, fetch_order
from adapters.graphql.relay import Node
from adapters.graphql.segments import CustomerSegments, fetch_segment
from adapters.graphql.tags import CustomerTags, fetch_tag
from adapters.graphql.tasks import CompanyTasks
from adapters.graphql.timeline import CustomerTimeline
from adapters.graphql.type_names import (
    ACTIVITY,
    BEHAVIOUR_EVENT,
    COMPANY,
    CUSTOMER,
    OPPORTUNITY,
    ORDER,
    SEGMENT,
    TAG,
    USER,
)


@CUSTOMER_NODE.bind
@strawberry.type(name="Customer", description="A person the company has a relationship with.")
class CustomerNode(
    CustomerBase,
    CustomerOrders,
    CustomerCompany,
    CustomerTags,
    CustomerTimeline,
    CustomerLifecycle,
    CustomerSegments,
):
    pass


@COMPANY_NODE.bind
@strawberry.type(name="Company", description="An organisation that customers belong to.")
class CompanyNode(CompanyBase, CompanyPeople, CompanyOrders, CompanyOpportunities, CompanyTasks):
    pass


NodeFetcher = Callable[[Info, str], Node | Awaitable[Node | None] | None]
"""One object of a type by its local id, for ``node(id:)``; ``None`` when there is none.

A ``DomainError`` it raises is answered by the field's ``QueryErrors``."""

NODE_FETCHERS: dict[str, NodeFetcher] = {
    CUSTOMER: fetch_customer,
    COMPANY: fetch_company,
    USER: load_user,
    ORDER: fetch_order,
    ACTIVITY: fetch_activity,
    BEHAVIOUR_EVENT: fetch_behaviour_event,
    TAG: fetch_tag,
    SEGMENT: fetch_segment,
    OPPORTUNITY: fetch_opportunity,
}
"""The types ``node(id:)`` resolves, by type name; any other name resolves to null."""
