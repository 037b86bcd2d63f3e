"""Use cases that log, edit and delete activities, each drawing its timeline entry."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.activities.views import ActivityView
from application.errors import NotFound, StaleVersion
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_live_customer, sees_customer
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.activities import Activity, ActivityChanges, ActivityKind, Direction
from domain.changes import KEEP, Keep


@frozen(kw_only=True)
class NewActivity:
    """An activity as a client sends it; ``occurred_at`` defaults to now."""

    customer_id: str
    kind: ActivityKind
    occurred_at: datetime | None = None
    subject: str = ""
    body: str = ""
    duration_seconds: int | None = None
    direction: Direction | None = None


@frozen(kw_only=True)
class ActivityPatch:
    """Changes to one activity; ``KEEP`` leaves a field alone and ``None`` clears it."""

    activity_id: str
    expected_version: int | None = None
    occurred_at: datetime | Keep = KEEP
    subject: str | Keep = KEEP
    body: str | Keep = KEEP
    duration_seconds: int | Keep | None = KEEP
    direction: Direction | Keep | None = KEEP


@frozen
class LogActivity:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewActivity) -> ActivityView:
        actor.require(Permission.CREATE_ACTIVITIES)
        now = self.clock.now()
        activity = Activity.log(
            id=self.ids.new_id(),
            customer_id=new.customer_id,
            kind=new.kind,
            author_id=actor.actor_id,
            occurred_at=new.occurred_at or now,
            subject=new.subject,
            body=new.body,
            duration_seconds=new.duration_seconds,
            direction=new.direction,
            at=now,
        )
        with self.uow() as uow:
            require_live_customer(
                uow,
                new.customer_id,
                when_archived="an archived customer takes no new activities",
                actor=actor,
            )
            uow.activities.add(activity)
            uow.timeline.record([activity.timeline_entry()])
            if activity.is_contact:
                # A call, meeting or email to the customer keeps their leads' first-touch
                # promise, in the same transaction, as an order triggers lifecycle rules.
                for lead in uow.leads.awaiting_first_touch(activity.customer_id):
                    lead.contacted_in(activity.occurred_at)
            uow.commit()
        return ActivityView.from_activity(activity)


@frozen
class UpdateActivity:
    """Edit an activity: its author may, and so may a manager."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, patch: ActivityPatch) -> ActivityView:
        actor.require(Permission.CREATE_ACTIVITIES)
        changes = ActivityChanges(
            occurred_at=patch.occurred_at,
            subject=patch.subject,
            body=patch.body,
            duration_seconds=patch.duration_seconds,
            direction=patch.direction,
        )
        with self.uow() as uow:
            activity = _load_current(uow, actor, patch.activity_id, patch.expected_version)
            version = activity.version
            activity.edit(
                changes,
                at=self.clock.now(),
                by=actor.actor_id,
                moderator=actor.role.allows(Permission.MANAGE_ACTIVITIES),
            )
            if activity.version != version:
                uow.timeline.record([activity.timeline_entry()])
                uow.commit()
        return ActivityView.from_activity(activity)


@frozen
class DeleteActivity:
    """Soft-delete an activity: it leaves the timeline and the API, and stays on record."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(
        self, actor: Principal, activity_id: str, expected_version: int | None = None
    ) -> ActivityView:
        actor.require(Permission.CREATE_ACTIVITIES)
        with self.uow() as uow:
            activity = _load_current(uow, actor, activity_id, expected_version)
            activity.delete(
                at=self.clock.now(),
                by=actor.actor_id,
                moderator=actor.role.allows(Permission.MANAGE_ACTIVITIES),
            )
            uow.timeline.remove([activity.id])
            uow.commit()
        return ActivityView.from_activity(activity)


def _load_current(
    uow: UnitOfWork, actor: Principal, activity_id: str, expected_version: int | None
) -> Activity:
    activity = uow.activities.get(activity_id)
    if activity is not None and not sees_customer(uow, actor, activity.customer_id):
        # An activity follows its customer's visibility.
        activity = None
    if activity is None or activity.is_deleted:
        raise NotFound("id", "no activity has this id")
    if expected_version is not None and activity.version != expected_version:
        raise StaleVersion(expected_version, activity.version)
    return activity
