"""What the pipeline use cases need from storage: one repository per aggregate, and readers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from application.pagination import SortKey
from application.pipeline.views import (
    BoardColumnTotals,
    ClosedDeals,
    LeadFilter,
    LeadOrder,
    LeadView,
    OpenDealSlice,
    OpportunityFilter,
    OpportunityGroup,
    OpportunityOrder,
    OpportunityView,
    StageFlow,
    TaskFilter,
    TaskGroup,
    TaskOrder,
    TaskView,
)
from domain.access.visibility import Visibility
from domain.pipeline import (
    AutomationRule,
    Lead,
    Opportunity,
    Pipeline,
    SalesTeam,
    ScoringModel,
    StageEntry,
    Task,
)
from domain.pipeline.forms import LeadForm


class PipelineRepository(Protocol):
    """``uow.pipelines``: the pipelines and their stages, as stored."""

    def all(self) -> Sequence[Pipeline]:
        """Every pipeline, the default first, then by name."""
        ...

    def get(self, pipeline_id: str) -> Pipeline | None: ...

    def add(self, pipeline: Pipeline) -> None: ...


class OpportunityRepository(Protocol):
    """``uow.opportunities``: saved with their new stage entries on commit; a deal another
    transaction changed since it was loaded is a ``StaleVersion``."""

    def add(self, opportunity: Opportunity) -> None: ...

    def get(self, opportunity_id: str) -> Opportunity | None: ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """A merge: the duplicates' deals become the survivor's; returns how many moved."""
        ...


class LeadRepository(Protocol):
    def add(self, lead: Lead) -> None: ...

    def get(self, lead_id: str) -> Lead | None: ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """A merge: the duplicates' leads become the survivor's; returns how many moved."""
        ...

    def unconverted_ids(self, *, after: str | None, limit: int) -> Sequence[str]:
        """Ids of leads not yet converted, in id order (code points), strictly after ``after``."""
        ...

    def first_touch_due_by(self, moment: datetime) -> Sequence[Lead]:
        """Assigned, uncontacted, unreminded leads due by ``moment``, loaded for change."""
        ...

    def awaiting_first_touch(self, customer_id: str) -> Sequence[Lead]:
        """The customer's unconverted leads nobody has contacted yet, loaded for change."""
        ...

    def open_counts(self, owner_ids: Collection[str]) -> Mapping[str, int]:
        """How many leads not yet converted each owner holds."""
        ...

    def scoring_model(self) -> ScoringModel: ...

    def form(self, key: str) -> LeadForm | None: ...


class SalesTeamRepository(Protocol):
    def add(self, team: SalesTeam) -> None: ...

    def get(self, team_id: str) -> SalesTeam | None: ...

    def default(self) -> SalesTeam | None:
        """The team new leads go to when nothing names one: the first by name."""
        ...


class TaskRepository(Protocol):
    def add(self, task: Task) -> None: ...

    def get(self, task_id: str) -> Task | None: ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """A merge: the duplicates' tasks become the survivor's; returns how many moved."""
        ...

    def dedupe_keys_in_use(self, keys: Collection[str]) -> set[str]: ...

    def reminders_due_by(self, moment: datetime) -> Sequence[Task]:
        """Open, unreminded tasks due by ``moment``, loaded for change."""
        ...


class AutomationRuleRepository(Protocol):
    def all(self) -> Sequence[AutomationRule]: ...

    def save(self, rule: AutomationRule) -> None:
        """Add a rule, or replace the one with its key."""
        ...


class ProductPurchases(Protocol):
    """Who bought what, from the orders (not cancelled), by order line SKU."""

    def first_bought(self, sku: str) -> Mapping[str, datetime]:
        """When each customer who bought ``sku`` first bought it."""
        ...

    def customers_who_bought(self, sku: str) -> set[str]: ...


