"""Lifecycle stages in the API: a customer's stages and history, the tracks, and moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, fetch_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id, to_global_id
from adapters.graphql.segment_rules import described_enum
from adapters.graphql.tags import PageAfter, PageBefore, PageFirst, PageLast
from adapters.graphql.type_names import CUSTOMER, STAGE_CHANGE
from application.lifecycle.bundle import Lifecycle
from application.lifecycle.catalogue import RuleDefinition, TrackDefinition
from application.lifecycle.commands import StageMove
from application.lifecycle.views import StageView
from application.pagination import PageRequest
from domain.lifecycle import LifecycleCatalogue, StageChange, StageRule, Track
from domain.lifecycle.rules import RuleTrigger

RuleTriggerValue = described_enum(
    RuleTrigger,
    "LifecycleRuleTrigger",
    "What makes a lifecycle rule move a customer.",
    {
        "PAID_ORDER": "The customer's order is paid.",
        "INACTIVITY": "The customer placed no order for days days.",
        "ORDER_AFTER_STAGE": "The customer orders while at one of the rule's fromStages.",
    },
)


@strawberry.type(name="LifecycleStageDefinition", description="A stage of a lifecycle track.")
class StageDefinitionNode:
    key: str = strawberry.field(description="The stage's key, unique within its track.")
    label: str = strawberry.field(description="The stage's name for people.")


@strawberry.type(name="LifecycleTransition", description="A move that needs no override.")
class TransitionNode:
    from_stage: str | None = strawberry.field(
        description="The key of the stage moved from; null: entering the track."
    )
    to_stage: str = strawberry.field(description="The key of the stage moved to.")


@strawberry.type(name="LifecycleRule", description="A rule that moves customers, as data.")
class RuleNode:
    key: str = strawberry.field(description="The rule's key, unique among rules.")
    track_key: strawberry.Private[str]
    trigger: RuleTriggerValue = strawberry.field(  # type: ignore[valid-type]
        description="What makes the rule move a customer."
    )
    to_stage: str = strawberry.field(description="The key of the stage it moves customers to.")
    from_stages: list[str] | None = strawberry.field(
        description='Stage keys it applies from ("" for none yet); null for any.'
    )
    days: int | None = strawberry.field(description="For INACTIVITY: days without an order.")
    priority: int = strawberry.field(
        description="When several rules of a track apply, the highest priority wins."
    )
    enabled: bool = strawberry.field(description="Whether the rule moves customers.")
    version: int = strawberry.field(
        description="Grows with every save; give it to saveLifecycleRule to replace the rule."
    )

    @classmethod
    def from_rule(cls, rule: StageRule) -> RuleNode:
        return cls(
            key=rule.key,
            track_key=rule.track,
            trigger=RuleTriggerValue[rule.trigger.name],
            to_stage=rule.to_stage,
            from_stages=sorted(rule.from_stages) if rule.from_stages is not None else None,
            days=rule.days,
            priority=rule.priority,
            enabled=rule.enabled,
            version=rule.version,
        )

    @strawberry.field(description="The key of the track the rule moves customers on.")
    def track(self) -> str:
        return self.track_key


@strawberry.type(name="LifecycleTrack", description="An ordered list of stages, and its rules.")
class TrackNode:
    key: str = strawberry.field(description="The track's key, unique among tracks.")
    label: str = strawberry.field(description="The track's name for people.")
    stages: list[StageDefinitionNode] = strawberry.field(description="The stages, in order.")
    transitions: list[TransitionNode] = strawberry.field(
        description="The moves that need no override."
    )
    rules: list[RuleNode] = strawberry.field(
        description="The enabled rules that move customers on it, highest priority first."
    )
    version: int = strawberry.field(
        description="Grows with every save; give it to saveLifecycleTrack to replace the track."
    )

    @classmethod
    def from_track(cls, track: Track, rules: Sequence[StageRule]) -> TrackNode:
        return cls(
            key=track.key,
            label=track.label,
            stages=[StageDefinitionNode(key=s.key, label=s.label) for s in track.stages],
            transitions=[
                TransitionNode(from_stage=source or None, to_stage=target)
                for source, target in sorted(track.transitions)
            ],
            rules=[RuleNode.from_rule(rule) for rule in rules],
            version=track.version,
        )


def track_node(info: Info, key: str) -> TrackNode:
    """The track of that key, with its labels; a track no longer defined keeps its key."""
    catalogue = info.context.loaders.lifecycle_catalogue()
    track = next((t for t in catalogue.ordered() if t.key == key), None)
    if track is None:
        return TrackNode(key=key, label=key, stages=[], transitions=[], rules=[], version=0)
    return TrackNode.from_track(track, catalogue.rules_for(key))


def stage_definition(info: Info, track_key: str, key: str) -> StageDefinitionNode:
    """The stage of that key on the track, with its label; one no longer defined keeps its key."""
    catalogue = info.context.loaders.lifecycle_catalogue()
    track = next((t for t in catalogue.ordered() if t.key == track_key), None)
    stage = next((s for s in track.stages if s.key == key), None) if track else None
    return StageDefinitionNode(key=key, label=stage.label if stage else key)


@strawberry.type(name="LifecycleStage", description="Where a customer stands on one track.")
class LifecycleStageNode:
    track_key: strawberry.Private[str]
    stage_key: strawberry.Private[str]
    entered_at: datetime = strawberry.field(description="When the customer entered the stage.")

    @classmethod
    def from_view(cls, view: StageView) -> LifecycleStageNode:
        return cls(track_key=view.track, stage_key=view.stage, entered_at=view.entered_at)

    @strawberry.field(description="The track, with its key and label.")
    def track(self, info: Info) -> TrackNode:
        return track_node(info, self.track_key)

    @strawberry.field(description="The stage the customer is at, with its key and label.")
    def stage(self, info: Info) -> StageDefinitionNode:
        return stage_definition(info, self.track_key, self.stage_key)

    @strawberry.field(description="How long the customer has been at this stage, in seconds.")
    def seconds_in_stage(self, info: Info) -> int:
        now = info.context.services.use(Lifecycle).read.clock.now()
        return max(0, int((now - self.entered_at).total_seconds()))


@strawberry.type(name="StageChange", description="One move of a customer on one track.")
class StageChangeNode:
    id: strawberry.ID = strawberry.field(description="The change's global id.")
    track_key: strawberry.Private[str]
    from_key: strawberry.Private[str | None]
    to_key: strawberry.Private[str]
    changed_at: datetime = strawberry.field(description="When the move was made.")
    reason: str = strawberry.field(description="Why the move was made; may be empty.")
    rule: str | None = strawberry.field(
        description="The key of the lifecycle rule that made the move, if one did."
    )
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
            track_key=change.track,
            from_key=change.from_stage,
            to_key=change.to_stage,
            changed_at=change.changed_at,
            reason=change.reason,
            rule=change.rule,
            override=change.override,
            previous_entered_at=change.previous_entered_at,
            actor_id=change.actor_id,
        )

    @strawberry.field(description="The track of the move, with its key and label.")
    def track(self, info: Info) -> TrackNode:
        return track_node(info, self.track_key)

    @strawberry.field(description="The stage moved from; null when entering the track.")
    def from_stage(self, info: Info) -> StageDefinitionNode | None:
        return (
            None if self.from_key is None else stage_definition(info, self.track_key, self.from_key)
        )

    @strawberry.field(description="The stage moved to.")
    def to_stage(self, info: Info) -> StageDefinitionNode:
        return stage_definition(info, self.track_key, self.to_key)

    @strawberry.field(description="Who made the move, when a user did.")
    async def actor(self, info: Info) -> UserNode | None:
        return await load_user(info, self.actor_id)


@strawberry.type(
    name="StageChangeEdge", description="A move in a page of a customer's stage history."
)
class StageChangeEdge(Edge[StageChangeNode]):
    pass


@strawberry.type(
    name="StageChangeConnection", description="A page of a customer's stage changes, newest first."
)
class StageChangeConnection(Connection[StageChangeNode]):
    edges: list[StageChangeEdge] = strawberry.field(  # type: ignore[assignment]
        description="The moves of this page, newest first."
    )
    edge_type = StageChangeEdge
    customer_id: strawberry.Private[str] = ""

    @strawberry.field(description="How many stage changes the customer has, on every track.")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.stage_history_counts.load(self.customer_id) or 0


@strawberry.type
class CustomerLifecycle:
    """``Customer.lifecycle`` and ``Customer.stageHistory``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The customer's stage on each lifecycle track: a plain list, one per track."
    )
    async def lifecycle(self, info: Info) -> list[LifecycleStageNode]:
        # One query for every customer of a list.
        views = await info.context.loaders.lifecycle_stages.load(self.id_local)
        return [LifecycleStageNode.from_view(view) for view in views or ()]

    @strawberry.field(
        description="Every change of the customer's stages, newest first.",
        extensions=[QueryErrors()],
    )
    async def stage_history(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
    ) -> StageChangeConnection:
        context = info.context
        PageRequest(first, after, last, before).size  # noqa: B018 - refuses a bad size first
        if after is None and last is None and before is None:
            # First pages through a DataLoader: one query for a whole list of customers.
            page = await context.loaders.stage_history_pages.load((self.id_local, first))
        else:
            page = context.services.use(Lifecycle).read.history(
                context.principal, self.id_local, first=first, after=after, last=last, before=before
            )
        return StageChangeConnection.from_page(
            page, StageChangeNode.from_change, customer_id=self.id_local
        )


