"""Orders in the API: the type, the orders of customers and companies, their summaries, and
the mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, customer_node
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.money import CurrencyCode, Money
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, OrderDirection, local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER, ORDER
from application.orders.bundle import Orders
from application.orders.commands import NewOrder, NewOrderLine
from application.orders.views import (
    OrderFilter,
    OrderSort,
    OrderSortField,
    OrderStats,
    OrderView,
)
from application.pagination import Page, PageRequest, build_page, encode_cursor
from domain.orders import Currency


@strawberry.enum(name="OrderStatus", description="Where an order stands.")
class OrderStatusValue(Enum):
    PLACED = strawberry.enum_value("placed", description="Recorded, not paid yet.")
    PAID = strawberry.enum_value(
        "paid", description="Paid; part of it may have been refunded since."
    )
    REFUNDED = strawberry.enum_value("refunded", description="Everything paid was given back.")
    CANCELLED = strawberry.enum_value("cancelled", description="Cancelled before it was paid.")


def _money(amount: Decimal, currency: str) -> Money:
    return Money.in_currency(amount, currency)


@strawberry.type(name="OrderLine", description="One product of an order.")
class OrderLineNode:
    sku: str = strawberry.field(description="The product's stock keeping unit.")
    name: str = strawberry.field(description="The product's name as it was sold.")
    quantity: int = strawberry.field(description="How many were bought.")
    unit_price: Money = strawberry.field(description="The price of one.")
    total: Money = strawberry.field(description="The unit price times the quantity.")


@strawberry.type(name="Order", description="One purchase by a customer; amounts are exact.")
class OrderNode(Node):
    external_id: str | None = strawberry.field(
        description="The order's id in the system it came from; unique."
    )
    placed_at: datetime = strawberry.field(description="When the customer placed it.")
    status: OrderStatusValue = strawberry.field(description="Where the order stands.")
    total: Money = strawberry.field(description="What the customer was charged.")
    refunded: Money = strawberry.field(description="What was given back; zero when nothing was.")
    net_total: Money = strawberry.field(description="The total minus what was refunded.")
    lines: list[OrderLineNode] = strawberry.field(description="What was bought, in order.")
    created_at: datetime = strawberry.field(description="When it was recorded in Rapport.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    version: int = strawberry.field(description="Grows with every change of the order.")
    customer_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: OrderView) -> OrderNode:
        currency = view.currency
        return cls(
            id=strawberry.ID(to_global_id(ORDER, view.id)),
            external_id=view.external_id,
            placed_at=view.placed_at,
            status=OrderStatusValue(view.status),
            total=_money(view.total, currency),
            refunded=_money(view.refunded, currency),
            net_total=_money(view.net_total, currency),
            lines=[
                OrderLineNode(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=_money(line.unit_price, currency),
                    total=_money(line.unit_price * line.quantity, currency),
                )
                for line in view.lines
            ],
            created_at=view.created_at,
            updated_at=view.updated_at,
            version=view.version,
            customer_id=view.customer_id,
        )

    @strawberry.field(description="Who placed the order.")
    async def customer(self, info: Info) -> Customer | None:
        view = await info.context.loaders.customers.load(self.customer_id)
        return customer_node(view) if view else None


# --- lists of orders ------------------------------------------------------------------


@strawberry.type(name="OrderConnection", description="A page of orders.")
class OrderConnection(Connection[OrderNode]):
    where: strawberry.Private[OrderFilter]
    batched: strawberry.Private[bool] = False

    @strawberry.field(
        description="How many orders match the filter, across all pages.",
        extensions=[QueryErrors()],
    )
    async def total_count(self, info: Info) -> int:
        context = info.context
        if self.batched and self.where.customer_id is not None:
            return await context.loaders.order_counts.load(self.where.customer_id) or 0
        if self.batched and self.where.company_id is not None:
            loader = context.loaders.batch(
                "orders.company_counts",
                lambda ids: context.services.use(Orders).read.count_of_companies(
                    context.principal, ids
                ),
            )
            return await loader.load(self.where.company_id) or 0
        return context.services.use(Orders).read.count(context.principal, self.where)


@strawberry.enum(name="OrderOrderField", description="What a list of orders is ordered by.")
class OrderOrderField(Enum):
    PLACED_AT = strawberry.enum_value(OrderSortField.PLACED_AT, description="When placed.")
    TOTAL = strawberry.enum_value(
        OrderSortField.TOTAL,
        description="The total's amount; amounts of different currencies compare as numbers.",
    )


@strawberry.input(name="OrderOrder", description="How a list of orders is ordered.")
class OrderOrderInput:
    field: OrderOrderField = strawberry.field(
        default=OrderOrderField.PLACED_AT, description="What to order by; ties go by id."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Newest or largest first by default."
    )

    def to_sort(self) -> OrderSort:
        return OrderSort(
            OrderSortField(enum_value(self.field)), self.direction is OrderDirection.DESC
        )


@strawberry.input(name="OrderFilter", description="Conditions on orders that must all hold.")
class OrderFilterInput:
    statuses: list[OrderStatusValue] | None = strawberry.field(
        default=None, description="Orders in any of these statuses."
    )
    placed_after: datetime | None = strawberry.field(
        default=None, description="Orders placed at or after this instant."
    )
    placed_before: datetime | None = strawberry.field(
        default=None, description="Orders placed before this instant."
    )

    def to_filter(self, **owner: str) -> OrderFilter:
        return OrderFilter(
            statuses=frozenset(enum_value(s) for s in self.statuses) if self.statuses else None,
            placed_after=self.placed_after,
            placed_before=self.placed_before,
            **owner,
        )


_NEWEST_FIRST = OrderSort()


def _first_page(views: list[OrderView], first: int | None) -> Page[OrderView]:
    request = PageRequest(first=first)
    return build_page(
        request,
        views,
        request.size,
        lambda view: encode_cursor(_NEWEST_FIRST.name, _NEWEST_FIRST.key_of(view)),
    )


FirstArgument = Annotated[
    int | None, strawberry.argument(description="At most 100 orders; 20 by default.")
]
AfterArgument = Annotated[
    str | None, strawberry.argument(description="The cursor to page forward from.")
]
LastArgument = Annotated[
    int | None, strawberry.argument(description="The last orders, at most 100.")
]
BeforeArgument = Annotated[
    str | None, strawberry.argument(description="The cursor to page backward from.")
]
FilterArgument = Annotated[
    OrderFilterInput | None, strawberry.argument(description="Only the orders that match.")
]
OrderByArgument = Annotated[
    OrderOrderInput | None,
    strawberry.argument(description="How to order them; newest first by default."),
]


def list_orders(
    info: Info, where: OrderFilter, order: OrderSort, request: PageRequest
) -> OrderConnection:
    context = info.context
    page = context.services.use(Orders).read.page(context.principal, where, order, request)
    return OrderConnection.from_page(page, OrderNode.from_view, where=where)


@strawberry.type
class CustomerOrders:
    """``Customer.orders`` and ``Customer.orderStats``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="What the customer bought, newest first unless orderBy says otherwise.",
        extensions=[QueryErrors()],
    )
    async def orders(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: FilterArgument = None,
        order_by: OrderByArgument = None,
    ) -> OrderConnection:
        order = order_by.to_sort() if order_by else _NEWEST_FIRST
        if (
            filter is None
            and order == _NEWEST_FIRST
            and (after, last, before) == (None, None, None)
        ):
            # First pages of many customers load together, and so do their counts.
            size = PageRequest(first=first).size
            views = await info.context.loaders.newest_orders.load((self.id_local, size + 1))
            return OrderConnection.from_page(
                _first_page(list(views), first),
                OrderNode.from_view,
                where=OrderFilter(customer_id=self.id_local),
                batched=True,
            )
        where = (filter or OrderFilterInput()).to_filter(customer_id=self.id_local)
        return list_orders(info, where, order, PageRequest(first, after, last, before))

    @strawberry.field(
        description="A summary of the customer's orders, loaded with the rest of a list.",
        extensions=[QueryErrors()],
    )
    async def order_stats(self, info: Info) -> OrderStatsNode:
        context = info.context
        loader = context.loaders.batch(
            "orders.customer_stats",
            lambda ids: context.services.use(Orders).read.stats_of_customers(
                context.principal, ids
            ),
        )
        return OrderStatsNode.from_stats(await loader.load(self.id_local) or OrderStats())


