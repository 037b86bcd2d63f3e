"""What one client may ask of the API: query limits, query cost and its budget.

Every check here runs before a resolver does. The cost of a query is measured by
:mod:`adapters.graphql.cost`; each key draws it from a token bucket that refills over time,
and every response reports ``extensions.cost {requested remaining}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from attrs import frozen
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)

from adapters.graphql.cost import measure_operation
from application.limits import BucketPolicy, TokenBuckets

MIB = 1024 * 1024
COST_BUDGET = BucketPolicy(capacity=250_000, refill_per_second=5_000)
KEY_RATE = BucketPolicy(capacity=500, refill_per_second=50)
IP_RATE = BucketPolicy(capacity=1_000, refill_per_second=100)
FORM_RATE = BucketPolicy(capacity=10, refill_per_second=10 / 60)


@frozen(kw_only=True)
class ApiLimits:
    """Every limit the HTTP API keeps; ``None`` turns a check off."""

    max_depth: int | None = 15
    max_aliases: int | None = 50
    max_tokens: int | None = 10_000
    max_cost: int | None = 25_000
    cost_budget: BucketPolicy | None = COST_BUDGET
    """Cost points per key: a full bucket, refilled every second by this many."""
    key_rate: BucketPolicy | None = KEY_RATE
    """Requests per API key."""
    ip_rate: BucketPolicy | None = IP_RATE
    """Requests per client address, signed in or not."""
    form_rate: BucketPolicy = FORM_RATE
    """Posts per client address to the public lead forms."""
    max_body_bytes: int = MIB
    max_upload_bytes: int = 50 * MIB
    request_timeout_seconds: float | None = 30.0
    trusted_proxies: tuple[str, ...] = ()
    """Addresses (or networks) whose ``X-Forwarded-For`` names the client."""
    introspection: bool = True
    field_suggestions: bool = True

    @classmethod
    def unlimited(cls) -> ApiLimits:
        """No query limits, no cost, no rate limits: what the benchmark compares against."""
        return cls(
            max_depth=None,
            max_aliases=None,
            max_tokens=None,
            max_cost=None,
            cost_budget=None,
            key_rate=None,
            ip_rate=None,
            request_timeout_seconds=None,
        )


def limit_extensions(
    limits: ApiLimits, buckets: TokenBuckets
) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that keep ``limits``, cost measured last."""
    extensions: list[Callable[[], SchemaExtension]] = []
    if limits.max_tokens is not None:
        extensions.append(_factory(MaxTokensLimiter, limits.max_tokens))
    if limits.max_aliases is not None:
        extensions.append(_factory(MaxAliasesLimiter, limits.max_aliases))
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    if limits.max_cost is not None or limits.max_depth is not None or limits.cost_budget:
        extensions.append(lambda: QueryCost(limits, buckets))
    return extensions


def _factory(kind: Callable[[int], SchemaExtension], value: int) -> Callable[[], SchemaExtension]:
    # One instance per operation: strawberry keeps per-operation state on extensions.
    return lambda: kind(value)


class QueryCost(SchemaExtension):
    """Refuses, unexecuted, a query that costs too much, is too deep, or overdraws its key."""

    def __init__(self, limits: ApiLimits, buckets: TokenBuckets) -> None:
        self._limits = limits
        self._buckets = buckets
        self._requested: int | None = None
        self._remaining: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            measured = measure_operation(
                context.schema._schema, document, context.operation_name, context.variables
            )
            self._requested = measured.cost
            refusal = self._refusal(measured.cost, measured.depth, context.context)
            if refusal is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[refusal])
        yield

    def get_results(self) -> dict[str, Any]:
        if self._requested is None:
            return {}
        return {"cost": {"requested": self._requested, "remaining": self._remaining}}

    def _refusal(self, cost: int, depth: int, request: Any) -> GraphQLError | None:
        limits = self._limits
        if limits.max_cost is not None and cost > limits.max_cost:
            return GraphQLError(
                f"This query may cost {cost:,}, more than the {limits.max_cost:,} one query "
                "may cost: ask for smaller pages or fewer nested connections.",
                extensions={"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": limits.max_cost},
            )
        if limits.max_depth is not None and depth > limits.max_depth:
            return GraphQLError(
                f"This query nests {depth} fields deep, more than {limits.max_depth}.",
                extensions={"code": "MAX_DEPTH_EXCEEDED", "depth": depth},
            )
        if limits.cost_budget is None:
            return None
        allowance = self._buckets.take(f"cost:{_key_of(request)}", float(cost), limits.cost_budget)
        self._remaining = math.floor(allowance.remaining)
        if allowance.granted:
            return None
        retry_after = math.ceil(allowance.retry_after)
        if hasattr(request, "retry_after"):
            request.retry_after = retry_after
        return GraphQLError(
            f"This key's query budget is spent; {cost:,} points are back in {retry_after} s.",
            extensions={"code": "THROTTLED", "retryAfter": retry_after},
        )


def _key_of(request: Any) -> str:
    """Whose budget pays: the API key, else the acting user."""
    principal = getattr(request, "principal", None)
    if principal is None:
        return "anonymous"
    return str(principal.api_key_id or principal.actor_id)