@strawberry.type
class LifecycleQuery:
    @strawberry.field(
        description="Every lifecycle track, in order, with its stages, moves and rules: a "
        "plain list, as tracks are configuration.",
        extensions=[QueryErrors()],
    )
    def lifecycle_tracks(self, info: Info) -> list[TrackNode]:
        context = info.context
        return tracks_of(context.services.use(Lifecycle).read.tracks(context.principal))

    @strawberry.field(
        description="One lifecycle track by its key; null if none has it.",
        extensions=[QueryErrors()],
    )
    def lifecycle_track(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The track's key.")],
    ) -> TrackNode | None:
        context = info.context
        catalogue = context.services.use(Lifecycle).read.tracks(context.principal)
        return next((t for t in tracks_of(catalogue) if t.key == key), None)


def tracks_of(catalogue: LifecycleCatalogue) -> list[TrackNode]:
    return [TrackNode.from_track(t, catalogue.rules_for(t.key)) for t in catalogue.ordered()]


@strawberry.input(description="Put a customer on a stage of a track, by their keys.")
class ChangeLifecycleStageInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id.")
    track: str = strawberry.field(description="The track's key.")
    stage: str = strawberry.field(description="The key of the stage on that track.")
    reason: str = strawberry.field(default="", description="Why; required with override.")
    override: bool = strawberry.field(
        default=False, description="Make a move the track does not allow (backward, skipped)."
    )


