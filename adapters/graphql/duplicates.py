"""Duplicate candidates and merging them, in the API."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, customer_node, load_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    PageInfo,
    invalid_cursor_error,
    local_id,
    to_global_id,
)
from adapters.graphql.type_names import CUSTOMER
from application.customers.bundle import Customers
from application.customers.merging import DuplicateCandidate
from application.pagination import Edge as PageEdge

MAX_PAGE = 100


@strawberry.type(description="Two customers who look like one person.")
class DuplicateCandidateNode:
    score: float = strawberry.field(description="0 to 1; how sure the match is.")
    reasons: list[str] = strawberry.field(description="The keys they share: email, phone, name.")
    first_id: strawberry.Private[str]
    second_id: strawberry.Private[str]

    @classmethod
    def from_candidate(cls, candidate: DuplicateCandidate) -> DuplicateCandidateNode:
        return cls(
            score=candidate.score,
            reasons=list(candidate.reasons),
            first_id=candidate.first_id,
            second_id=candidate.second_id,
        )

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.first_id)

    @strawberry.field
    async def other(self, info: Info) -> Customer | None:
        return await load_customer(info, self.second_id)


@strawberry.type
class DuplicateCandidateEdge(Edge[DuplicateCandidateNode]):
    pass


@strawberry.type
class DuplicateCandidateConnection(Connection[DuplicateCandidateNode]):
    edges: list[DuplicateCandidateEdge]  # type: ignore[assignment]
    edge_type = DuplicateCandidateEdge
    total_count: int


def _cursor(candidate: DuplicateCandidate) -> str:
    return to_global_id("DuplicateCursor", f"{candidate.first_id}|{candidate.second_id}")


@strawberry.type
class DuplicateQuery:
    @strawberry.field(
        description="Pairs of customers that may be one person, surest first.",
        extensions=[QueryErrors()],
    )
    def duplicate_candidates(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> DuplicateCandidateConnection:
        if not 0 <= first <= MAX_PAGE:
            raise GraphQLError(
                f"first must be between 0 and {MAX_PAGE}",
                extensions={"code": "INVALID", "field": "first"},
            )
        context = info.context
        candidates = context.services.use(Customers).find_duplicates(context.principal)
        start = 0
        if after is not None:
            cursors = [_cursor(c) for c in candidates]
            if after not in cursors:
                raise invalid_cursor_error()
            start = cursors.index(after) + 1
        page = candidates[start : start + first]
        page_info = PageInfo(
            has_next_page=start + first < len(candidates),
            has_previous_page=start > 0,
            start_cursor=_cursor(page[0]) if page else None,
            end_cursor=_cursor(page[-1]) if page else None,
        )
        return DuplicateCandidateConnection.from_edges(
            (PageEdge(candidate, _cursor) for candidate in page),
            page_info,
            DuplicateCandidateNode.from_candidate,
            total_count=len(candidates),
        )


@strawberry.input
class MergeCustomersInput:
    survivor_id: strawberry.ID
    duplicate_ids: list[strawberry.ID]


@strawberry.type
class MergeCustomersPayload:
    customer: Customer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DuplicateMutation:
    @strawberry.mutation(
        description="Fold duplicates into the survivor; their orders and history move with them.",
        extensions=[UserErrors()],
    )
    def merge_customers(self, info: Info, input: MergeCustomersInput) -> MergeCustomersPayload:
        context = info.context
        survivor_id = local_id(input.survivor_id, CUSTOMER, field="survivorId")
        duplicate_ids = [
            local_id(raw, CUSTOMER, field=f"duplicateIds.{index}")
            for index, raw in enumerate(input.duplicate_ids)
        ]
        view = context.services.use(Customers).merge(context.principal, survivor_id, duplicate_ids)
        return MergeCustomersPayload(customer=customer_node(view))


PART = SchemaPart(
    queries=(DuplicateQuery,),
    mutations=(DuplicateMutation,),
)
