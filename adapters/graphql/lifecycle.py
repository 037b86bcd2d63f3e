"""Lifecycle stages in the API: a customer's stages and history, the tracks, and moves."""

from __future__ import annotations

from datetime import datetime

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, fetch_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER, STAGE_CHANGE
from application.lifecycle.bundle import Lifecycle
from application.lifecycle.catalogue import RuleDefinition, TrackDefinition
from application.lifecycle.commands import StageMove
from application.lifecycle.views import StageView
from domain.lifecycle import LifecycleCatalogue, StageChange, StageRule, Track


@strawberry.type(name="LifecycleStage", description="Where a customer stands on one track.")
class LifecycleStageNode:
    track: str
    stage: str
    entered_at: datetime

    @classmethod
    def from_view(cls, view: StageView) -> LifecycleStageNode:
        return cls(track=view.track, stage=view.stage, entered_at=view.entered_at)

    @strawberry.field(description="How long the customer has been at this stage, in seconds.")
    def seconds_in_stage(self, info: Info) -> int:
        now = info.context.services.use(Lifecycle).read.clock.now()
        return max(0, int((now - self.entered_at).total_seconds()))


@strawberry.type(name="StageChange", description="One move of a customer on one track.")
class StageChangeNode:
    id: strawberry.ID
    track: str
    from_stage: str | None = strawberry.field(description="null when entering the track.")
    to_stage: str
    changed_at: datetime
    reason: str
    rule: str | None = strawberry.field(description="The rule that made the move, if one did.")
    override: bool = strawberry.field(
        description="The track does not allow this move; the reason says why it was made."
    )
    previous_entered_at: datetime | None = strawberry.field(
        description="When the customer entered fromStage: the time spent there ends at changedAt."
    )
    actor_id: strawberry.Private[str]

    @classmethod
    def from_change(cls, change: StageChange) -> StageChangeNode:
        return cls(
            id=strawberry.ID(to_global_id(STAGE_CHANGE, change.id)),
            track=change.track,
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            changed_at=change.changed_at,
            reason=change.reason,
            rule=change.rule,
            override=change.override,
            previous_entered_at=change.previous_entered_at,
            actor_id=change.actor_id,
        )

    @strawberry.field(description="Who made the move, when a user did.")
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)


@strawberry.type(name="StageChangeConnection")
class StageChangeConnection(Connection[StageChangeNode]):
    pass


@strawberry.type(name="LifecycleStageDefinition")
class StageDefinitionNode:
    key: str
    label: str


@strawberry.type(name="LifecycleTransition", description="A move that needs no override.")
class TransitionNode:
    from_stage: str | None = strawberry.field(description="null: entering the track.")
    to_stage: str


@strawberry.type(name="LifecycleRule", description="A rule that moves customers, as data.")
class RuleNode:
    key: str
    trigger: str
    to_stage: str
    from_stages: list[str] | None = strawberry.field(
        description='Stages it applies from ("" for none yet); null for any.'
    )
    days: int | None
    priority: int
    enabled: bool

    @classmethod
    def from_rule(cls, rule: StageRule) -> RuleNode:
        return cls(
            key=rule.key,
            trigger=rule.trigger.value,
            to_stage=rule.to_stage,
            from_stages=sorted(rule.from_stages) if rule.from_stages is not None else None,
            days=rule.days,
            priority=rule.priority,
            enabled=rule.enabled,
        )


@strawberry.type(name="LifecycleTrack", description="An ordered list of stages, and its rules.")
class TrackNode:
    key: str
    label: str
    stages: list[StageDefinitionNode]
    transitions: list[TransitionNode]
    rules: list[RuleNode]

    @classmethod
    def from_track(cls, track: Track, rules: list[StageRule]) -> TrackNode:
        return cls(
            key=track.key,
            label=track.label,
            stages=[StageDefinitionNode(key=s.key, label=s.label) for s in track.stages],
            transitions=[
                TransitionNode(from_stage=source or None, to_stage=target)
                for source, target in sorted(track.transitions)
            ],
            rules=[RuleNode.from_rule(rule) for rule in rules],
        )


@strawberry.type
class CustomerLifecycle:
    """``Customer.lifecycle`` and ``Customer.stageHistory``."""

    id_local: strawberry.Private[str]

    @strawberry.field(description="The customer's stage on each lifecycle track.")
    async def lifecycle(self, info: Info) -> list[LifecycleStageNode]:
        # One query for every customer of a list.
        views = await info.context.loaders.lifecycle_stages.load(self.id_local)
        return [LifecycleStageNode.from_view(view) for view in views or ()]

    @strawberry.field(
        description="Every change of the customer's stages, newest first.",
        extensions=[QueryErrors()],
    )
    def stage_history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> StageChangeConnection:
        context = info.context
        page = context.services.use(Lifecycle).read.history(
            context.principal, self.id_local, first=first, after=after
        )
        return StageChangeConnection.from_page(page, StageChangeNode.from_change)


