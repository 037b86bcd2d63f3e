"""The sales pipeline in memory: staged by a unit of work, visible once it commits."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from application.errors import AlreadyTaken
from application.pagination import SortKey
from application.pipeline.views import (
    BoardColumnTotals,
    ClosedDeals,
    CurrencyAmount,
    CurrencyTotal,
    LeadFilter,
    LeadView,
    OpenDealSlice,
    OpportunityFilter,
    OpportunityView,
    StageFlow,
    TaskFilter,
    TaskView,
)
from domain.orders import OrderStatus
from domain.orders.money import Currency, Money
from domain.pipeline import (
    AutomationRule,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStatus,
    Pipeline,
    SalesTeam,
    ScoringModel,
    StageEntry,
    Task,
    TaskStatus,
)
from domain.pipeline.forms import LeadForm

V = TypeVar("V")


def ordered_pipelines(pipelines: Iterable[Pipeline]) -> list[Pipeline]:
    return sorted(pipelines, key=lambda p: (not p.is_default, p.name, p.id))


class InMemoryPipelineRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.added: dict[str, Pipeline] = {}

    def all(self) -> Sequence[Pipeline]:
        with self._store.lock:
            found = {**self._store.pipelines, **self.added}
        return ordered_pipelines(found.values())

    def get(self, pipeline_id: str) -> Pipeline | None:
        with self._store.lock:
            return self.added.get(pipeline_id) or self._store.pipelines.get(pipeline_id)

    def add(self, pipeline: Pipeline) -> None:
        # Pipelines are immutable values: replacing one is adding it again.
        self.added[pipeline.id] = pipeline

    def write_back(self) -> None:
        self._store.pipelines.update(self.added)
        self.added.clear()


def move_owned(
    store: InMemoryStore, staged: Staged[Any], survivor_id: str, duplicate_ids: Collection[str]
) -> int:
    """Give the records of merged duplicates to the survivor, each a new version."""
    wanted = set(duplicate_ids) - {survivor_id}
    with store.lock:
        committed = [r.id for r in staged.committed.values() if r.customer_id in wanted]
    ids = set(committed) | {r.id for r in staged.seen.values() if r.customer_id in wanted}
    for record_id in sorted(ids):
        record = staged.get(record_id)
        if record is not None and record.customer_id in wanted:
            record.customer_id = survivor_id
            record.version += 1
    return len(ids)


class InMemoryOpportunityRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.opportunities)

    def add(self, opportunity: Opportunity) -> None:
        self.staged.add(opportunity)

    def get(self, opportunity_id: str) -> Opportunity | None:
        return self.staged.get(opportunity_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return move_owned(self._store, self.staged, survivor_id, duplicate_ids)


class InMemoryLeadRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.leads)

    def add(self, lead: Lead) -> None:
        self.staged.add(lead)

    def get(self, lead_id: str) -> Lead | None:
        return self.staged.get(lead_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return move_owned(self._store, self.staged, survivor_id, duplicate_ids)

    def unconverted_ids(self, *, after: str | None, limit: int) -> Sequence[str]:
        with self._store.lock:
            ids = sorted(
                lead.id
                for lead in self._store.leads.values()
                if lead.status is not LeadStatus.CONVERTED and (after is None or lead.id > after)
            )
        return ids[:limit]

    def first_touch_due_by(self, moment: datetime) -> Sequence[Lead]:
        with self._store.lock:
            ids = [
                lead.id
                for lead in self._store.leads.values()
                if lead.first_touch_due_at is not None
                and lead.first_touch_due_at <= moment
                and lead.contacted_at is None
                and not lead.first_touch_reminded
                and lead.status is not LeadStatus.CONVERTED
            ]
        return [lead for lead_id in sorted(ids) if (lead := self.get(lead_id)) is not None]

    def open_counts(self, owner_ids: Collection[str]) -> Mapping[str, int]:
        wanted = set(owner_ids)
        counts: dict[str, int] = defaultdict(int)
        with self._store.lock:
            for lead in self._store.leads.values():
                if lead.owner_id in wanted and lead.status is not LeadStatus.CONVERTED:
                    counts[lead.owner_id] += 1
        return dict(counts)

    def scoring_model(self) -> ScoringModel:
        return self._store.scoring_model

    def form(self, key: str) -> LeadForm | None:
        return self._store.lead_forms.get(key)


class InMemorySalesTeamRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.sales_teams)

    def add(self, team: SalesTeam) -> None:
        self.staged.add(team)

    def get(self, team_id: str) -> SalesTeam | None:
        return self.staged.get(team_id)

    def default(self) -> SalesTeam | None:
        with self._store.lock:
            teams = sorted(self._store.sales_teams.values(), key=lambda t: (t.name, t.id))
        return self.get(teams[0].id) if teams else None


class InMemoryTaskRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged = Staged(store.tasks)

    def add(self, task: Task) -> None:
        self.staged.add(task)

    def get(self, task_id: str) -> Task | None:
        return self.staged.get(task_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return move_owned(self._store, self.staged, survivor_id, duplicate_ids)

    def dedupe_keys_in_use(self, keys: Collection[str]) -> set[str]:
        wanted = set(keys)
        with self._store.lock:
            return {t.dedupe_key for t in self._store.tasks.values() if t.dedupe_key in wanted}

    def reminders_due_by(self, moment: datetime) -> Sequence[Task]:
        with self._store.lock:
            ids = [
                t.id
                for t in self._store.tasks.values()
                if t.status is TaskStatus.OPEN and t.reminded_at is None and t.due_at <= moment
            ]
        return [task for task_id in sorted(ids) if (task := self.get(task_id)) is not None]

    def check(self) -> None:
        """Mirror of the SQL unique index on tasks' dedupe keys."""
        owners = {
            t.dedupe_key: t.id
            for t in self._store.tasks.values()
            if t.dedupe_key and t.id not in self.staged.seen
        }
        for task in self.staged.seen.values():
            if task.dedupe_key and owners.setdefault(task.dedupe_key, task.id) != task.id:
                raise AlreadyTaken("dedupeKey", "a task has this key already")


