"""Every type that implements ``Node`` refetches a real instance of itself through
``node(id:)`` and through its root field: the types are read from the schema, so a new
one without a fetcher, a root field or a way to find it here fails this test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLInterfaceType

from adapters.graphql.relay import from_global_id
from adapters.graphql.schema import build_schema
from tests.graphql.conftest import Api
from tests.graphql.world import seed_world
from tests.journeys.seeding import seed_journey
from tests.messages.seeding import seed_message

SCHEMA = build_schema()._schema
NODE = SCHEMA.type_map["Node"]
assert isinstance(NODE, GraphQLInterfaceType)
IMPLEMENTERS = sorted(t.name for t in SCHEMA.get_implementations(NODE).objects)

PAGE = "(first: 20)"
FINDERS: dict[str, str] = {
    "Activity": f"{{ customers{PAGE} {{ edges {{ node {{ activities(first: 5) {{ edges {{ node {{ id }} }} }} }} }} }} }}",
    "ApiKey": f"{{ apiKeys{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "AutoTagRule": f"{{ autoTagRules{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Campaign": f"{{ campaigns{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "BehaviourEvent": f"{{ customers{PAGE} {{ edges {{ node {{ timeline(first: 20, kinds: [BEHAVIOUR_EVENT]) {{ edges {{ node {{ subject {{ id }} }} }} }} }} }} }} }}",
    "Company": f"{{ companies{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "CustomFieldDefinition": "{ customFieldDefinitions(objectType: CUSTOMER) { id } }",
    "Customer": f"{{ customers{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Journey": f"{{ journeys{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Lead": f"{{ leads{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Message": "{ customers(first: 1) { edges { node { messages(first: 5) { edges { node { id } } } } } } }",
    "Opportunity": f"{{ opportunities{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Order": f"{{ customers{PAGE} {{ edges {{ node {{ orders(first: 2) {{ edges {{ node {{ id }} }} }} }} }} }} }}",
    "Pipeline": "{ pipelines { id } }",
    "SalesTeam": "{ salesTeams { id } }",
    "Segment": f"{{ segments{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Tag": f"{{ tags{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Task": f"{{ tasks{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "Team": "{ teams { id } }",
    "Template": f"{{ templates{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "User": "{ viewer { id } }",
    "WebhookDelivery": f"{{ webhookDeliveries{PAGE} {{ edges {{ node {{ id }} }} }} }}",
    "WebhookSubscription": "{ webhookSubscriptions { id } }",
}
"""A query that finds instances of each ``Node`` type in the seeded world."""


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


@pytest.fixture(scope="module")
def world(api_for_module: Api) -> Api:
    seed_world(api_for_module)
    seed_message(api_for_module)
    seed_journey(api_for_module)
    return api_for_module


def test_every_node_type_has_a_finder_here() -> None:
    assert sorted(FINDERS) == IMPLEMENTERS


@pytest.mark.parametrize("type_name", IMPLEMENTERS)
def test_a_node_refetches_through_node_and_its_root_field(world: Api, type_name: str) -> None:
    found = [i for i in _ids(world.data(FINDERS[type_name])) if from_global_id(i)[0] == type_name]
    assert found, f"the seeded world has no {type_name}"
    global_id = found[0]
    refetched = world.data("query($id: ID!) { node(id: $id) { __typename id } }", id=global_id)[
        "node"
    ]
    assert refetched == {"__typename": type_name, "id": global_id}
    root = type_name[0].lower() + type_name[1:]
    direct = world.data(f"query($id: ID!) {{ {root}(id: $id) {{ __typename id }} }}", id=global_id)
    assert direct[root] == {"__typename": type_name, "id": global_id}
