"""Auto-tag rules: while customers meet a condition they carry a tag, and lose it after.

The job is set-based and idempotent: per rule it computes who matches, diffs that against
who carries the tag, and applies the difference in bulk. A rule only ever removes the tags
it put on; a tag that a person (or another rule) put on stays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial

from attrs import evolve, frozen

from application.customers.views import CustomerFilter
from application.errors import NotFound, StaleVersion
from application.pagination import MemoryOrder, Page, PageRequest, keyset_page, read_time
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.tags.commands import changes_of, record
from application.tags.conditions import AutoTagRule, ConditionSources, RuleFilter, TagCondition
from application.tags.ports import TagReader
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.access.visibility import EVERYTHING
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

    def __call__(
        self, actor: Principal, tag_id: str, condition: TagCondition, *, enabled: bool = True
    ) -> AutoTagRule:
        actor.require(Permission.MANAGE_TAGS)
        condition.check(self.sources)
        rule = AutoTagRule(
            id=self.ids.new_id(),
            tag_id=tag_id,
            condition=condition,
            created_at=self.clock.now(),
            created_by=actor.actor_id,
            enabled=enabled,
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
        actor.require(Permission.MANAGE_TAGS)
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


@frozen(kw_only=True)
class RulePatch:
    """What to change on an auto-tag rule: ``None`` leaves a field as it is."""

    rule_id: str
    expected_version: int
    tag_id: str | None = None
    condition: TagCondition | None = None
    enabled: bool | None = None


@frozen
class UpdateAutoTagRule:
    """Change a rule's tag, condition or whether it runs, if nobody changed it meanwhile.

    Given another tag, the tags the rule put on stay, as if a person had put them on; the
    next run tags who meets the condition with the new tag."""

    uow: UnitOfWorkFactory
    sources: ConditionSources

    def __call__(self, actor: Principal, patch: RulePatch) -> AutoTagRule:
        actor.require(Permission.MANAGE_TAGS)
        if patch.condition is not None:
            patch.condition.check(self.sources)
        with self.uow() as uow:
            rule = next((r for r in uow.tags.rules() if r.id == patch.rule_id), None)
            if rule is None:
                raise NotFound("id", "no auto-tag rule has this id")
            if rule.version != patch.expected_version:
                raise StaleVersion(patch.expected_version, rule.version)
            tag_id = rule.tag_id if patch.tag_id is None else patch.tag_id
            if tag_id != rule.tag_id and tag_id not in uow.tags.get_many({tag_id}):
                raise NotFound("tagId", "no tag has this id")
            changed = evolve(
                rule,
                tag_id=tag_id,
                condition=rule.condition if patch.condition is None else patch.condition,
                enabled=rule.enabled if patch.enabled is None else patch.enabled,
            )
            if changed == rule:
                return rule
            if tag_id != rule.tag_id:
                uow.tags.disown(rule.id)
            changed = evolve(changed, version=rule.version + 1)
            uow.tags.update_rule(changed)
            uow.commit()
        return changed


@frozen
class ListAutoTagRules:
    reader: TagReader

    def __call__(self, actor: Principal) -> Sequence[AutoTagRule]:
        """Every rule, oldest first."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rules()

    def page(
        self,
        actor: Principal,
        page: PageRequest,
        *,
        tag_ids: Collection[str] | None = None,
        enabled: bool | None = None,
    ) -> Page[AutoTagRule]:
        """Rules oldest first, of the tags given and enabled or not, a page at a time."""
        actor.require(Permission.READ_CUSTOMERS)
        filter = _filter(tag_ids, enabled)
        return keyset_page(page, RULE_ORDER, partial(self.reader.rule_slice, filter))

    def count(
        self,
        actor: Principal,
        *,
        tag_ids: Collection[str] | None = None,
        enabled: bool | None = None,
    ) -> int:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rule_count(_filter(tag_ids, enabled))

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, AutoTagRule]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rules_by_id(ids)


def _filter(tag_ids: Collection[str] | None, enabled: bool | None) -> RuleFilter:
    return RuleFilter(tag_ids=None if tag_ids is None else frozenset(tag_ids), enabled=enabled)


RULE_ORDER: MemoryOrder[AutoTagRule] = MemoryOrder(
    name="auto_tag_rules:created_at:asc",
    value_of=lambda rule: rule.created_at,
    id_of=lambda rule: rule.id,
    read=read_time,
)


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
        actor.require(Permission.UPDATE_CUSTOMERS)
        now = self.clock.now()
        today = now.astimezone(UTC).date()
        with self.uow() as uow:
            rules = [rule for rule in uow.tags.rules() if rule.enabled]
        # Rules apply to every customer, whoever runs them.
        active = self.sources.customers.ids_matching(CustomerFilter(), visible=EVERYTHING)
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
