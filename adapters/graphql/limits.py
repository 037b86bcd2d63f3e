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
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as create_alias_validator

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
    """The schema extension that keeps ``limits``, or none when every check is off."""
    rules: list[type[ASTValidationRule]] = []
    if limits.max_aliases is not None:
        rules.append(create_alias_validator(limits.max_aliases))
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    measured = limits.max_cost is not None or limits.max_depth is not None
    if not (rules or measured or limits.cost_budget or limits.max_tokens is not None):
        return []
    return [lambda: QueryLimits(limits, buckets, rules)]


class QueryLimits(AddValidationRules):
    """Keeps a document's shape (tokens, aliases, introspection) and refuses, unexecuted, a
    query that costs too much, nests too deep, or overdraws its key's budget.

    One extension for all of them: strawberry runs every extension's hooks on every
    operation, so each one more costs every request.
    """

    def __init__(
        self, limits: ApiLimits, buckets: TokenBuckets, rules: list[type[ASTValidationRule]]
    ) -> None:
        super().__init__(rules)
        self._limits = limits
        self._buckets = buckets
        self._requested: int | None = None
        self._remaining: int | None = None

    def on_operation(self) -> Iterator[None]:
        if self._limits.max_tokens is not None:
            self.execution_context.parse_options["max_tokens"] = self._limits.max_tokens
        yield from super().on_operation()

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            measures = getattr(context.schema, "measures", None)
            if measures is not None and context.query is not None:
                measured = measures.of(
                    context.query, document, context.operation_name, context.variables
                )
            else:
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
