"""Customers as CSV, streamed a page at a time so any number fits in constant memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import TextIO

from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "external_ids",
    "owner_id",
    "created_at",
    "updated_at",
    "archived_at",
    "version",
)


def header(custom_fields: Sequence[str]) -> list[str]:
    """The built-in columns, then ``custom:<key>`` for each custom field, as import reads them."""
    return [*COLUMNS, *(f"custom:{key}" for key in custom_fields)]


def customer_rows(
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
    custom_fields: Sequence[str] = (),
) -> Iterator[list[str]]:
    """Every matching customer, oldest first, as CSV cells."""
    after: str | None = None
    while True:
        page = list_customers(
            actor, where, CustomerOrder(), PageRequest(first=MAX_PAGE_SIZE, after=after)
        )
        views = [edge.node for edge in page.edges]
        external = get_customers.external_ids(actor, [v.id for v in views])
        for view in views:
            yield [
                view.id,
                view.first_name,
                view.last_name,
                view.email or "",
                view.phone or "",
                " ".join(external.get(view.id, ())),
                view.owner_id,
                view.created_at.isoformat(),
                view.updated_at.isoformat(),
                view.archived_at.isoformat() if view.archived_at else "",
                str(view.version),
                *(_cell(view.custom_fields.get(key)) for key in custom_fields),
            ]
        if not page.has_next_page:
            return
        after = page.end_cursor


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return str(value)


def write_customers_csv(
    output: TextIO,
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
    custom_fields: Sequence[str] = (),
) -> int:
    rows = customer_rows(list_customers, get_customers, actor, where, custom_fields)
    # The first page is read before anything is written, so a refused filter writes nothing.
    first = next(rows, None)
    writer = csv.writer(output)
    writer.writerow(header(custom_fields))
    if first is None:
        return 0
    writer.writerow(first)
    count = 1
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
