"""What a contract suite needs from the storage adapter under test."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from adapters.messaging.in_process import InProcessEventBus
from application.access.ports import (
    AccessReader,
    ApiKeyReader,
    ApiKeyUsage,
    CredentialReader,
    UserReader,
)
from application.activities.ports import ActivityReader
from application.behaviour.ports import BehaviourReader
from application.companies.ports import CompanyReader
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.customers.ports import CustomerReader
from application.lifecycle.ports import LifecycleReader
from application.orders.ports import OrderReader
from application.pipeline.ports import (
    BehaviourCounts,
    LeadReader,
    PipelineReader,
    SalesAnalyticsReader,
    TaskReader,
)
from application.segments.ports import SegmentFactsSource, SegmentReader
from application.tags.ports import TagReader
from application.timeline.ports import TimelineReader
from application.unit_of_work import UnitOfWorkFactory


@frozen
class StorageBackend:
    """One storage adapter's unit of work and readers over the same, empty, data."""

    name: str
    uow: UnitOfWorkFactory
    bus: InProcessEventBus
    """The publisher the unit of work hands committed events to."""
    customers: CustomerReader
    users: UserReader
    credentials: CredentialReader
    orders: OrderReader
    companies: CompanyReader
    custom_fields: CustomFieldDefinitionReader
    outbox: Callable[[], list[tuple[str, str]]]
    """``(event type, aggregate id)`` of every stored event, oldest first."""
    activities: ActivityReader
    behaviour: BehaviourReader
    timeline: TimelineReader
    tags: TagReader
    concurrent_writers: bool = True
    """False where a second writer waits for the first (SQLite), so writes never interleave."""
    link_external_id: Callable[[str, str, str], None] | None = None
    """Records that ``source`` knows customer ``customer_id`` as ``value``; None where the
    adapter has nowhere to keep external ids yet."""
    lifecycle: LifecycleReader | None = None
    """Customers' stages and their history; None where the adapter has no lifecycle yet."""
    segments: SegmentReader | None = None
    """Segments, members, size history and RFM; None where the adapter has no segments yet."""
    segment_facts: SegmentFactsSource | None = None
    """What segment rules and RFM scores read; None where the adapter has none yet."""
    pipeline: PipelineReader | None = None
    """Pipelines, opportunities and the sales analytics; None where the adapter has none yet."""
    analytics: SalesAnalyticsReader | None = None
    leads: LeadReader | None = None
    tasks: TaskReader | None = None
    behaviour_counts: BehaviourCounts | None = None
    access: AccessReader | None = None
    """Teams, reports, shares and stored roles; None where the adapter has none yet."""
    api_keys: ApiKeyReader | None = None
    key_usage: ApiKeyUsage | None = None
