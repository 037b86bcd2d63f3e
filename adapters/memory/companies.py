"""Companies in memory: the repository of a unit of work, and the reader."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from adapters.memory.querying import matches_all, values_in_use, walk
from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from application.companies.views import CompanyFilter, CompanyOrder, CompanyView
from application.pagination import SortKey
from domain.companies import Company
from domain.companies.company import company_search_text
from domain.custom_fields import CustomValue, FieldType


class InMemoryCompanyRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.companies)

    def add(self, company: Company) -> None:
        self.staged.add(company)

    def get(self, company_id: str) -> Company | None:
        return self.staged.get(company_id)

    def archived_flags(self, company_ids: Collection[str]) -> Mapping[str, bool]:
        found = {**self._store.companies, **self.staged.seen}
        return {cid: found[cid].is_archived for cid in company_ids if cid in found}

    def custom_values_in_use(
        self,
        key: str,
        field_type: FieldType,
        values: Collection[CustomValue],
        *,
        excluding: str | None = None,
    ) -> list[CustomValue]:
        records = ((c.id, c.is_archived, c.custom_fields) for c in self._store.companies.values())
        return values_in_use(records, key, field_type, values, excluding)


class InMemoryCompanyReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, CompanyView]:
        companies = self._store.companies
        return {cid: CompanyView.from_company(companies[cid]) for cid in ids if cid in companies}

    def count(self, where: CompanyFilter) -> int:
        return len(self._matching(where))

    def slice(
        self,
        where: CompanyFilter,
        order: CompanyOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[CompanyView]:
        return walk(
            self._matching(where),
            order.key_of,
            descending=order.descending,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def _matching(self, where: CompanyFilter) -> list[CompanyView]:
        needle = where.search.casefold() if where.search else None
        domain = where.domain.strip().lower() if where.domain else None
        found = []
        for company in self._store.companies.values():
            if company.is_archived and not where.include_archived:
                continue
            if domain is not None and company.domain != domain:
                continue
            if where.owner_ids is not None and company.owner_id not in where.owner_ids:
                continue
            if where.sizes is not None and company.size not in where.sizes:
                continue
            if needle is not None and needle not in company_search_text(
                company.name, company.domain
            ):
                continue
            if not matches_all(company.custom_fields, where.custom_fields):
                continue
            found.append(CompanyView.from_company(company))
        return found
