"""The erasure of one customer, and the event that tells partners to erase them too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import define, field, frozen

from domain.customers import Customer
from domain.events import DomainEvent

ERASED_CUSTOMER_ID = "00000000-0000-0000-0000-000000000000"
"""The anonymous stand-in that kept records (orders, deals) point at once their customer is
erased, so revenue and pipeline figures keep them without naming anyone."""

SYSTEM_OWNER_ID = "system"


@frozen(kw_only=True)
class CustomerErased(DomainEvent):
    """Every personal datum of the customer was erased; erase what you hold about them too.

    Carries only the customer's id and the time, never what was erased."""

    event_type = "rapport.customer.erased.v1"
    aggregate_type = "customer"


@define(slots=False, eq=False)
class Erasure:
    """One customer erased, with every customer that was merged into them."""

    customer_id: str
    subject_ids: tuple[str, ...]
    """The customer first, then the duplicates merged into them: one person, several ids."""
    erased_at: datetime
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def of(cls, customer_id: str, merged_ids: Sequence[str], *, at: datetime, by: str) -> Erasure:
        subjects = (customer_id, *sorted(set(merged_ids) - {customer_id, ERASED_CUSTOMER_ID}))
        erasure = cls(customer_id=customer_id, subject_ids=subjects, erased_at=at)
        erasure.events.append(CustomerErased(aggregate_id=customer_id, occurred_at=at, actor_id=by))
        return erasure


def erased_customer(at: datetime) -> Customer:
    """The archived stand-in kept records point at once their customer is erased."""
    return Customer(
        id=ERASED_CUSTOMER_ID,
        first_name="Erased",
        last_name="customer",
        email=None,
        phone=None,
        custom_fields={},
        owner_id=SYSTEM_OWNER_ID,
        created_at=at,
        updated_at=at,
        archived_at=at,
    )