@strawberry.type(description="The result of changeLifecycleStage.")
class ChangeLifecycleStagePayload:
    customer: Customer | None = strawberry.field(default=None, description="The customer moved.")
    lifecycle: list[LifecycleStageNode] | None = strawberry.field(
        default=None, description="The customer's stage on each track, after the move."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed; empty on success."
    )


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(
        description="Put a customer on a stage of a track.", extensions=[UserErrors()]
    )
    def change_lifecycle_stage(
        self,
        info: Info,
        input: Annotated[
            ChangeLifecycleStageInput,
            strawberry.argument(
                description="The customer, and the track and stage to put them on."
            ),
        ],
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


@strawberry.input(description="A stage of a track being saved.")
class StageDefinitionInput:
    key: str = strawberry.field(description="In lower_snake_case, at most 40 characters.")
    label: str = strawberry.field(description="The stage's name for people.")


@strawberry.input(description="A move a track allows without an override.")
class TransitionInput:
    from_stage: str | None = strawberry.field(
        description="The key of the stage moved from; null: entering the track."
    )
    to_stage: str = strawberry.field(description="The key of the stage moved to.")


@strawberry.input(description="A lifecycle track to add, or to replace the one of its key.")
class SaveLifecycleTrackInput:
    key: str = strawberry.field(description="In lower_snake_case, at most 40 characters.")
    label: str = strawberry.field(description="The track's name for people.")
    stages: list[StageDefinitionInput] = strawberry.field(
        description="The stages, in order; stages customers are at must stay."
    )
    transitions: list[TransitionInput] = strawberry.field(
        description="The moves that need no override."
    )
    position: int = strawberry.field(default=0, description="Where the track is listed.")
    version: int | None = strawberry.field(
        default=None,
        description="The version of the track this replaces; another is STALE_VERSION. Leave "
        "it out to create a track, or to replace one whatever its version.",
    )


@strawberry.input(description="A lifecycle rule to add, or to replace the one of its key.")
class SaveLifecycleRuleInput:
    key: str = strawberry.field(description="In lower_snake_case, at most 40 characters.")
    track: str = strawberry.field(description="The key of the track it moves customers on.")
    trigger: RuleTriggerValue = strawberry.field(  # type: ignore[valid-type]
        description="What makes the rule move a customer."
    )
    to_stage: str = strawberry.field(description="The key of the stage it moves customers to.")
    from_stages: list[str] | None = strawberry.field(
        default=None, description='Stage keys it applies from ("" for none yet); null for any.'
    )
    days: int | None = strawberry.field(
        default=None, description="For INACTIVITY: days without an order, at least 1."
    )
    priority: int = strawberry.field(
        default=0, description="When several rules of a track apply, the highest priority wins."
    )
    enabled: bool = strawberry.field(default=True, description="Whether the rule moves customers.")
    version: int | None = strawberry.field(
        default=None,
        description="The version of the rule this replaces; another is STALE_VERSION. Leave "
        "it out to create a rule, or to replace one whatever its version.",
    )


@strawberry.type(description="The result of saveLifecycleTrack.")
class SaveLifecycleTrackPayload:
    track: TrackNode | None = strawberry.field(default=None, description="The track as saved.")
    tracks: list[TrackNode] | None = strawberry.field(
        default=None, description="Every track, in order, after the save."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was saved; empty on success."
    )


@strawberry.type(description="The result of saveLifecycleRule.")
class SaveLifecycleRulePayload:
    rule: RuleNode | None = strawberry.field(default=None, description="The rule as saved.")
    tracks: list[TrackNode] | None = strawberry.field(
        default=None, description="Every track, in order, after the save."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was saved; empty on success."
    )


@strawberry.type
class LifecycleCatalogueMutation:
    @strawberry.mutation(
        description="Add or replace a lifecycle track; stages in use stay.",
        extensions=[UserErrors()],
    )
    def save_lifecycle_track(
        self,
        info: Info,
        input: Annotated[
            SaveLifecycleTrackInput, strawberry.argument(description="The track to save.")
        ],
    ) -> SaveLifecycleTrackPayload:
        context = info.context
        definition = TrackDefinition(
            key=input.key,
            label=input.label,
            stages=[(stage.key, stage.label) for stage in input.stages],
            transitions=[(move.from_stage, move.to_stage) for move in input.transitions],
            position=input.position,
            expected_version=input.version,
        )
        catalogue = context.services.use(Lifecycle).save_track(context.principal, definition)
        tracks = tracks_of(catalogue)
        return SaveLifecycleTrackPayload(
            track=next((t for t in tracks if t.key == input.key), None), tracks=tracks
        )

    @strawberry.mutation(
        description="Add or replace a rule that moves customers.", extensions=[UserErrors()]
    )
    def save_lifecycle_rule(
        self,
        info: Info,
        input: Annotated[
            SaveLifecycleRuleInput, strawberry.argument(description="The rule to save.")
        ],
    ) -> SaveLifecycleRulePayload:
        context = info.context
        definition = RuleDefinition(
            key=input.key,
            track=input.track,
            trigger=enum_value(input.trigger),
            to_stage=input.to_stage,
            from_stages=input.from_stages,
            days=input.days,
            priority=input.priority,
            enabled=input.enabled,
            expected_version=input.version,
        )
        catalogue = context.services.use(Lifecycle).save_rule(context.principal, definition)
        saved = next((r for r in catalogue.rules if r.key == input.key), None)
        return SaveLifecycleRulePayload(
            rule=None if saved is None else RuleNode.from_rule(saved), tracks=tracks_of(catalogue)
        )


PART = SchemaPart(
    queries=(LifecycleQuery,),
    mutations=(
        LifecycleMutation,
        LifecycleCatalogueMutation,
    ),
    customer_fields=(CustomerLifecycle,),
)
