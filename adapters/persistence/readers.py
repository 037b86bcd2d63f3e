"""Read-side queries in SQLAlchemy Core, returning frozen read models."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, String, and_, func, select, type_coerce

from adapters.persistence.record_readers import SqlRecordReader
from adapters.persistence.tables import (
    customer_external_ids,
    customer_stages,
    customer_tags,
    customers,
    segment_members,
    users,
)
from adapters.persistence.visibility import visible_conditions
from application.access.ports import UserView
from application.customers.views import (
    CustomerFilter,
    CustomerOrderField,
    CustomerView,
)
from domain.access.visibility import Visibility

_CUSTOMER_COLUMNS = (
    customers.c.id,
    customers.c.first_name,
    customers.c.last_name,
    # Read models carry plain strings; skip building value objects only to unwrap them.
    type_coerce(customers.c.email, String()).label("email"),
    type_coerce(customers.c.phone, String()).label("phone"),
    customers.c.custom_fields,
    customers.c.owner_id,
    customers.c.created_at,
    customers.c.updated_at,
    customers.c.archived_at,
    customers.c.version,
    customers.c.company_id,
    customers.c.merged_into,
)
_SORT_EXPRESSIONS: dict[CustomerOrderField, ColumnElement[Any]] = {
    CustomerOrderField.CREATED_AT: customers.c.created_at,
    CustomerOrderField.UPDATED_AT: customers.c.updated_at,
    CustomerOrderField.NAME: customers.c.sort_name,
    CustomerOrderField.EMAIL: func.coalesce(customers.c.email, ""),
}


class SqlCustomerReader(SqlRecordReader[CustomerFilter, CustomerOrderField, CustomerView]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(
            engine,
            table=customers,
            columns=_CUSTOMER_COLUMNS,
            view=CustomerView,
            sort_by=_SORT_EXPRESSIONS,
        )

    def external_ids_of(
        self, ids: Iterable[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[str]]:
        table = customer_external_ids
        wanted = list(ids)
        if not visible.unrestricted:
            wanted = list(self.get_many(wanted, visible=visible))
        query = (
            select(table.c.customer_id, table.c.source, table.c.external_id)
            .where(table.c.customer_id.in_(wanted))
            .order_by(table.c.customer_id, table.c.source, table.c.external_id)
        )
        found: dict[str, list[str]] = {}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found.setdefault(row.customer_id, []).append(f"{row.source}:{row.external_id}")
        return found

    def first_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[CustomerView]]:
        found: dict[str, list[CustomerView]] = {company_id: [] for company_id in company_ids}
        if not found:
            return found
        c = customers.c
        # CustomerOrder(): oldest first, ties by id, as ``slice`` walks it.
        position = (
            func.row_number()
            .over(partition_by=c.company_id, order_by=(c.created_at, c.id))
            .label("position_in_company")
        )
        ranked = (
            select(*_CUSTOMER_COLUMNS, position)
            .where(
                *self._conditions(CustomerFilter()),
                *self._visible(visible),
                c.company_id.in_(sorted(found)),
            )
            .subquery()
        )
        query = (
            select(*(ranked.c[column.name] for column in _CUSTOMER_COLUMNS))
            .where(ranked.c.position_in_company <= limit)
            .order_by(ranked.c.company_id, ranked.c.position_in_company)
        )
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                view = CustomerView(*row)
                found[view.company_id or ""].append(view)
        return found

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        found = dict.fromkeys(company_ids, 0)
        if not found:
            return found
        c = customers.c
        query = (
            select(c.company_id, func.count())
            .where(
                *self._conditions(CustomerFilter()),
                *self._visible(visible),
                c.company_id.in_(sorted(found)),
            )
            .group_by(c.company_id)
        )
        with self._engine.connect() as connection:
            found.update(
                {company_id: int(count) for company_id, count in connection.execute(query)}
            )
        return found

    def duplicate_pairs(self, *, visible: Visibility) -> Sequence[tuple[str, str, str]]:
        pairs: list[tuple[str, str, str]] = []
        with self._engine.connect() as connection:
            for reason, column in (("email", "email_key"), ("phone", "phone")):
                a, b = customers.alias("a"), customers.alias("b")
                query = (
                    select(a.c.id, b.c.id)
                    .join_from(a, b, and_(a.c[column] == b.c[column], a.c.id < b.c.id))
                    .where(
                        a.c.archived_at.is_(None),
                        b.c.archived_at.is_(None),
                        *visible_conditions(visible, a.c.owner_id, a.c.id),
                        *visible_conditions(visible, b.c.owner_id, b.c.id),
                    )
                )
                pairs.extend((row[0], row[1], reason) for row in connection.execute(query))
        return pairs

    def ids_matching(self, where: CustomerFilter, *, visible: Visibility) -> set[str]:
        query = select(customers.c.id).where(*self._conditions(where), *self._visible(visible))
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def _filter_conditions(self, where: CustomerFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if where.email is not None:
            conditions.append(customers.c.email == where.email.strip().lower())
        if where.created_after is not None:
            conditions.append(customers.c.created_at >= where.created_after)
        if where.created_before is not None:
            conditions.append(customers.c.created_at < where.created_before)
        if where.tag_ids is not None:
            tagged = select(customer_tags.c.customer_id).where(
                customer_tags.c.tag_id.in_(sorted(where.tag_ids))
            )
            conditions.append(customers.c.id.in_(tagged))
        if where.company_ids is not None:
            conditions.append(customers.c.company_id.in_(sorted(where.company_ids)))
        if where.segment_ids is not None:
            members = select(segment_members.c.customer_id).where(
                segment_members.c.segment_id.in_(sorted(where.segment_ids))
            )
            conditions.append(customers.c.id.in_(members))
        if where.lifecycle_stage is not None:
            at_stage = select(customer_stages.c.customer_id).where(
                customer_stages.c.track == where.lifecycle_stage.track,
                customer_stages.c.stage == where.lifecycle_stage.stage,
            )
            conditions.append(customers.c.id.in_(at_stage))
        return conditions


class SqlUserReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, ids: Iterable[str]) -> Mapping[str, UserView]:
        wanted = list(ids)
        if not wanted:
            return {}
        query = select(users).where(users.c.id.in_(wanted))
        with self._engine.connect() as connection:
            return {
                row.id: UserView(
                    row.id,
                    row.name,
                    row.email.value,
                    row.role,
                    row.created_at,
                    row.deactivated_at is None,
                    row.team_id,
                    row.manager_id,
                )
                for row in connection.execute(query)
            }
