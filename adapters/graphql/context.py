"""The per-request context: the acting principal, the use cases and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from attrs import frozen
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from application.access.ports import UserReader, UserView
from application.activities.commands import DeleteActivity, LogActivity, UpdateActivity
from application.activities.queries import GetActivities
from application.behaviour.queries import GetTrackedEvents
from application.behaviour.tracking import TrackEvents
from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies
from application.companies.views import CompanyView
from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from application.customers.commands import ArchiveCustomer, CreateCustomer, UpdateCustomer
from application.customers.importing import ImportCustomers
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerView
from application.events.live import LiveEvents
from application.events.webhooks import ManageWebhooks
from application.lifecycle.catalogue import SaveLifecycleTrack, SaveStageRule
from application.lifecycle.commands import ChangeLifecycleStage
from application.lifecycle.queries import ReadLifecycle
from application.lifecycle.views import StageView
from application.limits import TokenBuckets
from application.orders.commands import CancelOrder, MarkOrderPaid, RecordOrder, RefundOrder
from application.orders.queries import ReadOrders
from application.orders.views import OrderView
from application.pagination import Page
from application.pipeline.analytics import SalesAnalytics
from application.pipeline.leads import (
    CaptureFormLead,
    ConvertLead,
    CreateLead,
    MarkLeadContacted,
)
from application.pipeline.opportunities import (
    CloseOpportunity,
    CreateOpportunity,
    MoveOpportunity,
)
from application.pipeline.queries import ReadLeads, ReadPipeline, ReadTasks
from application.pipeline.tasks import (
    CompleteTask,
    CreateTask,
    DefineAutomationRule,
    ListAutomationRules,
)
from application.pipeline.teams import CreateSalesTeam, SetRepAway
from application.pipeline.views import OpportunityView
from application.ports import Clock
from application.principal import Principal
from application.segments.clustering import ClusterCustomers
from application.segments.commands import (
    ComputeRfm,
    CreateSegment,
    PreviewSegment,
    RefreshSegments,
    UpdateSegment,
)
from application.segments.ports import SegmentView
from application.segments.queries import ReadSegments
from application.tags.commands import CreateTag, TagCustomers, UntagCustomers
from application.tags.queries import GetTags, ListTags
from application.tags.rules import DefineAutoTagRule, DeleteAutoTagRule, ListAutoTagRules
from application.tags.views import TagView
from application.timeline.queries import GetTimeline
from domain.pipeline import Pipeline, StageEntry
from domain.segments.rfm import RfmScore
from domain.timeline import TimelineEntry

V = TypeVar("V")


@frozen(kw_only=True)
class SalesServices:
    """The sales pipeline's use cases, handed over by the composition root."""

    clock: Clock
    read_pipeline: ReadPipeline
    analytics: SalesAnalytics
    create_opportunity: CreateOpportunity
    move_opportunity: MoveOpportunity
    close_opportunity: CloseOpportunity
    create_lead: CreateLead
    capture_form_lead: CaptureFormLead
    convert_lead: ConvertLead
    mark_lead_contacted: MarkLeadContacted
    read_leads: ReadLeads
    create_task: CreateTask
    complete_task: CompleteTask
    read_tasks: ReadTasks
    create_sales_team: CreateSalesTeam
    set_rep_away: SetRepAway
    define_automation_rule: DefineAutomationRule
    list_automation_rules: ListAutomationRules


