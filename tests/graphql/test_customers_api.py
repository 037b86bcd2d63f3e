from typing import Any

import pytest

from adapters.graphql.relay import to_global_id
from domain.access.roles import Role
from domain.custom_fields import FieldType
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id firstName lastName displayName email phone version customFields owner { email } }
    userErrors { field message code }
  }
}"""
UPDATE = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id firstName lastName email phone version customFields }
    userErrors { field message code }
  }
}"""
ARCHIVE = """
mutation($input: ArchiveCustomerInput!) {
  archiveCustomer(input: $input) { customer { id archivedAt version } userErrors { field code } }
}"""
GET = "query($id: ID!) { customer(id: $id) { id email version } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Customer { email } ... on User { name } } }"
COUNT = "{ customers(filter: {includeArchived: true}) { totalCount } }"


def create(api: Api, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE, input=fields)["createCustomer"]
    assert payload["userErrors"] == []
    customer: dict[str, Any] = payload["customer"]
    return customer


def total(api: Api) -> int:
    count: int = api.data(COUNT)["customers"]["totalCount"]
    return count


def test_customer_lifecycle_through_the_api(api: Api) -> None:
    api.define("tier", FieldType.TEXT)
    api.define("vip", FieldType.BOOLEAN)
    created = create(
        api,
        firstName="Ada",
        lastName="Lovelace",
        email="ADA@example.com",
        phone="+1 (415) 555-2671",
        customFields={"tier": "gold"},
    )
    assert created["email"] == "ada@example.com"
    assert created["phone"] == "+14155552671"
    assert created["displayName"] == "Ada Lovelace"
    assert created["owner"] == {"email": "admin@example.com"}
    assert api.data(GET, id=created["id"])["customer"] == {
        "id": created["id"],
        "email": "ada@example.com",
        "version": 1,
    }
    assert api.data(NODE, id=created["id"])["node"]["email"] == "ada@example.com"

    updated = api.data(
        UPDATE,
        input={
            "id": created["id"],
            "version": 1,
            "lastName": "King",
            "customFields": {"tier": None, "vip": True},
        },
    )["updateCustomer"]
    assert updated["userErrors"] == []
    assert updated["customer"]["lastName"] == "King"
    assert updated["customer"]["firstName"] == "Ada"
    assert updated["customer"]["customFields"] == {"vip": True}
    assert updated["customer"]["version"] == 2

    archived = api.data(ARCHIVE, input={"id": created["id"], "version": 2})["archiveCustomer"]
    assert archived["userErrors"] == []
    assert archived["customer"]["archivedAt"] is not None
    listed = api.data("{ customers { totalCount } }")["customers"]["totalCount"]
    assert listed == 0


def test_stale_version_is_a_user_error_and_nothing_changes(api: Api) -> None:
    created = create(api, firstName="Ada")
    api.data(UPDATE, input={"id": created["id"], "version": 1, "lastName": "King"})
    stale = api.data(UPDATE, input={"id": created["id"], "version": 1, "lastName": "Byron"})
    payload = stale["updateCustomer"]
    assert payload["customer"] is None
    assert payload["userErrors"][0]["field"] == ["version"]
    assert payload["userErrors"][0]["code"] == "STALE_VERSION"
    assert api.data(GET, id=created["id"])["customer"]["version"] == 2


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"email": "not-an-email"}, ["email"], "INVALID_EMAIL"),
        ({"firstName": "Ada", "phone": "555"}, ["phone"], "INVALID_PHONE"),
        ({"firstName": "x" * 101}, ["firstName"], "TOO_LONG"),
        (
            {"firstName": "Ada", "customFields": {"Bad Name": 1}},
            ["customFields", "Bad Name"],
            "INVALID_NAME",
        ),
        ({"firstName": "Ada", "customFields": [1, 2]}, ["customFields"], "INVALID"),
        (
            {"firstName": "Ada", "customFields": {"note": "x" * 2001}},
            ["customFields", "note"],
            "TOO_LONG",
        ),
        ({"firstName": "Ada", "ownerId": "not-an-id"}, ["ownerId"], "INVALID_ID"),
        ({"firstName": "Ada", "ownerId": to_global_id("User", "ghost")}, ["ownerId"], "NOT_FOUND"),
        ({}, ["email"], "REQUIRED"),
    ],
)
def test_bad_create_input_is_a_user_error_and_stores_nothing(
    api: Api, fields: dict[str, Any], field: list[str], code: str
) -> None:
    api.define("note", FieldType.TEXT)
    payload = api.data(CREATE, input=fields)["createCustomer"]
    assert payload["customer"] is None
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ]
    assert all(e["message"] for e in payload["userErrors"])
    assert total(api) == 0


