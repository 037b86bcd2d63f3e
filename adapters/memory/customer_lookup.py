"""Customer references resolved over the in-memory store's committed customers."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from adapters.memory.transaction import InMemoryTransaction
from application.customers.lookup import CustomerStatus
from domain.customers import EmailAddress


class InMemoryCustomerLookup:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store

    def statuses(self, ids: Collection[str]) -> Mapping[str, CustomerStatus]:
        customers = self._store.customers
        return {
            customer_id: CustomerStatus.ARCHIVED
            if customers[customer_id].is_archived
            else CustomerStatus.ACTIVE
            for customer_id in ids
            if customer_id in customers
        }

    def ids_by_email(self, emails: Collection[EmailAddress]) -> Mapping[EmailAddress, str]:
        wanted = set(emails)
        if not wanted:
            return {}
        return {
            customer.email: customer.id
            for customer in list(self._store.customers.values())
            if customer.email in wanted and customer.email and not customer.is_archived
        }

    def by_external_id(self, source: str, value: str) -> str | None:
        return self._store.external_ids.get((source, value))
