"""Copies of aggregates taken out of the in-memory store, written back only on commit."""

from __future__ import annotations

import copy
from typing import Generic, Protocol, TypeVar

from adapters.memory.transaction import InMemoryTransaction
from application.errors import AlreadyTaken, StaleVersion


class _Identified(Protocol):
    id: str


A = TypeVar("A", bound=_Identified)


class Staged(Generic[A]):
    """Copies of aggregates taken out of the store, written back only on commit.

    Registers its version check, write-back and clear with the transaction, and every
    aggregate it hands out or is given, so their events go out on commit.
    """

    def __init__(self, transaction: InMemoryTransaction, committed: dict[str, A]) -> None:
        self._transaction = transaction
        self.committed = committed
        self.seen: dict[str, A] = {}
        self.loaded_versions: dict[str, int | None] = {}
        transaction.checks(self.check_versions)
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def add(self, aggregate: A) -> None:
        self.seen[aggregate.id] = self._transaction.saw(aggregate)
        self.loaded_versions[aggregate.id] = None

    def get(self, aggregate_id: str) -> A | None:
        if aggregate_id in self.seen:
            return self.seen[aggregate_id]
        stored = self.committed.get(aggregate_id)
        if stored is None:
            return None
        loaded = self._transaction.saw(copy.deepcopy(stored))
        self.seen[aggregate_id] = loaded
        self.loaded_versions[aggregate_id] = getattr(loaded, "version", 0)
        return loaded

    def check_versions(self) -> None:
        for aggregate_id, loaded_version in self.loaded_versions.items():
            stored = self.committed.get(aggregate_id)
            if loaded_version is None:
                if stored is not None:
                    raise AlreadyTaken("id", "another record has this id")
            elif stored is not None and getattr(stored, "version", 0) != loaded_version:
                raise StaleVersion(loaded_version, getattr(stored, "version", None))

    def write_back(self) -> None:
        for aggregate_id, aggregate in self.seen.items():
            self.committed[aggregate_id] = copy.deepcopy(aggregate)

    def clear(self) -> None:
        self.seen.clear()
        self.loaded_versions.clear()