@frozen
class Services:
    """Everything the API calls, handed over by the composition root."""

    create_customer: CreateCustomer
    update_customer: UpdateCustomer
    archive_customer: ArchiveCustomer
    get_customers: GetCustomers
    list_customers: ListCustomers
    user_reader: UserReader
    read_orders: ReadOrders
    record_order: RecordOrder
    mark_order_paid: MarkOrderPaid
    refund_order: RefundOrder
    cancel_order: CancelOrder
    import_customers: ImportCustomers
    find_duplicates: FindDuplicateCandidates
    merge_customers: MergeCustomers
    create_company: CreateCompany
    update_company: UpdateCompany
    archive_company: ArchiveCompany
    get_companies: GetCompanies
    list_companies: ListCompanies
    define_custom_field: DefineCustomField
    list_custom_field_definitions: ListCustomFieldDefinitions
    log_activity: LogActivity
    update_activity: UpdateActivity
    delete_activity: DeleteActivity
    get_activities: GetActivities
    track_events: TrackEvents
    get_tracked_events: GetTrackedEvents
    get_timeline: GetTimeline
    create_tag: CreateTag
    tag_customers: TagCustomers
    untag_customers: UntagCustomers
    list_tags: ListTags
    get_tags: GetTags
    define_auto_tag_rule: DefineAutoTagRule
    delete_auto_tag_rule: DeleteAutoTagRule
    list_auto_tag_rules: ListAutoTagRules
    change_lifecycle_stage: ChangeLifecycleStage
    read_lifecycle: ReadLifecycle
    save_lifecycle_track: SaveLifecycleTrack
    save_stage_rule: SaveStageRule
    manage_webhooks: ManageWebhooks
    live_events: LiveEvents
    preview_segment: PreviewSegment
    create_segment: CreateSegment
    update_segment: UpdateSegment
    refresh_segments: RefreshSegments
    compute_rfm: ComputeRfm
    read_segments: ReadSegments
    cluster_customers: ClusterCustomers
    sales: SalesServices
    token_buckets: TokenBuckets
    """Rate limits and query-cost budgets, shared by every request."""


def _batched(fetch: Callable[[Sequence[str]], Mapping[str, V]]) -> DataLoader[str, V | None]:
    async def load(keys: list[str]) -> list[V | None]:
        found = fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per relation, made per request so nothing leaks between principals."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self.customers: DataLoader[str, CustomerView | None] = _batched(
            lambda ids: services.get_customers(principal, ids)
        )
        self.users: DataLoader[str, UserView | None] = _batched(services.user_reader.get_many)
        orders = services.read_orders
        self.order_counts: DataLoader[str, int | None] = _batched(
            lambda ids: orders.count_of_customers(principal, ids)
        )
        self.newest_orders: DataLoader[tuple[str, int], Sequence[OrderView]] = DataLoader(
            load_fn=lambda keys: _newest_orders(orders, principal, keys)
        )
        timeline = services.get_timeline
        self.timeline_pages: DataLoader[
            tuple[str, int | None, tuple[str, ...]], Page[TimelineEntry]
        ] = DataLoader(load_fn=lambda keys: _first_timeline_pages(timeline, principal, keys))
        self.companies: DataLoader[str, CompanyView | None] = _batched(
            lambda ids: services.get_companies(principal, ids)
        )
        tags = services.get_tags
        self.customer_tags: DataLoader[str, Sequence[TagView] | None] = _batched(
            lambda ids: tags.of_customers(principal, ids)
        )
        self.lifecycle_stages: DataLoader[str, Sequence[StageView] | None] = _batched(
            lambda ids: services.read_lifecycle.stages_of(principal, ids)
        )
        segments = services.read_segments
        self.customer_segments: DataLoader[str, Sequence[SegmentView] | None] = _batched(
            lambda ids: segments.segments_of(principal, ids)
        )
        self.customer_rfm: DataLoader[str, RfmScore | None] = _batched(
            lambda ids: segments.rfm_of(principal, ids)
        )
        sales = services.sales
        self.opportunities: DataLoader[str, OpportunityView | None] = _batched(
            lambda ids: sales.read_pipeline.get_many(principal, ids)
        )
        self.stage_histories: DataLoader[str, Sequence[StageEntry] | None] = _batched(
            lambda ids: sales.read_pipeline.history(principal, ids)
        )
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

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.services, self.principal)
        return self._loaders


Info = StrawberryInfo[Context, None]
