"""Relay connections as generics: one ``Connection[N]`` and ``Edge[N]`` for every list.

A specialisation is named after its node, as the schema always named them:
``Connection[CustomerNode]`` is ``CustomerConnection`` and its edges ``CustomerEdge``.
A list that counts or remembers its filter subclasses the specialisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Generic, Self, TypeVar

import strawberry

from adapters.graphql.relay import PageInfo
from application.pagination import Edge as PageEdge
from application.pagination import Page

N = TypeVar("N")
V = TypeVar("V")


@strawberry.type(description="One item of a list, with the cursor of where it stands.")
class Edge(Generic[N]):
    node: N = strawberry.field(description="The item.")
    position: strawberry.Private[PageEdge[Any]]

    @strawberry.field(description="Where this item stands in the list, for after/before.")
    def cursor(self) -> str:
        # Encoded only when asked for: most clients never read most cursors.
        return self.position.cursor


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page stands in the list.")
    edge_type: ClassVar[type[Edge[Any]]] = Edge
    """What the edges are built as: a subclass of ``Edge`` where the edge has its own name."""

    @classmethod
    def from_page(cls, page: Page[V], node: Callable[[V], N], **extra: Any) -> Self:
        """The connection of ``page``, each item made a node by ``node``; ``extra`` fills
        the fields a subclass adds."""
        return cls.from_edges(page.edges, PageInfo.from_page(page), node, **extra)  # type: ignore[arg-type]

    @classmethod
    def from_edges(
        cls,
        edges: Iterable[PageEdge[V]],
        page_info: PageInfo,
        node: Callable[[V], N],
        **extra: Any,
    ) -> Self:
        return cls(
            edges=[cls.edge_type(node=node(edge.node), position=edge) for edge in edges],
            page_info=page_info,
            **extra,
        )
