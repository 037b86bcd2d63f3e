"""Orders in SQL, mapped by hand: money as minor units, lines as a JSON document."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, case, func, select, tuple_, update

from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import customers, orders
from adapters.persistence.tracked_rows import TrackedRows
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.visibility import of_visible_customers, visible_conditions
from application.orders.views import (
    AMOUNT_SCALE,
    CurrencyTotal,
    OrderFacts,
    OrderFilter,
    OrderLineView,
    OrderSort,
    OrderSortField,
    OrderStats,
    OrderView,
    order_stats,
)
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.orders import Currency, Money, Order, OrderLine, OrderStatus
from domain.orders.money import MINOR_UNITS


def order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "external_id": order.external_id,
        "placed_at": order.placed_at,
        "status": order.status.value,
        "currency": order.currency.code,
        "total_minor": order.total.minor_units,
        "refunded_minor": order.refunded.minor_units,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price.amount),
            }
            for line in order.lines
        ],
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
    }


def _order(row: Any) -> Order:
    currency = Currency(row.currency)
    return Order(
        id=row.id,
        customer_id=row.customer_id,
        external_id=row.external_id,
        placed_at=row.placed_at,
        status=OrderStatus(row.status),
        currency=currency,
        lines=tuple(
            OrderLine(
                line["sku"],
                line["name"],
                line["quantity"],
                Money(Decimal(line["unit_price"]), currency),
            )
            for line in row.lines
        ),
        total=Money.from_minor_units(row.total_minor, currency),
        refunded=Money.from_minor_units(row.refunded_minor, currency),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _view(row: Any) -> OrderView:
    scale = Decimal(1).scaleb(-Currency(row.currency).minor_units)
    return OrderView(
        id=row.id,
        customer_id=row.customer_id,
        external_id=row.external_id,
        placed_at=row.placed_at,
        status=row.status,
        currency=row.currency,
        total=Decimal(row.total_minor) * scale,
        refunded=Decimal(row.refunded_minor) * scale,
        lines=tuple(
            OrderLineView(line["sku"], line["name"], line["quantity"], Decimal(line["unit_price"]))
            for line in row.lines
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


class SqlOrderRepository:
    """Orders as rows of their own, written back on flush, version-checked."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session
        self.rows = TrackedRows(transaction, orders, order_row, _order)

    def add(self, order: Order) -> None:
        self.rows.add(order)

    def add_many(self, new_orders: Sequence[Order]) -> None:
        self.rows.add_many(new_orders)

    def get(self, order_id: str) -> Order | None:
        return self.rows.get(order_id)

    def external_ids_in_use(self, external_ids: Collection[str]) -> set[str]:
        found: set[str] = set()
        wanted = list(external_ids)
        # Bounded IN lists: a batch can name tens of thousands of ids.
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            found.update(
                self._session.scalars(
                    select(orders.c.external_id).where(orders.c.external_id.in_(chunk))
                )
            )
        return found

    def reassign(self, from_customer_ids: Collection[str], to_customer_id: str) -> int:
        self.rows.flush()
        result = self._session.execute(
            update(orders)
            .where(orders.c.customer_id.in_(list(from_customer_ids)))
            .values(customer_id=to_customer_id)
        )
        for order in self.rows.seen.values():
            if order.customer_id in from_customer_ids:
                order.customer_id = to_customer_id
        return int(result.rowcount)  # type: ignore[attr-defined]


def _aware(value: datetime | str | None) -> datetime | None:
    """A time out of an aggregate, which some databases answer as text."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sortable_total() -> Any:
    """The total in ten-thousandths of the major unit, as ``sortable_amount`` reckons it."""
    by_units: dict[int, list[str]] = {}
    for code, units in MINOR_UNITS.items():
        if units != 2:
            by_units.setdefault(units, []).append(code)
    scale = case(
        *(
            (orders.c.currency.in_(sorted(codes)), 10 ** (AMOUNT_SCALE - units))
            for units, codes in sorted(by_units.items())
        ),
        else_=10 ** (AMOUNT_SCALE - 2),
    )
    return orders.c.total_minor * scale


def _filtered(query: Any, where: OrderFilter) -> Any:
    if where.company_id is not None:
        query = query.join(customers, customers.c.id == orders.c.customer_id).where(
            customers.c.company_id == where.company_id
        )
    if where.customer_id is not None:
        query = query.where(orders.c.customer_id == where.customer_id)
    if where.statuses is not None:
        query = query.where(orders.c.status.in_(sorted(where.statuses)))
    if where.placed_after is not None:
        query = query.where(orders.c.placed_at >= where.placed_after)
    if where.placed_before is not None:
        query = query.where(orders.c.placed_at < where.placed_before)
    return query


def _of_visible(visible: Visibility) -> list[ColumnElement[bool]]:
    """Orders follow their customer's visibility."""
    return of_visible_customers(visible, orders.c.customer_id)


