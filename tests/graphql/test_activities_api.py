from typing import Any

import pytest

from adapters.graphql.relay import to_global_id
from domain.access.roles import Role
from tests.graphql.conftest import Api

CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }"""
LOG = """
mutation($input: LogActivityInput!) {
  logActivity(input: $input) {
    activity {
      id kind subject body occurredAt durationSeconds direction version
      author { email } customer { id }
    }
    userErrors { field message code }
  }
}"""
UPDATE = """
mutation($input: UpdateActivityInput!) {
  updateActivity(input: $input) {
    activity { id subject body direction durationSeconds version }
    userErrors { field message code }
  }
}"""
DELETE = """
mutation($input: DeleteActivityInput!) {
  deleteActivity(input: $input) { deletedActivityId userErrors { field code } }
}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Activity { subject version } } }"
TIMELINE = """
query($id: ID!) {
  customer(id: $id) {
    timeline {
      edges {
        node {
          kind title summary subject { id } actor { email }
          ... on ActivityTimelineEntry { activityKind direction durationSeconds activity { id } }
        }
      }
    }
  }
}"""


@pytest.fixture
def customer_id(api: Api) -> str:
    created = api.data(CREATE_CUSTOMER, input={"firstName": "Ada"})
    customer_id: str = created["createCustomer"]["customer"]["id"]
    return customer_id


def log(api: Api, token: str | None = None, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(LOG, token, input=fields)["logActivity"]
    return payload


def timeline(api: Api, customer_id: str) -> list[dict[str, Any]]:
    edges = api.data(TIMELINE, id=customer_id)["customer"]["timeline"]["edges"]
    return [edge["node"] for edge in edges]


def test_an_activity_is_logged_edited_and_deleted_through_the_api(
    api: Api, customer_id: str
) -> None:
    logged = log(
        api,
        customerId=customer_id,
        kind="CALL",
        subject="Renewal",
        body="They will renew.",
        durationSeconds=300,
        direction="OUTBOUND",
        occurredAt="2026-03-01T10:00:00+01:00",
    )
    assert logged["userErrors"] == []
    activity = logged["activity"]
    assert activity["kind"] == "CALL" and activity["direction"] == "OUTBOUND"
    assert activity["occurredAt"] == "2026-03-01T09:00:00+00:00"
    assert activity["author"] == {"email": "admin@example.com"}
    assert activity["customer"] == {"id": customer_id}
    assert timeline(api, customer_id) == [
        {
            "kind": "CALL",
            "title": "Renewal",
            "summary": "They will renew.",
            "subject": {"id": activity["id"]},
            "actor": {"email": "admin@example.com"},
            "activityKind": "CALL",
            "direction": "OUTBOUND",
            "durationSeconds": 300,
            "activity": {"id": activity["id"]},
        }
    ]

    updated = api.data(
        UPDATE,
        input={
            "id": activity["id"],
            "version": 1,
            "subject": "Renewal agreed",
            "durationSeconds": None,
        },
    )["updateActivity"]
    assert updated["userErrors"] == []
    assert (updated["activity"]["subject"], updated["activity"]["durationSeconds"]) == (
        "Renewal agreed",
        None,
    )
    assert updated["activity"]["version"] == 2
    entry = timeline(api, customer_id)[0]
    assert (entry["direction"], entry["durationSeconds"]) == ("OUTBOUND", None)

    deleted = api.data(DELETE, input={"id": activity["id"], "version": 2})["deleteActivity"]
    assert deleted == {"deletedActivityId": activity["id"], "userErrors": []}
    assert api.data(NODE, id=activity["id"])["node"] is None
    assert timeline(api, customer_id) == []


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "NOTE", "body": "x" * 10_001}, ["body"], "TOO_LONG"),
        ({"kind": "NOTE", "body": "Hi", "direction": "INBOUND"}, ["direction"], "INVALID"),
        ({"kind": "EMAIL", "body": "Hi"}, ["direction"], "REQUIRED"),
        ({"kind": "NOTE", "body": "Hi", "durationSeconds": 60}, ["durationSeconds"], "INVALID"),
        ({"kind": "NOTE"}, ["body"], "REQUIRED"),
        ({"kind": "NOTE", "body": "Hi", "customerId": "not-an-id"}, ["customerId"], "INVALID_ID"),
        (
            {"kind": "NOTE", "body": "Hi", "customerId": to_global_id("Customer", "ghost")},
            ["customerId"],
            "NOT_FOUND",
        ),
        (
            {"kind": "NOTE", "body": "Hi", "customerId": to_global_id("User", "x")},
            ["customerId"],
            "INVALID_ID",
        ),
    ],
)
def test_bad_activity_input_is_a_user_error_and_stores_nothing(
    api: Api, customer_id: str, fields: dict[str, Any], field: list[str], code: str
) -> None:
    payload = log(api, **{"customerId": customer_id, **fields})
    assert payload["activity"] is None
    assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (field, code)
    assert timeline(api, customer_id) == []


def test_an_unknown_kind_is_refused_by_the_schema(api: Api, customer_id: str) -> None:
    body = api.query(LOG, input={"customerId": customer_id, "kind": "FAX", "body": "Hi"})
    assert body["data"] is None
    assert "ActivityKind" in body["errors"][0]["message"]
    assert timeline(api, customer_id) == []


def test_edits_check_version_author_and_nulls(api: Api, customer_id: str) -> None:
    activity = log(api, customerId=customer_id, kind="NOTE", body="Draft")["activity"]
    agent = api.key(Role.SALES_REP, "agent@example.com")
    # The agent owns the customer, so sees it and its activities, but wrote none of them.
    agent_id = api.data("{ viewer { id } }", agent)["viewer"]["id"]
    moved = api.data(
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) "
        "{ userErrors { code } } }",
        input={"id": customer_id, "version": 1, "ownerId": agent_id},
    )
    assert moved["updateCustomer"]["userErrors"] == []
    cases = [
        ({"version": 1, "body": "Mine", "id": activity["id"]}, agent, None, "FORBIDDEN"),
        ({"version": 7, "body": "Late"}, None, ["version"], "STALE_VERSION"),
        ({"version": 1, "subject": None}, None, ["subject"], "INVALID"),
        ({"version": 1, "id": "bad"}, None, ["id"], "INVALID_ID"),
        ({"version": 1, "id": to_global_id("Activity", "ghost")}, None, ["id"], "NOT_FOUND"),
    ]
    for fields, token, field, code in cases:
        payload = api.data(UPDATE, token, input={"id": activity["id"], **fields})["updateActivity"]
        assert payload["activity"] is None
        assert (payload["userErrors"][0]["field"], payload["userErrors"][0]["code"]) == (
            field,
            code,
        ), fields
    assert api.data(NODE, id=activity["id"])["node"] == {
        "id": activity["id"],
        "subject": "",
        "version": 1,
    }


def test_a_viewer_may_not_log_activities(api: Api, customer_id: str) -> None:
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    payload = log(api, viewer, customerId=customer_id, kind="NOTE", body="Hi")
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert timeline(api, customer_id) == []
