"""Every built-in role against every query and mutation of the schema, allowed or denied
as the table below says.

The operations are built from the schema itself: each argument gets a value of its type,
and each id names a real record of the seeded world (a type the world has none of gets a
well-formed id of nothing). "Denied" is a ``FORBIDDEN`` error or user error; anything else,
an answer, a ``NOT_FOUND`` or an invalid input, got past the permission check. A root field
that is not in the table fails the test, so a new one must say who may use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

from adapters.graphql.relay import from_global_id, to_global_id
from adapters.graphql.schema import build_schema
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.test_node_registry import FINDERS
from tests.graphql.world import seed_world
from tests.security.permission_table import ALLOWED

SCHEMA = build_schema()._schema

SCALARS: Mapping[str, object] = {
    "String": "matrix",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2030-01-01T09:00:00Z",
    "Date": "2030-01-01",
    "Decimal": "1",
    "CurrencyCode": "USD",
    "JSON": {},
    "Upload": None,
}

ID_TYPES: Mapping[str, str] = {
    "customer": "Customer",
    "company": "Company",
    "opportunity": "Opportunity",
    "deal": "Opportunity",
    "lead": "Lead",
    "task": "Task",
    "tag": "Tag",
    "segment": "Segment",
    "pipeline": "Pipeline",
    "stage": "PipelineStage",
    "user": "User",
    "owner": "User",
    "assignee": "User",
    "manager": "User",
    "actor": "User",
    "subscription": "WebhookSubscription",
    "delivery": "WebhookDelivery",
    "rule": "AutoTagRule",
    "activity": "Activity",
    "order": "Order",
    "record": "Customer",
    "survivor": "Customer",
    "duplicate": "Customer",
    "object": "Customer",
    "apiKey": "ApiKey",
    "key": "ApiKey",
    "definition": "CustomFieldDefinition",
}


def _root_fields() -> Iterator[tuple[str, str, GraphQLField]]:
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            yield kind, name, field


ROOT_FIELDS = {name: (kind, field) for kind, name, field in _root_fields()}


def _subject_type(field_name: str, field: GraphQLField) -> str | None:
    """The type a bare ``id`` argument names: the field's own type, or the noun after the
    verb of a mutation (``archiveCustomer`` names a ``Customer``)."""
    named = get_named_type(field.type)
    if isinstance(named, GraphQLObjectType) and "Node" in {i.name for i in named.interfaces}:
        return named.name
    words = "".join(c if c.islower() else f" {c}" for c in field_name).split()
    spans = sorted(
        (
            (start, end)
            for start in range(1, len(words))
            for end in range(start + 1, len(words) + 1)
        ),
        key=lambda span: span[0] - span[1],
    )
    for start, end in spans:
        candidate = "".join(words[start:end])
        if candidate in SCHEMA.type_map:
            return candidate
    return None


class Operation:
    def __init__(self, name: str, world_ids: Mapping[str, str]) -> None:
        self.name = name
        self.kind, self.field = ROOT_FIELDS[name]
        self.subject = _subject_type(name, self.field)
        self.world_ids = world_ids
        self.uploads: list[str] = []

    def _id(self, arg_name: str) -> str:
        stem = arg_name.removesuffix("Ids").removesuffix("Id")
        type_name = self.subject if stem == "id" else ID_TYPES.get(stem)
        if stem == "team":
            type_name = "Team" if self.name in TEAM_FIELDS else "SalesTeam"
        type_name = SUBJECTS.get(self.name, type_name) if stem == "id" else type_name
        type_name = type_name or "Customer"
        return self.world_ids.get(type_name) or to_global_id(type_name, "matrix-none")

    def value(self, type_: GraphQLInputType, name: str, path: str) -> object:
        if isinstance(type_, GraphQLNonNull):
            return self.value(type_.of_type, name, path)
        if isinstance(type_, GraphQLList):
            inner = self.value(type_.of_type, name, path + ".0")
            return [inner] if get_named_type(type_).name == "ID" else []
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        if isinstance(type_, GraphQLInputObjectType):
            return {
                field_name: self.value(field.type, field_name, f"{path}.{field_name}")
                for field_name, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull)
            }
        assert isinstance(type_, GraphQLScalarType)
        if type_.name == "ID":
            return self._id(name)
        if type_.name == "Upload":
            self.uploads.append(path)
        return SCALARS[type_.name]

    def request(self) -> dict[str, Any]:
        arguments = {
            name: self.value(arg.type, name, f"variables.{name}")
            for name, arg in self.field.args.items()
            if isinstance(arg.type, GraphQLNonNull)
        }
        declared = ", ".join(f"${name}: {self.field.args[name].type}" for name in arguments)
        passed = ", ".join(f"{name}: ${name}" for name in arguments)
        named = get_named_type(self.field.type)
        selection = ""
        if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
            errors = (
                " userErrors { code }"
                if isinstance(named, GraphQLObjectType) and "userErrors" in named.fields
                else ""
            )
            selection = f" {{ __typename{errors} }}"
        document = (
            f"{self.kind}{f'({declared})' if declared else ''} "
            f"{{ {self.name}{f'({passed})' if passed else ''}{selection} }}"
        )
        return {"query": document, "variables": arguments}


SUBJECTS = {
    "rotateWebhookSecret": "WebhookSubscription",
    "replayWebhookDelivery": "WebhookDelivery",
}
"""The type a mutation's bare ``id`` names, where its name does not say."""

