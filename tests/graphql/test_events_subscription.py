"""The ``events`` subscription over graphql-transport-ws, fed by the relay in the app."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Settings, asgi_app, build_container
from domain.access.roles import Role

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = """
subscription { events(types: ["rapport.customer.created.v1"]) { id type subject data } }
"""


@pytest.fixture
def served(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    path = tmp_path / "live.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    assert settings.relay_in_app
    container = build_container(settings)
    token = (
        container.use(Access)
        .issue_api_key(
            Principal.system(), role=Role.ADMIN, name="test", user_email="admin@example.com"
        )
        .token
    )
    with TestClient(asgi_app(container, settings)) as client:
        yield client, token


def test_a_front_end_receives_the_event_of_a_change_made_through_graphql(
    served: tuple[TestClient, str],
) -> None:
    client, token = served
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as socket:
        socket.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        # The subscription starts listening asynchronously; give it a moment before the change.
        time.sleep(0.5)
        created = client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "query": 'mutation { createCustomer(input: {firstName: "Ada"}) { customer { id } } }'
            },
        ).json()["data"]["createCustomer"]["customer"]
        message = socket.receive_json()

    assert message["type"] == "next"
    event = message["payload"]["data"]["events"]
    assert event["type"] == "rapport.customer.created.v1"
    assert event["data"]["first_name"] == "Ada"
    assert created["id"]  # a global id; the event's subject is the local one
    assert event["subject"]


def test_a_socket_without_a_key_is_refused(served: tuple[TestClient, str]) -> None:
    client, _ = served
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as socket:
        socket.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 4403


def test_a_front_end_receives_stage_changed_events_for_changes_made_through_graphql(
    served: tuple[TestClient, str],
) -> None:
    client, token = served
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/graphql",
        headers=headers,
        json={
            "query": 'mutation { createCustomer(input: {firstName: "Ada"}) { customer { id } } }'
        },
    ).json()["data"]["createCustomer"]["customer"]
    subscribe = (
        'subscription { events(types: ["rapport.lifecycle.stage_changed.v1"]) '
        "{ id type subject data } }"
    )
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as socket:
        socket.send_json({"type": "connection_init", "payload": headers})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": subscribe}})
        time.sleep(0.5)
        changed = client.post(
            "/graphql",
            headers=headers,
            json={
                "query": "mutation($id: ID!) { changeLifecycleStage(input: "
                '{customerId: $id, track: "acquisition", stage: "lead"}) { userErrors { code } } }',
                "variables": {"id": created["id"]},
            },
        ).json()["data"]["changeLifecycleStage"]
        assert changed["userErrors"] == []
        message = socket.receive_json()

    assert message["type"] == "next"
    event = message["payload"]["data"]["events"]
    assert event["type"] == "rapport.lifecycle.stage_changed.v1"
    assert event["data"]["to_stage"] == "lead"