class InMemoryAutomationRules:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.saved: dict[str, AutomationRule] = {}

    def all(self) -> Sequence[AutomationRule]:
        with self._store.lock:
            rules = {**self._store.automation_rules, **self.saved}
        return [rules[key] for key in sorted(rules)]

    def save(self, rule: AutomationRule) -> None:
        self.saved[rule.key] = rule

    def write_back(self) -> None:
        self._store.automation_rules.update(self.saved)
        self.saved.clear()


class InMemoryPurchases:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def first_bought(self, sku: str) -> Mapping[str, datetime]:
        first: dict[str, datetime] = {}
        with self._store.lock:
            for order in self._store.orders.values():
                if order.status is OrderStatus.CANCELLED:
                    continue
                if any(line.sku == sku for line in order.lines):
                    known = first.get(order.customer_id)
                    if known is None or order.placed_at < known:
                        first[order.customer_id] = order.placed_at
        return first

    def customers_who_bought(self, sku: str) -> set[str]:
        return set(self.first_bought(sku))


def _matches(o: Opportunity, where: OpportunityFilter) -> bool:
    return (
        (where.pipeline_id is None or o.pipeline_id == where.pipeline_id)
        and (where.stage_id is None or o.stage_id == where.stage_id)
        and (where.owner_id is None or o.owner_id == where.owner_id)
        and (where.customer_id is None or o.customer_id == where.customer_id)
        and (where.status is None or o.status.value == where.status)
    )


def _newest_after(
    items: Iterable[V], key: Callable[[V], SortKey], after: SortKey | None, limit: int
) -> list[V]:
    """Newest first by the key, strictly after ``after`` (ids compared by code point)."""
    ordered = sorted(items, key=lambda item: (key(item).value, key(item).id), reverse=True)
    if after is not None:
        bound = (after.value, after.id)
        ordered = [i for i in ordered if (key(i).value, key(i).id) < bound]
    return ordered[:limit]