TEAM_FIELDS = {"createUser", "updateUser", "team", "shareRecord", "unshareRecord"}


def _codes(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "userErrors" and isinstance(item, list):
                yield from (error.get("code", "") for error in item)
            else:
                yield from _codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codes(item)


def outcome(api: Api, token: str, body: dict[str, Any], uploads: list[str]) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    if uploads:
        response = api.client.post(
            "/graphql",
            data={
                "operations": json.dumps(body),
                "map": json.dumps({str(i): [path] for i, path in enumerate(uploads)}),
            },
            files={str(i): ("rows.csv", b"email\n", "text/csv") for i in range(len(uploads))},
            headers=headers,
        )
    else:
        response = api.client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, (body, response.text)
    answer = response.json()
    codes = [error.get("extensions", {}).get("code") for error in answer.get("errors", [])]
    codes += list(_codes(answer.get("data")))
    return "denied" if "FORBIDDEN" in codes else "allowed"


ERASING = {"eraseCustomer"}


def _new_customer(api: Api) -> str:
    # A fresh key: the world's own may have been revoked by an earlier operation.
    token = api.key(Role.ADMIN, "matrix-eraser@example.com")
    created = api.data(
        'mutation { createCustomer(input: {firstName: "Erase", lastName: "Me"}) '
        "{ customer { id } } }",
        token=token,
    )
    customer_id: str = created["createCustomer"]["customer"]["id"]
    return customer_id


@pytest.fixture(scope="module")
def world(api_for_module: Api) -> tuple[Api, dict[str, str]]:
    seed_world(api_for_module)
    ids: dict[str, str] = {}
    for query in FINDERS.values():
        for global_id in _ids(api_for_module.data(query)):
            type_name, _ = from_global_id(global_id)
            ids.setdefault(type_name, global_id)
    return api_for_module, ids


def _ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            else:
                yield from _ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item)


def test_the_table_names_every_query_and_mutation() -> None:
    assert sorted(set(ROOT_FIELDS) - set(ALLOWED)) == [], "add them to the table"
    assert sorted(set(ALLOWED) - set(ROOT_FIELDS)) == [], "they are gone from the schema"


# Mutations that change who may act run last, so they cannot change the outcome of others.
LAST = ("updateUser", "saveRole", "revokeApiKey", "eraseCustomer")


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_each_role_is_allowed_exactly_what_the_table_says(
    world: tuple[Api, dict[str, str]], role: str
) -> None:
    api, ids = world
    names = sorted(
        ROOT_FIELDS, key=lambda name: (name in LAST, LAST.index(name) if name in LAST else 0, name)
    )
    wrong: list[str] = []
    for name in names:
        # An erasure takes its own customer, so the world stays whole for the other roles.
        operation = Operation(
            name, {**ids, "Customer": _new_customer(api)} if name in ERASING else ids
        )
        body = operation.request()
        # A fresh key for each request: an operation may revoke or narrow the one before.
        token = api.key(Role(role), f"matrix-{role}@example.com")
        got = outcome(api, token, body, operation.uploads)
        expected = "allowed" if role in ALLOWED.get(name, frozenset()) else "denied"
        if got != expected:
            wrong.append(f"{name}: {got}, the table says {expected}")
    assert wrong == []
