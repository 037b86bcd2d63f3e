"""What a query may cost, read off its document before anything runs.

A field costs the objects it may return: one for an object, a page for a list. A field
with ``first``/``last`` returns at most that many (the page size when neither is given);
inside the connection it returns, ``edges`` and ``nodes`` hold that many each. Any other
list counts as ``LIST_SIZE`` items. Scalars, enums and introspection cost nothing; each
mutation field adds ``MUTATION_COST``. Everything a field selects is paid once per object
it may return, so nested connections multiply, as GitHub and Shopify count them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from attrs import frozen
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

from application.pagination import MAX_PAGE_SIZE

LIST_SIZE = 10
MUTATION_COST = 10
_PAGE_ARGUMENTS = ("first", "last")


@frozen
class QueryMeasure:
    cost: int
    depth: int
    operation: OperationType | None = None


def measure_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> QueryMeasure:
    """The cost and depth of the operation that would run; zero when there is none."""
    operation = _operation(document, operation_name)
    if operation is None:
        return QueryMeasure(0, 0)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return QueryMeasure(0, 0)
    walk = _Walk(schema, document, operation, variables or {})
    cost, depth = walk.selection(operation.selection_set, root.name, 1, None, 0)
    if operation.operation is OperationType.MUTATION:
        cost += MUTATION_COST * _root_field_count(walk, operation.selection_set)
    return QueryMeasure(cost, depth, operation.operation)


class Measures:
    """Measures remembered by query text, operation and the integer variables (the only
    ones a measure depends on): clients send the same few documents over and over."""

    def __init__(self, schema: GraphQLSchema, size: int = 1024) -> None:
        self._schema = schema
        self._size = size
        self._known: OrderedDict[tuple[Any, ...], QueryMeasure] = OrderedDict()

    def of(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> QueryMeasure:
        numbers = tuple(
            sorted(
                (name, value)
                for name, value in (variables or {}).items()
                if isinstance(value, int) and not isinstance(value, bool)
            )
        )
        key = (query, operation_name, numbers)
        known = self._known.get(key)
        if known is None:
            known = measure_operation(self._schema, document, operation_name, variables)
            self._known[key] = known
            if len(self._known) > self._size:
                self._known.popitem(last=False)
        return known


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _root_field_count(walk: _Walk, selection_set: SelectionSetNode) -> int:
    return sum(1 for field, _ in walk.fields(selection_set, "") if not _is_meta(field))


def _is_meta(field: FieldNode) -> bool:
    return field.name.value.startswith("__")


def _is_list(type_: GraphQLOutputType) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self._schema = schema
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self._variables and isinstance(definition.default_value, IntValueNode):
                self._variables[name] = int(definition.default_value.value)
        self._spreading: set[str] = set()

    def fields(
        self, selection_set: SelectionSetNode, parent_name: str
    ) -> list[tuple[FieldNode, str]]:
        """The fields of a selection, fragments spread, each with the type it is read on."""
        found: list[tuple[FieldNode, str]] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append((selection, parent_name))
            elif isinstance(selection, InlineFragmentNode):
                on = selection.type_condition.name.value if selection.type_condition else None
                found += self.fields(selection.selection_set, on or parent_name)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is None or name in self._spreading:
                    continue  # validation refuses both; never loop on a document it let by
                self._spreading.add(name)
                found += self.fields(fragment.selection_set, fragment.type_condition.name.value)
                self._spreading.discard(name)
        return found

    def selection(
        self,
        selection_set: SelectionSetNode,
        parent_name: str,
        parents: int,
        page: int | None,
        level: int,
    ) -> tuple[int, int]:
        """``(cost, depth)`` of a selection read on ``parents`` objects of ``parent_name``.

        ``page`` is the page size of the connection being read, for its lists. Fragments on
        several types of an interface or union are all paid for: only one applies to each
        object, but which one is not known before the query runs.
        """
        cost, depth = 0, level
        for field, on in self.fields(selection_set, parent_name):
            if _is_meta(field):
                continue
            owner = self._schema.get_type(on)
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = owner.fields.get(field.name.value)
            if definition is None:
                continue
            depth = max(depth, level + 1)
            named = get_named_type(definition.type)
            if is_leaf_type(named) or field.selection_set is None:
                continue
            listed = _is_list(definition.type)
            size = self._page_size(field, definition.args)
            if size is not None:
                per_parent, inner_page = (size, None) if listed else (1, size)
            else:
                per_parent, inner_page = ((page or LIST_SIZE) if listed else 1), None
            count = parents * per_parent
            child_cost, child_depth = self.selection(
                field.selection_set, named.name, count, inner_page, level + 1
            )
            cost += count + child_cost
            depth = max(depth, child_depth)
        return cost, depth

    def _page_size(self, field: FieldNode, arguments: Mapping[str, GraphQLArgument]) -> int | None:
        if not any(name in arguments for name in _PAGE_ARGUMENTS):
            return None
        for argument in field.arguments or ():
            if argument.name.value in _PAGE_ARGUMENTS:
                value = self._int(argument.value)
                if value is not None:
                    return max(0, value)
        for name in _PAGE_ARGUMENTS:
            default = arguments[name].default_value if name in arguments else None
            if isinstance(default, int) and not isinstance(default, bool):
                return max(0, default)
        return MAX_PAGE_SIZE

    def _int(self, node: ValueNode) -> int | None:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            value = self._variables.get(node.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None
