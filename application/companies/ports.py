"""What the company use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from application.companies.views import CompanyFilter, CompanyOrder, CompanyView
from application.custom_fields.ports import CustomValuesInUse
from application.pagination import SortKey
from domain.companies import Company


class CompanyRepository(CustomValuesInUse, Protocol):
    """Companies inside a unit of work: loaded for change, saved on commit."""

    def add(self, company: Company) -> None: ...

    def get(self, company_id: str) -> Company | None: ...

    def archived_flags(self, company_ids: Collection[str]) -> Mapping[str, bool]:
        """Whether each of the companies that exist is archived; unknown ids are absent."""
        ...


class CompanyReader(Protocol):
    """Read-only queries over companies, outside any unit of work."""

    def get_many(self, ids: Iterable[str]) -> Mapping[str, CompanyView]: ...

    def count(self, where: CompanyFilter) -> int: ...

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
        """Up to ``limit`` companies strictly between the keys, walking from the end if asked.

        Walking from the end yields the last items first, so the caller reverses them.
        """
        ...
