"""exportCustomerData and eraseCustomer through the API: what an export holds, and refusals
that change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from adapters.graphql.relay import from_global_id, to_global_id
from domain.access.roles import Role
from domain.privacy import ERASED_CUSTOMER_ID
from tests.graphql.conftest import Api
from tests.privacy.erase_world import (
    DUPLICATE_EMAIL,
    DUPLICATE_PHONE,
    EMAIL,
    LAST_NAME,
    World,
    build_world,
    memory_container,
    serving,
    sqlite_container,
)

EXPORT = """
query($id: ID!) {
  exportCustomerData(customerId: $id) { customerId generatedAt data }
}
"""
ERASE = """
mutation($input: EraseCustomerInput!) {
  eraseCustomer(input: $input) { erasedCustomerId userErrors { field code message } }
}
"""


@pytest.fixture(params=["memory", "sqlite"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    if request.param == "memory":
        container = memory_container()
    else:
        template: Path = request.getfixturevalue("migrated_sqlite_template")
        container = sqlite_container(template, tmp_path / "rapport.db")
    with serving(container) as served:
        yield served


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api)


def _erase(api: Api, customer: str, token: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(ERASE, token, input={"customerId": customer})[
        "eraseCustomer"
    ]
    return payload


def test_an_export_holds_everything_about_the_person(api: Api, world: World) -> None:
    export = api.data(EXPORT, id=world.person)["exportCustomerData"]
    assert export["customerId"] == world.person
    data = export["data"]
    # The duplicate merged into them is theirs too; the merge took its newer contact points.
    assert len(data["customers"]) == 2
    assert DUPLICATE_EMAIL in {row["email"] for row in data["customers"]}
    assert DUPLICATE_PHONE in {row["phone"] for row in data["customers"]}
    assert {"email": EMAIL, "plan": "pro"} in [e["properties"] for e in data["tracked_events"]]
    assert len(data["orders"]) == 2
    assert all(order["lines"] for order in data["orders"])
    assert {event["name"] for event in data["tracked_events"]} == {"signed_up", "signed_in"}
    assert any(LAST_NAME in activity["subject"] for activity in data["activities"])
    assert data["timeline_entries"]
    assert [tag["name"] for tag in data["tags"]] == ["VIP"]
    assert data["tag_history"] and data["customer_tags"]
    assert data["stage_changes"] and data["customer_stages"]
    assert [lead["email"] for lead in data["leads"]] == [EMAIL]
    assert [deal["name"] for deal in data["opportunities"]] == [f"{LAST_NAME} renewal"]
    assert len(data["tasks"]) == 1
    assert "outbox" not in data


def test_an_erased_customer_is_gone_for_a_second_erasure_and_for_export(
    api: Api, world: World
) -> None:
    assert _erase(api, world.person) == {"erasedCustomerId": world.person, "userErrors": []}
    again = _erase(api, world.person)
    assert again["erasedCustomerId"] is None
    assert again["userErrors"] == [
        {"field": ["customerId"], "code": "NOT_FOUND", "message": "no customer has this id"}
    ]
    export = api.query(EXPORT, id=world.person)
    assert export["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_the_duplicate_merged_in_is_erased_with_the_person(api: Api, world: World) -> None:
    _erase(api, world.person)
    assert _erase(api, world.duplicate)["userErrors"][0]["code"] == "NOT_FOUND"


def test_orders_stay_with_an_anonymous_stand_in(api: Api, world: World) -> None:
    _erase(api, world.person)
    order = api.data(
        "query($id: ID!) { order(id: $id) { customer { id firstName email } } }",
        id=world.orders[0],
    )["order"]
    assert order["customer"] == {
        "id": to_global_id("Customer", ERASED_CUSTOMER_ID),
        "firstName": "Erased",
        "email": None,
    }


def test_the_stand_in_cannot_be_erased(api: Api, world: World) -> None:
    _erase(api, world.person)
    refused = _erase(api, to_global_id("Customer", ERASED_CUSTOMER_ID))
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("customer_id", "code"),
    [
        ("not-a-global-id", "INVALID_ID"),
        (to_global_id("Order", "01900000-0000-7000-8000-000000000000"), "INVALID_ID"),
        (to_global_id("Customer", "01900000-0000-7000-8000-000000000000"), "NOT_FOUND"),
    ],
)
def test_a_bad_id_is_refused_naming_the_field(api: Api, customer_id: str, code: str) -> None:
    refused = _erase(api, customer_id)
    assert refused["erasedCustomerId"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["customerId"], code)]
    export = api.query(EXPORT, id=customer_id)
    assert export["errors"][0]["extensions"]["code"] == code


def test_without_the_permissions_nothing_is_erased_or_exported(api: Api, world: World) -> None:
    manager = api.key(Role.ANALYST, "analyst@example.com")
    refused = _erase(api, world.person, manager)
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    export = api.query(EXPORT, manager, id=world.person)
    assert export["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    still = api.data("query($id: ID!) { customer(id: $id) { email } }", id=world.person)
    assert still["customer"]["email"] == DUPLICATE_EMAIL


def test_the_erasure_tells_partners_only_the_id_and_the_time(api: Api, world: World) -> None:
    events: list[Any] = []
    bus = api.container.platform.event_bus()
    bus.subscribe("rapport.customer.erased.v1", events.append)
    _erase(api, world.person)
    [erased] = events
    assert erased.aggregate_id == from_global_id(world.person)[1]
    assert [a.name for a in attrs.fields(type(erased))] == [
        "aggregate_id",
        "occurred_at",
        "actor_id",
    ]
