"""Aggregates stored as one row each, mostly JSON, mapped by hand and version-checked."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Table, insert, select, update

from adapters.persistence.transaction import SqlTransaction
from application.errors import StaleVersion


class _Versioned(Protocol):
    id: str
    version: int


A = TypeVar("A", bound=_Versioned)


class TrackedRows(Generic[A]):
    """Aggregates handed out by one unit of work, written back on ``flush``: new ones
    inserted, loaded ones updated only if still at the version loaded."""

    def __init__(
        self,
        transaction: SqlTransaction,
        table: Table,
        to_row: Callable[[A], dict[str, Any]],
        from_row: Callable[[Any], A],
    ) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._table = table
        self._to_row = to_row
        self._from_row = from_row
        self.seen: dict[str, A] = {}
        self._loaded_versions: dict[str, int] = {}
        self._new: list[A] = []
        transaction.writes(self)

    def add(self, aggregate: A) -> None:
        self.add_many([aggregate])

    def add_many(self, aggregates: Sequence[A]) -> None:
        """Inserted on flush, in one statement, so that database errors surface at commit."""
        for aggregate in aggregates:
            self.seen[aggregate.id] = self._transaction.saw(aggregate)
        self._new.extend(aggregates)

    def get(self, aggregate_id: str) -> A | None:
        if aggregate_id in self.seen:
            return self.seen[aggregate_id]
        found = self.load_where(self._table.c.id == aggregate_id)
        return found[0] if found else None

    def load_where(self, *conditions: ColumnElement[bool], order: Sequence[Any] = ()) -> list[A]:
        query = select(self._table).where(*conditions).order_by(*(order or [self._table.c.id]))
        loaded = []
        for row in self._session.execute(query):
            if row.id not in self.seen:
                aggregate = self._from_row(row)
                self.seen[row.id] = self._transaction.saw(aggregate)
                self._loaded_versions[row.id] = aggregate.version
            loaded.append(self.seen[row.id])
        return loaded

    def flush(self) -> None:
        if self._new:
            self._session.execute(insert(self._table), [self._to_row(a) for a in self._new])
        self._new.clear()
        for aggregate_id, loaded in list(self._loaded_versions.items()):
            aggregate = self.seen[aggregate_id]
            if aggregate.version == loaded:
                continue
            statement = (
                update(self._table)
                .where(self._table.c.id == aggregate_id, self._table.c.version == loaded)
                .values(self._to_row(aggregate))
            )
            if self._session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion(loaded)
            self._loaded_versions[aggregate_id] = aggregate.version

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """A merge, set-based: every row of the duplicates becomes the survivor's, each a new
        version; what this unit of work loaded already is moved in place, too."""
        self.flush()
        duplicates = sorted(set(duplicate_ids) - {survivor_id})
        if not duplicates:
            return 0
        column = self._table.c.customer_id
        moved = self._session.execute(
            update(self._table)
            .where(column.in_(duplicates))
            .values(customer_id=survivor_id, version=self._table.c.version + 1)
        ).rowcount  # type: ignore[attr-defined]
        for aggregate_id, aggregate in self.seen.items():
            owned: Any = aggregate
            if owned.customer_id in duplicates:
                owned.customer_id = survivor_id
                aggregate.version += 1
                self._loaded_versions[aggregate_id] = aggregate.version
        return int(moved)
