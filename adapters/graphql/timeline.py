"""A customer's timeline in the API: one connection over the typed entries of every module.

``TimelineEntry`` is an interface; each kind of entry has its own implementation whose
fields are typed values (the schema's enums, global ids, ``Money``), never the stored
snapshot itself. ``timeline_entry_node`` is the one builder of an API entry from a domain
entry, wherever entries are answered (lists, subscriptions).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Final

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.activities import ActivityDirection, ActivityKindValue, ActivityNode
from adapters.graphql.behaviour import BehaviourEventNode
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.customers import customer_node
from adapters.graphql.errors import QueryErrors
from adapters.graphql.field_security import HIDDEN_AMOUNT, Guarded
from adapters.graphql.lifecycle import (
    StageDefinitionNode,
    TrackNode,
    stage_definition,
    track_node,
)
from adapters.graphql.money import Money
from adapters.graphql.orders import OrderNode, OrderStatusValue
from adapters.graphql.parts import NODE_FETCHERS, SchemaPart
from adapters.graphql.relay import Node, to_global_id
from adapters.graphql.timeline_kinds import KINDS, TimelineKind
from adapters.graphql.type_names import (
    ACTIVITY,
    BEHAVIOUR_EVENT,
    CUSTOMER,
    LEAD,
    OPPORTUNITY,
    ORDER,
    STAGE,
    TAG,
    TIMELINE_ENTRY,
)
from application.activities.bundle import Activities
from application.behaviour.bundle import Behaviour
from application.orders.bundle import Orders
from application.pipeline.bundle import Sales
from application.tags.bundle import Tags
from application.timeline.bundle import Timeline
from application.timeline.ports import TimelineWindow
from domain.access.roles import Resource
from domain.activities import ActivityKind
from domain.behaviour.event import TIMELINE_KIND as BEHAVIOUR_KIND
from domain.errors import DomainError
from domain.lifecycle.lifecycle import TIMELINE_KIND as STAGE_CHANGED
from domain.orders.money import Currency
from domain.orders.order import TIMELINE_KIND as ORDER_KIND
from domain.pipeline.leads import TIMELINE_KIND as LEAD_KIND
from domain.pipeline.opportunity import TIMELINE_KIND as OPPORTUNITY_KIND
from domain.tags.tagging import TAGGED, UNTAGGED
from domain.timeline import TimelineEntry

if TYPE_CHECKING:
    from adapters.graphql.leads import LeadNode as Lead
    from adapters.graphql.opportunities import OpportunityNode as Opportunity
    from adapters.graphql.opportunities import OpportunityStatus as DealStatus
    from adapters.graphql.tags import AutoTagRuleNode as AutoTagRule
    from adapters.graphql.tags import TagNode as Tag
else:
    # Other modules' types, by name, so that their modules may change on their own.
    Tag = Annotated["TagNode", strawberry.lazy("adapters.graphql.tags")]  # noqa: F821
    AutoTagRule = Annotated["AutoTagRuleNode", strawberry.lazy("adapters.graphql.tags")]  # noqa: F821
    Opportunity = Annotated[
        "OpportunityNode",  # noqa: F821
        strawberry.lazy("adapters.graphql.opportunities"),
    ]
    DealStatus = Annotated[
        "OpportunityStatus",  # noqa: F821
        strawberry.lazy("adapters.graphql.opportunities"),
    ]
    Lead = Annotated["LeadNode", strawberry.lazy("adapters.graphql.leads")]  # noqa: F821

# --- the records behind entries, loaded in batches ------------------------------------


async def _load_activity(info: Info, ids: str) -> Node | None:
    context = info.context
    loader = context.loaders.batch(
        "activities",
        lambda keys: context.services.use(Activities).get(context.principal, keys),
    )
    view = await loader.load(ids)
    return ActivityNode.from_view(view) if view else None


async def _load_behaviour_event(info: Info, event_id: str) -> Node | None:
    context = info.context
    loader = context.loaders.batch(
        "timeline.behaviour_events",
        lambda keys: context.services.use(Behaviour).get_tracked(context.principal, keys),
    )
    event = await loader.load(event_id)
    return BehaviourEventNode.from_event(event) if event else None


async def _load_order(info: Info, order_id: str) -> Node | None:
    context = info.context
    loader = context.loaders.batch(
        "timeline.orders",
        lambda keys: context.services.use(Orders).read.get_many(context.principal, keys),
    )
    view = await loader.load(order_id)
    return OrderNode.from_view(view) if view else None


async def _load_customer(info: Info, customer_id: str) -> Node | None:
    view = await info.context.loaders.customers.load(customer_id)
    return customer_node(view) if view else None


async def _load_tag(info: Info, tag_id: str) -> Node | None:
    from adapters.graphql.tags import TagNode

    context = info.context
    loader = context.loaders.batch(
        "timeline.tags", lambda keys: context.services.use(Tags).get(context.principal, keys)
    )
    view = await loader.load(tag_id)
    return TagNode.from_view(view) if view else None


async def _load_opportunity(info: Info, opportunity_id: str) -> Node | None:
    from adapters.graphql.opportunities import OpportunityNode

    view = await info.context.loaders.opportunities.load(opportunity_id)
    return OpportunityNode.from_view(view) if view else None


async def _load_lead(info: Info, lead_id: str) -> Node | None:
    from adapters.graphql.leads import LeadNode

    context = info.context
    loader = context.loaders.batch(
        "timeline.leads",
        lambda keys: context.services.use(Sales).read_leads.get_many(context.principal, keys),
    )
    view = await loader.load(lead_id)
    return LeadNode.from_view(view) if view else None


_SUBJECT_LOADERS: Final[Mapping[str, Callable[[Info, str], Awaitable[Node | None]]]] = {
    ACTIVITY: _load_activity,
    BEHAVIOUR_EVENT: _load_behaviour_event,
    ORDER: _load_order,
    CUSTOMER: _load_customer,
    TAG: _load_tag,
    OPPORTUNITY: _load_opportunity,
    LEAD: _load_lead,
}
"""How the record behind an entry loads, batched per request, by its type name."""


async def load_subject(info: Info, subject_type: str, subject_id: str) -> Node | None:
    """The record an entry shows; a type without a batched loader goes through ``node``."""
    load = _SUBJECT_LOADERS.get(subject_type)
    if load is not None:
        return await load(info, subject_id)
    fetch = NODE_FETCHERS.get(subject_type)
    if fetch is None:
        return None
    found = fetch(info, subject_id)
    if isinstance(found, Awaitable):
        return await found
    return found


# --- the interface and its implementations --------------------------------------------


@strawberry.interface(
    name="TimelineEntry",
    description="One thing that happened with a customer. Spread a fragment on an "
    "implementation (`... on OrderTimelineEntry`) for the fields of its kind.",
)
class TimelineEntryNode:
    id: strawberry.ID = strawberry.field(
        description="The entry's own global id; unique across every kind."
    )
    kind: TimelineKind = strawberry.field(  # type: ignore[valid-type]
        description="What the entry shows; decides which implementation it is."
    )
    occurred_at: datetime = strawberry.field(
        description="When it happened; the timeline is ordered by it, newest first."
    )
    title: str = strawberry.field(description="One line to show, at most 200 characters.")
    summary: str | None = strawberry.field(
        description="A longer text to show under the title, at most 500 characters."
    )
    entry: strawberry.Private[TimelineEntry]

    @strawberry.field(description="Who did it; null when Rapport itself or a customer did.")
    async def actor(self, info: Info) -> UserNode | None:
        actor_id = self.entry.actor_id
        return await load_user(info, actor_id) if actor_id else None

    @strawberry.field(
        description="The record behind the entry (the order, activity, tag ...), loaded "
        "with the rest of the page; null when it is gone.",
        extensions=[QueryErrors()],
    )
    async def subject(self, info: Info) -> Node | None:
        return await load_subject(info, self.entry.subject_type, self.entry.subject_id)

    def datum(self, key: str) -> Any:
        return self.entry.data.get(key)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _money(amount: Decimal | None, currency: Any) -> Money | None:
    """A stored amount as ``Money``, written with its currency's decimals ("0" is "0.00")."""
    if amount is None or not currency:
        return None
    try:
        quantum = Currency.parse(str(currency)).quantum
    except DomainError:
        return Money.in_currency(amount, str(currency))
    return Money.in_currency(amount.quantize(quantum), str(currency))


