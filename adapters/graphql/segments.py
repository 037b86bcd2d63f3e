"""Segments in the API: preview a rule, create and change segments, members, RFM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.connections import Connection, Edge
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
from adapters.graphql.listing import DirectionInput
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    MalformedId,
    Node,
    PageInfo,
    from_global_id,
    local_id,
    to_global_id,
)
from adapters.graphql.segment_rules import (
    RfmClassValue,
    SegmentRuleInput,
    described_enum,
    rule_from_input,
    rule_text,
)
from adapters.graphql.tags import PageAfter, PageBefore, PageFirst, PageLast
from adapters.graphql.type_names import SEGMENT
from application.errors import InvalidInput
from application.pagination import Edge as PageEdge
from application.pagination import PageRequest
from application.segments.bundle import Segments
from application.segments.clustering import Feature
from application.segments.commands import NewSegment, RfmSettings
from application.segments.ports import SegmentFilter, SegmentOrder, SegmentSortField, SegmentView
from application.segments.printer import print_rule
from domain.access.roles import Permission, Resource
from domain.errors import DomainError, ErrorCode
from domain.segments.rfm import RfmScore
from domain.segments.segment import SegmentKind

SegmentKindValue = described_enum(
    SegmentKind,
    "SegmentKind",
    "Whether a segment keeps its members or follows its rule.",
    {
        "STATIC": "A frozen list of customers, kept as it was taken.",
        "DYNAMIC": "Whoever meets the rule now: refreshed on change and on schedule.",
    },
)


async def _customers(info: Info, ids: Sequence[str]) -> list[CustomerBase]:
    found = [await load_customer(info, customer_id) for customer_id in ids]
    return [node for node in found if node is not None]


@strawberry.type(description="A size the segment had, after a refresh.")
class SegmentSizePoint:
    at: datetime = strawberry.field(description="When the segment was refreshed.")
    size: int = strawberry.field(description="How many members it had then.")


@strawberry.type(name="SegmentMemberEdge", description="A member of a segment.")
class SegmentMemberEdge:
    customer_id: strawberry.Private[str]
    position: strawberry.Private[PageEdge[str]]

    @strawberry.field(description="Where this member stands in the list, for after/before.")
    def cursor(self) -> str:
        return self.position.cursor

    @strawberry.field(description="The member; null if the customer is no longer readable.")
    async def node(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_id)


@strawberry.type(
    name="SegmentMemberConnection", description="A page of a segment's members, by customer id."
)
class SegmentMemberConnection:
    edges: list[SegmentMemberEdge] = strawberry.field(description="The members of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands in the list.")
    segment_id: strawberry.Private[str]

    @strawberry.field(description="How many members the segment has now.")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.segment_member_counts.load(self.segment_id) or 0


@strawberry.type(name="Segment", description="A named list of customers, frozen or rule-based.")
class SegmentNode(Node):
    name: str = strawberry.field(description="Unique, ignoring case.")
    kind: SegmentKindValue = strawberry.field(  # type: ignore[valid-type]
        description="Whether the segment keeps its members or follows its rule."
    )
    rule: str = strawberry.field(description="The rule in its canonical text form.")
    created_at: datetime = strawberry.field(description="When the segment was made.")
    updated_at: datetime = strawberry.field(description="When its name or rule last changed.")
    refreshed_at: datetime | None = strawberry.field(
        description="When its members were last worked out; null if never."
    )
    description: str = strawberry.field(description="For clusters, what their members share.")
    version: int = strawberry.field(
        description="Grows with every change of name or rule; give it to updateSegment."
    )
    local_id: strawberry.Private[str]
    stored_size: strawberry.Private[int]

    @strawberry.field(
        description="How many members it had at its last refresh; for a caller who may see "
        "only some customers, how many of those are members now."
    )
    async def size(self, info: Info) -> int:
        if info.context.principal.visibility(Resource.CUSTOMERS).unrestricted:
            return self.stored_size
        return await info.context.loaders.segment_member_counts.load(self.local_id) or 0

    @classmethod
    def from_view(cls, view: SegmentView) -> SegmentNode:
        return cls(
            id=strawberry.ID(to_global_id(SEGMENT, view.id)),
            name=view.name,
            kind=SegmentKindValue[view.kind.name],
            rule=view.rule,
            stored_size=view.size,
            created_at=view.created_at,
            updated_at=view.updated_at,
            refreshed_at=view.refreshed_at,
            description=view.description,
            version=view.version,
            local_id=view.id,
        )

    @strawberry.field(
        description="The members, by customer id (code point order).", extensions=[QueryErrors()]
    )
    async def members(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
    ) -> SegmentMemberConnection:
        context = info.context
        request = PageRequest(first, after, last, before)
        request.size  # noqa: B018 - refuses a page size out of range before any loading
        if after is None and last is None and before is None:
            # First pages through a DataLoader: one query for a whole list of segments.
            page = await context.loaders.segment_member_pages.load((self.local_id, first))
        else:
            page = context.services.use(Segments).read.member_page(
                context.principal, self.local_id, request
            )
        return SegmentMemberConnection(
            edges=[SegmentMemberEdge(customer_id=edge.node, position=edge) for edge in page.edges],
            page_info=PageInfo.from_page(page),  # type: ignore[arg-type]
            segment_id=self.local_id,
        )

    @strawberry.field(
        description="The segment's size after each refresh, oldest first.",
        extensions=[QueryErrors()],
    )
    async def size_history(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
    ) -> SegmentSizeConnection:
        context = info.context
        # Through the request's DataLoader: one query for a whole list of segments.
        points = await context.loaders.segment_sizes.load(self.local_id) or ()
        page = context.services.use(Segments).read.size_page_of(
            points, PageRequest(first, after, last, before)
        )
        return SegmentSizeConnection.from_page(
            page,
            lambda point: SegmentSizePoint(at=point.at, size=point.size),
            segment_id=self.local_id,
        )


@strawberry.type(name="SegmentSizePointEdge", description="A size in a segment's size history.")
class SegmentSizePointEdge(Edge[SegmentSizePoint]):
    pass


@strawberry.type(
    name="SegmentSizePointConnection", description="A page of a segment's sizes, oldest first."
)
class SegmentSizeConnection(Connection[SegmentSizePoint]):
    edges: list[SegmentSizePointEdge] = strawberry.field(  # type: ignore[assignment]
        description="The sizes of this page, oldest first."
    )
    edge_type = SegmentSizePointEdge
    segment_id: strawberry.Private[str] = ""

    @strawberry.field(description="How many refreshes the history holds.")
    async def total_count(self, info: Info) -> int:
        return len(await info.context.loaders.segment_sizes.load(self.segment_id) or ())


@strawberry.type(name="SegmentEdge", description="A segment in a page of segments.")
class SegmentEdge(Edge[SegmentNode]):
    pass


@strawberry.type(name="SegmentConnection", description="A page of segments.")
class SegmentConnection(Connection[SegmentNode]):
    edges: list[SegmentEdge] = strawberry.field(  # type: ignore[assignment]
        description="The segments of this page, in order."
    )
    edge_type = SegmentEdge
    filter: strawberry.Private[SegmentFilter] = SegmentFilter()

    @strawberry.field(description="How many segments the filter admits, over every page.")
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Segments).read.count(context.principal, self.filter)


@strawberry.input(name="SegmentFilter", description="Which segments a list holds; all hold.")
class SegmentFilterInput:
    kinds: list[SegmentKindValue] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Segments of any of these kinds; null for both."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Segments whose name holds this text, ignoring case."
    )

    def to_filter(self) -> SegmentFilter:
        kinds = self.kinds
        return SegmentFilter(
            kinds=None if kinds is None else frozenset(SegmentKind(enum_value(k)) for k in kinds),
            name_contains=self.name_contains,
        )


@strawberry.enum(name="SegmentOrderField", description="What lists of segments are ordered by.")
class SegmentOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, ignoring case.")
    CREATED_AT = strawberry.enum_value("created_at", description="When the segment was made.")
    SIZE = strawberry.enum_value("size", description="How many members it had at its last refresh.")


@strawberry.input(name="SegmentOrder", description="How a list of segments is ordered.")
class SegmentOrderInput(DirectionInput):
    field: SegmentOrderField = strawberry.field(
        default=SegmentOrderField.NAME, description="What the segments are ordered by."
    )

    def to_order(self) -> SegmentOrder:
        return SegmentOrder(
            field=SegmentSortField(enum_value(self.field)),
            descending=self.descending,
        )


@strawberry.type(description="Recency, frequency and monetary scores from 1 to 5, and the class.")
class Rfm:
    recency: int = strawberry.field(description="1 (longest ago) to 5 (most recent).")
    frequency: int = strawberry.field(description="1 (fewest orders) to 5 (most).")
    monetary: int = strawberry.field(description="1 (least spent) to 5 (most).")
    rfm_class: RfmClassValue = strawberry.field(
        name="class", description="The named class the recency and frequency scores place."
    )

    @classmethod
    def from_score(cls, score: RfmScore) -> Rfm:
        return cls(
            recency=score.recency,
            frequency=score.frequency,
            monetary=score.monetary,
            rfm_class=RfmClassValue[score.rfm_class.upper()],
        )


@strawberry.type
class CustomerSegments:
    """``Customer.segments`` and ``Customer.rfm``."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The segments the customer is a member of, by name: a plain list, as the "
        "segments bound it."
    )
    async def segments(self, info: Info) -> list[SegmentNode]:
        views = await info.context.loaders.customer_segments.load(self.id_local)
        return [SegmentNode.from_view(view) for view in views or ()]

    @strawberry.field(description="RFM scores and class from the latest run; null if unscored.")
    async def rfm(self, info: Info) -> Rfm | None:
        score = await info.context.loaders.customer_rfm.load(self.id_local)
        return None if score is None else Rfm.from_score(score)