def _sums(pairs: Iterable[tuple[str, Decimal]]) -> tuple[CurrencyAmount, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in pairs:
        totals[currency] += amount
    return tuple(CurrencyAmount(c, totals[c]) for c in sorted(totals))


class InMemoryPipelineReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def pipelines(self) -> Sequence[Pipeline]:
        with self._store.lock:
            return ordered_pipelines(self._store.pipelines.values())

    def teams(self) -> Sequence[SalesTeam]:
        with self._store.lock:
            return sorted(self._store.sales_teams.values(), key=lambda t: (t.name, t.id))

    def get_many(self, ids: Iterable[str]) -> Mapping[str, OpportunityView]:
        with self._store.lock:
            found = [self._store.opportunities.get(i) for i in ids]
        return {o.id: OpportunityView.from_opportunity(o) for o in found if o is not None}

    def _views(self, where: OpportunityFilter) -> list[OpportunityView]:
        with self._store.lock:
            return [
                OpportunityView.from_opportunity(o)
                for o in self._store.opportunities.values()
                if _matches(o, where)
            ]

    def count(self, where: OpportunityFilter) -> int:
        return len(self._views(where))

    def slice(
        self, where: OpportunityFilter, *, after: SortKey | None, limit: int
    ) -> Sequence[OpportunityView]:
        return _newest_after(
            self._views(where), lambda v: SortKey(v.created_at, v.id), after, limit
        )

    def entries_of(self, opportunity_ids: Collection[str]) -> Mapping[str, Sequence[StageEntry]]:
        with self._store.lock:
            return {
                i: list(o.entries) if (o := self._store.opportunities.get(i)) else []
                for i in opportunity_ids
            }

    def board_totals(self, pipeline_id: str) -> Sequence[BoardColumnTotals]:
        by_stage: dict[str, list[OpportunityView]] = defaultdict(list)
        for view in self._views(OpportunityFilter(pipeline_id=pipeline_id, status="open")):
            by_stage[view.stage_id].append(view)
        return [
            BoardColumnTotals(
                stage_id=stage_id,
                count=len(views),
                values=_sums((v.currency, v.amount) for v in views if v.amount is not None),
            )
            for stage_id, views in sorted(by_stage.items())
        ]


class InMemorySalesAnalyticsReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _opportunities(self, pipeline_id: str) -> list[Opportunity]:
        with self._store.lock:
            return [o for o in self._store.opportunities.values() if o.pipeline_id == pipeline_id]

    def stage_flows(self, pipeline_id: str, start: datetime, end: datetime) -> Sequence[StageFlow]:
        entries: dict[str, list[StageEntry]] = defaultdict(list)
        for opportunity in self._opportunities(pipeline_id):
            for entry in opportunity.entries:
                if start <= entry.entered_at < end:
                    entries[entry.stage_id].append(entry)
        flows = []
        for stage_id, found in sorted(entries.items()):
            first = [e for e in found if e.first_entry]
            seconds = [e.seconds for e in found if e.seconds is not None]
            flows.append(
                StageFlow(
                    stage_id=stage_id,
                    entered=len(first),
                    values=_sums(
                        (e.currency, _amount(e.amount_minor, e.currency))
                        for e in first
                        if e.amount_minor is not None
                    ),
                    median_seconds=float(statistics.median(seconds)) if seconds else None,
                )
            )
        return flows

    def closed_deals(self, pipeline_id: str, start: datetime, end: datetime) -> ClosedDeals:
        closed = [
            o
            for o in self._opportunities(pipeline_id)
            if o.closed_at is not None and start <= o.closed_at < end
        ]
        won = [o for o in closed if o.status is OpportunityStatus.WON]
        totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for o in won:
            if o.amount is not None:
                totals[o.terms.currency.code][0] += 1
                totals[o.terms.currency.code][1] += o.amount.amount
        return ClosedDeals(
            won=len(won),
            lost=sum(1 for o in closed if o.status is OpportunityStatus.LOST),
            won_values=tuple(
                CurrencyTotal(c, int(totals[c][0]), totals[c][1]) for c in sorted(totals)
            ),
            won_cycle_seconds=sum(o.cycle_seconds or 0 for o in won),
        )

    def open_deal_slices(self, pipeline_id: str) -> Sequence[OpenDealSlice]:
        groups: dict[tuple[date | None, str, str, str], list[Decimal]] = defaultdict(
            lambda: [Decimal(0), Decimal(0)]
        )
        for o in self._opportunities(pipeline_id):
            if not o.is_open:
                continue
            close = o.terms.expected_close_date
            month = close.replace(day=1) if close else None
            group = groups[(month, o.owner_id, o.stage_id, o.terms.currency.code)]
            group[0] += 1
            group[1] += o.amount.amount if o.amount else Decimal(0)
        return [
            OpenDealSlice(
                close_month=month,
                owner_id=owner,
                stage_id=stage,
                currency=currency,
                count=int(count),
                amount=amount,
            )
            for (month, owner, stage, currency), (count, amount) in groups.items()
        ]


def _amount(minor: int, currency: str) -> Decimal:
    return Money.from_minor_units(minor, Currency(currency)).amount


def _lead_matches(lead: Lead, where: LeadFilter) -> bool:
    return (
        (where.status is None or lead.status.value == where.status)
        and (where.owner_id is None or lead.owner_id == where.owner_id)
        and (where.grade is None or lead.grade == where.grade)
        and (where.source is None or lead.source == where.source)
    )


class InMemoryLeadReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def get_many(self, ids: Iterable[str]) -> Mapping[str, LeadView]:
        with self._store.lock:
            found = [self._store.leads.get(i) for i in ids]
        return {lead.id: LeadView.from_lead(lead) for lead in found if lead is not None}

    def _views(self, where: LeadFilter) -> list[LeadView]:
        with self._store.lock:
            return [
                LeadView.from_lead(lead)
                for lead in self._store.leads.values()
                if _lead_matches(lead, where)
            ]

    def count(self, where: LeadFilter) -> int:
        return len(self._views(where))

    def slice(self, where: LeadFilter, *, after: SortKey | None, limit: int) -> Sequence[LeadView]:
        return _newest_after(
            self._views(where), lambda v: SortKey(v.created_at, v.id), after, limit
        )


def _task_matches(task: Task, where: TaskFilter) -> bool:
    return (
        (where.assignee_id is None or task.assignee_id == where.assignee_id)
        and (where.status is None or task.status.value == where.status)
        and (where.due_before is None or task.due_at < where.due_before)
        and (where.customer_id is None or task.customer_id == where.customer_id)
        and (where.opportunity_id is None or task.opportunity_id == where.opportunity_id)
    )


class InMemoryTaskReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _views(self, where: TaskFilter) -> list[TaskView]:
        with self._store.lock:
            return [
                TaskView.from_task(t) for t in self._store.tasks.values() if _task_matches(t, where)
            ]

    def count(self, where: TaskFilter) -> int:
        return len(self._views(where))

    def slice(self, where: TaskFilter, *, after: SortKey | None, limit: int) -> Sequence[TaskView]:
        ordered = sorted(self._views(where), key=lambda v: (v.due_at, v.id))
        if after is not None:
            ordered = [v for v in ordered if (v.due_at, v.id) > (after.value, after.id)]
        return ordered[:limit]


class InMemoryBehaviourCounts:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def daily_counts(
        self, customer_id: str, names: Collection[str], since: date
    ) -> Sequence[tuple[str, date, int]]:
        wanted = set(names)
        with self._store.lock:
            return sorted(
                (name, day, count)
                for (customer, name, day), count in self._store.event_daily_counts.items()
                if customer == customer_id and name in wanted and day >= since
            )
