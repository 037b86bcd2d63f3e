"""What a generated client type promises, checked on a real answer: every selected field is
there, null only where the schema allows, enums are the schema's values and scalars have
their documented wire format."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Z]{3}")


class ShapeError(AssertionError):
    pass


def _scalar_ok(name: str, value: Any) -> bool:
    if name in ("ID", "String"):
        return isinstance(value, str)
    if name == "Int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "DateTime":
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    if name == "Date":
        return isinstance(value, str) and bool(date.fromisoformat(value))
    if name == "Decimal":
        return isinstance(value, str) and _DECIMAL.fullmatch(value) is not None
    if name == "CurrencyCode":
        return isinstance(value, str) and _CURRENCY.fullmatch(value) is not None
    return True  # JSON and the like: any value


class ShapeChecker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def check_operation(self, operation: OperationDefinitionNode, data: Mapping[str, Any]) -> None:
        root = self.schema.get_root_type(operation.operation)
        assert root is not None
        self._object(
            operation.selection_set, root, data, operation.name.value if operation.name else ""
        )

    def _applies(self, condition: str, concrete: GraphQLObjectType) -> bool:
        if condition == concrete.name:
            return True
        named = self.schema.type_map[condition]
        if isinstance(named, GraphQLInterfaceType):
            return named in concrete.interfaces
        if isinstance(named, GraphQLUnionType):
            return concrete in named.types
        return False

    def _object(
        self,
        selections: SelectionSetNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        value: Any,
        path: str,
    ) -> None:
        if not isinstance(value, Mapping):
            raise ShapeError(f"{path}: an object was expected, got {value!r}")
        concrete: GraphQLObjectType
        if isinstance(parent, GraphQLObjectType):
            concrete = parent
        else:
            typename = value.get("__typename")
            if typename is None:
                raise ShapeError(f"{path}: an abstract type is selected without __typename")
            found = self.schema.type_map.get(typename)
            if not isinstance(found, GraphQLObjectType) or not self._applies(parent.name, found):
                raise ShapeError(f"{path}: {typename} is not a {parent.name}")
            concrete = found
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                if key not in value:
                    raise ShapeError(f"{path}.{key}: selected but missing")
                if selection.name.value == "__typename":
                    if value[key] != concrete.name:
                        raise ShapeError(f"{path}.__typename: {value[key]} != {concrete.name}")
                    continue
                field = concrete.fields[selection.name.value]
                self._value(selection.selection_set, field.type, value[key], f"{path}.{key}")
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, concrete):
                    self._object(selection.selection_set, concrete, value, path)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(fragment.type_condition.name.value, concrete):
                    self._object(fragment.selection_set, concrete, value, path)

    def _value(
        self, selections: SelectionSetNode | None, type_: GraphQLOutputType, value: Any, path: str
    ) -> None:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                raise ShapeError(f"{path}: null where the schema promises a value")
            self._value(selections, type_.of_type, value, path)
            return
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                raise ShapeError(f"{path}: a list was expected, got {value!r}")
            for index, item in enumerate(value):
                self._value(selections, type_.of_type, item, f"{path}[{index}]")
        elif isinstance(type_, GraphQLEnumType):
            if value not in type_.values:
                raise ShapeError(f"{path}: {value!r} is not a value of {type_.name}")
        elif isinstance(type_, GraphQLScalarType):
            if not _scalar_ok(type_.name, value):
                raise ShapeError(f"{path}: {value!r} is not a {type_.name}")
        else:
            assert selections is not None
            assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
            self._object(selections, type_, value, path)
