"""What one module adds to the schema, declared by the module itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from attrs import field, frozen
from starlette.routing import BaseRoute

from adapters.graphql.context import Info, Services
from adapters.graphql.relay import Node
from application.limits import BucketPolicy, TokenBuckets

NodeFetcher = Callable[[Info, str], Node | Awaitable[Node | None] | None]
"""One object of a type by its local id, for ``node(id:)``; ``None`` when there is none.

A ``DomainError`` it raises is answered by the field's ``QueryErrors``."""


@frozen
class PublicRouteContext:
    """What a module's public routes are built with: the use cases, and the buckets and
    policy that limit requests per client address (public routes have no API key)."""

    services: Services
    buckets: TokenBuckets
    rate: BucketPolicy


RouteFactory = Callable[[PublicRouteContext], Sequence[BaseRoute]]
"""A module's public HTTP routes beside the API (the pages links in mails open)."""


@frozen(kw_only=True)
class SchemaPart:
    """A module's root fields, relation fields and node types, which the assembly folds
    into ``Query``, ``Mutation``, ``Subscription``, ``Customer``, ``Company`` and ``node``."""

    queries: tuple[type, ...] = ()
    mutations: tuple[type, ...] = ()
    subscriptions: tuple[type, ...] = ()
    customer_fields: tuple[type, ...] = ()
    """Mixins of fields the module owns on ``Customer`` (``Customer.orders`` …)."""
    company_fields: tuple[type, ...] = ()
    types: tuple[type, ...] = ()
    """Types the schema must know though no field returns them by name (Node implementations)."""
    nodes: Mapping[str, NodeFetcher] = field(factory=dict)
    """The fetchers ``node(id:)`` uses, by the type names this module owns."""
    routes: tuple[RouteFactory, ...] = ()
    """Public routes the app serves beside ``/graphql``, with no login, limited per address."""


NODE_FETCHERS: dict[str, NodeFetcher] = {}
"""The types ``node(id:)`` resolves, by type name; any other name resolves to null.

Filled once by the assembly (``adapters.graphql.types``) from every part's ``nodes``, so a
module that refetches records of other modules (an event's subject, a timeline entry's)
reads it here without importing the assembly, which imports that module."""
