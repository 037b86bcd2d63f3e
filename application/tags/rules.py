"""Auto-tag rules: while customers meet a condition they carry a tag, and lose it after.

The job is set-based and idempotent: per rule it computes who matches, diffs that against
who carries the tag, and applies the difference in bulk. A rule only ever removes the tags
it put on; a tag that a person (or another rule) put on stays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from attrs import frozen

from application.customers.views import CustomerFilter
from application.errors import NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.tags.commands import changes_of, record
from application.tags.conditions import AutoTagRule, ConditionSources, TagCondition
from application.tags.ports import TagReader
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.tags import TagChange

Progress = Callable[[int, int], None]
"""Called with ``(rules done, rules in all)`` after each rule."""


@frozen
class DefineAutoTagRule:
    """Add a rule: customers meeting ``condition`` get ``tag_id`` when the job next runs."""

    uow: UnitOfWorkFactory
    sources: ConditionSources
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, tag_id: str, condition: TagCondition) -> AutoTagRule:
        actor.require(Permission.MANAGE_CUSTOM_FIELDS)
        condition.check(self.sources)
        rule = AutoTagRule(
            id=self.ids.new_id(),
            tag_id=tag_id,
            condition=condition,
            created_at=self.clock.now(),
            created_by=actor.actor_id,
        )
        with self.uow() as uow:
            if tag_id not in uow.tags.get_many({tag_id}):
                raise NotFound("tagId", "no tag has this id")
            uow.tags.add_rule(rule)
            uow.commit()
        return rule


@frozen
class DeleteAutoTagRule:
    """Stop a rule. The tags it put on stay (as if a person had put them on), or with
    ``remove_tags`` come off the customers it tagged, with their history and events."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, rule_id: str, *, remove_tags: bool = False) -> int:
        """How many customers lost the tag."""
        actor.require(Permission.MANAGE_CUSTOM_FIELDS)
        with self.uow() as uow:
            rule = next((r for r in uow.tags.rules() if r.id == rule_id), None)
            if rule is None:
                raise NotFound("id", "no auto-tag rule has this id")
            removed: Sequence[TagChange] = ()
            if remove_tags:
                tags = dict(uow.tags.get_many({rule.tag_id}))
                tagged = uow.tags.tagged_with(rule.tag_id, rule_id=rule.id)
                removed = record(
                    uow,
                    changes_of(
                        [(customer_id, rule.tag_id) for customer_id in sorted(tagged)],
                        tags,
                        added=False,
                        at=self.clock.now(),
                        by=actor.actor_id,
                        ids=self.ids,
                        rule_id=rule.id,
                    ),
                )
            uow.tags.remove_rule(rule.id)
            uow.commit()
        return len(removed)


@frozen
class ListAutoTagRules:
    reader: TagReader

    def __call__(self, actor: Principal) -> Sequence[AutoTagRule]:
        """Every rule, oldest first."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rules()


@frozen
class AutoTagReport:
    rules: int
    added: int
    removed: int


@frozen
class RunAutoTagRules:
    """Evaluate every rule, each in a transaction of its own; running twice changes nothing."""

    uow: UnitOfWorkFactory
    sources: ConditionSources
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, on_progress: Progress | None = None) -> AutoTagReport:
        actor.require(Permission.WRITE_CUSTOMERS)
        now = self.clock.now()
        today = now.astimezone(UTC).date()
        with self.uow() as uow:
            rules = list(uow.tags.rules())
        active = self.sources.customers.ids_matching(CustomerFilter())
        added = removed = 0
        for done, rule in enumerate(rules, start=1):
            matching = rule.condition.customers(self.sources, today) & active
            applied = self._apply(rule, matching, active, actor=actor, at=now)
            added += sum(1 for change in applied if change.added)
            removed += sum(1 for change in applied if not change.added)
            if on_progress is not None:
                on_progress(done, len(rules))
        return AutoTagReport(rules=len(rules), added=added, removed=removed)

    def _apply(
        self,
        rule: AutoTagRule,
        matching: set[str],
        active: set[str],
        *,
        actor: Principal,
        at: datetime,
    ) -> Sequence[TagChange]:
        """Tag who matches and lacks the tag; untag who the rule tagged and no longer matches."""
        with self.uow() as uow:
            tags = dict(uow.tags.get_many({rule.tag_id}))
            if not tags:
                return []
            carrying = uow.tags.tagged_with(rule.tag_id)
            by_rule = uow.tags.tagged_with(rule.tag_id, rule_id=rule.id) & active
            made = functools.partial(
                changes_of, tags=tags, at=at, by=actor.actor_id, ids=self.ids, rule_id=rule.id
            )
            adds = made([(c, rule.tag_id) for c in sorted(matching - carrying)], added=True)
            removes = made([(c, rule.tag_id) for c in sorted(by_rule - matching)], added=False)
            applied = record(uow, adds + removes)
            uow.commit()
        return applied
