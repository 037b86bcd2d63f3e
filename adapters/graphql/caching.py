"""One cache for parsed and validated documents, keyed by the query text."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_DOCUMENTS = 512


class _Documents:
    """Bounded, so that a stream of unique query texts cannot grow memory without limit."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()

    def get(self, query: str) -> tuple[DocumentNode, list[GraphQLError]] | None:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def put(self, query: str, document: DocumentNode, errors: list[GraphQLError]) -> None:
        self._entries[query] = (document, errors)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


# One cache per schema: what is valid depends on the schema's rules (introspection, limits).
_caches: weakref.WeakKeyDictionary[Any, _Documents] = weakref.WeakKeyDictionary()


def _documents_of(schema: Any) -> _Documents:
    documents = _caches.get(schema)
    if documents is None:
        documents = _caches.setdefault(schema, _Documents(MAX_DOCUMENTS))
    return documents


class DocumentCache(SchemaExtension):
    """Parses and validates each distinct query text once.

    Clients send the same few documents over and over, and parsing plus validating a
    document costs more than executing a small one. Keying on the text (whose hash Python
    keeps) is cheaper than hashing the parsed tree as the stock validation cache does.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        cached = _documents_of(context.schema).get(query) if query is not None else None
        if cached is not None:
            context.graphql_document = cached[0]
        elif query is not None:
            context.graphql_document = parse(query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        documents = _documents_of(context.schema)
        cached = documents.get(query) if query is not None else None
        if cached is not None and cached[0] is document:
            context.pre_execution_errors = cached[1]
        elif document is not None:
            # An empty list, not None: None would make strawberry validate once more.
            context.pre_execution_errors = validate_document(
                context.schema._schema, document, context.validation_rules
            )
            if query is not None:
                documents.put(query, document, context.pre_execution_errors)
        yield


def valid_document(schema: Any, query: str | None) -> DocumentNode | None:
    """The parsed document of ``query`` if this schema has already found it valid."""
    cached = _documents_of(schema).get(query) if query is not None else None
    return cached[0] if cached is not None and not cached[1] else None
