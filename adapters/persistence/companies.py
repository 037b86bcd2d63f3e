"""Companies in SQL: the repository of a unit of work, and the Core reader."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, select

from adapters.persistence.record_readers import SqlRecordReader
from adapters.persistence.repositories import custom_values_in_use
from adapters.persistence.tables import companies
from adapters.persistence.transaction import SqlTransaction
from application.companies.views import (
    CompanyFilter,
    CompanyOrderField,
    CompanyView,
)
from domain.companies import Company
from domain.custom_fields import CustomValue, FieldType


class SqlCompanyRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def add(self, company: Company) -> None:
        self._session.add(self._transaction.saw(company))

    def get(self, company_id: str) -> Company | None:
        return self._transaction.saw(self._session.get(Company, company_id))

    def archived_flags(self, company_ids: Collection[str]) -> Mapping[str, bool]:
        if not company_ids:
            return {}
        query = select(companies.c.id, companies.c.archived_at.is_not(None)).where(
            companies.c.id.in_(sorted(company_ids))
        )
        return {row[0]: bool(row[1]) for row in self._session.execute(query)}

    def custom_values_in_use(
        self,
        key: str,
        field_type: FieldType,
        values: Collection[CustomValue],
        *,
        excluding: str | None = None,
    ) -> list[CustomValue]:
        return custom_values_in_use(self._session, companies, key, field_type, values, excluding)


_COLUMNS = (
    companies.c.id,
    companies.c.name,
    companies.c.domain,
    companies.c.industry,
    companies.c.size,
    companies.c.address,
    companies.c.custom_fields,
    companies.c.owner_id,
    companies.c.created_at,
    companies.c.updated_at,
    companies.c.archived_at,
    companies.c.version,
)
_SORT_EXPRESSIONS: dict[CompanyOrderField, ColumnElement[Any]] = {
    CompanyOrderField.CREATED_AT: companies.c.created_at,
    CompanyOrderField.UPDATED_AT: companies.c.updated_at,
    CompanyOrderField.NAME: companies.c.sort_name,
}


class SqlCompanyReader(SqlRecordReader[CompanyFilter, CompanyOrderField, CompanyView]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(
            engine, table=companies, columns=_COLUMNS, view=CompanyView, sort_by=_SORT_EXPRESSIONS
        )

    def _filter_conditions(self, where: CompanyFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if where.domain is not None:
            conditions.append(companies.c.domain == where.domain.strip().lower())
        if where.sizes is not None:
            conditions.append(companies.c.size.in_(sorted(where.sizes)))
        return conditions
