"""The one schema, merged from each module's query and mutation types."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from inspect import isawaitable
from pathlib import Path
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from graphql import OperationType as GraphQLOperationType
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from adapters.graphql.audit import audit_mutations, audit_refusals
from adapters.graphql.caching import DocumentCache, valid_document
from adapters.graphql.context import Info
from adapters.graphql.cost import Measures
from adapters.graphql.errors import MaskUnexpectedErrors, QueryErrors
from adapters.graphql.execution import ExecutionLoops
from adapters.graphql.limits import ApiLimits, limit_extensions
from adapters.graphql.parts import NODE_FETCHERS
from adapters.graphql.relay import MalformedId, Node, from_global_id
from adapters.graphql.scalars import SCALARS
from adapters.graphql.types import extra_types, root_types
from application.limits import TokenBuckets


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id; null when there is none.",
        extensions=[QueryErrors()],
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        try:
            type_name, local = from_global_id(id)
        except MalformedId:
            return None
        fetch = NODE_FETCHERS.get(type_name)
        if fetch is None:
            return None
        found = fetch(info, local)
        return await found if isawaitable(found) else found


def _root(name: str, description: str, parts: tuple[type, ...]) -> type:
    """One root type from every module's fields of its kind."""
    merged = merge_types(name, parts)
    return strawberry.type(merged, name=name, description=description)


Query = audit_refusals(
    _root(
        "Query",
        "What can be read: any object by its id, each module's records and lists.",
        (NodeQuery, *root_types("queries")),
    )
)
Mutation = audit_mutations(
    _root(
        "Mutation",
        "What can be changed. Each mutation takes one `input` and answers its own payload, "
        "with `userErrors` for input it refused.",
        tuple(root_types("mutations")),
    )
)
Subscription = _root(
    "Subscription",
    "What can be followed live, over graphql-transport-ws at `/graphql`.",
    tuple(root_types("subscriptions")),
)


log = logging.getLogger("rapport.graphql")

INLINE_COST = 10
"""A query that may return at most this many objects runs on the server's own loop."""


class RapportSchema(strawberry.Schema):
    """Runs each query and mutation on the execution loops, within the time limit.

    A small query, known valid and costing at most ``INLINE_COST``, runs where it was asked:
    its work is as bounded as the parsing and encoding every request does on that loop, and
    handing it to another thread would cost more than running it (two thread wake-ups).
    """

    loops: ExecutionLoops | None = None
    timeout_seconds: float | None = None
    measures: Measures

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        operation = super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if self.loops is None or self._is_small(query, variable_values, operation_name):
            return await operation
        try:
            return await self.loops.run(operation, self.timeout_seconds)
        except TimeoutError:
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"The request ran past its {self.timeout_seconds:g} s limit and was "
                        "stopped; ask for less at a time.",
                        extensions={"code": "TIMEOUT"},
                    )
                ],
            )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any | None = None
    ) -> None:
        # The stock hook logs each message, and a refused variable's message quotes the
        # value sent (an email, a name). Unexpected errors are logged where they are masked.
        for error in errors:
            log.info("GraphQL error at %s: %s", error.path, (error.extensions or {}).get("code"))

    def _is_small(
        self, query: str | None, variables: dict[str, Any] | None, operation_name: str | None
    ) -> bool:
        document = valid_document(self, query)
        if query is None or document is None:
            return False
        measured = self.measures.of(query, document, operation_name, variables)
        return measured.operation is GraphQLOperationType.QUERY and measured.cost <= INLINE_COST


def build_schema(
    limits: ApiLimits | None = None,
    *,
    buckets: TokenBuckets | None = None,
    loops: ExecutionLoops | None = None,
) -> RapportSchema:
    """The schema; with ``limits`` it keeps them (in ``buckets``), with ``loops`` it runs
    operations there."""
    extensions: list[Any] = [DocumentCache]
    if limits is not None:
        if buckets is None:
            raise ValueError("limits are counted in token buckets: pass buckets too")
        extensions += limit_extensions(limits, buckets)
    extensions.append(MaskUnexpectedErrors)
    schema = RapportSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=extra_types(),
        extensions=extensions,
        config=StrawberryConfig(
            scalar_map=SCALARS,
            disable_field_suggestions=limits is not None and not limits.field_suggestions,
        ),
    )
    schema.loops = loops
    schema.measures = Measures(schema._schema)
    schema.timeout_seconds = limits.request_timeout_seconds if limits is not None else None
    return schema


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"


def write_sdl(path: Path) -> None:
    path.write_text(schema_sdl(), encoding="utf-8")