def _joined_visible(visible: Visibility) -> list[ColumnElement[bool]]:
    """``_of_visible`` for a query that joins the customers already."""
    return visible_conditions(visible, customers.c.owner_id, customers.c.id)


class SqlOrderReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, OrderView]:
        wanted = list(ids)
        if not wanted:
            return {}
        query = select(orders).where(orders.c.id.in_(wanted), *_of_visible(visible))
        with self._engine.connect() as connection:
            rows = connection.execute(query)
            return {row.id: _view(row) for row in rows}

    def of_customer(
        self,
        customer_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        query = select(orders).where(orders.c.customer_id == customer_id, *_of_visible(visible))
        if before is not None:
            query = query.where(
                tuple_(orders.c.placed_at, orders.c.id)
                < tuple_(
                    bindparam(None, before[0], type_=orders.c.placed_at.type),
                    bindparam(None, before[1], type_=orders.c.id.type),
                )
            )
        query = query.order_by(orders.c.placed_at.desc(), orders.c.id.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def newest_of_customers(
        self, customer_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        position = (
            func.row_number()
            .over(
                partition_by=orders.c.customer_id,
                order_by=(orders.c.placed_at.desc(), orders.c.id.desc()),
            )
            .label("position")
        )
        ranked = (
            select(orders, position)
            .where(orders.c.customer_id.in_(list(customer_ids)), *_of_visible(visible))
            .subquery()
        )
        query = (
            select(*(ranked.c[column.name] for column in orders.columns))
            .where(ranked.c.position <= limit)
            .order_by(ranked.c.customer_id, ranked.c.position)
        )
        found: dict[str, list[OrderView]] = {cid: [] for cid in customer_ids}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found[row.customer_id].append(_view(row))
        return found

    def of_company(
        self,
        company_id: str,
        *,
        before: tuple[datetime, str] | None,
        limit: int,
        visible: Visibility,
    ) -> Sequence[OrderView]:
        query = (
            select(orders)
            .join(customers, customers.c.id == orders.c.customer_id)
            .where(customers.c.company_id == company_id, *_joined_visible(visible))
        )
        if before is not None:
            query = query.where(
                tuple_(orders.c.placed_at, orders.c.id)
                < tuple_(
                    bindparam(None, before[0], type_=orders.c.placed_at.type),
                    bindparam(None, before[1], type_=orders.c.id.type),
                )
            )
        query = query.order_by(orders.c.placed_at.desc(), orders.c.id.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def slice(
        self,
        where: OrderFilter,
        order: OrderSort,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[OrderView]:
        sort = _sortable_total() if order.field is OrderSortField.TOTAL else orders.c.placed_at
        descending = order.descending
        query = _filtered(select(orders), where).where(
            *_of_visible(visible),
            *window(sort, orders.c.id, descending=descending, after=after, before=before),
        )
        query = query.order_by(
            *walking_order(sort, orders.c.id, descending=descending, from_end=from_end)
        ).limit(limit)
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def count(self, where: OrderFilter, *, visible: Visibility) -> int:
        query = _filtered(select(func.count()).select_from(orders), where).where(
            *_of_visible(visible)
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def newest_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[OrderView]]:
        position = (
            func.row_number()
            .over(
                partition_by=customers.c.company_id,
                order_by=(orders.c.placed_at.desc(), orders.c.id.desc()),
            )
            .label("position")
        )
        ranked = (
            select(orders, customers.c.company_id.label("company_of"), position)
            .join(customers, customers.c.id == orders.c.customer_id)
            .where(customers.c.company_id.in_(sorted(set(company_ids))), *_joined_visible(visible))
            .subquery()
        )
        query = (
            select(ranked.c.company_of, *(ranked.c[column.name] for column in orders.columns))
            .where(ranked.c.position <= limit)
            .order_by(ranked.c.company_of, ranked.c.position)
        )
        found: dict[str, list[OrderView]] = {company_id: [] for company_id in company_ids}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found[row.company_of].append(_view(row))
        return found

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        query = (
            select(customers.c.company_id, func.count())
            .select_from(orders.join(customers, customers.c.id == orders.c.customer_id))
            .where(customers.c.company_id.in_(sorted(set(company_ids))), *_joined_visible(visible))
            .group_by(customers.c.company_id)
        )
        counts = dict.fromkeys(company_ids, 0)
        with self._engine.connect() as connection:
            counts.update({row[0]: row[1] for row in connection.execute(query)})
        return counts

    def count_of_company(self, company_id: str, *, visible: Visibility) -> int:
        query = (
            select(func.count())
            .select_from(orders.join(customers, customers.c.id == orders.c.customer_id))
            .where(customers.c.company_id == company_id, *_joined_visible(visible))
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def count_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        query = (
            select(orders.c.customer_id, func.count())
            .where(orders.c.customer_id.in_(list(customer_ids)), *_of_visible(visible))
            .group_by(orders.c.customer_id)
        )
        counts = dict.fromkeys(customer_ids, 0)
        with self._engine.connect() as connection:
            counts.update({row[0]: row[1] for row in connection.execute(query)})
        return counts

    def order_facts(self, *, after_customer: str | None, limit: int) -> Sequence[OrderFacts]:
        # By code point, as the keyset is compared in Python and by the other adapters.
        customer: Any = orders.c.customer_id
        if self._engine.dialect.name == "postgresql":
            customer = customer.collate("C")
        last = func.max(case((orders.c.status != OrderStatus.CANCELLED.value, orders.c.placed_at)))
        paid = func.max(case((orders.c.status.in_(["paid", "refunded"]), 1), else_=0))
        query = select(orders.c.customer_id, last, paid).group_by(orders.c.customer_id)
        if after_customer is not None:
            query = query.where(customer > after_customer)
        query = query.order_by(customer).limit(limit)
        with self._engine.connect() as connection:
            return [OrderFacts(row[0], row[1], bool(row[2])) for row in connection.execute(query)]

    def _stats(
        self, key: Any, where: Any, ids: Collection[str], visible: Visibility
    ) -> Mapping[str, OrderStats]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        live = orders.c.status != OrderStatus.CANCELLED.value
        paid = orders.c.status.in_([OrderStatus.PAID.value, OrderStatus.REFUNDED.value])
        query = (
            select(
                key,
                orders.c.currency,
                func.count(case((live, 1))),
                func.min(case((live, orders.c.placed_at))),
                func.max(case((live, orders.c.placed_at))),
                func.count(case((paid, 1))),
                func.coalesce(
                    func.sum(case((paid, orders.c.total_minor - orders.c.refunded_minor))), 0
                ),
            )
            .select_from(orders.join(customers, customers.c.id == orders.c.customer_id))
            .where(where.in_(wanted), *_joined_visible(visible))
            .group_by(key, orders.c.currency)
        )
        groups: dict[str, list[Any]] = {}
        with self._engine.connect() as connection:
            for owner, code, count, first, last, paid_count, net_minor in connection.execute(query):
                net = Decimal(net_minor).scaleb(-Currency(code).minor_units)
                groups.setdefault(owner, []).append(
                    (code, count, _aware(first), _aware(last), paid_count, net)
                )
        return {owner: order_stats(groups.get(owner, ())) for owner in ids}

    def stats_of_customers(
        self, customer_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        return self._stats(orders.c.customer_id, orders.c.customer_id, customer_ids, visible)

    def stats_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, OrderStats]:
        return self._stats(customers.c.company_id, customers.c.company_id, company_ids, visible)

    def totals(self, *, visible: Visibility) -> Sequence[CurrencyTotal]:
        query = (
            select(
                orders.c.currency,
                func.count(),
                func.coalesce(func.sum(orders.c.total_minor), 0),
                func.coalesce(func.sum(orders.c.refunded_minor), 0),
            )
            .where(*_of_visible(visible))
            .group_by(orders.c.currency)
            .order_by(orders.c.currency)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        totals = []
        for code, count, total_minor, refunded_minor in rows:
            scale = Decimal(1).scaleb(-Currency(code).minor_units)
            totals.append(
                CurrencyTotal(
                    code, count, Decimal(total_minor) * scale, Decimal(refunded_minor) * scale
                )
            )
        return totals
