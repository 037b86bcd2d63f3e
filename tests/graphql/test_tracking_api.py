from typing import Any

import pytest

from adapters.graphql.relay import to_global_id
from domain.access.roles import Role
from tests.graphql.conftest import Api

CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }"""
TRACK = """
mutation($input: TrackEventsInput!) {
  trackEvents(input: $input) { accepted duplicates userErrors { index field message code } }
}"""
TIMELINE = """
query($id: ID!) {
  customer(id: $id) { timeline(kinds: [BEHAVIOUR_EVENT]) {
    edges { node { title subject { id } ... on BehaviourTimelineEntry { eventName } } }
  } }
}"""
NODE = """
query($id: ID!) {
  node(id: $id) { id ... on BehaviourEvent { eventId name properties customer { email } } }
}"""
CUSTOMERS = "{ customers { totalCount edges { node { id email } } } }"


@pytest.fixture
def ada(api: Api) -> str:
    created = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "email": "ada@example.com"})
    customer_id: str = created["createCustomer"]["customer"]["id"]
    return customer_id


def track(api: Api, events: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(TRACK, token, input={"events": events})["trackEvents"]
    return payload


def titles(api: Api, customer_id: str) -> list[str]:
    edges = api.data(TIMELINE, id=customer_id)["customer"]["timeline"]["edges"]
    return [edge["node"]["title"] for edge in edges]


def test_a_batch_is_tracked_by_id_and_email_and_shows_on_the_timeline(api: Api, ada: str) -> None:
    payload = track(
        api,
        [
            {
                "customer": {"id": ada},
                "name": "Signed In",
                "eventId": "e-1",
                "occurredAt": "2026-03-01T09:00:00Z",
                "properties": {"plan": "pro"},
            },
            {"customer": {"email": "ADA@example.com"}, "name": "Opened App", "eventId": "e-2"},
            {"customer": {"email": "grace@example.com"}, "name": "Signed Up", "eventId": "e-3"},
        ],
    )
    assert payload == {"accepted": 3, "duplicates": 0, "userErrors": []}
    assert titles(api, ada) == ["Opened App", "Signed In"]
    subject = api.data(TIMELINE, id=ada)["customer"]["timeline"]["edges"][1]["node"]["subject"][
        "id"
    ]
    assert api.data(NODE, id=subject)["node"] == {
        "id": subject,
        "eventId": "e-1",
        "name": "Signed In",
        "properties": {"plan": "pro"},
        "customer": {"email": "ada@example.com"},
    }
    emails = {e["node"]["email"] for e in api.data(CUSTOMERS)["customers"]["edges"]}
    assert emails == {"ada@example.com", "grace@example.com"}


def test_repeated_event_ids_are_duplicates_and_change_nothing(api: Api, ada: str) -> None:
    event = {"customer": {"id": ada}, "name": "Signed In", "eventId": "e-1"}
    assert track(api, [event])["accepted"] == 1
    again = track(api, [event, {**event, "name": "Renamed"}])
    assert again == {"accepted": 0, "duplicates": 2, "userErrors": []}
    assert titles(api, ada) == ["Signed In"]


def test_each_bad_item_is_a_typed_error_and_the_rest_are_stored(api: Api, ada: str) -> None:
    customers_before = api.data(CUSTOMERS)["customers"]["totalCount"]
    payload = track(
        api,
        [
            {"customer": {"id": to_global_id("Customer", "ghost")}, "name": "A", "eventId": "b-0"},
            {"customer": {"id": ada, "email": "ada@example.com"}, "name": "A", "eventId": "b-1"},
            {"customer": {"id": ada}, "name": "A"},
            {"customer": {"id": "not-an-id"}, "name": "A", "eventId": "b-3"},
            {"customer": {"id": ada}, "name": "A", "eventId": "b-4", "properties": [1]},
            {
                "customer": {"externalId": {"source": "shopify", "value": "42"}},
                "name": "A",
                "eventId": "b-5",
            },
            {"name": "A", "eventId": "b-6"},
            {"customer": {"id": ada}, "name": "Kept", "eventId": "ok"},
        ],
    )
    assert (payload["accepted"], payload["duplicates"]) == (1, 0)
    assert [(e["index"], e["field"], e["code"]) for e in payload["userErrors"]] == [
        (0, ["events", "0", "customer", "id"], "NOT_FOUND"),
        (1, ["events", "1", "customer"], "INVALID"),
        (2, ["events", "2", "eventId"], "REQUIRED"),
        (3, ["events", "3", "customer", "id"], "INVALID_ID"),
        (4, ["events", "4", "properties"], "INVALID"),
        (5, ["events", "5", "customer", "externalId"], "NOT_FOUND"),
        (6, ["events", "6", "customer"], "REQUIRED"),
    ]
    assert titles(api, ada) == ["Kept"]
    assert api.data(CUSTOMERS)["customers"]["totalCount"] == customers_before


def test_a_batch_over_the_limit_or_without_permission_is_refused_whole(api: Api, ada: str) -> None:
    events = [{"customer": {"id": ada}, "name": "A", "eventId": f"e-{n}"} for n in range(1001)]
    payload = track(api, events)
    assert payload["accepted"] == 0
    assert payload["userErrors"] == [
        {
            "index": None,
            "field": ["events"],
            "message": "send at most 1,000 events at a time",
            "code": "TOO_LONG",
        }
    ]
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    refused = track(api, events[:1], viewer)
    assert [(e["index"], e["field"], e["code"]) for e in refused["userErrors"]] == [
        (None, None, "FORBIDDEN")
    ]
    assert titles(api, ada) == []


# --- POST /track ------------------------------------------------------------------------


def post_track(api: Api, body: Any, token: str | None = None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token or api.token}"}
    return api.client.post("/track", json=body, headers=headers, **kwargs)


def test_track_endpoint_answers_as_the_mutation_does(api: Api, ada: str) -> None:
    events = [
        {"customer": {"id": ada}, "name": "Signed In", "eventId": "h-1"},
        {"customer": {"id": ada}, "name": "Signed In"},
        {"customer": {"email": "new@example.com"}, "name": "Signed Up", "eventId": "h-2"},
        {"customer": {"id": to_global_id("Customer", "ghost")}, "name": "A", "eventId": "h-3"},
        {"customer": {"id": ada, "email": "ada@example.com"}, "name": "A", "eventId": "h-4"},
    ]
    response = post_track(api, {"events": events})
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 2,
        "duplicates": 0,
        "userErrors": [
            {
                "index": 1,
                "field": ["events", "1", "eventId"],
                "message": "must not be empty",
                "code": "REQUIRED",
            },
            {
                "index": 3,
                "field": ["events", "3", "customer", "id"],
                "message": "no customer has this id",
                "code": "NOT_FOUND",
            },
            {
                "index": 4,
                "field": ["events", "4", "customer"],
                "message": "give exactly one of id, email or externalId, not id and email",
                "code": "INVALID",
            },
        ],
    }
    assert (
        post_track(api, {"events": events}).json()
        == track(api, events)
        == {
            "accepted": 0,
            "duplicates": 2,
            "userErrors": response.json()["userErrors"],
        }
    )
    assert titles(api, ada) == ["Signed In"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer rpk_nokey_nosecret"}, {"Authorization": "Basic x"}]
)
def test_track_endpoint_needs_a_valid_key(api: Api, ada: str, headers: dict[str, str]) -> None:
    events = [{"customer": {"id": ada}, "name": "A", "eventId": "k-1"}]
    response = api.client.post("/track", json={"events": events}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert titles(api, ada) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"not json", 400, "BAD_REQUEST"),
        (b"[1, 2]", 400, "BAD_REQUEST"),
        (b'{"events": "many"}', 400, "BAD_REQUEST"),
        (b'{"evnts": []}', 400, "BAD_REQUEST"),
    ],
)
def test_track_endpoint_refuses_malformed_bodies(
    api: Api, content: bytes, status: int, code: str | None
) -> None:
    response = api.client.post(
        "/track",
        content=content,
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == status
    errors = response.json()["errors"]
    assert errors and all("message" in error for error in errors)
    if code is not None:
        assert errors[0]["extensions"]["code"] == code


def test_track_endpoint_reports_values_of_the_wrong_type_on_their_own_item(
    api: Api, ada: str
) -> None:
    events: list[Any] = [
        {"customer": {"id": ada}, "name": "A", "eventId": "t-0", "occurredAt": "yesterday"},
        {"customer": {"id": ada}, "name": 7, "eventId": "t-1"},
        {"customer": {"email": ["ada@example.com"]}, "name": "A", "eventId": "t-2"},
        {
            "customer": {"externalId": {"source": "shop", "value": 42}},
            "name": "A",
            "eventId": "t-3",
        },
        "an event",
        {"customer": {"id": ada}, "name": "Kept", "eventId": "t-5"},
    ]
    payload = post_track(api, {"events": events}).json()
    assert payload["accepted"] == 1
    assert [(e["index"], e["field"], e["code"]) for e in payload["userErrors"]] == [
        (0, ["events", "0", "occurredAt"], "INVALID"),
        (1, ["events", "1", "name"], "INVALID"),
        (2, ["events", "2", "customer", "email"], "INVALID"),
        (3, ["events", "3", "customer", "externalId", "value"], "INVALID"),
        (4, ["events", "4"], "INVALID"),
    ]
    assert titles(api, ada) == ["Kept"]


def test_track_endpoint_takes_only_posts(api: Api) -> None:
    response = api.client.get("/track", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_batch_costs_the_same_statements_whatever_its_size(api: Api, ada: str) -> None:
    def statements_for(size: int, prefix: str) -> list[str]:
        events = [
            {
                "customer": {"id": ada} if n % 2 else {"email": f"{prefix}{n}@example.com"},
                "name": f"Event {n % 3}",
                "eventId": f"{prefix}-{n}",
            }
            for n in range(size)
        ]
        api.statements.clear()
        assert track(api, events)["accepted"] == size
        return [statement.split(None, 1)[0] for statement in api.statements]

    statements_for(2, "warm")  # the first request also checks the API key
    assert statements_for(4, "small") == statements_for(400, "large")
