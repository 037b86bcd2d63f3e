"""Each table's personal data, declared once, found, exported and erased from that declaration.

A module's own table declares itself where it is defined:
``Table("cases", metadata, ..., info={"personal": PersonalData(found_by=("customer_id",))})``.
The tables of ``tables.py`` are declared below. ``undeclared_columns()`` names every text
column no declaration covers; the contract test fails on any.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    cast,
    delete,
    false,
    or_,
    select,
    update,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from adapters.persistence import tables
from adapters.persistence.tables import metadata
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.transaction import repository
from application.privacy.json_ready import json_ready
from application.privacy.ports import PersonalRecords
from domain.privacy import (
    ERASED_CUSTOMER_ID,
    NOT_PERSONAL,
    Erase,
    Erasure,
    PersonalData,
    blank,
    emptied,
    erased_customer,
    pseudonym,
)

ROWS_ABOUT_THE_CUSTOMER = PersonalData(found_by=("customer_id",))
"""The commonest declaration: rows about one customer, deleted with them."""

ANONYMOUS = pseudonym(ERASED_CUSTOMER_ID)

DECLARED: dict[str, PersonalData] = {
    # Staff, catalogues and configuration: nothing about any customer.
    **{
        table.name: NOT_PERSONAL
        for table in (
            tables.users,
            tables.access_version,
            tables.api_keys,
            tables.teams,
            tables.roles,
            tables.record_shares,
            tables.companies,
            tables.custom_field_definitions,
            tables.tags,
            tables.auto_tag_rules,
            tables.lifecycle_tracks,
            tables.lifecycle_rules,
            tables.pipelines,
            tables.opportunity_stage_entries,
            tables.sales_teams,
            tables.automation_rules,
            tables.lead_forms,
            tables.lead_scoring_models,
            tables.webhook_subscriptions,
            tables.scheduled_jobs,
            tables.segments,
            tables.segment_sizes,
        )
    },
    # The record itself, with its search text, sort key and custom fields.
    tables.customers.name: PersonalData(found_by=("id",)),
    **{
        table.name: ROWS_ABOUT_THE_CUSTOMER
        for table in (
            tables.customer_external_ids,
            tables.activities,
            tables.tracked_events,
            tables.event_daily_counts,
            tables.timeline_entries,
            tables.customer_tags,
            tables.tag_history,
            tables.customer_stages,
            tables.stage_changes,
            tables.leads,
            tables.tasks,
            tables.segment_members,
            tables.customer_rfm,
        )
    },
    # Revenue stays: orders keep their totals and lines, and belong to the stand-in.
    tables.orders.name: PersonalData(
        found_by=("customer_id",),
        delete_rows=False,
        columns={"customer_id": ANONYMOUS},
        not_personal=("id", "external_id", "status", "currency", "lines"),
    ),
    # So does the pipeline: a deal keeps its amount and stages, not whom it was with.
    tables.opportunities.name: PersonalData(
        found_by=("customer_id",),
        delete_rows=False,
        columns={
            "customer_id": ANONYMOUS,
            "name": pseudonym("Deal with an erased customer"),
            "next_step": blank,
            "close_reason": emptied,
        },
        not_personal=(
            "id",
            "pipeline_id",
            "stage_id",
            "company_id",
            "owner_id",
            "currency",
            "line_items",
            "status",
        ),
    ),
    # Delivery plumbing: events and deliveries about them, or naming them, go.
    tables.outbox.name: PersonalData(
        found_by=("aggregate_id",), mentioned_in=("payload",), exported=False
    ),
    tables.webhook_deliveries.name: PersonalData(
        found_by=("aggregate_id",), mentioned_in=("body",), exported=False
    ),
    tables.timers.name: PersonalData(
        found_by=("subject_id",), mentioned_in=("payload",), exported=False
    ),
}


def declaration_of(table: Table) -> PersonalData | None:
    declared = table.info.get("personal")
    if isinstance(declared, PersonalData):
        return declared
    return DECLARED.get(table.name)


_NOT_TEXT = (Integer, Float, Boolean, Date, DateTime)


def _is_text(column_type: TypeEngine[Any]) -> bool:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return not isinstance(column_type, _NOT_TEXT)


def undeclared_columns(within: MetaData = metadata) -> list[str]:
    """``table.column`` of every text or JSON column that no declaration covers."""
    missing: list[str] = []
    for table in within.sorted_tables:
        declared = declaration_of(table)
        for column in table.columns:
            if _is_text(column.type) and (declared is None or not declared.covers(column.name)):
                missing.append(f"{table.name}.{column.name}")
    return missing


def _declared() -> Iterator[tuple[Table, PersonalData]]:
    for table in metadata.sorted_tables:
        declared = declaration_of(table)
        if declared is not None and declared.about_customers:
            yield table, declared


def _rows_about(
    table: Table, declared: PersonalData, ids: Sequence[str], mentions: Sequence[str] = ()
) -> ColumnElement[bool]:
    found: list[ColumnElement[bool]] = [table.c[name].in_(ids) for name in declared.found_by]
    # Values inside a JSON document are quoted: matching the quotes keeps ann@x.org from
    # matching joann@x.org.
    found += [
        cast(table.c[name], Text).contains(f'"{mention}"', autoescape=True)
        for name in declared.mentioned_in
        for mention in mentions
    ]
    return or_(false(), *found)


class SqlPersonalDataStore:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session

    def subjects(self, customer_id: str) -> list[str] | None:
        customers = tables.customers
        found = self._session.execute(select(customers.c.id).where(customers.c.id == customer_id))
        if found.first() is None:
            return None
        subjects, frontier = [customer_id], [customer_id]
        while frontier:
            merged = self._session.execute(
                select(customers.c.id).where(customers.c.merged_into.in_(frontier))
            )
            frontier = [row.id for row in merged if row.id not in subjects]
            subjects += frontier
        return subjects

    def contact_points(self, customer_ids: Sequence[str]) -> list[str]:
        customers, leads = tables.customers, tables.leads
        rows = self._session.execute(
            select(customers.c.email, customers.c.phone).where(customers.c.id.in_(customer_ids))
        )
        points = {str(json_ready(value)) for row in rows for value in row if value is not None}
        lead_emails = self._session.execute(
            select(leads.c.email).where(leads.c.customer_id.in_(customer_ids))
        )
        points |= {row.email for row in lead_emails}
        return sorted(points)

    def erase(self, erasure: Erasure, mentions: Sequence[str]) -> None:
        self._transaction.saw(erasure)
        ids = list(erasure.subject_ids)
        self._ensure_stand_in(erasure)
        declared = list(_declared())
        for table, personal in declared:
            if not personal.delete_rows:
                self._session.execute(
                    update(table)
                    .where(_rows_about(table, personal, ids, mentions))
                    .values({name: _erased(rule) for name, rule in personal.columns.items()})
                )
        # Rows that refer to others go before them: the customer row is last.
        for table, personal in reversed(declared):
            if personal.delete_rows:
                self._session.execute(
                    delete(table).where(_rows_about(table, personal, ids, mentions))
                )

    def _ensure_stand_in(self, erasure: Erasure) -> None:
        customers = tables.customers
        there = self._session.execute(
            select(customers.c.id).where(customers.c.id == ERASED_CUSTOMER_ID)
        ).first()
        if there is None:
            self._session.add(erased_customer(erasure.erased_at))
            # Written now: the kept rows are pointed at it by the statements that follow.
            self._session.flush()


def _erased(rule: Any) -> Any:
    return None if rule.erase is Erase.NULL else rule.value


class SqlPrivacyUnitOfWork(SqlUnitOfWork):
    personal_data = repository(SqlPersonalDataStore)


class SqlPersonalDataReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self, customer_ids: Sequence[str]) -> PersonalRecords:
        ids = list(customer_ids)
        records: dict[str, Sequence[Mapping[str, Any]]] = {}
        with self._engine.connect() as connection:
            for table, personal in _declared():
                if personal.exported:
                    rows = connection.execute(
                        select(table).where(_rows_about(table, personal, ids))
                    )
                    records[table.name] = [json_ready(dict(row._mapping)) for row in rows]
            records.update(self._related(connection, records))
        return records

    @staticmethod
    def _related(connection: Any, records: PersonalRecords) -> PersonalRecords:
        """The company the customer works at and the tags they carried, by name."""
        company_ids = {row["company_id"] for row in records["customers"] if row["company_id"]}
        tagged = [*records["customer_tags"], *records["tag_history"]]
        tag_ids = {row["tag_id"] for row in tagged}
        companies, tags = tables.companies, tables.tags
        found_companies = connection.execute(
            select(companies).where(companies.c.id.in_(company_ids))
        )
        found_tags = connection.execute(
            select(tags.c.id, tags.c.name, tags.c.category).where(tags.c.id.in_(tag_ids))
        )
        return {
            "companies": [json_ready(dict(row._mapping)) for row in found_companies],
            "tags": [json_ready(dict(row._mapping)) for row in found_tags],
        }


class SqlStorageCompaction:
    """SQLite: deleted rows are zeroed as they go (``secure_delete``, set on every
    connection), and the write-ahead log that still holds their old pages is checkpointed
    into the file and truncated. PostgreSQL: deleted rows stay as dead tuples until vacuum;
    ``VACUUM`` on the tables erasure touches removes them and their index entries now, not
    whenever autovacuum gets there."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def after_erasure(self) -> None:
        if self._engine.dialect.name == "sqlite":
            # On the driver's connection, outside any transaction: the engine's own would
            # open one (BEGIN IMMEDIATE), and a checkpoint inside it cannot finish.
            raw = self._engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        elif self._engine.dialect.name == "postgresql":
            autocommit = self._engine.execution_options(isolation_level="AUTOCOMMIT")
            names = ", ".join(f'"{table.name}"' for table, _ in _declared())
            with autocommit.connect() as connection:
                connection.exec_driver_sql(f"VACUUM {names}")