class PipelineReader(Protocol):
    """Deals as the GraphQL layer reads them. Every method that returns or counts deals
    (or what is reached through them) reads only the deals ``visible`` admits."""

    def pipelines(self) -> Sequence[Pipeline]: ...

    def teams(self) -> Sequence[SalesTeam]: ...

    def get_many(
        self, ids: Iterable[str], *, visible: Visibility
    ) -> Mapping[str, OpportunityView]: ...

    def count(self, where: OpportunityFilter, *, visible: Visibility) -> int: ...

    def slice(
        self,
        where: OpportunityFilter,
        order: OpportunityOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[OpportunityView]:
        """Up to ``limit`` deals in ``order`` strictly between the keys, walking from the end
        of the list when ``from_end``."""
        ...

    def slices(
        self,
        where: OpportunityFilter,
        order: OpportunityOrder,
        *,
        visible: Visibility,
        by: OpportunityGroup,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[OpportunityView]]:
        """``slice`` of each group's deals (each customer's, each stage's), in one query;
        every key is a key of the answer."""
        ...

    def counts(
        self,
        where: OpportunityFilter,
        *,
        visible: Visibility,
        by: OpportunityGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        """How many deals of each group match, in one query; every key is a key."""
        ...

    def entries_of(
        self, opportunity_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[StageEntry]]:
        """Each opportunity's stays in stages, oldest first; every id is a key."""
        ...

    def board_totals(
        self, where: OpportunityFilter, *, visible: Visibility
    ) -> Sequence[BoardColumnTotals]:
        """The deals ``where`` admits, per stage, with their sums per currency; stages
        without any left out."""
        ...


class SalesAnalyticsReader(Protocol):
    """Aggregates computed where the data is: a few grouped queries, whatever the volume;
    each sums only the deals ``visible`` admits."""

    def stage_flows(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> Sequence[StageFlow]:
        """First entries into each stage with ``start <= entered_at < end``."""
        ...

    def closed_deals(
        self, pipeline_id: str, start: datetime, end: datetime, *, visible: Visibility
    ) -> ClosedDeals:
        """Deals with ``start <= closed_at < end``."""
        ...

    def open_deal_slices(
        self, pipeline_id: str, *, visible: Visibility
    ) -> Sequence[OpenDealSlice]: ...


class LeadReader(Protocol):
    """Leads, only those ``visible`` admits: owned by its owners or shared by id."""

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, LeadView]: ...

    def count(self, where: LeadFilter, *, visible: Visibility) -> int: ...

    def slice(
        self,
        where: LeadFilter,
        order: LeadOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[LeadView]:
        """Up to ``limit`` leads in ``order`` strictly between the keys."""
        ...

    def slices(
        self,
        where: LeadFilter,
        order: LeadOrder,
        *,
        visible: Visibility,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[LeadView]]:
        """``slice`` of each customer's leads, in one query; every key is a key."""
        ...

    def counts(
        self, where: LeadFilter, *, visible: Visibility, keys: Collection[str]
    ) -> Mapping[str, int]:
        """How many leads of each customer match, in one query."""
        ...


class TaskReader(Protocol):
    """Tasks, only those ``visible`` admits: assigned to its owners or shared by id."""

    def count(self, where: TaskFilter, *, visible: Visibility) -> int: ...

    def get_many(self, ids: Iterable[str], *, visible: Visibility) -> Mapping[str, TaskView]: ...

    def slice(
        self,
        where: TaskFilter,
        order: TaskOrder,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TaskView]:
        """Up to ``limit`` tasks in ``order`` strictly between the keys."""
        ...

    def slices(
        self,
        where: TaskFilter,
        order: TaskOrder,
        *,
        visible: Visibility,
        by: TaskGroup,
        keys: Collection[str],
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Mapping[str, Sequence[TaskView]]:
        """``slice`` of each customer's (or each company's) tasks, in one query; every key
        is a key. A task about a person of one company and a deal of another is in both."""
        ...

    def counts(
        self,
        where: TaskFilter,
        *,
        visible: Visibility,
        by: TaskGroup,
        keys: Collection[str],
    ) -> Mapping[str, int]:
        """How many tasks of each customer (or each company) match, in one query; every
        key is a key."""
        ...


class BehaviourCounts(Protocol):
    """Tracked events per customer, name and UTC day: what lead scoring decays over."""

    def daily_counts(
        self, customer_id: str, names: Collection[str], since: date
    ) -> Sequence[tuple[str, date, int]]:
        """``(name, day, count)`` of the customer's ``names`` events from ``since`` on."""
        ...