@strawberry.type
class CompanyOrders:
    """``Company.orders`` and ``Company.orderStats``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="What the company's people bought, newest first unless orderBy says otherwise.",
        extensions=[QueryErrors()],
    )
    async def orders(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
        filter: FilterArgument = None,
        order_by: OrderByArgument = None,
    ) -> OrderConnection:
        order = order_by.to_sort() if order_by else _NEWEST_FIRST
        if (
            filter is None
            and order == _NEWEST_FIRST
            and (after, last, before) == (None, None, None)
        ):
            # First pages of many companies load together, and so do their counts.
            context = info.context
            limit = PageRequest(first=first).size + 1
            loader = context.loaders.batch(
                f"orders.company_newest.{limit}",
                lambda ids: context.services.use(Orders).read.newest_of_companies(
                    context.principal, ids, limit
                ),
            )
            views = await loader.load(self.local_id) or ()
            return OrderConnection.from_page(
                _first_page(list(views), first),
                OrderNode.from_view,
                where=OrderFilter(company_id=self.local_id),
                batched=True,
            )
        where = (filter or OrderFilterInput()).to_filter(company_id=self.local_id)
        return list_orders(info, where, order, PageRequest(first, after, last, before))

    @strawberry.field(
        description="A summary of the orders of the company's people together, loaded with "
        "the rest of a list.",
        extensions=[QueryErrors()],
    )
    async def order_stats(self, info: Info) -> OrderStatsNode:
        context = info.context
        loader = context.loaders.batch(
            "orders.company_stats",
            lambda ids: context.services.use(Orders).read.stats_of_companies(
                context.principal, ids
            ),
        )
        return OrderStatsNode.from_stats(await loader.load(self.local_id) or OrderStats())


@strawberry.type(
    name="OrderStats",
    description="A summary of orders. Cancelled orders do not count; an order counts as "
    "revenue once paid (status PAID, or REFUNDED since). Sums are per currency and are "
    "never converted.",
)
class OrderStatsNode:
    order_count: int = strawberry.field(description="Orders not cancelled, paid or not.")
    paid_order_count: int = strawberry.field(
        description="Orders paid at some point (PAID or REFUNDED), in every currency."
    )
    lifetime_revenue: list[Money] = strawberry.field(
        description="Per currency with paid orders, by currency code: the totals of the "
        "paid orders (PAID or REFUNDED) minus everything refunded on them. Orders not paid "
        "yet and cancelled orders add nothing."
    )
    average_order_value: list[Money] = strawberry.field(
        description="Per currency, lifetimeRevenue divided by the paid orders in that "
        "currency, rounded half to even to the currency's minor unit."
    )
    first_order_at: datetime | None = strawberry.field(
        description="When the oldest order not cancelled was placed; null without orders."
    )
    last_order_at: datetime | None = strawberry.field(
        description="When the newest order not cancelled was placed; null without orders."
    )

    @classmethod
    def from_stats(cls, stats: OrderStats) -> OrderStatsNode:
        return cls(
            order_count=stats.orders,
            paid_order_count=sum(r.paid_orders for r in stats.revenue),
            lifetime_revenue=[
                Money.in_currency(r.revenue.quantize(Currency(r.currency).quantum), r.currency)
                for r in stats.revenue
            ],
            average_order_value=[Money.in_currency(r.average, r.currency) for r in stats.revenue],
            first_order_at=stats.first_order_at,
            last_order_at=stats.last_order_at,
        )


def fetch_order(info: Info, order_id: str) -> OrderNode | None:
    context = info.context
    view = context.services.use(Orders).read.get_many(context.principal, [order_id]).get(order_id)
    return OrderNode.from_view(view) if view else None


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description="One order by id; null when there is none.", extensions=[QueryErrors()]
    )
    def order(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's global id.")],
    ) -> OrderNode | None:
        return fetch_order(info, local_id(id, ORDER, field="id"))


# --- changing orders ------------------------------------------------------------------


@strawberry.input(description="One product of a new order.")
class OrderLineInput:
    sku: str = strawberry.field(description="The product's stock keeping unit.")
    name: str = strawberry.field(description="The product's name as it was sold.")
    quantity: int = strawberry.field(description="How many; at least 1.")
    unit_price: Decimal = strawberry.field(
        description="The price of one, in the order's currency, with at most its decimals."
    )


@strawberry.input(description="A purchase to record.")
class RecordOrderInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer who bought.")
    placed_at: datetime = strawberry.field(description="When the customer placed it.")
    currency: CurrencyCode = strawberry.field(description="The currency of every amount.")
    lines: list[OrderLineInput] = strawberry.field(
        default_factory=list, description="What was bought."
    )
    total: Decimal | None = strawberry.field(
        default=None, description="What was charged; defaults to the sum of the lines."
    )
    paid: bool = strawberry.field(default=False, description="True when it is paid already.")
    external_id: str | None = strawberry.field(
        default=None, description="The order's id in the system it came from; unique."
    )


@strawberry.input(description="The order to mark paid.")
class MarkOrderPaidInput:
    id: strawberry.ID = strawberry.field(description="The order's global id; it must be PLACED.")


@strawberry.input(description="What to give back of a paid order.")
class RefundOrderInput:
    id: strawberry.ID = strawberry.field(description="The order's global id; it must be PAID.")
    amount: Decimal = strawberry.field(
        description="How much to give back, in the order's currency; at most what is left."
    )
    reason: str = strawberry.field(default="", description="Why; at most 500 characters.")


@strawberry.input(description="The order to cancel.")
class CancelOrderInput:
    id: strawberry.ID = strawberry.field(description="The order's global id; it must be PLACED.")


@strawberry.type(description="The result of recordOrder.")
class RecordOrderPayload:
    order: OrderNode | None = strawberry.field(
        default=None, description="The order recorded; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of markOrderPaid.")
class MarkOrderPaidPayload:
    order: OrderNode | None = strawberry.field(
        default=None, description="The order, now PAID; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of refundOrder.")
class RefundOrderPayload:
    order: OrderNode | None = strawberry.field(
        default=None, description="The order with the refund; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of cancelOrder.")
class CancelOrderPayload:
    order: OrderNode | None = strawberry.field(
        default=None, description="The order, now CANCELLED; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type
class OrderMutation:
    @strawberry.mutation(description="Record a purchase for a customer.", extensions=[UserErrors()])
    def record_order(
        self,
        info: Info,
        input: Annotated[RecordOrderInput, strawberry.argument(description="The purchase.")],
    ) -> RecordOrderPayload:
        context = info.context
        customer_id = local_id(input.customer_id, CUSTOMER, field="customerId")
        new = NewOrder(
            customer_id=customer_id,
            placed_at=input.placed_at,
            currency=input.currency,
            lines=[
                NewOrderLine(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=str(line.unit_price),
                )
                for line in input.lines
            ],
            total=str(input.total) if input.total is not None else None,
            paid=input.paid,
            external_id=input.external_id,
        )
        view = context.services.use(Orders).record(context.principal, new)
        return RecordOrderPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(description="Mark a placed order paid.", extensions=[UserErrors()])
    def mark_order_paid(
        self,
        info: Info,
        input: Annotated[MarkOrderPaidInput, strawberry.argument(description="The order.")],
    ) -> MarkOrderPaidPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).mark_paid(context.principal, order_id)
        return MarkOrderPaidPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(
        description="Give back part or all of a paid order.", extensions=[UserErrors()]
    )
    def refund_order(
        self,
        info: Info,
        input: Annotated[RefundOrderInput, strawberry.argument(description="The refund.")],
    ) -> RefundOrderPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).refund(
            context.principal, order_id, str(input.amount), input.reason
        )
        return RefundOrderPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(
        description="Cancel an order that is not paid yet.", extensions=[UserErrors()]
    )
    def cancel_order(
        self,
        info: Info,
        input: Annotated[CancelOrderInput, strawberry.argument(description="The order.")],
    ) -> CancelOrderPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).cancel(context.principal, order_id)
        return CancelOrderPayload(order=OrderNode.from_view(view))


PART = SchemaPart(
    queries=(OrderQuery,),
    mutations=(OrderMutation,),
    customer_fields=(CustomerOrders,),
    company_fields=(CompanyOrders,),
    nodes={ORDER: fetch_order},
)
