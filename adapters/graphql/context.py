"""The per-request context: the acting principal, the use cases and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

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
from application.segments.ports import SegmentView, SizePoint
from application.tags.bundle import Tags
from application.tags.conditions import AutoTagRule
from application.tags.views import TagView
from application.timeline.bundle import Timeline
from application.timeline.ports import TimelineWindow
from application.timeline.queries import GetTimeline
from domain.lifecycle import LifecycleCatalogue, StageChange
from domain.pipeline import Pipeline, StageEntry
from domain.segments.rfm import RfmScore
from domain.tags import TagChange
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
            tuple[str, int | None, TimelineWindow], Page[TimelineEntry]
        ] = DataLoader(load_fn=lambda keys: _first_timeline_pages(timeline, principal, keys))
        self.timeline_counts: DataLoader[tuple[str, TimelineWindow], int] = DataLoader(
            load_fn=lambda keys: _timeline_counts(timeline, principal, keys)
        )
        self._batches: dict[str, DataLoader[Any, Any]] = {}
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
        self.segment_member_pages: DataLoader[tuple[str, int | None], Page[str]] = DataLoader(
            load_fn=lambda keys: _first_pages(
                lambda ids, first: segments.first_member_pages(principal, ids, first), keys
            )
        )
        self.segment_member_counts: DataLoader[str, int | None] = _batched(
            lambda ids: segments.member_counts(principal, ids)
        )
        self.segment_sizes: DataLoader[str, Sequence[SizePoint] | None] = _batched(
            lambda ids: segments.size_histories(principal, ids)
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
        get_tags = services.use(Tags).get
        self.tags: DataLoader[str, TagView | None] = _batched(lambda ids: get_tags(principal, ids))
        rules = services.use(Tags).list_rules
        self.auto_tag_rules: DataLoader[str, AutoTagRule | None] = _batched(
            lambda ids: rules.get_many(principal, ids)
        )
        self.tag_history_pages: DataLoader[tuple[str, int | None], Page[TagChange]] = DataLoader(
            load_fn=lambda keys: _first_pages(
                lambda ids, first: get_tags.first_history_pages(principal, ids, first), keys
            )
        )
        lifecycle = services.use(Lifecycle).read
        self.stage_history_pages: DataLoader[tuple[str, int | None], Page[StageChange]] = (
            DataLoader(
                load_fn=lambda keys: _first_pages(
                    lambda ids, first: lifecycle.first_history_pages(principal, ids, first), keys
                )
            )
        )
        self.tag_history_counts: DataLoader[str, int | None] = _batched(
            lambda ids: get_tags.history_counts(principal, ids)
        )
        self.stage_history_counts: DataLoader[str, int | None] = _batched(
            lambda ids: lifecycle.history_counts(principal, ids)
        )
        self._lifecycle = lifecycle
        self._catalogue: LifecycleCatalogue | None = None

    def lifecycle_catalogue(self) -> LifecycleCatalogue:
        """The lifecycle tracks and rules, read once per request (for stage labels)."""
        if self._catalogue is None:
            self._catalogue = self._lifecycle.tracks(self._principal)
        return self._catalogue

    def batch(
        self, name: str, fetch: Callable[[Sequence[str]], Mapping[str, V]]
    ) -> DataLoader[str, V | None]:
        """A DataLoader a feature module makes for itself, by a name unique to it, made once
        per request: ``fetch`` gets every key asked for in one tick."""
        if name not in self._batches:
            self._batches[name] = _batched(fetch)
        loader: DataLoader[str, V | None] = self._batches[name]
        return loader

    def pipelines(self) -> dict[str, Pipeline]:
        """Every pipeline by id, read once per request."""
        if self._pipelines is None:
            found = self._sales.read_pipeline.pipelines(self._principal)
            self._pipelines = {pipeline.id: pipeline for pipeline in found}
        return self._pipelines


async def _first_pages(
    fetch: Callable[[list[str], int | None], Mapping[str, Page[V]]],
    keys: list[tuple[str, int | None]],
) -> list[Page[V]]:
    """One query per page size asked for, however many customers ask."""
    groups: dict[int | None, list[str]] = {}
    for customer_id, first in keys:
        groups.setdefault(first, []).append(customer_id)
    found = {
        (customer_id, first): page
        for first, ids in groups.items()
        for customer_id, page in fetch(ids, first).items()
    }
    return [found[key] for key in keys]


async def _first_timeline_pages(
    timeline: GetTimeline,
    principal: Principal,
    keys: list[tuple[str, int | None, TimelineWindow]],
) -> list[Page[TimelineEntry]]:
    """One query per page size and window asked for, however many customers ask."""
    groups: dict[tuple[int | None, TimelineWindow], list[str]] = {}
    for customer_id, first, window in keys:
        groups.setdefault((first, window), []).append(customer_id)
    found = {
        (customer_id, first, window): page
        for (first, window), ids in groups.items()
        for customer_id, page in timeline.first_pages(
            principal, ids, first=first, window=window
        ).items()
    }
    return [found[key] for key in keys]


async def _timeline_counts(
    timeline: GetTimeline, principal: Principal, keys: list[tuple[str, TimelineWindow]]
) -> list[int]:
    """One count query per window asked for, however many customers ask."""
    groups: dict[TimelineWindow, list[str]] = {}
    for customer_id, window in keys:
        groups.setdefault(window, []).append(customer_id)
    found = {
        (customer_id, window): count
        for window, ids in groups.items()
        for customer_id, count in timeline.counts(principal, ids, window).items()
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
