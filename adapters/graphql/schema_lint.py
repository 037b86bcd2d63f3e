"""The schema's own lint: the rules of ``docs/graphql.md`` checked over ``schema.graphql``.

It keeps graphql-schema-linter's rules that suit the schema (descriptions everywhere, casing,
the Relay specifications, deprecation reasons, no unused types) and adds Rapport's
(mutations take one ``input`` and answer their own payload, every ``Node`` has a root field,
custom scalars say where their format is specified, list arguments are named alike).

Run it as ``python -m adapters.graphql.schema_lint [schema.graphql]``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from attrs import frozen
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    build_schema,
    get_named_type,
    is_introspection_type,
    is_specified_scalar_type,
)


@frozen
class Violation:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.rule}]"


Rule = Callable[[GraphQLSchema], Iterator[Violation]]

_PASCAL: Final = re.compile(r"[A-Z][A-Za-z0-9]*")
_CAMEL: Final = re.compile(r"[a-z][A-Za-z0-9]*")
_ALL_CAPS: Final = re.compile(r"[A-Z][A-Z0-9_]*")
PAGING_ARGUMENTS: Final = ("first", "after", "last", "before")


def _own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    return [
        named
        for name, named in sorted(schema.type_map.items())
        if not is_introspection_type(named) and not is_specified_scalar_type(named)
    ]


def _with_fields(
    schema: GraphQLSchema,
) -> Iterator[tuple[GraphQLObjectType | GraphQLInterfaceType, str, GraphQLField]]:
    for named in _own_types(schema):
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():
                yield named, name, field


def _inputs(
    schema: GraphQLSchema,
) -> Iterator[tuple[GraphQLInputObjectType, str, str | None]]:
    for named in _own_types(schema):
        if isinstance(named, GraphQLInputObjectType):
            for name, value in named.fields.items():
                yield named, name, value.description


def _described(description: str | None) -> bool:
    return bool(description and description.strip())


def descriptions_everywhere(schema: GraphQLSchema) -> Iterator[Violation]:
    """Every type, field, argument, input field and enum value is described."""
    for named in _own_types(schema):
        if not _described(named.description):
            yield Violation("descriptions", named.name, "the type has no description")
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not _described(value.description):
                    yield Violation(
                        "descriptions", f"{named.name}.{value_name}", "the value has no description"
                    )
    for owner, name, field in _with_fields(schema):
        if not _described(field.description):
            yield Violation("descriptions", f"{owner.name}.{name}", "the field has no description")
        for argument_name, argument in field.args.items():
            if not _described(argument.description):
                yield Violation(
                    "descriptions",
                    f"{owner.name}.{name}({argument_name}:)",
                    "the argument has no description",
                )
    for input_type, name, description in _inputs(schema):
        if not _described(description):
            yield Violation(
                "descriptions", f"{input_type.name}.{name}", "the input field has no description"
            )


def _descriptions(schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    for named in _own_types(schema):
        if named.description:
            yield named.name, named.description
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if value.description:
                    yield f"{named.name}.{value_name}", value.description
    for owner, name, field in _with_fields(schema):
        if field.description:
            yield f"{owner.name}.{name}", field.description
        for argument_name, argument in field.args.items():
            if argument.description:
                yield f"{owner.name}.{name}({argument_name}:)", argument.description
    for input_type, name, description in _inputs(schema):
        if description:
            yield f"{input_type.name}.{name}", description


def descriptions_are_capitalized(schema: GraphQLSchema) -> Iterator[Violation]:
    """A description starts as a sentence does: a capital, a digit, a quote or code."""
    for where, description in _descriptions(schema):
        first = description.lstrip()[:1]
        if first and first.isalpha() and not first.isupper():
            yield Violation(
                "descriptions-are-capitalized", where, "starts with a lower-case letter"
            )


def names_are_cased(schema: GraphQLSchema) -> Iterator[Violation]:
    """Types PascalCase, fields, arguments and input fields camelCase, enum values ALL_CAPS."""
    for named in _own_types(schema):
        if not _PASCAL.fullmatch(named.name):
            yield Violation("casing", named.name, "a type name is PascalCase")
        if isinstance(named, GraphQLEnumType):
            for value_name in named.values:
                if not _ALL_CAPS.fullmatch(value_name):
                    yield Violation(
                        "casing", f"{named.name}.{value_name}", "an enum value is ALL_CAPS"
                    )
    for owner, name, field in _with_fields(schema):
        if not _CAMEL.fullmatch(name):
            yield Violation("casing", f"{owner.name}.{name}", "a field name is camelCase")
        for argument_name in field.args:
            if not _CAMEL.fullmatch(argument_name):
                yield Violation(
                    "casing", f"{owner.name}.{name}({argument_name}:)", "an argument is camelCase"
                )
    for input_type, name, _ in _inputs(schema):
        if not _CAMEL.fullmatch(name):
            yield Violation(
                "casing", f"{input_type.name}.{name}", "an input field name is camelCase"
            )


def deprecations_have_a_reason(schema: GraphQLSchema) -> Iterator[Violation]:
    for owner, name, field in _with_fields(schema):
        if field.deprecation_reason is not None and not field.deprecation_reason.strip():
            yield Violation("deprecations", f"{owner.name}.{name}", "deprecated without a reason")


def _referenced(type_: GraphQLType | None) -> str | None:
    return get_named_type(type_).name if type_ is not None else None


def defined_types_are_used(schema: GraphQLSchema) -> Iterator[Violation]:
    """Every type is reachable by a field, an argument, a union or an interface."""
    used: set[str] = set()
    for named in _own_types(schema):
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            used.update(interface.name for interface in named.interfaces)
            for field in named.fields.values():
                used.add(get_named_type(field.type).name)
                used.update(get_named_type(arg.type).name for arg in field.args.values())
        elif isinstance(named, GraphQLInputObjectType):
            used.update(get_named_type(value.type).name for value in named.fields.values())
        elif isinstance(named, GraphQLUnionType):
            used.update(member.name for member in named.types)
    roots = {
        root.name
        for root in (schema.query_type, schema.mutation_type, schema.subscription_type)
        if root is not None
    }
    for named in _own_types(schema):
        implements_used = isinstance(named, GraphQLObjectType) and any(
            interface.name in used for interface in named.interfaces
        )
        if named.name not in used and named.name not in roots and not implements_used:
            yield Violation("defined-types-are-used", named.name, "no field or type refers to it")


def _is_connection(type_: GraphQLType) -> bool:
    named = get_named_type(type_)
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection")


def relay_connections(schema: GraphQLSchema) -> Iterator[Violation]:
    """Connections as the Relay specification has them, each with a ``totalCount``, and
    reached by fields that page both ways."""
    for named in _own_types(schema):
        if not _is_connection(named):
            continue
        assert isinstance(named, GraphQLObjectType)
        fields = named.fields
        edges = fields.get("edges")
        if edges is None or not isinstance(_unwrapped(edges.type), GraphQLList):
            yield Violation("relay-connection-types", named.name, "has no `edges` list")
        else:
            edge = get_named_type(edges.type)
            if not isinstance(edge, GraphQLObjectType) or not {"node", "cursor"} <= set(
                edge.fields
            ):
                yield Violation(
                    "relay-connection-types", edge.name, "an edge has `node` and `cursor`"
                )
        page_info = fields.get("pageInfo")
        if page_info is None or str(page_info.type) != "PageInfo!":
            yield Violation("relay-connection-types", named.name, "has no `pageInfo: PageInfo!`")
        if "totalCount" not in fields:
            yield Violation("relay-connection-types", named.name, "has no `totalCount`")
    for owner, name, field in _with_fields(schema):
        if _is_connection(field.type) and owner.name != "Subscription":
            missing = [argument for argument in PAGING_ARGUMENTS if argument not in field.args]
            if missing:
                yield Violation(
                    "relay-connection-arguments",
                    f"{owner.name}.{name}",
                    f"a connection field takes {', '.join(missing)}",
                )


def _unwrapped(type_: GraphQLType) -> GraphQLType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def relay_page_info(schema: GraphQLSchema) -> Iterator[Violation]:
    page_info = schema.type_map.get("PageInfo")
    expected = {
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
        "startCursor": "String",
        "endCursor": "String",
    }
    if not isinstance(page_info, GraphQLObjectType):
        yield Violation("relay-page-info", "PageInfo", "there is no PageInfo type")
        return
    for name, shape in expected.items():
        field = page_info.fields.get(name)
        if field is None or str(field.type) != shape:
            yield Violation("relay-page-info", f"PageInfo.{name}", f"is `{shape}`")


def mutations_take_one_input(schema: GraphQLSchema) -> Iterator[Violation]:
    """``name(input: NameInput!): NamePayload!``, the payload with ``userErrors``, its own."""
    mutation = schema.mutation_type
    if mutation is None:
        return
    payload_owners: dict[str, list[str]] = {}
    for name, field in mutation.fields.items():
        where = f"Mutation.{name}"
        arguments: dict[str, GraphQLArgument] = field.args
        argument = arguments.get("input")
        if list(arguments) != ["input"] or argument is None:
            yield Violation("mutation-input", where, "takes exactly one argument, `input`")
        elif not isinstance(argument.type, GraphQLNonNull) or not isinstance(
            argument.type.of_type, GraphQLInputObjectType
        ):
            yield Violation("mutation-input", where, "`input` is a non-null input object")
        elif argument.type.of_type.name != _capitalized(name) + "Input":
            yield Violation(
                "mutation-input", where, f"`input` is of type {_capitalized(name)}Input"
            )
        payload = get_named_type(field.type)
        payload_owners.setdefault(payload.name, []).append(name)
        if not isinstance(field.type, GraphQLNonNull) or not isinstance(payload, GraphQLObjectType):
            yield Violation("mutation-payload", where, "answers a non-null payload object")
            continue
        if payload.name != _capitalized(name) + "Payload":
            yield Violation("mutation-payload", where, f"answers {_capitalized(name)}Payload")
        if "userErrors" not in payload.fields:
            yield Violation("mutation-payload", payload.name, "has `userErrors`")
    for payload_name, owners in payload_owners.items():
        if len(owners) > 1:
            yield Violation(
                "mutation-payload", payload_name, f"is shared by {', '.join(sorted(owners))}"
            )


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def nodes_have_root_fields(schema: GraphQLSchema) -> Iterator[Violation]:
    """Each ``Node`` type ``Thing`` has ``Query.thing(id: ID!): Thing``."""
    query = schema.query_type
    node = schema.type_map.get("Node")
    if query is None or not isinstance(node, GraphQLInterfaceType):
        return
    for implementer in schema.get_implementations(node).objects:
        field = query.fields.get(_lower_first(implementer.name))
        if field is None:
            yield Violation(
                "node-root-field", implementer.name, f"has no `{_lower_first(implementer.name)}`"
            )
            continue
        id_argument = field.args.get("id")
        if (
            get_named_type(field.type).name != implementer.name
            or id_argument is None
            or str(id_argument.type) != "ID!"
        ):
            yield Violation(
                "node-root-field",
                f"Query.{_lower_first(implementer.name)}",
                f"is `(id: ID!): {implementer.name}`",
            )


def scalars_are_specified(schema: GraphQLSchema) -> Iterator[Violation]:
    for named in _own_types(schema):
        if isinstance(named, GraphQLScalarType) and not named.specified_by_url:
            yield Violation("scalar-specified-by", named.name, "has no @specifiedBy")


def list_arguments_are_named_alike(schema: GraphQLSchema) -> Iterator[Violation]:
    """A list's ``filter`` is a ``…Filter`` and its ``orderBy`` an ``…Order``; inputs of
    anything else end in ``Input``."""
    for owner, name, field in _with_fields(schema):
        for argument_name, argument in field.args.items():
            named = get_named_type(argument.type)
            if not isinstance(named, GraphQLInputObjectType):
                continue
            where = f"{owner.name}.{name}({argument_name}:)"
            if argument_name == "filter" and not named.name.endswith("Filter"):
                yield Violation("input-names", where, "a filter is a …Filter")
            elif argument_name == "orderBy" and not named.name.endswith("Order"):
                yield Violation("input-names", where, "an order is a …Order")
            elif argument_name not in ("filter", "orderBy") and not named.name.endswith("Input"):
                yield Violation("input-names", where, "an input type's name ends in Input")


RULES: Final[tuple[Rule, ...]] = (
    descriptions_everywhere,
    descriptions_are_capitalized,
    names_are_cased,
    deprecations_have_a_reason,
    defined_types_are_used,
    relay_connections,
    relay_page_info,
    mutations_take_one_input,
    nodes_have_root_fields,
    scalars_are_specified,
    list_arguments_are_named_alike,
)
"""The rules ``make test`` keeps, in the order ``docs/graphql.md`` lists them."""


def lint(sdl: str) -> list[Violation]:
    schema = build_schema(sdl)
    return [violation for rule in RULES for violation in rule(schema)]


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    path = Path(arguments[0] if arguments else "schema.graphql")
    violations = lint(path.read_text(encoding="utf-8"))
    for violation in violations:
        print(violation)
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation.rule] = counts.get(violation.rule, 0) + 1
    summary = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
    print(f"{len(violations)} problems" + (f" ({summary})" if summary else ""), file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
