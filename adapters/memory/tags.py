"""Tags in memory: staged by a unit of work, replayed onto the store when it commits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import attrs

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from application.errors import AlreadyTaken
from application.pagination import SortKey, slice_in_memory
from application.tags.conditions import AutoTagRule, RuleFilter
from application.tags.rules import RULE_ORDER
from application.tags.views import TagFilter, TagOrder, TagView
from domain.events import DomainEvent
from domain.tags import Tag, TagChange
from domain.tags.tag import name_key

_Assignments = dict[tuple[str, str], str | None]
_Change = Callable[[InMemoryStore], None]


class InMemoryTags:
    """``uow.tags``: reads see the committed store with this unit of work's changes on top."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._tags: dict[str, Tag] = {}
        self._rules: dict[str, AutoTagRule] = {}
        self._removed_rules: set[str] = set()
        self._changes: list[_Change] = []
        # The events of tag changes, which no aggregate holds: this repository records them.
        self.events: list[DomainEvent] = []
        self._transaction = transaction
        transaction.checks(self.check)
        transaction.stages(write_back=self.write_back, clear=self.clear)

    def add(self, tag: Tag) -> None:
        self._tags[tag.id] = self._transaction.saw(tag)

    def get(self, tag_id: str) -> Tag | None:
        found = self._all_tags().get(tag_id)
        if found is None:
            return None
        # A copy, so that a change not committed never reaches the store.
        return self._tags.get(tag_id) or attrs.evolve(found)

    def update(self, tag: Tag) -> None:
        self._tags[tag.id] = self._transaction.saw(tag)

    def name_taken(self, name: str) -> bool:
        key = name_key(name)
        return any(tag.name_key == key for tag in self._all_tags().values())

    def get_many(self, ids: Collection[str]) -> Mapping[str, TagView]:
        tags = self._all_tags()
        return {i: TagView.from_tag(tags[i]) for i in ids if i in tags}

    def assignments(
        self, customer_ids: Collection[str], tag_ids: Collection[str]
    ) -> set[tuple[str, str]]:
        customers, tags = set(customer_ids), set(tag_ids)
        return {
            (customer_id, tag_id)
            for customer_id, tag_id in self._preview()
            if customer_id in customers and tag_id in tags
        }

    def tagged_with(self, tag_id: str, *, rule_id: str | None = None) -> set[str]:
        return {
            customer_id
            for (customer_id, tagged), by_rule in self._preview().items()
            if tagged == tag_id and (rule_id is None or by_rule == rule_id)
        }

    def apply(self, changes: Sequence[TagChange]) -> Sequence[TagChange]:
        current = self._preview()
        applied: list[TagChange] = []
        for change in changes:
            pair = (change.customer_id, change.tag_id)
            if (pair in current) != change.added:
                applied.append(change)
                if change.added:
                    current[pair] = change.rule_id
                else:
                    del current[pair]

        def write(store: InMemoryStore) -> None:
            for change in applied:
                pair = (change.customer_id, change.tag_id)
                if change.added:
                    store.customer_tags.setdefault(pair, change.rule_id)
                else:
                    store.customer_tags.pop(pair, None)
                store.tag_history[change.id] = change

        self._changes.append(write)
        self.events.extend(change.event() for change in applied)
        self._transaction.saw(self)
        return applied

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        duplicates = frozenset(duplicate_ids) - {survivor_id}

        def move(store: InMemoryStore) -> None:
            for (customer_id, tag_id), rule_id in list(store.customer_tags.items()):
                if customer_id in duplicates:
                    del store.customer_tags[(customer_id, tag_id)]
                    store.customer_tags.setdefault((survivor_id, tag_id), rule_id)
            for change_id, change in list(store.tag_history.items()):
                if change.customer_id in duplicates:
                    store.tag_history[change_id] = attrs.evolve(change, customer_id=survivor_id)

        moved = sum(1 for customer_id, _ in self._preview() if customer_id in duplicates)
        self._changes.append(move)
        return moved

    def add_rule(self, rule: AutoTagRule) -> None:
        self._rules[rule.id] = rule

    def update_rule(self, rule: AutoTagRule) -> None:
        self._rules[rule.id] = rule

    def disown(self, rule_id: str) -> None:
        def disown(store: InMemoryStore) -> None:
            for pair, by_rule in store.customer_tags.items():
                if by_rule == rule_id:
                    store.customer_tags[pair] = None

        self._changes.append(disown)

    def remove_rule(self, rule_id: str) -> None:
        self._rules.pop(rule_id, None)
        self._removed_rules.add(rule_id)

        def remove(store: InMemoryStore) -> None:
            store.tag_rules.pop(rule_id, None)
            for pair, by_rule in store.customer_tags.items():
                if by_rule == rule_id:
                    store.customer_tags[pair] = None

        self._changes.append(remove)

    def rules(self) -> Sequence[AutoTagRule]:
        with self._store.lock:
            rules = {**self._store.tag_rules, **self._rules}
        for rule_id in self._removed_rules:
            rules.pop(rule_id, None)
        return sorted(rules.values(), key=lambda rule: (rule.created_at, rule.id))

    def check(self) -> None:
        """Mirror of the SQL adapter's unique index on the case-folded name."""
        taken = {tag.name_key for i, tag in self._store.tags.items() if i not in self._tags}
        for tag in self._tags.values():
            if tag.name_key in taken:
                raise AlreadyTaken("name", "another tag has this name")
            taken.add(tag.name_key)

    def write_back(self) -> None:
        """Apply the staged changes; the unit of work holds the store's lock."""
        self._store.tags.update(self._tags)
        self._store.tag_rules.update(self._rules)
        for change in self._changes:
            change(self._store)

    def clear(self) -> None:
        self._tags.clear()
        self._rules.clear()
        self._removed_rules.clear()
        self._changes.clear()
        self.events.clear()

    def _all_tags(self) -> dict[str, Tag]:
        with self._store.lock:
            return {**self._store.tags, **self._tags}

    def _preview(self) -> _Assignments:
        """Who carries which tag once this unit of work's changes are applied."""
        with self._store.lock:
            preview = InMemoryStore(customer_tags=dict(self._store.customer_tags))
        for change in self._changes:
            change(preview)
        return preview.customer_tags


class InMemoryTagReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def slice(
        self,
        filter: TagFilter,
        order: TagOrder,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[TagView]:
        admitted = [tag for tag in self.all() if filter.admits(tag)]
        return slice_in_memory(
            admitted,
            order.memory_order(),
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self, filter: TagFilter) -> int:
        return sum(1 for tag in self.all() if filter.admits(tag))

    def all(self) -> Sequence[TagView]:
        with self._store.lock:
            views = [TagView.from_tag(tag) for tag in self._store.tags.values()]
        return sorted(views, key=lambda view: view.sort_key)

    def get_many(self, ids: Iterable[str]) -> Mapping[str, TagView]:
        tags = self._store.tags
        with self._store.lock:
            return {i: TagView.from_tag(tags[i]) for i in ids if i in tags}

    def tags_of(self, customer_ids: Iterable[str]) -> Mapping[str, Sequence[TagView]]:
        wanted = set(customer_ids)
        found: dict[str, list[TagView]] = {}
        with self._store.lock:
            for customer_id, tag_id in self._store.customer_tags:
                if customer_id in wanted:
                    view = TagView.from_tag(self._store.tags[tag_id])
                    found.setdefault(customer_id, []).append(view)
        for views in found.values():
            views.sort(key=lambda view: view.sort_key)
        return found

    def rules(self) -> Sequence[AutoTagRule]:
        with self._store.lock:
            rules = list(self._store.tag_rules.values())
        return sorted(rules, key=lambda rule: (rule.created_at, rule.id))

    def rule_slice(
        self,
        filter: RuleFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[AutoTagRule]:
        admitted = [rule for rule in self.rules() if filter.admits(rule)]
        return slice_in_memory(
            admitted, RULE_ORDER, after=after, before=before, limit=limit, from_end=from_end
        )

    def rule_count(self, filter: RuleFilter) -> int:
        return sum(1 for rule in self.rules() if filter.admits(rule))

    def rules_by_id(self, ids: Collection[str]) -> Mapping[str, AutoTagRule]:
        wanted = set(ids)
        return {rule.id: rule for rule in self.rules() if rule.id in wanted}

    def history(self, customer_id: str) -> Sequence[TagChange]:
        with self._store.lock:
            changes = [c for c in self._store.tag_history.values() if c.customer_id == customer_id]
        return sorted(changes, key=lambda change: (change.occurred_at, change.id), reverse=True)

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        wanted = set(customer_ids)
        counts: dict[str, int] = {}
        with self._store.lock:
            for change in self._store.tag_history.values():
                if change.customer_id in wanted:
                    counts[change.customer_id] = counts.get(change.customer_id, 0) + 1
        return counts

    def newest_history(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[TagChange]]:
        return {
            customer_id: list(self.history(customer_id)[: max(0, limit)])
            for customer_id in customer_ids
        }
