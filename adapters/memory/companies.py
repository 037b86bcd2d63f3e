"""Companies in memory: the repository of a unit of work, and the reader."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from adapters.memory.querying import values_in_use
from adapters.memory.record_readers import InMemoryRecordReader
from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.companies.views import CompanyFilter, CompanyView
from domain.companies import Company
from domain.companies.company import company_search_text
from domain.custom_fields import CustomValue, FieldType


class InMemoryCompanyRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.companies)

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


class InMemoryCompanyReader(InMemoryRecordReader[Company, CompanyFilter, CompanyView]):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(
            store.companies,
            CompanyView.from_company,
            lambda company: company_search_text(company.name, company.domain),
        )

    def _filter(self, where: CompanyFilter) -> Callable[[Company], bool]:
        domain = where.domain.strip().lower() if where.domain else None

        def passes(company: Company) -> bool:
            if domain is not None and company.domain != domain:
                return False
            return where.sizes is None or company.size in where.sizes

        return passes