def _member(enum: type[Enum], value: Any) -> Any:
    """The member of an API enum for a stored value (its value, or its name)."""
    for member in enum:
        if value in (member.value, member.name):
            return member
    return None


@strawberry.type(
    description="A note, call, email or meeting logged with the customer (kinds NOTE, "
    "CALL, EMAIL, MEETING ...)."
)
class ActivityTimelineEntry(TimelineEntryNode):
    @strawberry.field(description="What sort of activity it is.")
    def activity_kind(self) -> ActivityKindValue:
        return ActivityKindValue[ActivityKind(self.entry.kind).name]

    @strawberry.field(description="Who reached out; calls and emails only.")
    def direction(self) -> ActivityDirection | None:
        direction: Any = _member(ActivityDirection, self.datum("direction"))
        return direction

    @strawberry.field(description="How long it took, in seconds; calls and meetings only.")
    def duration_seconds(self) -> int | None:
        value = self.datum("durationSeconds")
        return int(value) if isinstance(value, int) else None

    @strawberry.field(description="The activity itself; null once it is deleted.")
    async def activity(self, info: Info) -> ActivityNode | None:
        found = await _load_activity(info, self.entry.subject_id)
        return found if isinstance(found, ActivityNode) else None


@strawberry.type(description="A behaviour event the customer did, as tracked.")
class BehaviourTimelineEntry(TimelineEntryNode):
    @strawberry.field(description='The name the event was tracked under, e.g. "Signed Up".')
    def event_name(self) -> str:
        return self.entry.title

    @strawberry.field(description="The tracked event, with its properties.")
    async def event(self, info: Info) -> BehaviourEventNode | None:
        found = await _load_behaviour_event(info, self.entry.subject_id)
        return found if isinstance(found, BehaviourEventNode) else None


