"""The sales pipeline's repositories in SQL: rows written by hand, version-checked."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from adapters.persistence.pipeline_rows import (
    entry_of,
    entry_row,
    lead_of,
    lead_row,
    opportunity_of,
    opportunity_row,
    pipeline_of,
    pipeline_row,
    rule_of,
    rule_row,
    task_of,
    task_row,
    team_of,
    team_row,
)
from adapters.persistence.tables import (
    automation_rules,
    lead_forms,
    lead_scoring_models,
    leads,
    opportunities,
    opportunity_stage_entries,
    orders,
    pipelines,
    sales_teams,
    tasks,
)
from adapters.persistence.tracked_rows import TrackedRows
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.upserts import insert_for
from domain.orders import OrderStatus
from domain.pipeline import (
    AutomationRule,
    Lead,
    LeadStatus,
    Opportunity,
    Pipeline,
    SalesTeam,
    ScoringModel,
    StageEntry,
    Task,
    TaskStatus,
    default_scoring_model,
)
from domain.pipeline.forms import LeadForm


class SqlPipelineRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def all(self) -> Sequence[Pipeline]:
        found = [pipeline_of(row) for row in self._session.execute(select(pipelines))]
        return sorted(found, key=lambda p: (not p.is_default, p.name, p.id))

    def get(self, pipeline_id: str) -> Pipeline | None:
        row = self._session.execute(select(pipelines).where(pipelines.c.id == pipeline_id)).first()
        return pipeline_of(row) if row else None

    def add(self, pipeline: Pipeline) -> None:
        row = pipeline_row(pipeline)
        upsert = insert_for(self._session, pipelines).values(row)
        self._session.execute(
            upsert.on_conflict_do_update(
                index_elements=[pipelines.c.id],
                set_={name: upsert.excluded[name] for name in row if name != "id"},
            )
        )


def _entries_of(session: Session, opportunity_ids: Sequence[str]) -> dict[str, list[StageEntry]]:
    found: dict[str, list[StageEntry]] = {i: [] for i in opportunity_ids}
    query = (
        select(opportunity_stage_entries)
        .where(opportunity_stage_entries.c.opportunity_id.in_(opportunity_ids))
        .order_by(opportunity_stage_entries.c.entered_at, opportunity_stage_entries.c.id)
    )
    for row in session.execute(query):
        found[row.opportunity_id].append(entry_of(row))
    return found


class SqlOpportunityRepository:
    """Deals, and their stays in stages: new stays inserted, the one left updated."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session
        self.rows = TrackedRows(transaction, opportunities, opportunity_row, self._opportunity)
        self._stored_entries: dict[str, StageEntry] = {}
        # After the deals' own rows, which the stays refer to.
        transaction.writes(self)

    def _opportunity(self, row: Any) -> Opportunity:
        entries = _entries_of(self._session, [row.id])[row.id]
        self._stored_entries.update((e.id, e) for e in entries)
        return opportunity_of(row, entries)

    def add(self, opportunity: Opportunity) -> None:
        self.rows.add(opportunity)

    def get(self, opportunity_id: str) -> Opportunity | None:
        return self.rows.get(opportunity_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        self.flush()
        return self.rows.move_to(survivor_id, duplicate_ids)

    def flush(self) -> None:
        """Write the deals' rows, then the stays in stages, which refer to them."""
        self.rows.flush()
        new: list[dict[str, Any]] = []
        for opportunity in self.rows.seen.values():
            for entry in opportunity.entries:
                stored = self._stored_entries.get(entry.id)
                if stored is None:
                    new.append(entry_row(entry))
                elif stored != entry:
                    self._session.execute(
                        update(opportunity_stage_entries)
                        .where(opportunity_stage_entries.c.id == entry.id)
                        .values(left_at=entry.left_at, seconds=entry.seconds)
                    )
                self._stored_entries[entry.id] = entry
        if new:
            self._session.execute(insert(opportunity_stage_entries), new)


class SqlLeadRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session
        self.rows = TrackedRows(transaction, leads, lead_row, lead_of)

    def add(self, lead: Lead) -> None:
        self.rows.add(lead)

    def get(self, lead_id: str) -> Lead | None:
        return self.rows.get(lead_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return self.rows.move_to(survivor_id, duplicate_ids)

    def unconverted_ids(self, *, after: str | None, limit: int) -> Sequence[str]:
        query = select(leads.c.id).where(leads.c.status != LeadStatus.CONVERTED.value)
        if after is not None:
            query = query.where(leads.c.id > after)
        return list(self._session.scalars(query.order_by(leads.c.id).limit(limit)))

    def first_touch_due_by(self, moment: datetime) -> Sequence[Lead]:
        return self.rows.load_where(
            leads.c.first_touch_due_at <= moment,
            leads.c.contacted_at.is_(None),
            leads.c.first_touch_reminded.is_(False),
            leads.c.status != LeadStatus.CONVERTED.value,
        )

    def awaiting_first_touch(self, customer_id: str) -> Sequence[Lead]:
        return self.rows.load_where(
            leads.c.customer_id == customer_id,
            leads.c.contacted_at.is_(None),
            leads.c.status != LeadStatus.CONVERTED.value,
        )

    def open_counts(self, owner_ids: Collection[str]) -> Mapping[str, int]:
        query = (
            select(leads.c.owner_id, func.count())
            .where(
                leads.c.owner_id.in_(sorted(owner_ids)),
                leads.c.status != LeadStatus.CONVERTED.value,
            )
            .group_by(leads.c.owner_id)
        )
        return {row[0]: row[1] for row in self._session.execute(query)}

    def scoring_model(self) -> ScoringModel:
        row = self._session.execute(select(lead_scoring_models.c.model)).first()
        return ScoringModel.from_data(row[0]) if row else default_scoring_model()

    def form(self, key: str) -> LeadForm | None:
        row = self._session.execute(select(lead_forms).where(lead_forms.c.key == key)).first()
        if row is None:
            return None
        return LeadForm(key=row.key, source=row.source, honeypot=row.honeypot, team_id=row.team_id)


class SqlSalesTeamRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self.rows = TrackedRows(transaction, sales_teams, team_row, team_of)

    def add(self, team: SalesTeam) -> None:
        self.rows.add(team)

    def get(self, team_id: str) -> SalesTeam | None:
        return self.rows.get(team_id)

    def default(self) -> SalesTeam | None:
        found = self.rows.load_where(order=(sales_teams.c.name, sales_teams.c.id))
        return found[0] if found else None


class SqlTaskRepository:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session
        self.rows = TrackedRows(transaction, tasks, task_row, task_of)

    def add(self, task: Task) -> None:
        self.rows.add(task)

    def get(self, task_id: str) -> Task | None:
        return self.rows.get(task_id)

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        return self.rows.move_to(survivor_id, duplicate_ids)

    def dedupe_keys_in_use(self, keys: Collection[str]) -> set[str]:
        wanted = sorted(keys)
        found: set[str] = set()
        for start in range(0, len(wanted), 1000):
            query = select(tasks.c.dedupe_key).where(
                tasks.c.dedupe_key.in_(wanted[start : start + 1000])
            )
            found.update(key for key in self._session.scalars(query) if key is not None)
        return found

    def reminders_due_by(self, moment: datetime) -> Sequence[Task]:
        return self.rows.load_where(
            tasks.c.status == TaskStatus.OPEN.value,
            tasks.c.reminded_at.is_(None),
            tasks.c.due_at <= moment,
        )


class SqlAutomationRules:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def all(self) -> Sequence[AutomationRule]:
        query = select(automation_rules).order_by(automation_rules.c.key)
        return [rule_of(row) for row in self._session.execute(query)]

    def save(self, rule: AutomationRule) -> None:
        row = rule_row(rule)
        upsert = insert_for(self._session, automation_rules).values(row)
        self._session.execute(
            upsert.on_conflict_do_update(
                index_elements=[automation_rules.c.key],
                set_={name: upsert.excluded[name] for name in row if name != "key"},
            )
        )


class SqlPurchases:
    """Orders' lines by SKU: the lines are JSON, so the SKU test runs per dialect."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def first_bought(self, sku: str) -> Mapping[str, datetime]:
        query = (
            select(orders.c.customer_id, func.min(orders.c.placed_at))
            .where(orders.c.status != OrderStatus.CANCELLED.value, self._has_sku(sku))
            .group_by(orders.c.customer_id)
        )
        # min() keeps the column's type, so the times come back aware, in UTC.
        return {row[0]: row[1] for row in self._session.execute(query)}

    def customers_who_bought(self, sku: str) -> set[str]:
        query = (
            select(orders.c.customer_id)
            .where(orders.c.status != OrderStatus.CANCELLED.value, self._has_sku(sku))
            .distinct()
        )
        return set(self._session.scalars(query))

    def _has_sku(self, sku: str) -> ColumnElement[bool]:
        if self._session.get_bind().dialect.name == "postgresql":
            return type_coerce(orders.c.lines, JSONB).contains([{"sku": sku}])
        each = func.json_each(orders.c.lines).table_valued("value").alias("line")
        return exists(
            select(literal_column("1"))
            .select_from(each)
            .where(func.json_extract(each.c.value, text("'$.sku'")) == sku)
        )
