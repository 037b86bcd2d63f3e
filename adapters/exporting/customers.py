"""Customers as CSV, streamed a page at a time so any number fits in constant memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
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
    "custom_fields",
)


def customer_rows(
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
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
                json.dumps(dict(view.custom_fields), ensure_ascii=False, sort_keys=True)
                if view.custom_fields
                else "",
            ]
        if not page.has_next_page:
            return
        after = page.end_cursor


def write_customers_csv(
    output: TextIO,
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
) -> int:
    writer = csv.writer(output)
    writer.writerow(COLUMNS)
    count = 0
    for row in customer_rows(list_customers, get_customers, actor, where):
        writer.writerow(row)
        count += 1
    return count
