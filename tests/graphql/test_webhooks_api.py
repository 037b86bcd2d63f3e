"""Webhook subscriptions through the API, delivered to a partner app that verifies them."""

from __future__ import annotations

import shutil
from pathlib import Path

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
  webhookDeliveries(first: 10, subscriptionId: $sub) {
    nodes { id eventType status attempts lastStatusCode latencyMs responseExcerpt }
    hasNextPage endCursor
  }
}
"""


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
        created = _create(api, url, ["rapport.customer.created.v1"])
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
    (delivery,) = log["nodes"]
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "delivered",
        1,
        204,
    )


def test_the_secret_is_shown_once_and_rotation_replaces_it(api: Api) -> None:
    created = _create(api, "https://hooks.example.com/rapport")
    subscription = created["webhookSubscription"]
    assert isinstance(subscription, dict)
    listed = api.data("{ webhookSubscriptions { id secret url } }")["webhookSubscriptions"]
    assert listed == [
        {"id": subscription["id"], "secret": None, "url": "https://hooks.example.com/rapport"}
    ]
    rotated = api.data(
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { webhookSubscription { secret } } }",
        id=subscription["id"],
    )["rotateWebhookSecret"]["webhookSubscription"]["secret"]
    assert rotated.startswith("whsec_") and rotated != subscription["secret"]


def test_pause_resume_and_delete(api: Api) -> None:
    created = _create(api, "https://hooks.example.com/rapport")
    sub_id = created["webhookSubscription"]["id"]  # type: ignore[index]
    for mutation, status in (("pause", "paused"), ("resume", "active")):
        result = api.data(
            f"mutation($id: ID!) {{ {mutation}WebhookSubscription(id: $id) "
            "{ webhookSubscription { status } userErrors { code } } }",
            id=sub_id,
        )[f"{mutation}WebhookSubscription"]
        assert result == {"webhookSubscription": {"status": status}, "userErrors": []}
    deleted = api.data(
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) { deletedId } }", id=sub_id
    )
    assert deleted["deleteWebhookSubscription"]["deletedId"] == sub_id
    assert api.data("{ webhookSubscriptions { id } }")["webhookSubscriptions"] == []
    again = api.data(
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) { userErrors { code } } }",
        id=sub_id,
    )
    assert again["deleteWebhookSubscription"]["userErrors"] == [{"code": "NOT_FOUND"}]


def test_replaying_a_delivery_sends_it_again(api: Api) -> None:
    partner = Partner()
    with serving(partner) as url:
        _create(api, url)
        api.data(CREATE_CUSTOMER)
        _deliver(api)
        (delivery,) = api.data(DELIVERIES)["webhookDeliveries"]["nodes"]
        replayed = api.data(
            "mutation($id: ID!) { replayWebhookDelivery(deliveryId: $id) "
            "{ delivery { status attempts } userErrors { code } } }",
            id=delivery["id"],
        )["replayWebhookDelivery"]
        assert replayed == {"delivery": {"status": "pending", "attempts": 0}, "userErrors": []}
        _deliver(api)
    assert len(partner.events) == 2
    assert partner.events[0]["id"] == partner.events[1]["id"]


@pytest.mark.parametrize(
    ("url", "types", "field"),
    [
        ("ftp://hooks.example.com/x", [], ["url"]),
        ("not a url", [], ["url"]),
        ("https://hooks.example.com/x", ["rapport.no.such.v1"], ["eventTypes"]),
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
    token = api.key(Role.MANAGER, "manager@example.com")
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
    production = Settings.from_env({"RAPPORT_PROFILE": "production"})
    embedded = Settings.from_env({})
    overridden = Settings.from_env(
        {"RAPPORT_PROFILE": "production", "RAPPORT_WEBHOOKS_ALLOW_PRIVATE": "true"}
    )
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
        {"code": "INVALID_ID", "field": "subscriptionId"}
    ]
    for cursor in ("²", "9" * 40, "next"):
        refused = api.query(
            "query($after: String) { webhookDeliveries(after: $after) { hasNextPage } }",
            after=cursor,
        )
        assert [e["extensions"] for e in refused["errors"]] == [
            {"code": "INVALID", "field": "after"}
        ]


def test_the_delivery_log_is_refused_to_an_agent_with_a_code(api: Api) -> None:
    agent = api.key(Role.AGENT, "agent@example.com")
    for document in (DELIVERIES, "{ webhookSubscriptions { id } }"):
        refused = api.query(document, agent)
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


REPLAY = """
mutation($id: ID!) { replayWebhookDelivery(deliveryId: $id) { userErrors { field code } } }
"""


def test_a_delivery_number_too_large_for_storage_is_an_invalid_id(api: Api) -> None:
    for number, code in (("9" * 30, "INVALID_ID"), ("١٢", "INVALID_ID"), ("12", "NOT_FOUND")):
        replayed = api.data(REPLAY, id=to_global_id("WebhookDelivery", number))
        assert replayed["replayWebhookDelivery"]["userErrors"] == [
            {"field": ["deliveryId"], "code": code}
        ]