@strawberry.type(description="What a rule finds now; nothing is saved.")
class SegmentPreview:
    count: int | None = strawberry.field(
        default=None, description="How many active customers meet the rule; null if refused."
    )
    evaluation_ms: float | None = strawberry.field(
        default=None, description="How long the evaluator took, in milliseconds."
    )
    sample_ids: strawberry.Private[Sequence[str]] = ()
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the rule was refused; empty when it was read."
    )

    @strawberry.field(description="The first members by id (at most 100).")
    async def sample(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="How many, at most 100.")] = 10,
    ) -> list[Customer]:
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
    def preview_segment(
        self,
        info: Info,
        rule: Annotated[str, strawberry.argument(description='The rule as text, e.g. tag("vip").')],
    ) -> SegmentPreview:
        context = info.context
        preview = context.services.use(Segments).preview(context.principal, rule, first=100)
        return SegmentPreview(
            count=preview.count, evaluation_ms=preview.evaluation_ms, sample_ids=preview.sample
        )

    @strawberry.field(description="A rule tree as the text that previewSegment and rules read.")
    def segment_rule_text(
        self,
        info: Info,
        input: Annotated[SegmentRuleInput, strawberry.argument(description="The rule tree.")],
    ) -> SegmentRuleText:
        # Not UserErrors: a reader without the permission gets a top-level error, as before.
        info.context.principal.require(Permission.READ_CUSTOMERS)
        try:
            return SegmentRuleText(text=print_rule(rule_from_input(input)))
        except DomainError as error:
            return SegmentRuleText(user_errors=user_errors(error))

    @strawberry.field(
        description="Segments, by name ignoring case unless orderBy says otherwise.",
        extensions=[QueryErrors()],
    )
    def segments(
        self,
        info: Info,
        first: PageFirst = None,
        after: PageAfter = None,
        last: PageLast = None,
        before: PageBefore = None,
        filter: Annotated[
            SegmentFilterInput | None, strawberry.argument(description="Which segments to list.")
        ] = None,
        order_by: Annotated[
            SegmentOrderInput | None, strawberry.argument(description="How to order them.")
        ] = None,
    ) -> SegmentConnection:
        context = info.context
        criteria = filter.to_filter() if filter else SegmentFilter()
        page = context.services.use(Segments).read.page(
            context.principal,
            PageRequest(first, after, last, before),
            criteria,
            order_by.to_order() if order_by else SegmentOrder(),
        )
        return SegmentConnection.from_page(page, SegmentNode.from_view, filter=criteria)

    @strawberry.field(
        description="One segment by its id; null if none has it.", extensions=[QueryErrors()]
    )
    def segment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The segment's global id.")],
    ) -> SegmentNode | None:
        return fetch_segment(info, local_id(id, SEGMENT, field="id"))


