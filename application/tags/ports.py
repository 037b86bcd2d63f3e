"""What the tag use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from application.pagination import SortKey
from application.tags.conditions import AutoTagRule, RuleFilter
from application.tags.views import TagFilter, TagOrder, TagView
from domain.tags import Tag, TagChange


class TagRepository(Protocol):
    """Tags, who carries them, and auto-tag rules inside a unit of work (``uow.tags``).

    Changes to who carries a tag are set-based: a call handles thousands of customers in a
    handful of statements.
    """

    def add(self, tag: Tag) -> None:
        """Store a new tag; a name another tag has (ignoring case) is ``AlreadyTaken``."""
        ...

    def get(self, tag_id: str) -> Tag | None:
        """The tag to change, or ``None``; a changed one is saved by ``update``."""
        ...

    def update(self, tag: Tag) -> None:
        """Save a changed tag; a name another tag has (ignoring case) is ``AlreadyTaken``."""
        ...

    def name_taken(self, name: str) -> bool:
        """Whether a tag has this name already, ignoring case."""
        ...

    def get_many(self, ids: Collection[str]) -> Mapping[str, TagView]: ...

    def assignments(
        self, customer_ids: Collection[str], tag_ids: Collection[str]
    ) -> set[tuple[str, str]]:
        """``(customer id, tag id)`` of the pairs among these that are tagged now."""
        ...

    def tagged_with(self, tag_id: str, *, rule_id: str | None = None) -> set[str]:
        """The customers carrying ``tag_id``; only those the rule tagged, given ``rule_id``."""
        ...

    def apply(self, changes: Sequence[TagChange]) -> Sequence[TagChange]:
        """Add and remove tags, write their history and events; return the changes made.

        Adding a tag a customer has, or removing one they lack (another transaction got
        there first), changes nothing and is left out of the result.
        """
        ...

    def move_to(self, survivor_id: str, duplicate_ids: Collection[str]) -> int:
        """The survivor carries every tag of the merged duplicates; their history moves."""
        ...

    def add_rule(self, rule: AutoTagRule) -> None: ...

    def remove_rule(self, rule_id: str) -> None:
        """Forget the rule; the tags it put on stay, as if a person had put them on."""
        ...

    def rules(self) -> Sequence[AutoTagRule]:
        """Every auto-tag rule, oldest first."""
        ...

    def update_rule(self, rule: AutoTagRule) -> None:
        """Save a changed rule (same id) in place of the stored one."""
        ...

    def disown(self, rule_id: str) -> None:
        """The tags the rule put on become as if a person had put them on."""
        ...


class TagReader(Protocol):
    """Read-only queries over tags, outside any unit of work."""

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
        """At most ``limit`` tags the filter admits, strictly between ``after`` and ``before``
        in ``order`` (then by id), walked from the end when ``from_end``."""
        ...

    def count(self, filter: TagFilter) -> int:
        """How many tags the filter admits."""
        ...

    def all(self) -> Sequence[TagView]:
        """The whole catalogue, ordered by ``TagView.sort_key``."""
        ...

    def get_many(self, ids: Iterable[str]) -> Mapping[str, TagView]: ...

    def tags_of(self, customer_ids: Iterable[str]) -> Mapping[str, Sequence[TagView]]:
        """The tags of each customer, by ``TagView.sort_key``; none for untagged ids."""
        ...

    def history(self, customer_id: str) -> Sequence[TagChange]:
        """The customer's tag changes, newest first by ``(occurred_at, id)``."""
        ...

    def newest_history(
        self, customer_ids: Collection[str], limit: int
    ) -> Mapping[str, Sequence[TagChange]]:
        """The ``limit`` newest changes of each customer (as ``history``), in one query."""
        ...

    def history_counts(self, customer_ids: Collection[str]) -> Mapping[str, int]:
        """How many tag changes each customer has; none for those without."""
        ...

    def rules(self) -> Sequence[AutoTagRule]:
        """Every auto-tag rule, oldest first."""
        ...

    def rule_slice(
        self,
        filter: RuleFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[AutoTagRule]:
        """At most ``limit`` rules the filter admits, oldest first by ``(created_at, id)``,
        strictly between ``after`` and ``before``, walked from the end when ``from_end``."""
        ...

    def rule_count(self, filter: RuleFilter) -> int: ...

    def rules_by_id(self, ids: Collection[str]) -> Mapping[str, AutoTagRule]: ...
