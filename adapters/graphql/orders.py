"""Orders in the API: the type, the orders of customers and companies, and the mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from graphql import GraphQLError

from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, customer_node
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    MalformedId,
    Node,
    PageInfo,
    invalid_cursor_error,
    local_id,
    to_global_id,
)
from adapters.graphql.type_names import CUSTOMER, ORDER
from application.orders.bundle import Orders
from application.orders.commands import NewOrder, NewOrderLine
from application.orders.views import OrderView
from application.pagination import Edge as PageEdge

MAX_ORDERS_PAGE = 100


@strawberry.enum(name="OrderStatus")
class OrderStatusValue(Enum):
    PLACED = "placed"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


@strawberry.type(name="OrderLine")
class OrderLineNode:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    total: Decimal


@strawberry.type(name="Order", description="One purchase; amounts are exact decimals.")
class OrderNode(Node):
    external_id: str | None
    placed_at: datetime
    status: OrderStatusValue
    currency: str
    total: Decimal
    refunded: Decimal
    net_total: Decimal
    lines: list[OrderLineNode]
    created_at: datetime
    updated_at: datetime
    version: int
    customer_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: OrderView) -> OrderNode:
        return cls(
            id=strawberry.ID(to_global_id(ORDER, view.id)),
            external_id=view.external_id,
            placed_at=view.placed_at,
            status=OrderStatusValue(view.status),
            currency=view.currency,
            total=view.total,
            refunded=view.refunded,
            net_total=view.net_total,
            lines=[
                OrderLineNode(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    total=line.unit_price * line.quantity,
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


@strawberry.type
class OrderConnection(Connection[OrderNode]):
    customer_id: strawberry.Private[str | None] = None
    company_id: strawberry.Private[str | None] = None

    @strawberry.field(description="How many orders there are in all.")
    async def total_count(self, info: Info) -> int:
        if self.company_id is not None:
            context = info.context
            return context.services.use(Orders).read.count_of_company(
                context.principal, self.company_id
            )
        return await info.context.loaders.order_counts.load(self.customer_id or "") or 0


def _cursor(view: OrderView) -> str:
    return to_global_id("OrderCursor", f"{view.placed_at.isoformat()}|{view.id}")


def _position(cursor: str) -> tuple[datetime, str]:
    placed_at, _, order_id = local_id(cursor, "OrderCursor").partition("|")
    try:
        return datetime.fromisoformat(placed_at), order_id
    except ValueError:
        raise MalformedId(cursor) from None


def _check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_ORDERS_PAGE:
        raise GraphQLError(
            f"first must be between 0 and {MAX_ORDERS_PAGE}",
            extensions={"code": "INVALID", "field": "first"},
        )


def _before(after: str | None) -> tuple[datetime, str] | None:
    try:
        return _position(after) if after is not None else None
    except MalformedId:
        raise invalid_cursor_error() from None


def _connection(
    views: list[OrderView],
    first: int,
    after: str | None,
    *,
    customer_id: str | None = None,
    company_id: str | None = None,
) -> OrderConnection:
    page = views[:first]
    page_info = PageInfo(
        has_next_page=len(views) > first,
        has_previous_page=after is not None,
        start_cursor=_cursor(page[0]) if page else None,
        end_cursor=_cursor(page[-1]) if page else None,
    )
    return OrderConnection.from_edges(
        (PageEdge(view, _cursor) for view in page),
        page_info,
        OrderNode.from_view,
        customer_id=customer_id,
        company_id=company_id,
    )


@strawberry.type
class CustomerOrders:
    """``Customer.orders``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="What the customer bought, newest first.", extensions=[QueryErrors()]
    )
    async def orders(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> OrderConnection:
        # First pages of many customers load together.
        _check_page_size(first)
        context = info.context
        before = _before(after)
        if before is None:
            views = list(await context.loaders.newest_orders.load((self.id_local, first + 1)))
        else:
            views = list(
                context.services.use(Orders).read.of_customer(
                    context.principal, self.id_local, before=before, limit=first + 1
                )
            )
        return _connection(views, first, after, customer_id=self.id_local)


@strawberry.type
class CompanyOrders:
    """``Company.orders``."""

    local_id: strawberry.Private[str]

    @strawberry.field(
        description="What the company's people bought, newest first.", extensions=[QueryErrors()]
    )
    def orders(self, info: Info, first: int = 20, after: str | None = None) -> OrderConnection:
        _check_page_size(first)
        context = info.context
        views = list(
            context.services.use(Orders).read.of_company(
                context.principal, self.local_id, before=_before(after), limit=first + 1
            )
        )
        return _connection(views, first, after, company_id=self.local_id)


def fetch_order(info: Info, order_id: str) -> OrderNode | None:
    context = info.context
    view = context.services.use(Orders).read.get_many(context.principal, [order_id]).get(order_id)
    return OrderNode.from_view(view) if view else None


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description="One order by id; null when there is none.", extensions=[QueryErrors()]
    )
    def order(self, info: Info, id: strawberry.ID) -> OrderNode | None:
        return fetch_order(info, local_id(id, ORDER, field="id"))


@strawberry.input
class OrderLineInput:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@strawberry.input
class RecordOrderInput:
    customer_id: strawberry.ID
    placed_at: datetime
    currency: str
    lines: list[OrderLineInput] = strawberry.field(default_factory=list)
    total: Decimal | None = strawberry.field(
        default=None, description="What was charged; defaults to the sum of the lines."
    )
    paid: bool = False
    external_id: str | None = strawberry.field(
        default=None, description="The order's id in the system it came from; unique."
    )


@strawberry.input
class OrderIdInput:
    id: strawberry.ID


@strawberry.input
class RefundOrderInput:
    id: strawberry.ID
    amount: Decimal
    reason: str = ""


@strawberry.type
class OrderPayload:
    order: OrderNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(description="Record a purchase for a customer.", extensions=[UserErrors()])
    def record_order(self, info: Info, input: RecordOrderInput) -> OrderPayload:
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
        return OrderPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(extensions=[UserErrors()])
    def mark_order_paid(self, info: Info, input: OrderIdInput) -> OrderPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).mark_paid(context.principal, order_id)
        return OrderPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(
        description="Give back part or all of a paid order.", extensions=[UserErrors()]
    )
    def refund_order(self, info: Info, input: RefundOrderInput) -> OrderPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).refund(
            context.principal, order_id, str(input.amount), input.reason
        )
        return OrderPayload(order=OrderNode.from_view(view))

    @strawberry.mutation(extensions=[UserErrors()])
    def cancel_order(self, info: Info, input: OrderIdInput) -> OrderPayload:
        context = info.context
        order_id = local_id(input.id, ORDER, field="id")
        view = context.services.use(Orders).cancel(context.principal, order_id)
        return OrderPayload(order=OrderNode.from_view(view))


PART = SchemaPart(
    queries=(OrderQuery,),
    mutations=(OrderMutation,),
    customer_fields=(CustomerOrders,),
    company_fields=(CompanyOrders,),
    nodes={ORDER: fetch_order},
)
