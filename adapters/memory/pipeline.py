"""The sales pipeline in memory: staged by a unit of work, visible once it commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from adapters.memory.staging import Staged
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.errors import AlreadyTaken
from domain.orders import OrderStatus
from domain.pipeline import (
    AutomationRule,
    Lead,
    LeadStatus,
    Opportunity,
    Pipeline,
    SalesTeam,
    ScoringModel,
    Task,
    TaskStatus,
)
from domain.pipeline.forms import LeadForm

V = TypeVar("V")


def ordered_pipelines(pipelines: Iterable[Pipeline]) -> list[Pipeline]:
    return sorted(pipelines, key=lambda p: (not p.is_default, p.name, p.id))


class InMemoryPipelineRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.added: dict[str, Pipeline] = {}
        transaction.stages(write_back=self.write_back, clear=self.added.clear)

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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.opportunities)

    def add(self, opportunity: Opportunity) -> None:
        self.staged.add(opportunity)

    def get(self, opportunity_id: str) -> Opportunity | None:
        return self.staged.get(opportunity_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return move_owned(self._store, self.staged, survivor_id, duplicate_ids)


class InMemoryLeadRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.leads)

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

    def awaiting_first_touch(self, customer_id: str) -> Sequence[Lead]:
        with self._store.lock:
            ids = [
                lead.id
                for lead in self._store.leads.values()
                if lead.customer_id == customer_id
                and lead.contacted_at is None
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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.sales_teams)

    def add(self, team: SalesTeam) -> None:
        self.staged.add(team)

    def get(self, team_id: str) -> SalesTeam | None:
        return self.staged.get(team_id)

    def default(self) -> SalesTeam | None:
        with self._store.lock:
            teams = sorted(self._store.sales_teams.values(), key=lambda t: (t.name, t.id))
        return self.get(teams[0].id) if teams else None


class InMemoryTaskRepository:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.staged = Staged(transaction, self._store.tasks)
        transaction.checks(self.check)

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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.saved: dict[str, AutomationRule] = {}
        transaction.stages(write_back=self.write_back, clear=self.saved.clear)

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
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store

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
