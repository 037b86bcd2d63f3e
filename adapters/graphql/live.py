"""Typed subscriptions: what clients follow live, as the same object types queries answer.

Each is fed by the relayed events (``adapters.graphql.event_types.deliveries``) and reads
its objects when the event is delivered, with the subscriber's principal: a record the
subscriber may not see, or that is gone, is not delivered. Filters are global ids.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import GraphQLError

from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, fetch_customer
from adapters.graphql.event_types import (
    EventType,
    deliveries,
    event_type_of,
    refusal,
)
from adapters.graphql.events import concerns_customer
from adapters.graphql.lifecycle import LifecycleStageNode, StageChangeNode
from adapters.graphql.opportunities import OpportunityNode, fetch_opportunity
from adapters.graphql.parts import SchemaPart
from adapters.graphql.pipeline import PipelineStageNode, stage_node
from adapters.graphql.relay import MalformedId, local_id
from adapters.graphql.segments import SegmentNode, fetch_segment
from adapters.graphql.timeline import TimelineEntryNode, timeline_entry_node
from adapters.graphql.type_names import CUSTOMER, PIPELINE, SEGMENT, USER
from application.lifecycle.bundle import Lifecycle
from application.timeline.bundle import Timeline
from domain.access.roles import Permission
from domain.customers.events import CustomerMerged
from domain.errors import DomainError
from domain.lifecycle.events import StageChanged
from domain.pipeline.events import (
    OpportunityClosed,
    OpportunityCreated,
    OpportunityStageChanged,
    OpportunityUpdated,
)
from domain.segments.events import CustomerEnteredSegment, CustomerExitedSegment
from domain.timeline import TimelineEntry

T = TypeVar("T")

HISTORY_WINDOW = 20
"""How far back in a customer's stage history the change of an event is looked for."""
TIMELINE_WINDOW = 20
"""How many of a customer's newest timeline entries a delivery compares with what was sent."""


def _read(read: Callable[[], T | None]) -> T | None:
    """What ``read`` finds with the subscriber's principal; None when it may not see it."""
    try:
        return read()
    except (DomainError, GraphQLError):
        return None


def _ids(**values: tuple[strawberry.ID | None, str]) -> dict[str, str | None]:
    """Local ids of the filter arguments, by argument; a malformed one is refused."""
    try:
        return {
            name: local_id(value, kind, field=name) if value is not None else None
            for name, (value, kind) in values.items()
        }
    except MalformedId as error:
        raise refusal(error) from None


def _require_reader(info: Info, permission: Permission = Permission.READ_CUSTOMERS) -> None:
    try:
        info.context.principal.require(permission)
    except DomainError as error:
        raise refusal(error) from None


@strawberry.type(description="A customer moved to another stage of a lifecycle track.")
class LifecycleStageChangedEvent:
    event_id: strawberry.ID = strawberry.field(
        description="The CloudEvents id of the event, as `events` and webhooks carry it."
    )
    customer: Customer = strawberry.field(description="The customer, as it is now.")
    stage: LifecycleStageNode = strawberry.field(
        description="Where the customer now stands on the track."
    )
    change: StageChangeNode | None = strawberry.field(
        description="The move itself; null once it has left the customer's 20 newest changes."
    )


@strawberry.enum(description="What happened to a deal.")
class OpportunityMove(Enum):
    CREATED = strawberry.enum_value("created", description="The deal was opened at a stage.")
    STAGE_CHANGED = strawberry.enum_value(
        "stage_changed", description="The deal moved to another stage of its pipeline."
    )
    CLOSED = strawberry.enum_value("closed", description="The deal was won or lost.")
    UPDATED = strawberry.enum_value(
        "updated", description="The deal was edited: its name, amount, dates, owner or company."
    )


@strawberry.type(description="A deal was opened, moved to another stage, or closed.")
class OpportunityMovedEvent:
    event_id: strawberry.ID = strawberry.field(
        description="The CloudEvents id of the event, as `events` and webhooks carry it."
    )
    move: OpportunityMove = strawberry.field(description="What happened to the deal.")
    type: EventType = strawberry.field(description="The event's type, as `events` names it.")
    opportunity: OpportunityNode = strawberry.field(description="The deal, as it is now.")
    from_stage: PipelineStageNode | None = strawberry.field(
        description="The stage it left, for STAGE_CHANGED; null otherwise."
    )


@strawberry.enum(description="Whether a customer came into a segment or left it.")
class SegmentMembershipChange(Enum):
    ENTERED = strawberry.enum_value("entered", description="The customer now meets the rule.")
    EXITED = strawberry.enum_value("exited", description="The customer no longer meets it.")