@strawberry.type(
    description="An order the customer placed, drawn again whenever its status changes."
)
class OrderTimelineEntry(TimelineEntryNode):
    # Named apart from the deal entry's status: a client selects both in one query, and
    # fields of one name must have one type there.
    @strawberry.field(description="Where the order stood when the entry was last drawn.")
    def order_status(self) -> OrderStatusValue:
        return _member(OrderStatusValue, self.datum("status")) or OrderStatusValue.PLACED

    @strawberry.field(description="What was charged.")
    def total(self) -> Money:
        found = _money(_decimal(self.datum("total")) or Decimal(0), self.datum("currency"))
        return found or Money.in_currency(Decimal(0), "XXX")

    @strawberry.field(description="How much of it was given back; zero when nothing was.")
    def refunded(self) -> Money:
        found = _money(_decimal(self.datum("refunded")) or Decimal(0), self.datum("currency"))
        return found or Money.in_currency(Decimal(0), "XXX")

    @strawberry.field(description="The order's id in the system it came from, if any.")
    def external_id(self) -> str | None:
        value = self.datum("externalId")
        return str(value) if value is not None else None

    @strawberry.field(description="The order as it is now.")
    async def order(self, info: Info) -> OrderNode | None:
        found = await _load_order(info, self.entry.subject_id)
        return found if isinstance(found, OrderNode) else None


