"""Duplicate candidates and merging them, in the API."""

from __future__ import annotations

from typing import Annotated

import strawberry

from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.customers import (
    AfterArgument,
    BeforeArgument,
    Customer,
    FirstArgument,
    LastArgument,
    customer_node,
    load_customer,
)
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
from application.pagination import PageRequest


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

    @strawberry.field(description="One of the two; merge the other into it, or the other way.")
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.first_id)

    @strawberry.field(description="The other of the two.")
    async def other(self, info: Info) -> Customer | None:
        return await load_customer(info, self.second_id)


@strawberry.type(description="One candidate pair of a list, and its cursor.")
class DuplicateCandidateEdge(Edge[DuplicateCandidateNode]):
    pass


@strawberry.type(description="A page of duplicate candidates.")
class DuplicateCandidateConnection(Connection[DuplicateCandidateNode]):
    edges: list[DuplicateCandidateEdge] = strawberry.field(  # type: ignore[assignment]
        description="The pairs of this page, surest first."
    )
    edge_type = DuplicateCandidateEdge
    total_count: int = strawberry.field(description="How many pairs there are, across all pages.")


def _cursor(candidate: DuplicateCandidate) -> str:
    return to_global_id("DuplicateCursor", f"{candidate.first_id}|{candidate.second_id}")


def _position(cursors: list[str], cursor: str, argument: str) -> int:
    if cursor not in cursors:
        raise invalid_cursor_error(argument)
    return cursors.index(cursor)


@strawberry.type
class DuplicateQuery:
    @strawberry.field(
        description="Pairs of customers that may be one person, surest first.",
        extensions=[QueryErrors()],
    )
    def duplicate_candidates(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> DuplicateCandidateConnection:
        request = PageRequest(first=first, after=after, last=last, before=before)
        size = request.size
        context = info.context
        candidates = list(context.services.use(Customers).find_duplicates(context.principal))
        cursors = [_cursor(c) for c in candidates]
        start = _position(cursors, after, "after") + 1 if after is not None else 0
        end = _position(cursors, before, "before") if before is not None else len(candidates)
        window = candidates[start:end] if start < end else []
        page = window[-size:] if request.from_end and size else window[:size]
        if request.from_end and not size:
            page = []
        offset = start + (len(window) - len(page) if request.from_end else 0)
        page_info = PageInfo(
            has_next_page=offset + len(page) < len(candidates),
            has_previous_page=offset > 0,
            start_cursor=_cursor(page[0]) if page else None,
            end_cursor=_cursor(page[-1]) if page else None,
        )
        return DuplicateCandidateConnection.from_edges(
            (PageEdge(candidate, _cursor) for candidate in page),
            page_info,
            DuplicateCandidateNode.from_candidate,
            total_count=len(candidates),
        )


@strawberry.input(description="Customers to fold into one.")
class MergeCustomersInput:
    survivor_id: strawberry.ID = strawberry.field(description="The customer who remains.")
    duplicate_ids: list[strawberry.ID] = strawberry.field(
        description="The customers folded into the survivor; they are archived, and their "
        "ids resolve to the survivor from then on."
    )


@strawberry.type(description="The result of mergeCustomers.")
class MergeCustomersPayload:
    customer: Customer | None = strawberry.field(
        default=None, description="The survivor, after the merge; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type
class DuplicateMutation:
    @strawberry.mutation(
        description="Fold duplicates into the survivor; their orders and history move with them.",
        extensions=[UserErrors()],
    )
    def merge_customers(
        self,
        info: Info,
        input: Annotated[MergeCustomersInput, strawberry.argument(description="The merge.")],
    ) -> MergeCustomersPayload:
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