def test_taken_email_is_a_user_error(api: Api) -> None:
    create(api, email="ada@example.com")
    payload = api.data(CREATE, input={"email": "Ada@Example.com"})["createCustomer"]
    assert payload["userErrors"] == [
        {"field": ["email"], "message": "another customer has this email", "code": "TAKEN"}
    ]
    assert total(api) == 1


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"id": "garbage", "version": 1, "firstName": "Eve"}, ["id"], "INVALID_ID"),
        ({"id": to_global_id("User", "x"), "version": 1}, ["id"], "INVALID_ID"),
        ({"id": to_global_id("Customer", "missing"), "version": 1}, ["id"], "NOT_FOUND"),
        ({"version": 1, "firstName": None}, ["firstName"], "INVALID"),
        ({"version": 1, "email": "bad@"}, ["email"], "INVALID_EMAIL"),
    ],
)
def test_bad_update_input_is_a_user_error_and_changes_nothing(
    api: Api, input_: dict[str, Any], field: list[str], code: str
) -> None:
    created = create(api, firstName="Ada", email="ada@example.com")
    payload = api.data(UPDATE, input={"id": created["id"], **input_})["updateCustomer"]
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert api.data(GET, id=created["id"])["customer"] == {
        "id": created["id"],
        "email": "ada@example.com",
        "version": 1,
    }


def test_unknown_input_field_is_refused_before_anything_runs(api: Api) -> None:
    body = api.query(CREATE, input={"firstName": "Ada", "favouriteColour": "blue"})
    assert "favouriteColour" in body["errors"][0]["message"]
    assert body.get("data") is None
    assert total(api) == 0


def test_malformed_id_in_a_query_is_an_error_with_a_code(api: Api) -> None:
    body = api.query(GET, id="%%%")
    assert body["data"]["customer"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    assert api.data(NODE, id="%%%")["node"] is None


def test_viewer_cannot_change_customers(api: Api) -> None:
    token = api.key(Role.ANALYST, "viewer@example.com")
    payload = api.data(CREATE, token=token, input={"firstName": "Ada"})["createCustomer"]
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert total(api) == 0


def test_agent_cannot_archive(api: Api) -> None:
    created = create(api, firstName="Ada")
    token = api.key(Role.SALES_REP, "agent@example.com")
    payload = api.data(ARCHIVE, token=token, input={"id": created["id"]})["archiveCustomer"]
    assert payload["userErrors"] == [{"field": None, "code": "FORBIDDEN"}]


def test_a_lone_surrogate_in_a_name_is_a_user_error(api: Api) -> None:
    # Sent as raw JSON: clients cannot encode the string, but the wire can carry its escape.
    body = (
        b'{"query": "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) '
        b'{ customer { id } userErrors { field code } } }", '
        b'"variables": {"i": {"firstName": "Ada\\ud800"}}}'
    )
    response = api.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.json()["data"]["createCustomer"] == {
        "customer": None,
        "userErrors": [{"field": ["firstName"], "code": "INVALID"}],
    }
    assert total(api) == 0