@strawberry.type(description="A tag put on the customer (kind TAGGED) or taken off (UNTAGGED).")
class TagTimelineEntry(TimelineEntryNode):
    @strawberry.field(description="True when the tag was put on, false when taken off.")
    def added(self) -> bool:
        return self.entry.kind == TAGGED

    @strawberry.field(description="The tag's name at the time, even if renamed or deleted since.")
    def tag_name(self) -> str:
        return str(self.datum("name") or "")

    @strawberry.field(
        description="The auto-tag rule that made the change; null when a person did or the "
        "rule is gone."
    )
    async def auto_tag_rule(self, info: Info) -> AutoTagRule | None:
        from adapters.graphql.tags import AutoTagRuleNode

        rule_id = self.datum("ruleId")
        found = await info.context.loaders.auto_tag_rules.load(str(rule_id)) if rule_id else None
        return AutoTagRuleNode.from_rule(found) if found is not None else None

    @strawberry.field(description="The tag; null once it is deleted.")
    async def tag(self, info: Info) -> Tag | None:
        return await _load_tag(info, self.entry.subject_id)  # type: ignore[return-value]


@strawberry.type(
    description="A move of the customer from one lifecycle stage to another on one track."
)
class StageChangeTimelineEntry(TimelineEntryNode):
    @strawberry.field(description="The lifecycle track of the move, with its key and label.")
    def track(self, info: Info) -> TrackNode:
        return track_node(info, self._track_key)

    @strawberry.field(description="The stage left; null when entering the track.")
    def from_stage(self, info: Info) -> StageDefinitionNode | None:
        key = self.datum("fromStage")
        return None if key is None else stage_definition(info, self._track_key, str(key))

    @strawberry.field(description="The stage entered.")
    def to_stage(self, info: Info) -> StageDefinitionNode:
        return stage_definition(info, self._track_key, str(self.datum("toStage") or ""))

    @property
    def _track_key(self) -> str:
        return str(self.datum("track") or "")

    @strawberry.field(description="The key of the lifecycle rule that made the move, if one did.")
    def rule(self) -> str | None:
        value = self.datum("rule")
        return str(value) if value is not None else None

    @strawberry.field(
        description="True when the track does not allow the move; the summary says why."
    )
    def override(self) -> bool:
        return bool(self.datum("override"))


@strawberry.type(description="Something that happened to one of the customer's deals.")
class OpportunityTimelineEntry(TimelineEntryNode):
    @strawberry.field(description="Where the deal stood after it happened.")
    def opportunity_status(self) -> DealStatus:
        from adapters.graphql.opportunities import OpportunityStatus as Status

        found = _member(Status, self.datum("status"))
        return found if found is not None else Status.OPEN

    @strawberry.field(
        description="What the deal was worth then; null when it had no amount." + HIDDEN_AMOUNT,
        extensions=[Guarded(Resource.DEALS, "amount")],
    )
    def amount(self) -> Money | None:
        return _money(_decimal(self.datum("amount")), self.datum("currency"))

    @strawberry.field(description="The global id of the PipelineStage the deal was in.")
    def stage_id(self) -> strawberry.ID | None:
        stage = self.datum("stageId")
        return strawberry.ID(to_global_id(STAGE, str(stage))) if stage else None

    @strawberry.field(description="The deal as it is now.")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await _load_opportunity(info, self.entry.subject_id)  # type: ignore[return-value]


@strawberry.type(description="Interest the customer showed, captured as a lead.")
class LeadTimelineEntry(TimelineEntryNode):
    @strawberry.field(description='Where the lead came from, e.g. "web-form".')
    def source(self) -> str:
        return str(self.datum("source") or "")

    @strawberry.field(description="The lead's score when it was captured.")
    def score(self) -> int | None:
        value = self.datum("score")
        return int(value) if isinstance(value, int) else None

    @strawberry.field(description="The lead's grade when it was captured: A, B or C.")
    def grade(self) -> str | None:
        value = self.datum("grade")
        return str(value) if value is not None else None

    @strawberry.field(description="The lead as it is now.")
    async def lead(self, info: Info) -> Lead | None:
        return await _load_lead(info, self.entry.subject_id)  # type: ignore[return-value]


