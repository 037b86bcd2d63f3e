"""What the company use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from application.companies.views import CompanyFilter, CompanyOrder, CompanyView
from application.custom_fields.ports import CustomValuesInUse
from application.records import RecordReader
from domain.companies import Company


class CompanyRepository(CustomValuesInUse, Protocol):
    """Companies inside a unit of work: loaded for change, saved on commit."""

    def add(self, company: Company) -> None: ...

    def get(self, company_id: str) -> Company | None: ...

    def archived_flags(self, company_ids: Collection[str]) -> Mapping[str, bool]:
        """Whether each of the companies that exist is archived; unknown ids are absent."""
        ...


class CompanyReader(RecordReader[CompanyFilter, CompanyOrder, CompanyView], Protocol):
    """Read-only queries over companies, outside any unit of work."""
