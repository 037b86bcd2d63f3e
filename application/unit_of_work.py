"""The unit of work: one transaction over the repositories, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from application.access.ports import ApiKeyRepository, UserRepository
from application.activities.ports import ActivityRepository
from application.behaviour.ports import TrackedEventLog
from application.companies.ports import CompanyRepository
from application.custom_fields.ports import CustomFieldDefinitionRepository
from application.customers.lookup import CustomerLookup
from application.customers.ports import CustomerRepository
from application.lifecycle.ports import LifecycleRepository
from application.orders.ports import OrderRepository
from application.pipeline.ports import (
    AutomationRuleRepository,
    LeadRepository,
    OpportunityRepository,
    PipelineRepository,
    ProductPurchases,
    SalesTeamRepository,
    TaskRepository,
)
from application.scheduling.ports import TimerBook
from application.segments.ports import SegmentRepository
from application.tags.ports import TagRepository
from application.timeline.ports import TimelineEntries


class UnitOfWork(Protocol):
    """``with uow:`` opens a transaction; leaving it without ``commit()`` rolls back.

    ``commit()`` stores the events recorded by the aggregates it saw in the outbox, in the
    same transaction as the change, and hands them to in-process subscribers afterwards.
    """

    customers: CustomerRepository
    companies: CompanyRepository
    custom_fields: CustomFieldDefinitionRepository
    users: UserRepository
    api_keys: ApiKeyRepository
    orders: OrderRepository
    customer_lookup: CustomerLookup
    activities: ActivityRepository
    tracked_events: TrackedEventLog
    timeline: TimelineEntries
    tags: TagRepository
    lifecycle: LifecycleRepository
    timers: TimerBook
    segments: SegmentRepository
    pipelines: PipelineRepository
    opportunities: OpportunityRepository
    leads: LeadRepository
    sales_teams: SalesTeamRepository
    tasks: TaskRepository
    automation_rules: AutomationRuleRepository
    purchases: ProductPurchases

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def flush(self) -> None:
        """Send pending changes to the database, uncommitted, so that later ones see them."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