ENTRY_TYPES: Final[Mapping[str, type[TimelineEntryNode]]] = {
    **{kind.value: ActivityTimelineEntry for kind in ActivityKind},
    BEHAVIOUR_KIND: BehaviourTimelineEntry,
    ORDER_KIND: OrderTimelineEntry,
    TAGGED: TagTimelineEntry,
    UNTAGGED: TagTimelineEntry,
    STAGE_CHANGED: StageChangeTimelineEntry,
    OPPORTUNITY_KIND: OpportunityTimelineEntry,
    LEAD_KIND: LeadTimelineEntry,
}
"""The implementation of ``TimelineEntry`` for each kind the schema names."""

assert set(ENTRY_TYPES) == set(KINDS), "every timeline kind needs its entry type"


def timeline_entry_node(entry: TimelineEntry) -> TimelineEntryNode:
    """The API's entry for one timeline entry, wherever entries are answered."""
    return ENTRY_TYPES[entry.kind](
        id=strawberry.ID(to_global_id(TIMELINE_ENTRY, entry.id)),
        kind=TimelineKind(entry.kind),
        occurred_at=entry.occurred_at,
        title=entry.title,
        summary=entry.summary,
        entry=entry,
    )


# --- the connection -------------------------------------------------------------------


@strawberry.type(name="TimelineEdge", description="One entry of a timeline, and its cursor.")
class TimelineEdge(Edge[TimelineEntryNode]):
    pass


@strawberry.type(name="TimelineConnection", description="A page of a customer's timeline.")
class TimelineConnection(Connection[TimelineEntryNode]):
    edges: list[TimelineEdge] = strawberry.field(  # type: ignore[assignment]
        description="The entries of this page, in order."
    )
    edge_type = TimelineEdge
    customer_id: strawberry.Private[str]
    window: strawberry.Private[TimelineWindow]

    @strawberry.field(
        description="How many entries match the kinds and the time range, across all pages.",
        extensions=[QueryErrors()],
    )
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.timeline_counts.load((self.customer_id, self.window))


def _wanted(kinds: Sequence[Enum] | None) -> frozenset[str]:
    """The kinds asked for; only kinds the schema names are ever shown."""
    return frozenset(KINDS if kinds is None else {kind.value for kind in kinds})


@strawberry.type
class CustomerTimeline:
    """``Customer.timeline``; only kinds the schema names are shown."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="What happened with this customer, from every module, newest first.",
        extensions=[QueryErrors()],
    )
    async def timeline(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most 100 entries; 20 by default.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The cursor to page forward from.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="The last entries, at most 100.")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="The cursor to page backward from.")
        ] = None,
        kinds: Annotated[
            list[TimelineKind] | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only entries of these kinds; every kind if null."),
        ] = None,
        from_: Annotated[
            datetime | None,
            strawberry.argument(
                name="from", description="Only entries that happened at or after this instant."
            ),
        ] = None,
        to: Annotated[
            datetime | None,
            strawberry.argument(description="Only entries that happened before this instant."),
        ] = None,
    ) -> TimelineConnection:
        context = info.context
        window = TimelineWindow(kinds=_wanted(kinds), since=from_, until=to)
        # First pages go through a DataLoader, so a list of customers with their timelines
        # costs one query, not one per customer.
        if after is None and last is None and before is None:
            page = await context.loaders.timeline_pages.load((self.id_local, first, window))
        else:
            page = context.services.use(Timeline).get(
                context.principal,
                self.id_local,
                first=first,
                after=after,
                last=last,
                before=before,
                window=window,
            )
        return TimelineConnection.from_page(
            page, timeline_entry_node, customer_id=self.id_local, window=window
        )


PART = SchemaPart(
    customer_fields=(CustomerTimeline,),
    types=tuple(dict.fromkeys(ENTRY_TYPES.values())),
)
