"""Selections built from the schema itself: every field of a type, its relations included,
so that a test of a list covers the relations a module adds later without being told."""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

NESTED_PAGE = 2
"""How many items every nested connection asks for."""


def _arguments(field: GraphQLField) -> str | None:
    """The arguments to call ``field`` with: ``first`` on a list, nothing else; ``None`` when
    it needs an argument only a test of its own can give."""
    if any(
        isinstance(argument.type, GraphQLNonNull) and argument.default_value is None
        for argument in field.args.values()
    ):
        return None
    return f"(first: {NESTED_PAGE})" if "first" in field.args else ""


def _leaves(named: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
    return [
        name
        for name, field in named.fields.items()
        if is_leaf_type(get_named_type(field.type)) and _arguments(field) == ""
    ]


def _shallow(schema: GraphQLSchema, type_name: str) -> str:
    """A related object: its own values, and of a connection the page of them."""
    named = schema.type_map[type_name]
    if isinstance(named, GraphQLUnionType):
        return "{ __typename }"
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    if type_name.endswith("Connection"):
        node = get_named_type(named.fields["edges"].type)
        assert isinstance(node, GraphQLObjectType)
        item = get_named_type(node.fields["node"].type).name
        return f"{{ totalCount edges {{ node {_shallow(schema, item)} }} }}"
    return "{ " + " ".join(["__typename", *_leaves(named)]) + " }"


def every_field(
    schema: GraphQLSchema, type_name: str, *, skip: frozenset[str] = frozenset()
) -> str:
    """A selection of every field of ``type_name`` that takes no required argument; objects
    it refers to are selected with their own values, one level deep."""
    named = schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    parts = ["__typename"]
    for name, field in named.fields.items():
        arguments = _arguments(field)
        if arguments is None or name in skip:
            continue
        target = get_named_type(field.type)
        if is_leaf_type(target):
            parts.append(name + arguments)
        else:
            parts.append(f"{name}{arguments} {_shallow(schema, target.name)}")
    return "{ " + " ".join(parts) + " }"
