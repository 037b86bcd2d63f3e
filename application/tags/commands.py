"""Creating tags, and tagging or untagging many customers in one call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from attrs import frozen

from application.errors import AlreadyTaken, InvalidInput, NotFound, StaleVersion
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import customer_refusal
from application.tags.views import TagView
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.errors import DomainError, ErrorCode, Problem
from domain.tags import Tag, TagCategory, TagChange

MAX_CUSTOMERS: Final = 10_000
MAX_TAGS: Final = 100


@frozen(kw_only=True)
class NewTag:
    name: str
    colour: str
    category: TagCategory = TagCategory.STATIC
    description: str = ""


@frozen
class CreateTag:
    """Add a tag to the catalogue; its name must be new, whatever the case."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewTag) -> TagView:
        actor.require(Permission.MANAGE_TAGS)
        tag = Tag.create(
            id=self.ids.new_id(),
            name=new.name,
            colour=new.colour,
            category=new.category,
            description=new.description,
            at=self.clock.now(),
            by=actor.actor_id,
        )
        with self.uow() as uow:
            if uow.tags.name_taken(tag.name):
                raise AlreadyTaken("name", "another tag has this name")
            uow.tags.add(tag)
            uow.commit()
        return TagView.from_tag(tag)


@frozen(kw_only=True)
class TagPatch:
    """What to change on a tag: ``None`` leaves a field as it is."""

    tag_id: str
    expected_version: int
    name: str | None = None
    colour: str | None = None
    category: TagCategory | None = None
    description: str | None = None


@frozen
class UpdateTag:
    """Rename, recolour, recategorise or redescribe a tag, if nobody changed it meanwhile.

    A customer's tag history keeps the names tags had when they were put on or taken off."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, patch: TagPatch) -> TagView:
        actor.require(Permission.MANAGE_TAGS)
        with self.uow() as uow:
            tag = uow.tags.get(patch.tag_id)
            if tag is None:
                raise NotFound("id", "no tag has this id")
            if tag.version != patch.expected_version:
                raise StaleVersion(patch.expected_version, tag.version)
            old_key = tag.name_key
            changed = tag.change(
                name=patch.name,
                colour=patch.colour,
                category=patch.category,
                description=patch.description,
                at=self.clock.now(),
                by=actor.actor_id,
            )
            if changed:
                if tag.name_key != old_key and uow.tags.name_taken(tag.name):
                    raise AlreadyTaken("name", "another tag has this name")
                uow.tags.update(tag)
                uow.commit()
        return TagView.from_tag(tag)


@frozen
class TagResult:
    """How many customer-tag pairs changed; pairs already as asked are left alone."""

    changed: int
    unchanged: int


@frozen
class _Tagging:
    """Tagging and untagging share everything but the direction of the change."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def _run(
        self, actor: Principal, customer_ids: Sequence[str], tag_ids: Sequence[str], *, add: bool
    ) -> TagResult:
        actor.require(Permission.UPDATE_CUSTOMERS)
        customers, tags = _distinct(customer_ids), _distinct(tag_ids)
        _check_sizes(customers, tags)
        now = self.clock.now()
        with self.uow() as uow:
            known = _check_known(uow, actor, customer_ids, tag_ids)
            existing = uow.tags.assignments(customers, tags)
            wanted = [
                (customer_id, tag_id)
                for customer_id in customers
                for tag_id in tags
                if ((customer_id, tag_id) in existing) != add
            ]
            changes = changes_of(
                wanted,
                known,
                added=add,
                at=now,
                by=actor.actor_id,
                ids=self.ids,
            )
            applied = record(uow, changes)
            uow.commit()
        total = len(customers) * len(tags)
        return TagResult(changed=len(applied), unchanged=total - len(applied))


@frozen
class TagCustomers(_Tagging):
    """Put every tag on every customer given; tags a customer has already stay as they are."""

    def __call__(
        self, actor: Principal, customer_ids: Sequence[str], tag_ids: Sequence[str]
    ) -> TagResult:
        return self._run(actor, customer_ids, tag_ids, add=True)


@frozen
class UntagCustomers(_Tagging):
    """Take every tag given off every customer given; missing tags change nothing."""

    def __call__(
        self, actor: Principal, customer_ids: Sequence[str], tag_ids: Sequence[str]
    ) -> TagResult:
        return self._run(actor, customer_ids, tag_ids, add=False)


def changes_of(
    pairs: Sequence[tuple[str, str]],
    tags: dict[str, TagView],
    *,
    added: bool,
    at: datetime,
    by: str,
    ids: IdGenerator,
    rule_id: str | None = None,
) -> list[TagChange]:
    """One change per ``(customer id, tag id)`` pair, each with an id of its own."""
    return [
        TagChange(
            id=ids.new_id(),
            customer_id=customer_id,
            tag_id=tag_id,
            tag_name=tags[tag_id].name,
            added=added,
            occurred_at=at,
            actor_id=by,
            rule_id=rule_id,
        )
        for customer_id, tag_id in pairs
    ]


def record(uow: UnitOfWork, changes: Sequence[TagChange]) -> Sequence[TagChange]:
    """Apply the changes in bulk and draw the ones made on the customers' timelines."""
    applied = uow.tags.apply(changes)
    uow.timeline.record([change.timeline_entry() for change in applied])
    return applied


def _distinct(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _check_sizes(customers: Sequence[str], tags: Sequence[str]) -> None:
    if not customers:
        raise InvalidInput("customerIds", ErrorCode.REQUIRED, "name at least one customer")
    if not tags:
        raise InvalidInput("tagIds", ErrorCode.REQUIRED, "name at least one tag")
    if len(customers) > MAX_CUSTOMERS:
        raise InvalidInput(
            "customerIds", ErrorCode.TOO_LONG, f"name at most {MAX_CUSTOMERS:,} customers"
        )
    if len(tags) > MAX_TAGS:
        raise InvalidInput("tagIds", ErrorCode.TOO_LONG, f"name at most {MAX_TAGS} tags")


def _check_known(
    uow: UnitOfWork, actor: Principal, customer_ids: Sequence[str], tag_ids: Sequence[str]
) -> dict[str, TagView]:
    """The tags by id, once every customer is known, active and visible to the actor and
    every tag known."""
    statuses = dict(uow.customer_lookup.statuses(set(customer_ids)))
    visible = actor.visibility(Resource.CUSTOMERS)
    if not visible.unrestricted:
        # A customer the actor may not see is refused as one that does not exist.
        loaded = uow.customers.get_many(set(statuses))
        statuses = {
            customer_id: status
            for customer_id, status in statuses.items()
            if customer_id in loaded and visible.admits(loaded[customer_id].owner_id, customer_id)
        }
    tags = dict(uow.tags.get_many(set(tag_ids)))
    refusals = (
        customer_refusal(statuses.get(customer_id), field=f"customerIds.{index}")
        for index, customer_id in enumerate(customer_ids)
    )
    problems = [refusal.problems[0] for refusal in refusals if refusal is not None] + [
        Problem(f"tagIds.{index}", ErrorCode.NOT_FOUND, "no tag has this id")
        for index, tag_id in enumerate(tag_ids)
        if tag_id not in tags
    ]
    if problems:
        raise DomainError(problems[:20])
    return tags