@strawberry.type(description="A customer entered or left a dynamic segment.")
class SegmentMembershipChangedEvent:
    event_id: strawberry.ID = strawberry.field(
        description="The CloudEvents id of the event, as `events` and webhooks carry it."
    )
    change: SegmentMembershipChange = strawberry.field(description="Entered or exited.")
    customer: Customer = strawberry.field(description="The customer, as it is now.")
    segment: SegmentNode = strawberry.field(description="The segment, as it is now.")
    at: datetime = strawberry.field(description="When the membership changed.")


_OPPORTUNITY_MOVES = {
    OpportunityCreated.event_type: OpportunityMove.CREATED,
    OpportunityStageChanged.event_type: OpportunityMove.STAGE_CHANGED,
    OpportunityClosed.event_type: OpportunityMove.CLOSED,
    OpportunityUpdated.event_type: OpportunityMove.UPDATED,
}
_MEMBERSHIP_CHANGES = {
    CustomerEnteredSegment.event_type: SegmentMembershipChange.ENTERED,
    CustomerExitedSegment.event_type: SegmentMembershipChange.EXITED,
}


def _stage_changed(
    info: Info, event: Mapping[str, Any], track: str | None
) -> LifecycleStageChangedEvent | None:
    data = event["data"]
    if track is not None and data.get("track") != track:
        return None
    customer_id = event["subject"]
    customer = _read(lambda: fetch_customer(info, customer_id))
    if customer is None:
        return None
    context = info.context
    lifecycle = context.services.use(Lifecycle).read
    views = _read(lambda: lifecycle.stages_of(context.principal, [customer_id]))
    stage = next(
        (view for view in (views or {}).get(customer_id, ()) if view.track == data["track"]),
        None,
    )
    if stage is None:
        return None
    history = _read(
        lambda: lifecycle.history(context.principal, customer_id, first=HISTORY_WINDOW, after=None)
    )
    change = next(
        (
            edge.node
            for edge in (history.edges if history is not None else ())
            if edge.node.id == data["change_id"]
        ),
        None,
    )
    return LifecycleStageChangedEvent(
        event_id=strawberry.ID(event["id"]),
        customer=customer,
        stage=LifecycleStageNode.from_view(stage),
        change=StageChangeNode.from_change(change) if change is not None else None,
    )


def _opportunity_moved(
    info: Info, event: Mapping[str, Any], pipeline_id: str | None, owner_id: str | None
) -> OpportunityMovedEvent | None:
    opportunity = _read(lambda: fetch_opportunity(info, event["subject"]))
    if opportunity is None:
        return None
    if pipeline_id is not None and opportunity.view.pipeline_id != pipeline_id:
        return None
    if owner_id is not None and opportunity.view.owner_id != owner_id:
        return None
    data = event["data"]
    move = _OPPORTUNITY_MOVES[event["type"]]
    from_stage = (
        _read(lambda: stage_node(info, data["pipeline_id"], data["from_stage_id"]))
        if move is OpportunityMove.STAGE_CHANGED
        else None
    )
    return OpportunityMovedEvent(
        event_id=strawberry.ID(event["id"]),
        move=move,
        type=event_type_of(event["type"]),
        opportunity=opportunity,
        from_stage=from_stage,
    )


def _membership_changed(
    info: Info, event: Mapping[str, Any], segment_id: str | None, customer_id: str | None
) -> SegmentMembershipChangedEvent | None:
    data = event["data"]
    if segment_id is not None and data.get("segment_id") != segment_id:
        return None
    if customer_id is not None and event["subject"] != customer_id:
        return None
    customer = _read(lambda: fetch_customer(info, event["subject"]))
    segment = _read(lambda: fetch_segment(info, data["segment_id"]))
    if customer is None or segment is None:
        return None
    return SegmentMembershipChangedEvent(
        event_id=strawberry.ID(event["id"]),
        change=_MEMBERSHIP_CHANGES[event["type"]],
        customer=customer,
        segment=segment,
        at=datetime.fromisoformat(event["time"]),
    )


