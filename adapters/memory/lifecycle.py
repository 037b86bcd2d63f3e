"""Lifecycle stages in memory: staged by a unit of work, visible once it commits."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence

import attrs

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.errors import StaleVersion
from application.lifecycle.views import StageView
from application.pagination import SortKey
from domain.lifecycle import (
    CustomerLifecycle,
    LifecycleCatalogue,
    StageAssignment,
    StageChange,
    StageRule,
    Track,
)


def catalogue_of(store: InMemoryStore) -> LifecycleCatalogue:
    return LifecycleCatalogue.of(store.lifecycle_tracks.values(), store.lifecycle_rules.values())


class InMemoryLifecycleRepository:
    """``uow.lifecycle``: copies of stages, checked against the store and written on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self.seen: dict[str, CustomerLifecycle] = {}
        self._loaded: dict[str, dict[str, StageAssignment]] = {}
        self._moves: list[tuple[str, frozenset[str]]] = []
        self._tracks: dict[str, Track] = {}
        self._rules: dict[str, StageRule] = {}
        self._transaction = transaction
        transaction.checks(self.check)
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def catalogue(self) -> LifecycleCatalogue:
        with self._store.lock:
            tracks = {**self._store.lifecycle_tracks, **self._tracks}
            rules = {**self._store.lifecycle_rules, **self._rules}
        return LifecycleCatalogue.of(tracks.values(), rules.values())

    def save_track(self, track: Track) -> None:
        self._tracks[track.key] = track

    def save_rule(self, rule: StageRule) -> None:
        self._rules[rule.key] = rule

    def stages_in_use(self, track: str) -> set[str]:
        with self._store.lock:
            return {
                stages[track].stage
                for stages in self._store.customer_stages.values()
                if track in stages
            }

    def get_many(self, customer_ids: Collection[str]) -> Mapping[str, CustomerLifecycle]:
        with self._store.lock:
            for customer_id in customer_ids:
                if customer_id not in self.seen:
                    stored = dict(self._store.customer_stages.get(customer_id, {}))
                    self._loaded[customer_id] = stored
                    loaded = CustomerLifecycle(customer_id, copy.copy(stored))
                    self.seen[customer_id] = self._transaction.saw(loaded)
        return {customer_id: self.seen[customer_id] for customer_id in customer_ids}

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = frozenset(duplicate_ids) - {survivor_id}
        loaded = self.get_many([survivor_id, *sorted(duplicates)])
        loaded[survivor_id].absorb(loaded[d] for d in sorted(duplicates))
        self._moves.append((survivor_id, duplicates))
        with self._store.lock:
            stored = sum(
                1 for c in self._store.stage_changes.values() if c.customer_id in duplicates
            )
        pending = sum(1 for d in duplicates if d in self.seen for _ in self.seen[d].changes)
        return stored + pending

    def check(self) -> None:
        """Raise ``StaleVersion`` if another commit changed a loaded customer's stages."""
        for customer_id, loaded in self._loaded.items():
            if self._store.customer_stages.get(customer_id, {}) != loaded:
                raise StaleVersion()

    def write_back(self) -> None:
        """Store stages and new history; the unit of work holds the store's lock."""
        self._store.lifecycle_tracks.update(self._tracks)
        self._store.lifecycle_rules.update(self._rules)
        for customer_id, lifecycle in self.seen.items():
            if lifecycle.stages:
                self._store.customer_stages[customer_id] = dict(lifecycle.stages)
            else:
                self._store.customer_stages.pop(customer_id, None)
            for change in lifecycle.changes:
                self._store.stage_changes[change.id] = change
            lifecycle.changes.clear()
        for survivor_id, duplicates in self._moves:
            for change_id, change in list(self._store.stage_changes.items()):
                if change.customer_id in duplicates:
                    self._store.stage_changes[change_id] = attrs.evolve(
                        change, customer_id=survivor_id
                    )

    def clear(self) -> None:
        self._tracks.clear()
        self._rules.clear()
        self.seen.clear()
        self._loaded.clear()
        self._moves.clear()


class InMemoryLifecycleReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def catalogue(self) -> LifecycleCatalogue:
        with self._store.lock:
            return catalogue_of(self._store)

    def stages_of(self, customer_ids: Collection[str]) -> Mapping[str, Sequence[StageView]]:
        with self._store.lock:
            return {
                customer_id: [
                    StageView(customer_id, track, assignment.stage, assignment.entered_at)
                    for track, assignment in sorted(
                        self._store.customer_stages.get(customer_id, {}).items()
                    )
                ]
                for customer_id in customer_ids
            }

    def history(
        self,
        customer_id: str,
        *,
        after: SortKey | None,
        limit: int,
        before: SortKey | None = None,
        oldest_first: bool = False,
    ) -> Sequence[StageChange]:
        with self._store.lock:
            mine = [c for c in self._store.stage_changes.values() if c.customer_id == customer_id]
        if after is not None:
            upper = (after.value, after.id)
            mine = [c for c in mine if (c.changed_at, c.id) < upper]
        if before is not None:
            lower = (before.value, before.id)
            mine = [c for c in mine if (c.changed_at, c.id) > lower]
        mine.sort(key=lambda c: (c.changed_at, c.id), reverse=not oldest_first)
        return mine[:limit]

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        wanted = set(customer_ids)
        counts: dict[str, int] = {}
        with self._store.lock:
            for change in self._store.stage_changes.values():
                if change.customer_id in wanted:
                    counts[change.customer_id] = counts.get(change.customer_id, 0) + 1
        return counts

    def newest_of(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[StageChange]]:
        return {
            customer_id: self.history(customer_id, after=None, limit=max(0, limit))
            for customer_id in customer_ids
        }
