"""The per-request context: the acting principal, the use cases and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from attrs import frozen
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from adapters.graphql.sales_loaders import SalesLoaders
from application.access.bundle import Access
from application.access.ports import UserView
from application.companies.bundle import Companies
from application.companies.views import CompanyView
from application.customers.bundle import Customers
from application.customers.views import CustomerView
from application.lifecycle.bundle import Lifecycle
from application.lifecycle.views import StageView
from application.limits import TokenBuckets
from application.modules import Modules
from application.orders.bundle import Orders
from application.orders.queries import ReadOrders
from application.orders.views import OrderView
from application.pagination import Page
from application.pipeline.bundle import Sales
from application.pipeline.views import OpportunityView
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.ports import SegmentView
from application.tags.bundle import Tags
from application.tags.views import TagView
from application.timeline.bundle import Timeline
from application.timeline.queries import GetTimeline
from domain.pipeline import Pipeline, StageEntry
from domain.segments.rfm import RfmScore
from domain.timeline import TimelineEntry

V = TypeVar("V")
B = TypeVar("B")


@frozen
class Services:
    """Everything the API calls: each module's bundle, handed over by the composition root."""

    modules: Modules
    token_buckets: TokenBuckets
    """Rate limits and query-cost budgets, shared by every request."""

    def use(self, kind: type[B]) -> B:
        """The bundle of one module, e.g. ``services.use(Customers).list``."""
        return self.modules.use(kind)


def _batched(fetch: Callable[[Sequence[str]], Mapping[str, V]]) -> DataLoader[str, V | None]:
    async def load(keys: list[str]) -> list[V | None]:
        found = fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per relation, made per request so nothing leaks between principals."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self.customers: DataLoader[str, CustomerView | None] = _batched(
            lambda ids: services.use(Customers).get(principal, ids)
        )
        self.users: DataLoader[str, UserView | None] = _batched(services.use(Access).users.get_many)
        orders = services.use(Orders).read
        self.order_counts: DataLoader[str, int | None] = _batched(
            lambda ids: orders.count_of_customers(principal, ids)
        )
        self.newest_orders: DataLoader[tuple[str, int], Sequence[OrderView]] = DataLoader(
            load_fn=lambda keys: _newest_orders(orders, principal, keys)
        )
        timeline = services.use(Timeline).get
        self.timeline_pages: DataLoader[
            tuple[str, int | None, tuple[str, ...]], Page[TimelineEntry]
        ] = DataLoader(load_fn=lambda keys: _first_timeline_pages(timeline, principal, keys))
        self.companies: DataLoader[str, CompanyView | None] = _batched(
            lambda ids: services.use(Companies).get(principal, ids)
        )
        tags = services.use(Tags).get
        self.customer_tags: DataLoader[str, Sequence[TagView] | None] = _batched(
            lambda ids: tags.of_customers(principal, ids)
        )
        self.lifecycle_stages: DataLoader[str, Sequence[StageView] | None] = _batched(
            lambda ids: services.use(Lifecycle).read.stages_of(principal, ids)
        )
        segments = services.use(Segments).read
        self.customer_segments: DataLoader[str, Sequence[SegmentView] | None] = _batched(
            lambda ids: segments.segments_of(principal, ids)
        )
        self.customer_rfm: DataLoader[str, RfmScore | None] = _batched(
            lambda ids: segments.rfm_of(principal, ids)
        )
        sales = services.use(Sales)
        self.opportunities: DataLoader[str, OpportunityView | None] = _batched(
            lambda ids: sales.read_pipeline.get_many(principal, ids)
        )
        self.stage_histories: DataLoader[str, Sequence[StageEntry] | None] = _batched(
            lambda ids: sales.read_pipeline.history(principal, ids)
        )
        self.sales = SalesLoaders(sales, principal)
        """Pages and counts of deals, leads and tasks of many customers or columns at once."""
        self._sales = sales
        self._principal = principal
        self._pipelines: dict[str, Pipeline] | None = None

    def pipelines(self) -> dict[str, Pipeline]:
        """Every pipeline by id, read once per request."""
        if self._pipelines is None:
            found = self._sales.read_pipeline.pipelines(self._principal)
            self._pipelines = {pipeline.id: pipeline for pipeline in found}
        return self._pipelines


async def _first_timeline_pages(
    timeline: GetTimeline,
    principal: Principal,
    keys: list[tuple[str, int | None, tuple[str, ...]]],
) -> list[Page[TimelineEntry]]:
    """One query per page size and kind filter asked for, however many customers ask."""
    groups: dict[tuple[int | None, tuple[str, ...]], list[str]] = {}
    for customer_id, first, kinds in keys:
        groups.setdefault((first, kinds), []).append(customer_id)
    found = {
        (customer_id, first, kinds): page
        for (first, kinds), ids in groups.items()
        for customer_id, page in timeline.first_pages(
            principal, ids, kinds=kinds, first=first
        ).items()
    }
    return [found[key] for key in keys]


async def _newest_orders(
    orders: ReadOrders, principal: Principal, keys: list[tuple[str, int]]
) -> list[Sequence[OrderView]]:
    """One query per page size asked for, however many customers ask."""
    by_limit: dict[int, list[str]] = {}
    for customer_id, limit in keys:
        by_limit.setdefault(limit, []).append(customer_id)
    found = {
        (customer_id, limit): views
        for limit, ids in by_limit.items()
        for customer_id, views in orders.newest_of_customers(principal, ids, limit).items()
    }
    return [found.get(key, ()) for key in keys]


class Context:
    def __init__(self, services: Services, principal: Principal | None) -> None:
        self.services = services
        self._principal = principal
        self._loaders: Loaders | None = None
        self.connection_params: object = None
        """The graphql-transport-ws ``connection_init`` payload, on websockets."""
        self.retry_after: int | None = None
        """Seconds until the key's query budget covers a query it refused."""

    def sign_in(self, principal: Principal) -> None:
        """A websocket authenticated by its ``connection_init`` payload."""
        self._principal = principal

    @property
    def signed_in(self) -> bool:
        return self._principal is not None

    @property
    def principal(self) -> Principal:
        # Only the GraphiQL page itself is served without a key; no resolver ever is.
        if self._principal is None:
            raise GraphQLError("authentication required", extensions={"code": "UNAUTHENTICATED"})
        return self._principal

    def renew_loaders(self) -> None:
        """Fresh DataLoaders from now on: a subscription renews them for each delivery, so
        nothing it resolves comes from what an earlier delivery loaded."""
        self._loaders = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.services, self.principal)
        return self._loaders


Info = StrawberryInfo[Context, None]
