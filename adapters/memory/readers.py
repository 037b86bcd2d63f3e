"""Read-side queries over the in-memory store's committed state."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence

from adapters.memory.querying import matches_all, walk
from adapters.memory.store import InMemoryStore
from application.access.ports import UserView
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.pagination import SortKey
from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.customers.customer import search_text


class InMemoryCustomerReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, CustomerView]:
        customers = self._store.customers
        return {
            customer_id: CustomerView.from_customer(customers[customer_id])
            for customer_id in ids
            if customer_id in customers
        }

    def count(self, where: CustomerFilter) -> int:
        return len(self._matching(where))

    def slice(
        self,
        where: CustomerFilter,
        order: CustomerOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[CustomerView]:
        return walk(
            self._matching(where),
            order.key_of,
            descending=order.descending,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def _matching(self, where: CustomerFilter) -> list[CustomerView]:
        needle = where.search.casefold() if where.search else None
        email = where.email.strip().lower() if where.email else None
        matches = []
        for customer in self._store.customers.values():
            if customer.is_archived and not where.include_archived:
                continue
            if email is not None and (customer.email is None or customer.email.value != email):
                continue
            if where.owner_ids is not None and customer.owner_id not in where.owner_ids:
                continue
            if where.created_after is not None and customer.created_at < where.created_after:
                continue
            if where.created_before is not None and customer.created_at >= where.created_before:
                continue
            if where.company_ids is not None and customer.company_id not in where.company_ids:
                continue
            if not matches_all(customer.custom_fields, where.custom_fields):
                continue
            if needle is not None:
                haystack = search_text(
                    customer.first_name,
                    customer.last_name,
                    customer.email.value if customer.email else None,
                    customer.phone.e164 if customer.phone else None,
                )
                if needle not in haystack:
                    continue
            matches.append(CustomerView.from_customer(customer))
        return matches


class InMemoryUserReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, UserView]:
        users = self._store.users
        return {uid: UserView.from_user(users[uid]) for uid in ids if uid in users}


class InMemoryCredentialReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def find(self, key_id: str) -> tuple[ApiKey, User] | None:
        key = self._store.api_keys.get(key_id)
        user = self._store.users.get(key.user_id) if key else None
        if key is None or user is None:
            return None
        return copy.deepcopy(key), copy.deepcopy(user)
