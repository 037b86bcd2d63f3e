"""Every relation on a list page is batched: a page of many costs the statements of a page
of one, with every field of the listed type selected. The lists and the fields are read
from the schema, so a list or a relation a module adds later is covered without being
named here."""

from __future__ import annotations

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from adapters.graphql.schema import build_schema
from tests.graphql.conftest import Api
from tests.graphql.selections import every_field
from tests.graphql.world import seed_world

SCHEMA = build_schema()._schema
SMALL_PAGE = 3
LARGE_PAGE = 8


def _root_lists() -> dict[str, str]:
    """Every root connection that needs no argument, by the type of its nodes."""
    query = SCHEMA.query_type
    assert query is not None
    lists = {}
    for name, field in query.fields.items():
        connection = get_named_type(field.type)
        needs_argument = any(
            isinstance(argument.type, GraphQLNonNull) and argument.default_value is None
            for argument in field.args.values()
        )
        if connection.name.endswith("Connection") and not needs_argument:
            assert isinstance(connection, GraphQLObjectType)
            edge = get_named_type(connection.fields["edges"].type)
            assert isinstance(edge, GraphQLObjectType)
            lists[name] = get_named_type(edge.fields["node"].type).name
    return lists


LISTS = _root_lists()


@pytest.fixture(scope="module")
def world(api_for_module: Api) -> Api:
    seed_world(api_for_module)
    return api_for_module


def _selects(api: Api, field: str, size: int) -> int:
    selection = every_field(SCHEMA, LISTS[field])
    document = f"query($n: Int) {{ {field}(first: $n) {{ edges {{ node {selection} }} }} }}"
    api.statements.clear()
    data = api.data(document, n=size)
    assert len(data[field]["edges"]) == size
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in api.statements)


def test_the_lists_are_found() -> None:
    assert {"customers", "companies", "opportunities", "leads", "tasks", "tags"} <= set(LISTS)


@pytest.mark.parametrize("field", sorted(LISTS))
def test_a_page_with_every_relation_costs_the_same_statements_whatever_its_size(
    world: Api, field: str
) -> None:
    total = world.data(f"{{ {field} {{ totalCount }} }}")[field]["totalCount"]
    assert total > SMALL_PAGE, f"the seeded world has too few {field} to compare pages"
    large = min(total, LARGE_PAGE)
    _selects(world, field, 1)  # the first request also reads the API key
    assert _selects(world, field, SMALL_PAGE) == _selects(world, field, large)