class _TimelineWatch:
    """What a ``customerTimeline`` subscriber has been sent of the newest entries."""

    def __init__(self, info: Info, customer_id: str) -> None:
        self._info = info
        self._customer_id = customer_id
        self._seen: dict[str, TimelineEntry] = {}
        self._oldest: tuple[datetime, str] | None = None

    def _newest(self) -> list[TimelineEntry]:
        context = self._info.context
        page = context.services.use(Timeline).get(
            context.principal, self._customer_id, first=TIMELINE_WINDOW
        )
        return [edge.node for edge in page.edges]

    def start(self) -> None:
        self._remember(self._newest())

    def news(self) -> list[TimelineEntry]:
        """Entries new or redrawn since the last look, oldest first."""
        newest = _read(self._newest) or []
        fresh = [
            entry
            for entry in newest
            if self._seen.get(entry.id) != entry
            and (self._oldest is None or (entry.occurred_at, entry.id) > self._oldest)
        ]
        self._remember(newest)
        return sorted(fresh, key=lambda entry: (entry.occurred_at, entry.id))

    def _remember(self, entries: list[TimelineEntry]) -> None:
        self._seen = {entry.id: entry for entry in entries}
        if len(entries) >= TIMELINE_WINDOW:
            # Older entries fell out of the window: they are not news when they show again.
            oldest = entries[-1]
            self._oldest = (oldest.occurred_at, oldest.id)


def _may_touch_timeline(event: Mapping[str, Any], customer_id: str) -> bool:
    """Whether an event may have put entries on the customer's timeline: it names them, or
    it names no customer at all (a deal's move, a lead's score)."""
    if concerns_customer(event, customer_id):
        return True
    data = event.get("data") or {}
    named = "customer_id" in data or event["type"] == CustomerMerged.event_type
    return not named and not event["type"].startswith(("rapport.customer.", "rapport.segment."))


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="Customers' moves between lifecycle stages, from now on. Needs read "
        "access to customers."
    )
    async def lifecycle_stage_changed(
        self,
        info: Info,
        customer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this customer's moves; null for everyone's."),
        ] = None,
        track: Annotated[
            str | None,
            strawberry.argument(description="Only moves on this track (its key); null for all."),
        ] = None,
    ) -> AsyncGenerator[LifecycleStageChangedEvent, None]:
        _require_reader(info)
        customer = _ids(customerId=(customer_id, CUSTOMER))["customerId"]
        async for event in deliveries(info, [StageChanged.event_type]):
            if customer is not None and event["subject"] != customer:
                continue
            delivered = _stage_changed(info, event, track)
            if delivered is not None:
                yield delivered

    @strawberry.subscription(
        description="Deals opened, edited, moved between stages or closed, from now on: only "
        "the deals the subscriber may see when the change is delivered. Needs read access to "
        "deals."
    )
    async def opportunity_moved(
        self,
        info: Info,
        pipeline_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only deals of this pipeline; null for all."),
        ] = None,
        owner_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only deals this user owns; null for all."),
        ] = None,
    ) -> AsyncGenerator[OpportunityMovedEvent, None]:
        _require_reader(info, Permission.READ_DEALS)
        ids = _ids(pipelineId=(pipeline_id, PIPELINE), ownerId=(owner_id, USER))
        async for event in deliveries(info, list(_OPPORTUNITY_MOVES)):
            delivered = _opportunity_moved(info, event, ids["pipelineId"], ids["ownerId"])
            if delivered is not None:
                yield delivered

    @strawberry.subscription(
        description="New and redrawn entries of one customer's timeline, from now on, oldest "
        "first. Entries of tracked behaviour come with the next change that is an event."
    )
    async def customer_timeline(
        self,
        info: Info,
        customer_id: Annotated[
            strawberry.ID, strawberry.argument(description="The customer whose timeline.")
        ],
    ) -> AsyncGenerator[TimelineEntryNode, None]:
        _require_reader(info)
        customer = _ids(customerId=(customer_id, CUSTOMER))["customerId"]
        assert customer is not None
        if _read(lambda: fetch_customer(info, customer)) is None:
            raise GraphQLError(
                "customerId: does not exist",
                extensions={"code": "NOT_FOUND", "field": "customerId"},
            )
        watch = _TimelineWatch(info, customer)
        watch.start()
        async for event in deliveries(info, None):
            if not _may_touch_timeline(event, customer):
                continue
            for entry in watch.news():
                yield timeline_entry_node(entry)

    @strawberry.subscription(
        description="Customers entering and leaving dynamic segments, from now on. Needs "
        "read access to customers."
    )
    async def segment_membership_changed(
        self,
        info: Info,
        segment_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this segment's members; null for all."),
        ] = None,
        customer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this customer; null for everyone."),
        ] = None,
    ) -> AsyncGenerator[SegmentMembershipChangedEvent, None]:
        _require_reader(info)
        ids = _ids(segmentId=(segment_id, SEGMENT), customerId=(customer_id, CUSTOMER))
        async for event in deliveries(info, list(_MEMBERSHIP_CHANGES)):
            delivered = _membership_changed(info, event, ids["segmentId"], ids["customerId"])
            if delivered is not None:
                yield delivered


PART = SchemaPart(
    subscriptions=(LiveSubscription,),
)