@strawberry.input(
    description="A new segment; give the rule as text (rule) or as a tree (ruleInput)."
)
class CreateSegmentInput:
    name: str = strawberry.field(description="Unique, ignoring case; at most 100 characters.")
    rule: str | None = strawberry.field(
        default=None,
        description='The rule as text, for example: tag("vip") and orders.sum(90d) > 500',
    )
    rule_input: SegmentRuleInput | None = strawberry.field(
        default=None, description="The rule as a tree."
    )
    kind: SegmentKindValue = strawberry.field(  # type: ignore[valid-type]
        default=SegmentKindValue.DYNAMIC,
        description="STATIC keeps the members found now; DYNAMIC follows the rule.",
    )


@strawberry.input(
    description="What to change on a segment: a name, a new rule as text (rule) or as a tree "
    "(ruleInput), or both; fields left out stay as they are."
)
class UpdateSegmentInput:
    id: strawberry.ID = strawberry.field(description="The segment's global id.")
    version: int = strawberry.field(
        description="The version the change was based on; another is STALE_VERSION."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new name; not null."
    )
    rule: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new rule, as text; not null."
    )
    rule_input: SegmentRuleInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new rule, as a tree; not null."
    )


@strawberry.type(description="A rule tree in its canonical text form.")
class SegmentRuleText:
    text: str | None = strawberry.field(
        default=None, description="The canonical text; null when the tree was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the tree was refused; empty when it was read."
    )


@strawberry.type(description="The result of createSegment.")
class CreateSegmentPayload:
    segment: SegmentNode | None = strawberry.field(default=None, description="The new segment.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was created; empty on success."
    )


