"""A person known everywhere, made through the API as a front end would: the subject of the
erasure tests, on every storage."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from attrs import frozen
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from application.access.bundle import Access
from bootstrap import Container, Settings, build_container
from tests.graphql.conftest import Api, admin_token

FIRST_NAME = "Zebedee"
LAST_NAME = "Quackenbush"
EMAIL = "zebedee.quackenbush@erase-me.example"
PHONE = "+442079460321"
DUPLICATE_EMAIL = "zq.second.mailbox@erase-me.example"
DUPLICATE_PHONE = "+442079460999"
LEAD_EMAIL = EMAIL
TRACES = (FIRST_NAME, LAST_NAME, EMAIL, PHONE, DUPLICATE_EMAIL, DUPLICATE_PHONE)
"""What must be nowhere once the person is erased (compared ignoring case)."""


@contextmanager
def serving(container: Container) -> Iterator[Api]:
    app = create_app(container.services(), container.use(Access).authenticate, graphiql=False)
    token = admin_token(container)
    with TestClient(app) as client:
        yield Api(client, container, token, [])
    container.close()


def memory_container() -> Container:
    return build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))


def sqlite_container(template: Path, path: Path) -> Container:
    shutil.copyfile(template, path)
    return build_container(Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"}))


def postgres_container(url: str) -> Container:
    return build_container(Settings.from_env({"RAPPORT_DATABASE_URL": url}))


def ok(api: Api, mutation: str, input: dict[str, Any]) -> dict[str, Any]:
    """Run ``mutation(input:)``; asserts it had no user errors and returns its payload."""
    name = mutation[0].lower() + mutation[1:]
    fields = _fields(mutation)
    document = (
        f"mutation($input: {mutation}Input!) {{ {name}(input: $input) "
        f"{{ {fields} userErrors {{ field code message }} }} }}"
    )
    payload: dict[str, Any] = api.data(document, input=input)[name]
    assert payload["userErrors"] == [], payload
    return payload


def _fields(mutation: str) -> str:
    return {
        "CreateCustomer": "customer { id }",
        "RecordOrder": "order { id }",
        "CreateTag": "tag { id }",
        "CreateOpportunity": "opportunity { id }",
        "CreateLead": "lead { id }",
        "MergeCustomers": "customer { id }",
        "EraseCustomer": "erasedCustomerId",
    }.get(mutation, "")


@frozen
class World:
    person: str
    duplicate: str
    bystander: str
    orders: tuple[str, ...]


def build_world(api: Api) -> World:
    person = ok(
        api,
        "CreateCustomer",
        {"firstName": FIRST_NAME, "lastName": LAST_NAME, "email": EMAIL, "phone": PHONE},
    )["customer"]["id"]
    duplicate = ok(
        api,
        "CreateCustomer",
        {
            "firstName": FIRST_NAME,
            "lastName": LAST_NAME,
            "email": DUPLICATE_EMAIL,
            "phone": DUPLICATE_PHONE,
        },
    )["customer"]["id"]
    bystander = ok(
        api,
        "CreateCustomer",
        {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@bystander.example"},
    )["customer"]["id"]
    hook = {"url": "http://127.0.0.1:9/hooks", "eventTypes": []}
    ok(api, "CreateWebhookSubscription", hook)
    orders = tuple(
        ok(
            api,
            "RecordOrder",
            {
                "customerId": customer,
                "placedAt": "2026-03-01T09:00:00Z",
                "currency": "EUR",
                "paid": True,
                "lines": [
                    {"sku": "TEA-1", "name": "Tea", "quantity": quantity, "unitPrice": "12.50"}
                ],
            },
        )["order"]["id"]
        for customer, quantity in ((person, 2), (duplicate, 3), (bystander, 1))
    )
    ok(
        api,
        "TrackEvents",
        {
            "events": [
                {
                    "customer": {"id": person},
                    "name": "signed_up",
                    "eventId": "signup-1",
                    "properties": {"email": EMAIL, "plan": "pro"},
                },
                {
                    "customer": {"email": DUPLICATE_EMAIL},
                    "name": "signed_in",
                    "eventId": "signin-1",
                },
            ]
        },
    )
    ok(
        api,
        "LogActivity",
        {
            "customerId": person,
            "kind": "NOTE",
            "subject": f"Call with {FIRST_NAME} {LAST_NAME}",
            "body": f"{FIRST_NAME} asked us to write to {EMAIL} or call {PHONE}.",
        },
    )
    tag = ok(api, "CreateTag", {"name": "VIP", "colour": "#8E24AA", "category": "STATIC"})
    ok(api, "TagCustomers", {"customerIds": [person, duplicate], "tagIds": [tag["tag"]["id"]]})
    ok(
        api,
        "ChangeLifecycleStage",
        {"customerId": person, "track": "engagement", "stage": "active", "reason": "Joined"},
    )
    ok(
        api,
        "CreateLead",
        {"email": LEAD_EMAIL, "firstName": FIRST_NAME, "lastName": LAST_NAME},
    )
    ok(
        api,
        "CreateOpportunity",
        {
            "name": f"{LAST_NAME} renewal",
            "customerId": person,
            "currency": "EUR",
            "amount": {"amount": "900.00", "currency": "EUR"},
            "nextStep": f"Call {FIRST_NAME} on {PHONE}",
        },
    )
    ok(
        api,
        "CreateTask",
        {
            "kind": "CALL",
            "title": f"Call {FIRST_NAME}",
            "dueAt": "2030-01-01T09:00:00Z",
            "customerId": person,
        },
    )
    ok(api, "CreateSegment", {"name": "VIPs", "rule": 'tag("vip")'})
    preview = api.data('{ previewSegment(rule: "tag(\\"vip\\")") { count } }')
    assert preview["previewSegment"]["count"] == 2
    ok(api, "MergeCustomers", {"survivorId": person, "duplicateIds": [duplicate]})
    relay(api)
    return World(person, duplicate, bystander, orders)


def relay(api: Api) -> None:
    """Relay the outbox to webhook deliveries, where there is a relay (SQL storage)."""
    if api.container.settings.storage == "sql":
        api.container.module("events").outbox_relay().drain()


def revenue(api: Api, orders: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each order's total and status, read back through the API."""
    found = []
    for order in orders:
        data = api.data(
            "query($id: ID!) { order(id: $id) { status total { amount currency } } }", id=order
        )["order"]
        found.append((data["status"], data["total"]["amount"]))
    return found
