"""Imperative mapping of the attrs aggregates onto the tables; the domain never knows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper, class_mapper, registry
from sqlalchemy.orm.exc import UnmappedClassError

from adapters.persistence.bulk import stored_datetime, stored_json
from adapters.persistence.tables import (
    activities,
    api_keys,
    companies,
    custom_field_definitions,
    customers,
    metadata,
    users,
)
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.activities import Activity
from domain.companies import Company
from domain.companies.company import company_search_text, company_sort_name
from domain.custom_fields import CustomFieldDefinition
from domain.customers import Customer
from domain.customers.customer import search_text, sort_name
from domain.customers.matching import email_key

mapper_registry = registry(metadata=metadata)


def map_domain() -> None:
    """Map every aggregate once; later calls do nothing."""
    try:
        class_mapper(Customer)
        return
    except UnmappedClassError:
        pass
    mapper_registry.map_imperatively(
        Customer,
        customers,
        properties={
            "_sort_name": customers.c.sort_name,
            "_search_text": customers.c.search_text,
            "_email_key": customers.c.email_key,
        },
        version_id_col=customers.c.version,
        version_id_generator=False,
    )
    mapper_registry.map_imperatively(
        Company,
        companies,
        properties={"_sort_name": companies.c.sort_name, "_search_text": companies.c.search_text},
        version_id_col=companies.c.version,
        version_id_generator=False,
    )
    mapper_registry.map_imperatively(CustomFieldDefinition, custom_field_definitions)
    mapper_registry.map_imperatively(User, users)
    mapper_registry.map_imperatively(ApiKey, api_keys)
    mapper_registry.map_imperatively(
        Activity, activities, version_id_col=activities.c.version, version_id_generator=False
    )
    for aggregate in (Customer, Company, CustomFieldDefinition, User, ApiKey, Activity):
        # The ORM does not run __init__ when it loads a row.
        event.listen(aggregate, "load", _start_without_events)
    event.listen(Customer, "before_insert", _derive_customer_columns)
    event.listen(Customer, "before_update", _derive_customer_columns)
    event.listen(Company, "before_insert", _derive_company_columns)
    event.listen(Company, "before_update", _derive_company_columns)


def _start_without_events(target: Any, _context: object) -> None:
    target.events = []
    if isinstance(target, Customer):
        # Not a column: the customer repository loads them from their own table.
        target.external_ids = frozenset()


def _derive_customer_columns(_mapper: Mapper[Any], _connection: object, target: Customer) -> None:
    derived = derived_customer_columns(target)
    target._sort_name = derived["sort_name"]  # type: ignore[attr-defined]
    target._search_text = derived["search_text"]  # type: ignore[attr-defined]
    target._email_key = derived["email_key"]  # type: ignore[attr-defined]


def _derive_company_columns(_mapper: Mapper[Any], _connection: object, target: Company) -> None:
    target._sort_name = company_sort_name(target.name)  # type: ignore[attr-defined]
    target._search_text = company_search_text(target.name, target.domain)  # type: ignore[attr-defined]


def derived_customer_columns(customer: Customer) -> dict[str, str | None]:
    email = customer.email.value if customer.email else None
    phone = customer.phone.e164 if customer.phone else None
    return {
        "sort_name": sort_name(customer.first_name, customer.last_name, email),
        "search_text": search_text(customer.first_name, customer.last_name, email, phone),
        "email_key": email_key(customer.email),
    }


CUSTOMER_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "custom_fields",
    "owner_id",
    "company_id",
    "created_at",
    "updated_at",
    "archived_at",
    "version",
    "merged_into",
    "sort_name",
    "search_text",
    "email_key",
)


def customer_values(customer: Customer, dialect: str) -> tuple[Any, ...]:
    """A customer as one row of the bulk insert path, in the order of ``CUSTOMER_COLUMNS``."""
    email = customer.email.value if customer.email else None
    phone = customer.phone.e164 if customer.phone else None
    first, last = customer.first_name, customer.last_name
    return (
        customer.id,
        first,
        last,
        email,
        phone,
        stored_json(customer.custom_fields),
        customer.owner_id,
        customer.company_id,
        stored_datetime(customer.created_at, dialect),
        stored_datetime(customer.updated_at, dialect),
        stored_datetime(customer.archived_at, dialect),
        customer.version,
        customer.merged_into,
        sort_name(first, last, email),
        search_text(first, last, email, phone),
        email_key(customer.email),
    )