@strawberry.type(description="The result of updateSegment.")
class UpdateSegmentPayload:
    segment: SegmentNode | None = strawberry.field(
        default=None, description="The segment as changed."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was changed; empty on success."
    )


ClusterFeature = described_enum(
    Feature,
    "ClusterFeature",
    "What customers are clustered by.",
    {
        "RECENCY": "Days since the last order.",
        "FREQUENCY": "Orders placed.",
        "MONETARY": "Amount kept, in major units of the currency.",
        "TENURE": "Days since the customer was created.",
    },
)


@strawberry.input(description="How to cluster customers with orders into static segments.")
class ClusterCustomersInput:
    k: int = strawberry.field(description="How many clusters, 2 to 20.")
    features: list[ClusterFeature] = strawberry.field(  # type: ignore[valid-type]
        description="What the customers are clustered by."
    )
    name: str = strawberry.field(description="Clusters are saved as segments named name 1, 2, …")
    seed: int = strawberry.field(
        default=0, description="Seeds the random start: the same seed, the same clusters."
    )


@strawberry.type(description="The result of clusterCustomers.")
class ClusterCustomersPayload:
    segments: list[SegmentNode] = strawberry.field(
        default_factory=list, description="The clusters as static segments, largest first."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was saved; empty on success."
    )


@strawberry.input(description="How to score customers' RFM.")
class ComputeRfmInput:
    window_days: int | None = strawberry.field(
        default=365,
        description="Score the orders of the last windowDays days (1 to 3660); null for every "
        "order.",
    )


@strawberry.type(description="The result of computeRfm.")
class ComputeRfmPayload:
    scored_count: int = strawberry.field(
        default=0, description="How many customers were scored: those with orders in the window."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was scored; empty on success."
    )


@strawberry.type
class SegmentMutation:
    @strawberry.mutation(
        description="A new segment, with its members as of now.",
        extensions=[UserErrors(requires=(Permission.MANAGE_SEGMENTS,))],
    )
    def create_segment(
        self,
        info: Info,
        input: Annotated[
            CreateSegmentInput, strawberry.argument(description="The segment to make.")
        ],
    ) -> CreateSegmentPayload:
        context = info.context
        text = rule_text(input.rule, input.rule_input)
        new = NewSegment(name=input.name, rule=text, kind=SegmentKind(enum_value(input.kind)))
        view = context.services.use(Segments).create(context.principal, new)
        return CreateSegmentPayload(segment=SegmentNode.from_view(view))

    @strawberry.mutation(
        description="Rename a segment or change its rule.", extensions=[UserErrors()]
    )
    def update_segment(
        self,
        info: Info,
        input: Annotated[
            UpdateSegmentInput, strawberry.argument(description="The segment and what to change.")
        ],
    ) -> UpdateSegmentPayload:
        context = info.context
        try:
            type_name, segment_id = from_global_id(input.id)
        except MalformedId:
            type_name, segment_id = "", ""
        if type_name != SEGMENT:
            return UpdateSegmentPayload(
                user_errors=input_error("id", ErrorCode.INVALID_ID, "is not the id of a Segment")
            )
        unset = strawberry.UNSET
        for field, value in (
            ("name", input.name),
            ("rule", input.rule),
            ("ruleInput", input.rule_input),
        ):
            if value is None:
                raise InvalidInput(
                    field, ErrorCode.REQUIRED, "cannot be null; leave it out to keep it"
                )
        rule = None if input.rule is unset else input.rule
        if input.rule_input is not unset:
            rule = rule_text(rule, input.rule_input)
        view = context.services.use(Segments).update(
            context.principal,
            segment_id,
            name=None if input.name is unset else input.name,
            rule=rule,
            expected_version=input.version,
        )
        return UpdateSegmentPayload(segment=SegmentNode.from_view(view))

    @strawberry.mutation(
        description="K-means over customers with orders, saved as static segments, largest first.",
        extensions=[UserErrors()],
    )
    def cluster_customers(
        self,
        info: Info,
        input: Annotated[ClusterCustomersInput, strawberry.argument(description="How to cluster.")],
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
        description="Score every customer's RFM over the last windowDays days; the previous "
        "run's scores go.",
        extensions=[UserErrors()],
    )
    def compute_rfm(
        self,
        info: Info,
        input: Annotated[ComputeRfmInput, strawberry.argument(description="How to score.")],
    ) -> ComputeRfmPayload:
        context = info.context
        scored = context.services.use(Segments).compute_rfm(
            context.principal, RfmSettings(window_days=input.window_days)
        )
        return ComputeRfmPayload(scored_count=scored)


PART = SchemaPart(
    queries=(SegmentQuery,),
    mutations=(SegmentMutation,),
    customer_fields=(CustomerSegments,),
    nodes={SEGMENT: fetch_segment},
)
