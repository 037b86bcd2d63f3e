"""Webhook subscriptions through the API, delivered to a partner app that verifies them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from adapters.graphql.relay import to_global_id
from application.access.bundle import Access
from application.errors import InvalidInput
from application.events.webhooks import check_target
from application.principal import Principal
from bootstrap import Settings, build_container
from domain.access.roles import Role
from tests.delivery.partner import Partner, serving
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) {
    webhookSubscription { id secret status eventTypes }
    userErrors { field code message }
  }
}
"""
CREATE_CUSTOMER = """
mutation { createCustomer(input: {firstName: "Ada", lastName: "Lovelace"}) { customer { id } } }
"""
DELIVERIES = """
query($sub: ID) {
  webhookDeliveries(first: 10, filter: {subscriptionId: $sub}) {
    totalCount
    edges { node { id eventType status attempts lastStatusCode latencyMs responseExcerpt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def _create(api: Api, url: str, types: list[str] | None = None) -> dict[str, object]:
    data = api.data(CREATE, input={"url": url, "eventTypes": types or [], "description": "partner"})
    payload: dict[str, object] = data["createWebhookSubscription"]
    return payload


def _deliver(api: Api) -> None:
    api.container.module("events").outbox_relay().drain()
    dispatcher = api.container.module("events").webhook_dispatcher()
    dispatcher.drain()
    dispatcher.close()


def test_a_subscribed_partner_receives_a_verified_event_for_a_change(api: Api) -> None:
    partner = Partner()
    with serving(partner) as url:
        created = _create(api, url, ["CUSTOMER_CREATED"])
        subscription = created["webhookSubscription"]
        assert isinstance(subscription, dict)
        assert str(subscription["secret"]).startswith("whsec_")
        partner.secret = str(subscription["secret"])
        api.data(CREATE_CUSTOMER)
        _deliver(api)

    assert partner.rejected == 0
    (event,) = partner.events
    assert event["type"] == "rapport.customer.created.v1"
    assert event.data["first_name"] == "Ada"
    log = api.data(DELIVERIES, sub=subscription["id"])["webhookDeliveries"]
    (delivery,) = nodes(log)
    assert log["totalCount"] == 1
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "DELIVERED",
        1,
        204,
    )
    assert delivery["eventType"] == "CUSTOMER_CREATED"


def test_the_secret_is_shown_once_and_rotation_replaces_it(api: Api) -> None:
    created = _create(api, "https://hooks.example.com/rapport")
    subscription = created["webhookSubscription"]
    assert isinstance(subscription, dict)
    listed = api.data("{ webhookSubscriptions { id secret url } }")["webhookSubscriptions"]
    assert listed == [
        {"id": subscription["id"], "secret": None, "url": "https://hooks.example.com/rapport"}
    ]
    rotated = api.data(
        "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) "
        "{ webhookSubscription { secret } } }",
        id=subscription["id"],
    )["rotateWebhookSecret"]["webhookSubscription"]["secret"]
    assert rotated.startswith("whsec_") and rotated != subscription["secret"]


def test_pause_resume_and_delete(api: Api) -> None:
    created = _create(api, "https://hooks.example.com/rapport")
    sub_id = created["webhookSubscription"]["id"]  # type: ignore[index]
    for mutation, status in (("pause", "PAUSED"), ("resume", "ACTIVE")):
        result = api.data(
            f"mutation($id: ID!) {{ {mutation}WebhookSubscription(input: {{id: $id}}) "
            "{ webhookSubscription { status } userErrors { code } } }",
            id=sub_id,
        )[f"{mutation}WebhookSubscription"]
        assert result == {"webhookSubscription": {"status": status}, "userErrors": []}
    deleted = api.data(
        "mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id}) "
        "{ deletedWebhookSubscriptionId } }",
        id=sub_id,
    )
    assert deleted["deleteWebhookSubscription"]["deletedWebhookSubscriptionId"] == sub_id
    assert api.data("{ webhookSubscriptions { id } }")["webhookSubscriptions"] == []
    again = api.data(
        "mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id}) "
        "{ userErrors { code } } }",
        id=sub_id,
    )
    assert again["deleteWebhookSubscription"]["userErrors"] == [{"code": "NOT_FOUND"}]


def test_replaying_a_delivery_sends_it_again(api: Api) -> None:
    partner = Partner()
    with serving(partner) as url:
        _create(api, url)
        api.data(CREATE_CUSTOMER)
        _deliver(api)
        (delivery,) = nodes(api.data(DELIVERIES)["webhookDeliveries"])
        replayed = api.data(
            "mutation($id: ID!) { replayWebhookDelivery(input: {deliveryId: $id}) "
            "{ webhookDelivery { status attempts } userErrors { code } } }",
            id=delivery["id"],
        )["replayWebhookDelivery"]
        assert replayed == {
            "webhookDelivery": {"status": "PENDING", "attempts": 0},
            "userErrors": [],
        }
        _deliver(api)
    assert len(partner.events) == 2
    assert partner.events[0]["id"] == partner.events[1]["id"]


@pytest.mark.parametrize(
    ("url", "types", "field"),
    [
        ("ftp://hooks.example.com/x", [], ["url"]),
        ("not a url", [], ["url"]),
    ],
)
def test_bad_input_is_a_user_error(api: Api, url: str, types: list[str], field: list[str]) -> None:
    created = _create(api, url, types)
    assert created["webhookSubscription"] is None
    assert [error["field"] for error in created["userErrors"]] == [field]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8898\\@example.com/", "backslashes"),
        ("http://user:secret@hooks.example.com/x", "user name or password"),
        ("http://hooks.example.com:80:80/x", "IPv6 address in brackets"),
        ("http://0x7f.0.0.1/x", "four decimal numbers"),
    ],
)
def test_an_ambiguous_url_is_a_user_error_naming_the_field(api: Api, url: str, reason: str) -> None:
    created = _create(api, url)
    assert created["webhookSubscription"] is None
    (error,) = created["userErrors"]  # type: ignore[misc]
    assert (error["field"], error["code"]) == (["url"], "INVALID")
    assert reason in error["message"]
    assert api.data("{ webhookSubscriptions { id } }")["webhookSubscriptions"] == []


def test_only_admins_manage_webhooks(api: Api) -> None:
    token = api.key(Role.SALES_MANAGER, "manager@example.com")
    body = api.query(CREATE, token, input={"url": "https://hooks.example.com/x", "description": ""})
    errors = body["data"]["createWebhookSubscription"]["userErrors"]
    assert [error["code"] for error in errors] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
    ],
)
def test_production_refuses_private_and_loopback_targets(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_target(url, allow_private=False)
    check_target(url, allow_private=True)


def test_the_production_profile_forbids_private_targets_by_default() -> None:
    production_env = {"RAPPORT_PROFILE": "production", "RAPPORT_SIGNING_KEY": "a production key"}
    production = Settings.from_env(production_env)
    embedded = Settings.from_env({})
    overridden = Settings.from_env({**production_env, "RAPPORT_WEBHOOKS_ALLOW_PRIVATE": "true"})
    assert not production.webhooks_allow_private
    assert embedded.webhooks_allow_private
    assert overridden.webhooks_allow_private


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "http://[64:ff9b::7f00:1]/x", "http://[::127.0.0.1]/x"]
)
def test_a_loopback_url_is_a_user_error_where_private_targets_are_forbidden(
    url: str, migrated_sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "strict.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env(
        {"RAPPORT_DATABASE_URL": f"sqlite:///{path}", "RAPPORT_WEBHOOKS_ALLOW_PRIVATE": "false"}
    )
    container = build_container(settings)
    token = (
        container.use(Access)
        .issue_api_key(
            Principal.system(), role=Role.ADMIN, name="test", user_email="admin@example.com"
        )
        .token
    )
    app = create_app(container.services(), container.use(Access).authenticate)
    with TestClient(app) as client:
        body = client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            json={"query": CREATE, "variables": {"input": {"url": url}}},
        ).json()
    container.database().dispose()
    payload = body["data"]["createWebhookSubscription"]
    assert payload["webhookSubscription"] is None
    assert payload["userErrors"] == [
        {"field": ["url"], "code": "INVALID", "message": "must not point at a private address"}
    ]


def test_a_malformed_subscription_id_or_cursor_is_a_typed_query_error(api: Api) -> None:
    malformed = api.query(DELIVERIES, sub="garbage")
    assert malformed["data"] is None
    assert [e["extensions"] for e in malformed["errors"]] == [
        {"code": "INVALID_ID", "field": "filter.subscriptionId"}
    ]
    for cursor in ("²", "9" * 40, "next", "MTI"):
        refused = api.query(
            "query($after: String) { webhookDeliveries(after: $after) { totalCount } }",
            after=cursor,
        )
        assert [e["extensions"] for e in refused["errors"]] == [
            {"code": "INVALID", "field": "after"}
        ]


def test_the_delivery_log_is_refused_to_an_agent_with_a_code(api: Api) -> None:
    agent = api.key(Role.SALES_REP, "agent@example.com")
    for document in (DELIVERIES, "{ webhookSubscriptions { id } }"):
        refused = api.query(document, agent)
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


REPLAY = """
mutation($id: ID!) {
  replayWebhookDelivery(input: {deliveryId: $id}) { userErrors { field code } }
}
"""


def test_a_delivery_number_too_large_for_storage_is_an_invalid_id(api: Api) -> None:
    for number, code in (("9" * 30, "INVALID_ID"), ("١٢", "INVALID_ID"), ("12", "NOT_FOUND")):
        replayed = api.data(REPLAY, id=to_global_id("WebhookDelivery", number))
        assert replayed["replayWebhookDelivery"]["userErrors"] == [
            {"field": ["deliveryId"], "code": code}
        ]


def test_an_unknown_event_type_is_refused_by_the_schema(api: Api) -> None:
    body = api.query(
        CREATE, input={"url": "https://hooks.example.com/x", "eventTypes": ["rapport.no.such.v1"]}
    )
    assert body.get("data") is None
    assert "EventType" in body["errors"][0]["message"]
    assert api.data("{ webhookSubscriptions { id } }")["webhookSubscriptions"] == []


UPDATE = """
mutation($input: UpdateWebhookSubscriptionInput!) {
  updateWebhookSubscription(input: $input) {
    webhookSubscription { id url description eventTypes version status }
    userErrors { field code }
  }
}
"""
ONE = """
query($id: ID!) {
  webhookSubscription(id: $id) { id url version eventTypes }
  node(id: $id) { id ... on WebhookSubscription { url } }
}
"""


def test_a_subscription_is_updated_at_the_version_read_and_fetched_by_id(api: Api) -> None:
    created = _create(api, "https://hooks.example.com/a", ["CUSTOMER_CREATED"])
    subscription = created["webhookSubscription"]
    assert isinstance(subscription, dict)
    sub_id = subscription["id"]
    read = api.data(ONE, id=sub_id)
    assert read["webhookSubscription"] == {
        "id": sub_id,
        "url": "https://hooks.example.com/a",
        "version": 1,
        "eventTypes": ["CUSTOMER_CREATED"],
    }
    assert read["node"] == {"id": sub_id, "url": "https://hooks.example.com/a"}

    changes = {
        "id": sub_id,
        "version": 1,
        "url": "https://hooks.example.com/b",
        "eventTypes": ["ORDER_PAID", "ORDER_PLACED"],
    }
    updated = api.data(UPDATE, input=changes)["updateWebhookSubscription"]
    assert updated == {
        "webhookSubscription": {
            "id": sub_id,
            "url": "https://hooks.example.com/b",
            "description": "partner",
            "eventTypes": ["ORDER_PAID", "ORDER_PLACED"],
            "version": 2,
            "status": "ACTIVE",
        },
        "userErrors": [],
    }
    stale = api.data(UPDATE, input={**changes, "description": "lost"})
    assert stale["updateWebhookSubscription"] == {
        "webhookSubscription": None,
        "userErrors": [{"field": ["version"], "code": "STALE_VERSION"}],
    }
    # Pausing is a change too: the version grows.
    api.data(
        "mutation($id: ID!) { pauseWebhookSubscription(input: {id: $id}) { userErrors { code } } }",
        id=sub_id,
    )
    assert api.data(ONE, id=sub_id)["webhookSubscription"]["version"] == 3
    bad_url = api.data(UPDATE, input={"id": sub_id, "version": 3, "url": "ftp://x"})
    assert bad_url["updateWebhookSubscription"]["userErrors"] == [
        {"field": ["url"], "code": "INVALID"}
    ]


PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: WebhookDeliveryFilter) {
  webhookDeliveries(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { id status eventType subscription { url } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def test_the_delivery_log_is_a_connection_paged_both_ways_and_filtered(api: Api) -> None:
    partner = Partner()
    with serving(partner) as url:
        created = _create(api, url, ["CUSTOMER_CREATED"])
        subscription = created["webhookSubscription"]
        assert isinstance(subscription, dict)
        partner.secret = str(subscription["secret"])
        for _ in range(3):
            api.data(CREATE_CUSTOMER)
        _deliver(api)

    first = api.data(PAGE, first=2)["webhookDeliveries"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert {edge["node"]["subscription"]["url"] for edge in first["edges"]} == {url}
    rest = api.data(PAGE, first=2, after=first["pageInfo"]["endCursor"])["webhookDeliveries"]
    assert len(rest["edges"]) == 1 and not rest["pageInfo"]["hasNextPage"]
    ids = [edge["node"]["id"] for edge in first["edges"] + rest["edges"]]
    assert len(set(ids)) == 3
    back = api.data(PAGE, last=2, before=rest["pageInfo"]["startCursor"])["webhookDeliveries"]
    assert [edge["node"]["id"] for edge in back["edges"]] == ids[:2]
    tail = api.data(PAGE, last=1)["webhookDeliveries"]
    assert [edge["node"]["id"] for edge in tail["edges"]] == ids[2:]

    own = api.data(
        "query($id: ID!) { webhookSubscription(id: $id) "
        "{ deliveries(first: 1) { totalCount edges { node { id } } } } }",
        id=subscription["id"],
    )["webhookSubscription"]["deliveries"]
    assert (own["totalCount"], [edge["node"]["id"] for edge in own["edges"]]) == (3, ids[:1])
    failed = api.data(PAGE, filter={"status": "FAILED"})["webhookDeliveries"]
    assert (failed["totalCount"], failed["edges"]) == (0, [])
    delivered = api.data(PAGE, filter={"status": "DELIVERED", "eventType": "CUSTOMER_CREATED"})
    assert delivered["webhookDeliveries"]["totalCount"] == 3
    one = api.data(
        "query($id: ID!) { node(id: $id) { id ... on WebhookDelivery { status } } "
        "webhookDelivery(id: $id) { id eventId } }",
        id=ids[0],
    )
    assert one["node"] == {"id": ids[0], "status": "DELIVERED"}
    assert one["webhookDelivery"]["id"] == ids[0]
    assert one["webhookDelivery"]["eventId"] in {event["id"] for event in partner.events}
