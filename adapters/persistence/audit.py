"""The audit log in SQL: one append-only table, written in the change's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    String,
    Table,
    and_,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from adapters.persistence.database import Database
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.tables import metadata
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.types import JsonDocument, UtcDateTime, sortable_text
from application.audit.ports import NEWEST_FIRST, AuditFilter
from application.pagination import Page, PageRequest, keyset_page, read_time
from application.pagination import SortKey as PageSortKey
from domain.audit import AuditEntry, FieldChange, Outcome
from domain.privacy.declarations import ERASED_BY_ITS_MODULE

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", sortable_text(64), primary_key=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("api_key_id", String(64)),
    Column("request_id", String(128)),
    Column("operation", String(100), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("error_codes", JsonDocument, nullable=False),
    Column("object_type", String(64)),
    Column("object_id", String(64)),
    Column("changes", JsonDocument, nullable=False),
    Column("events", JsonDocument, nullable=False),
    info={"personal": ERASED_BY_ITS_MODULE},
)
Index("ix_audit_entries_occurred_at_id", audit_entries.c.occurred_at, audit_entries.c.id)
Index("ix_audit_entries_object_id", audit_entries.c.object_id)
Index("ix_audit_entries_actor_id", audit_entries.c.actor_id)


def entry_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": entry.occurred_at,
        "actor_id": entry.actor_id,
        "api_key_id": entry.api_key_id,
        "request_id": entry.request_id,
        "operation": entry.operation,
        "outcome": entry.outcome.value,
        "error_codes": list(entry.error_codes),
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in entry.changes
        ],
        "events": list(entry.events),
    }


def entry_of(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        api_key_id=row.api_key_id,
        request_id=row.request_id,
        operation=row.operation,
        outcome=Outcome(row.outcome),
        error_codes=tuple(row.error_codes),
        object_type=row.object_type,
        object_id=row.object_id,
        changes=tuple(FieldChange(c["field"], c["before"], c["after"]) for c in row.changes),
        events=tuple(row.events),
    )


def _conditions(condition: AuditFilter) -> list[ColumnElement[bool]]:
    table = audit_entries
    found: list[ColumnElement[bool]] = []
    if condition.object_id is not None:
        found.append(table.c.object_id == condition.object_id)
    if condition.object_type is not None:
        found.append(table.c.object_type == condition.object_type)
    if condition.actor_id is not None:
        found.append(table.c.actor_id == condition.actor_id)
    if condition.operation is not None:
        found.append(table.c.operation == condition.operation)
    if condition.occurred_after is not None:
        found.append(table.c.occurred_at > condition.occurred_after)
    if condition.occurred_before is not None:
        found.append(table.c.occurred_at < condition.occurred_before)
    return found


class _NewestFirst:
    name = NEWEST_FIRST

    def key_of(self, entry: AuditEntry) -> PageSortKey:
        return PageSortKey(entry.occurred_at, entry.id)

    def read_cursor_value(self, raw: object) -> Any:
        return read_time(raw)


class SqlAuditLog:
    """Reads on the reader engine; appends, purges and redactions in their own transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        with self._database.writer.begin() as connection:
            connection.execute(insert(audit_entries), [entry_row(e) for e in entries])

    def page(self, condition: AuditFilter, request: PageRequest) -> Page[AuditEntry]:
        table = audit_entries

        def slice_of(
            *,
            after: PageSortKey | None,
            before: PageSortKey | None,
            limit: int,
            from_end: bool,
        ) -> list[AuditEntry]:
            bounds = window(
                table.c.occurred_at, table.c.id, descending=True, after=after, before=before
            )
            query = (
                select(table)
                .where(*_conditions(condition), *bounds)
                .order_by(
                    *walking_order(
                        table.c.occurred_at, table.c.id, descending=True, from_end=from_end
                    )
                )
                .limit(limit)
            )
            with self._database.reader.connect() as connection:
                return [entry_of(row) for row in connection.execute(query)]

        return keyset_page(request, _NewestFirst(), slice_of)

    def count(self, condition: AuditFilter) -> int:
        query = select(func.count()).select_from(audit_entries).where(*_conditions(condition))
        with self._database.reader.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def entries_mentioning(self, object_id: str) -> list[AuditEntry]:
        table = audit_entries
        # Values are JSON: a text search narrows the rows, the entry decides.
        as_text = cast(table.c.changes, String)
        query = (
            select(table)
            .where(or_(table.c.object_id == object_id, as_text.contains(object_id)))
            .order_by(table.c.occurred_at, table.c.id)
        )
        with self._database.reader.connect() as connection:
            found = [entry_of(row) for row in connection.execute(query)]
        return [entry for entry in found if entry.mentions(object_id)]

    def redact_object(self, object_type: str, object_id: str) -> int:
        table = audit_entries
        about = and_(table.c.object_type == object_type, table.c.object_id == object_id)
        with self._database.writer.begin() as connection:
            rows = list(connection.execute(select(table).where(about)))
            for row in rows:
                redacted = entry_of(row).redacted()
                connection.execute(
                    update(table)
                    .where(table.c.id == row.id)
                    .values(changes=entry_row(redacted)["changes"])
                )
        return len(rows)

    def purge_before(self, cutoff: datetime) -> int:
        with self._database.writer.begin() as connection:
            result = connection.execute(
                delete(audit_entries).where(audit_entries.c.occurred_at < cutoff)
            )
        return int(result.rowcount)


class _PendingEntries:
    """Entries written with the transaction's flush, after the rows they describe."""

    def __init__(self, session: Session, entries: Sequence[AuditEntry]) -> None:
        self._session = session
        self._entries = list(entries)

    def flush(self) -> None:
        if self._entries:
            self._session.execute(insert(audit_entries), [entry_row(e) for e in self._entries])
            self._entries.clear()


class SqlAuditJournal:
    """Writes entries in the SQL transaction that commits the change."""

    def write(self, transaction: object, entries: Sequence[AuditEntry]) -> None:
        if not isinstance(transaction, SqlTransaction):
            raise TypeError(f"not a SQL transaction: {type(transaction).__name__}")
        transaction.writes(_PendingEntries(transaction.session, entries))