@strawberry.type
class LifecycleQuery:
    @strawberry.field(
        description="Every lifecycle track: its stages, moves and rules.",
        extensions=[QueryErrors()],
    )
    def lifecycle_tracks(self, info: Info) -> list[TrackNode]:
        context = info.context
        return tracks_of(context.services.use(Lifecycle).read.tracks(context.principal))


def tracks_of(catalogue: LifecycleCatalogue) -> list[TrackNode]:
    return [TrackNode.from_track(t, catalogue.rules_for(t.key)) for t in catalogue.ordered()]


@strawberry.input
class ChangeLifecycleStageInput:
    customer_id: strawberry.ID
    track: str
    stage: str
    reason: str = strawberry.field(default="", description="Required with override.")
    override: bool = strawberry.field(
        default=False, description="Make a move the track does not allow (backward, skipped)."
    )


@strawberry.type
class ChangeLifecycleStagePayload:
    customer: Customer | None = None
    lifecycle: list[LifecycleStageNode] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(
        description="Put a customer on a stage of a track.", extensions=[UserErrors()]
    )
    def change_lifecycle_stage(
        self, info: Info, input: ChangeLifecycleStageInput
    ) -> ChangeLifecycleStagePayload:
        context = info.context
        customer_id = local_id(input.customer_id, CUSTOMER, field="customerId")
        move = StageMove(
            customer_id=customer_id,
            track=input.track,
            stage=input.stage,
            reason=input.reason,
            override=input.override,
        )
        views = context.services.use(Lifecycle).change_stage(context.principal, move)
        return ChangeLifecycleStagePayload(
            customer=fetch_customer(info, customer_id),
            lifecycle=[LifecycleStageNode.from_view(view) for view in views],
        )


@strawberry.input
class StageDefinitionInput:
    key: str
    label: str


@strawberry.input
class TransitionInput:
    from_stage: str | None = strawberry.field(description="null: entering the track.")
    to_stage: str


@strawberry.input
class SaveLifecycleTrackInput:
    key: str
    label: str
    stages: list[StageDefinitionInput]
    transitions: list[TransitionInput]
    position: int = 0


@strawberry.input
class SaveLifecycleRuleInput:
    key: str
    track: str
    trigger: str = strawberry.field(description="paid_order, inactivity or order_after_stage.")
    to_stage: str
    from_stages: list[str] | None = strawberry.field(
        default=None, description='Stages it applies from ("" for none yet); null for any.'
    )
    days: int | None = None
    priority: int = 0
    enabled: bool = True


@strawberry.type
class LifecycleTracksPayload:
    tracks: list[TrackNode] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LifecycleCatalogueMutation:
    @strawberry.mutation(
        description="Add or replace a lifecycle track; stages in use stay.",
        extensions=[UserErrors()],
    )
    def save_lifecycle_track(
        self, info: Info, input: SaveLifecycleTrackInput
    ) -> LifecycleTracksPayload:
        context = info.context
        definition = TrackDefinition(
            key=input.key,
            label=input.label,
            stages=[(stage.key, stage.label) for stage in input.stages],
            transitions=[(move.from_stage, move.to_stage) for move in input.transitions],
            position=input.position,
        )
        catalogue = context.services.use(Lifecycle).save_track(context.principal, definition)
        return LifecycleTracksPayload(tracks=tracks_of(catalogue))

    @strawberry.mutation(
        description="Add or replace a rule that moves customers.", extensions=[UserErrors()]
    )
    def save_lifecycle_rule(
        self, info: Info, input: SaveLifecycleRuleInput
    ) -> LifecycleTracksPayload:
        context = info.context
        definition = RuleDefinition(
            key=input.key,
            track=input.track,
            trigger=input.trigger,
            to_stage=input.to_stage,
            from_stages=input.from_stages,
            days=input.days,
            priority=input.priority,
            enabled=input.enabled,
        )
        catalogue = context.services.use(Lifecycle).save_rule(context.principal, definition)
        return LifecycleTracksPayload(tracks=tracks_of(catalogue))


PART = SchemaPart(
    queries=(LifecycleQuery,),
    mutations=(
        LifecycleMutation,
        LifecycleCatalogueMutation,
    ),
    customer_fields=(CustomerLifecycle,),
)
