"""Finding customers who look like one person, and merging them into one."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import field, frozen

from application.custom_fields.rules import load_schema
from application.customers.ports import CustomerReader
from application.customers.views import CustomerView
from application.ports import Clock
from application.principal import Principal
from application.references import load_live_customer
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.custom_fields import ObjectType
from domain.customers.matching import name_key
from domain.customers.merging import MergePlan, MergePolicy

# How strongly each shared key alone suggests one person; combined as independent evidence.
WEIGHTS = {"email": 0.9, "phone": 0.7, "name": 0.5}


@frozen
class DuplicateCandidate:
    first_id: str
    second_id: str
    score: float
    reasons: tuple[str, ...]


def score(reasons: Sequence[str]) -> float:
    missing = 1.0
    for reason in reasons:
        missing *= 1 - WEIGHTS[reason]
    return round(1 - missing, 4)


@frozen
class FindDuplicateCandidates:
    """Pairs of active customers sharing a mailbox or a phone, best first.

    A shared name adds to the score but is never enough on its own.
    """

    reader: CustomerReader

    def __call__(self, actor: Principal) -> list[DuplicateCandidate]:
        actor.require(Permission.READ_CUSTOMERS)
        # Both sides of a pair must be visible: a pair with a hidden customer would tell
        # the actor that someone else holds the same address.
        visible = actor.visibility(Resource.CUSTOMERS)
        reasons: dict[tuple[str, str], set[str]] = {}
        for first, second, reason in self.reader.duplicate_pairs(visible=visible):
            reasons.setdefault((first, second), set()).add(reason)
        views = self.reader.get_many({i for pair in reasons for i in pair}, visible=visible)
        for (first, second), found in reasons.items():
            a, b = views.get(first), views.get(second)
            if (
                a
                and b
                and name_key(a.first_name, a.last_name)
                and (name_key(a.first_name, a.last_name) == name_key(b.first_name, b.last_name))
            ):
                found.add("name")
        candidates = [
            DuplicateCandidate(first, second, score(sorted(found)), tuple(sorted(found)))
            for (first, second), found in reasons.items()
        ]
        candidates.sort(key=lambda c: (-c.score, c.first_id, c.second_id))
        return candidates


def require_merge(actor: Principal) -> None:
    """Merging needs its own permission."""
    actor.require(Permission.MERGE_CUSTOMERS)


def move_history(uow: UnitOfWork, survivor_id: str, duplicate_ids: Sequence[str]) -> None:
    """Everything that belongs to merged duplicates now belongs to the survivor."""
    uow.orders.reassign(duplicate_ids, survivor_id)
    uow.activities.move_to(survivor_id, duplicate_ids)
    uow.tracked_events.move_to(survivor_id, duplicate_ids)
    uow.timeline.move_to(survivor_id, duplicate_ids)
    uow.tags.move_to(survivor_id, duplicate_ids)
    uow.lifecycle.move_to(survivor_id, duplicate_ids)
    uow.opportunities.move_to(survivor_id, duplicate_ids)
    uow.leads.move_to(survivor_id, duplicate_ids)
    uow.tasks.move_to(survivor_id, duplicate_ids)


@frozen
class MergeCustomers:
    """Fold duplicates into a survivor and move everything they had to it.

    Orders, events, activities, the timeline, tags (the survivor carries the union),
    stages, deals, leads and tasks follow, and as modules arrive cases; the duplicates stay
    resolvable and point at the survivor. Each duplicate ends archived, so merging needs
    the permission that archiving needs.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: MergePolicy = field(factory=MergePolicy)

    def __call__(
        self, actor: Principal, survivor_id: str, duplicate_ids: Sequence[str]
    ) -> CustomerView:
        require_merge(actor)
        now = self.clock.now()
        with self.uow() as uow:
            survivor = load_live_customer(uow, survivor_id, field="survivorId", actor=actor)
            duplicates = [
                load_live_customer(uow, duplicate_id, field=f"duplicateIds.{index}", actor=actor)
                for index, duplicate_id in enumerate(duplicate_ids)
            ]
            plan = MergePlan.of(survivor, duplicates, self.policy)
            handed_over = plan.retire(at=now, by=actor.actor_id)
            uow.flush()
            move_history(uow, survivor.id, [d.id for d in duplicates])
            plan.complete(
                handed_over,
                schema=load_schema(uow.custom_fields, ObjectType.CUSTOMER),
                at=now,
                by=actor.actor_id,
            )
            uow.commit()
        return CustomerView.from_customer(survivor)
