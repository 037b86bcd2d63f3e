"""Segments in the API: preview a rule, create and change segments, members, RFM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, CustomerBase, load_customer
from adapters.graphql.errors import (
    QueryErrors,
    UserError,
    UserErrors,
    input_error,
    user_errors,
)
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import MalformedId, Node, from_global_id, to_global_id
from adapters.graphql.segment_rules import SegmentRuleInput, rule_from_input, rule_text
from adapters.graphql.type_names import CUSTOMER, SEGMENT
from application.segments.bundle import Segments
from application.segments.clustering import Feature
from application.segments.commands import NewSegment, RfmSettings
from application.segments.ports import SegmentView
from application.segments.printer import print_rule
from domain.access.roles import Permission
from domain.errors import DomainError, ErrorCode
from domain.segments.rfm import RfmScore
from domain.segments.segment import SegmentKind

_kinds: type[Enum] = Enum("SegmentKind", {kind.name: kind.value for kind in SegmentKind})  # type: ignore[misc]
SegmentKindValue = strawberry.enum(
    _kinds, description="STATIC keeps the members it was taken with; DYNAMIC follows its rule."
)


async def _customers(info: Info, ids: Sequence[str]) -> list[CustomerBase]:
    found = [await load_customer(info, customer_id) for customer_id in ids]
    return [node for node in found if node is not None]


@strawberry.type(description="A size the segment had, after a refresh.")
class SegmentSizePoint:
    at: datetime
    size: int


@strawberry.type(description="One page of a segment's members, by customer id.")
class SegmentMemberConnection:
    ids: strawberry.Private[Sequence[str]]
    has_next_page: bool
    end_cursor: str | None

    @strawberry.field
    async def nodes(self, info: Info) -> list[Customer]:
        return await _customers(info, self.ids)


@strawberry.type(name="Segment", description="A named list of customers, frozen or rule-based.")
class SegmentNode(Node):
    name: str
    kind: SegmentKindValue  # type: ignore[valid-type]
    rule: str = strawberry.field(description="The rule in its canonical text form.")
    size: int = strawberry.field(description="How many members it had at its last refresh.")
    created_at: datetime
    updated_at: datetime
    refreshed_at: datetime | None
    description: str = strawberry.field(description="For clusters, what their members share.")
    local_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: SegmentView) -> SegmentNode:
        return cls(
            id=strawberry.ID(to_global_id(SEGMENT, view.id)),
            name=view.name,
            kind=SegmentKindValue[view.kind.name],
            rule=view.rule,
            size=view.size,
            created_at=view.created_at,
            updated_at=view.updated_at,
            refreshed_at=view.refreshed_at,
            description=view.description,
            local_id=view.id,
        )

    @strawberry.field(description="Members by customer id; after is the last id of a page.")
    def members(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> SegmentMemberConnection:
        context = info.context
        after_id = None
        if after is not None:
            try:
                after_id = from_global_id(after)[1]
            except MalformedId:
                after_id = after
        found = context.services.use(Segments).read.members(
            context.principal, self.local_id, first=first, after=after_id
        )
        page = list(found[: max(0, first)])
        return SegmentMemberConnection(
            ids=page,
            has_next_page=len(found) > len(page),
            end_cursor=to_global_id(CUSTOMER, page[-1]) if page else None,
        )

    @strawberry.field(description="The segment's size after each refresh, oldest first.")
    def size_history(self, info: Info) -> list[SegmentSizePoint]:
        context = info.context
        points = context.services.use(Segments).read.size_history(context.principal, self.local_id)
        return [SegmentSizePoint(at=point.at, size=point.size) for point in points]


@strawberry.type(description="Recency, frequency and monetary scores from 1 to 5, and the class.")
class Rfm:
    recency: int
    frequency: int
    monetary: int
    rfm_class: str = strawberry.field(name="class")

    @classmethod
    def from_score(cls, score: RfmScore) -> Rfm:
        return cls(
            recency=score.recency,
            frequency=score.frequency,
            monetary=score.monetary,
            rfm_class=score.rfm_class,
        )


@strawberry.type
class CustomerSegments:
    """``Customer.segments`` and ``Customer.rfm``."""

    id_local: strawberry.Private[str]

    @strawberry.field(description="The segments the customer is a member of, by name.")
    async def segments(self, info: Info) -> list[SegmentNode]:
        views = await info.context.loaders.customer_segments.load(self.id_local)
        return [SegmentNode.from_view(view) for view in views or ()]

    @strawberry.field(description="RFM scores and class from the latest run; null if unscored.")
    async def rfm(self, info: Info) -> Rfm | None:
        score = await info.context.loaders.customer_rfm.load(self.id_local)
        return None if score is None else Rfm.from_score(score)


@strawberry.type(description="What a rule finds now; nothing is saved.")
class SegmentPreview:
    count: int | None = None
    evaluation_ms: float | None = strawberry.field(
        default=None, description="How long the evaluator took, in milliseconds."
    )
    sample_ids: strawberry.Private[Sequence[str]] = ()
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field(description="The first members by id (at most 100).")
    async def sample(self, info: Info, first: int = 10) -> list[Customer]:
        return await _customers(info, self.sample_ids[: max(0, first)])


def fetch_segment(info: Info, segment_id: str) -> SegmentNode | None:
    context = info.context
    view = context.services.use(Segments).read.get_many(context.principal, [segment_id])
    found = view.get(segment_id)
    return None if found is None else SegmentNode.from_view(found)


@strawberry.type
class SegmentQuery:
    @strawberry.field(
        description="How many customers a rule finds now, and a sample of them.",
        extensions=[UserErrors()],
    )
    def preview_segment(self, info: Info, rule: str) -> SegmentPreview:
        context = info.context
        preview = context.services.use(Segments).preview(context.principal, rule, first=100)
        return SegmentPreview(
            count=preview.count, evaluation_ms=preview.evaluation_ms, sample_ids=preview.sample
        )

    @strawberry.field(description="A rule tree as the text that previewSegment and rules read.")
    def segment_rule_text(self, info: Info, input: SegmentRuleInput) -> SegmentRuleText:
        # Not UserErrors: a reader without the permission gets a top-level error, as before.
        info.context.principal.require(Permission.READ_CUSTOMERS)
        try:
            return SegmentRuleText(text=print_rule(rule_from_input(input)))
        except DomainError as error:
            return SegmentRuleText(user_errors=user_errors(error))

    @strawberry.field(description="Every segment, by name.", extensions=[QueryErrors()])
    def segments(self, info: Info) -> list[SegmentNode]:
        context = info.context
        views = context.services.use(Segments).read.all(context.principal)
        return [SegmentNode.from_view(view) for view in views]


@strawberry.input(description="Give the rule as text (rule) or as a tree (ruleInput).")
class CreateSegmentInput:
    name: str
    rule: str | None = strawberry.field(
        default=None, description='For example: tag("vip") and orders.sum(90d) > 500'
    )
    rule_input: SegmentRuleInput | None = None
    kind: SegmentKindValue = SegmentKindValue.DYNAMIC  # type: ignore[valid-type, attr-defined]


@strawberry.input(description="A new rule as text (rule) or as a tree (ruleInput), or neither.")
class UpdateSegmentInput:
    id: strawberry.ID
    name: str | None = None
    rule: str | None = None
    rule_input: SegmentRuleInput | None = None


@strawberry.type(description="A rule tree in its canonical text form.")
class SegmentRuleText:
    text: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SegmentPayload:
    segment: SegmentNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


_features: type[Enum] = Enum("ClusterFeature", {f.name: f.value for f in Feature})  # type: ignore[misc]
ClusterFeature = strawberry.enum(_features, description="What customers are clustered by.")


@strawberry.input
class ClusterCustomersInput:
    k: int = strawberry.field(description="How many clusters, 2 to 20.")
    features: list[ClusterFeature]  # type: ignore[valid-type]
    name: str = strawberry.field(description="Clusters are saved as segments named name 1, 2, …")
    seed: int = 0


@strawberry.type
class ClusterCustomersPayload:
    segments: list[SegmentNode] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ComputeRfmPayload:
    scored_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SegmentMutation:
    @strawberry.mutation(
        description="A new segment, with its members as of now.", extensions=[UserErrors()]
    )
    def create_segment(self, info: Info, input: CreateSegmentInput) -> SegmentPayload:
        context = info.context
        text = rule_text(input.rule, input.rule_input)
        new = NewSegment(name=input.name, rule=text, kind=SegmentKind(enum_value(input.kind)))
        view = context.services.use(Segments).create(context.principal, new)
        return SegmentPayload(segment=SegmentNode.from_view(view))

    @strawberry.mutation(
        description="Rename a segment or change its rule.", extensions=[UserErrors()]
    )
    def update_segment(self, info: Info, input: UpdateSegmentInput) -> SegmentPayload:
        context = info.context
        try:
            type_name, segment_id = from_global_id(input.id)
        except MalformedId:
            type_name, segment_id = "", ""
        if type_name != SEGMENT:
            return SegmentPayload(
                user_errors=input_error("id", ErrorCode.INVALID_ID, "is not the id of a Segment")
            )
        rule = input.rule
        if input.rule_input is not None:
            rule = rule_text(input.rule, input.rule_input)
        view = context.services.use(Segments).update(
            context.principal, segment_id, name=input.name, rule=rule
        )
        return SegmentPayload(segment=SegmentNode.from_view(view))

    @strawberry.mutation(
        description="k-means over customers with orders, saved as static segments, largest first.",
        extensions=[UserErrors()],
    )
    def cluster_customers(
        self, info: Info, input: ClusterCustomersInput
    ) -> ClusterCustomersPayload:
        context = info.context
        views = context.services.use(Segments).cluster(
            context.principal,
            k=input.k,
            features=[Feature(enum_value(feature)) for feature in input.features],
            name=input.name,
            seed=input.seed,
        )
        return ClusterCustomersPayload(segments=[SegmentNode.from_view(v) for v in views])

    @strawberry.mutation(
        description="Score every customer's RFM over the last windowDays days.",
        extensions=[UserErrors()],
    )
    def compute_rfm(self, info: Info, window_days: int | None = 365) -> ComputeRfmPayload:
        context = info.context
        scored = context.services.use(Segments).compute_rfm(
            context.principal, RfmSettings(window_days=window_days)
        )
        return ComputeRfmPayload(scored_count=scored)


PART = SchemaPart(
    queries=(SegmentQuery,),
    mutations=(SegmentMutation,),
    customer_fields=(CustomerSegments,),
    nodes={SEGMENT: fetch_segment},
)
