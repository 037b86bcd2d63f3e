"""Companies in SQL: the repository of a unit of work, and the Core reader."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, func, select

from adapters.persistence.custom_field_sql import CustomFieldSql
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.repositories import custom_values_in_use
from adapters.persistence.tables import companies
from adapters.persistence.transaction import SqlTransaction
from application.companies.views import (
    CompanyFilter,
    CompanyOrder,
    CompanyOrderField,
    CompanyView,
)
from application.pagination import SortKey
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
_BY_IDS = select(*_COLUMNS).where(companies.c.id.in_(bindparam("ids", expanding=True)))
_SORT_EXPRESSIONS: dict[CompanyOrderField, ColumnElement[Any]] = {
    CompanyOrderField.CREATED_AT: companies.c.created_at,
    CompanyOrderField.UPDATED_AT: companies.c.updated_at,
    CompanyOrderField.NAME: companies.c.sort_name,
}


def _view(row: Any) -> CompanyView:
    # The columns are selected in the view's field order.
    return CompanyView(*row)


class SqlCompanyReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._fields = CustomFieldSql(engine.dialect.name)

    def get_many(self, ids: Iterable[str]) -> Mapping[str, CompanyView]:
        wanted = list(ids)
        if not wanted:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(_BY_IDS, {"ids": wanted})
            return {row.id: _view(row) for row in rows}

    def count(self, where: CompanyFilter) -> int:
        query = select(func.count()).select_from(companies).where(*self._conditions(where))
        with self._engine.connect() as connection:
            return connection.execute(query).scalar_one()

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
        custom = order.custom_field
        conditions = self._conditions(where)
        if custom is not None and custom.field_type is not None:
            field_type = custom.field_type
            sort = self._fields.value(companies.c.custom_fields, custom.key, field_type)
            conditions += window(
                sort,
                companies.c.id,
                descending=order.descending,
                after=after,
                before=before,
                after_value=self._fields.operand(field_type, after.value) if after else None,
                before_value=(self._fields.operand(field_type, before.value) if before else None),
                nullable=True,
            )
        else:
            sort = _SORT_EXPRESSIONS[order.field]
            conditions += window(
                sort, companies.c.id, descending=order.descending, after=after, before=before
            )
        ordering = walking_order(
            sort,
            companies.c.id,
            descending=order.descending,
            from_end=from_end,
            nullable=custom is not None,
        )
        query = select(*_COLUMNS).where(*conditions).order_by(*ordering).limit(limit)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def _conditions(self, where: CompanyFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if not where.include_archived:
            conditions.append(companies.c.archived_at.is_(None))
        if where.domain is not None:
            conditions.append(companies.c.domain == where.domain.strip().lower())
        if where.owner_ids is not None:
            conditions.append(companies.c.owner_id.in_(sorted(where.owner_ids)))
        if where.sizes is not None:
            conditions.append(companies.c.size.in_(sorted(where.sizes)))
        if where.search:
            conditions.append(
                companies.c.search_text.contains(where.search.casefold(), autoescape=True)
            )
        for condition in where.custom_fields:
            conditions.append(self._fields.condition(companies.c.custom_fields, condition))
        return conditions
