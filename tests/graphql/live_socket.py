"""A graphql-transport-ws client over the test client's websockets, for subscription tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
from starlette.testclient import TestClient, WebSocketTestSession

PROTOCOL = "graphql-transport-ws"
SETTLE_SECONDS = 1.0
"""Subscriptions start listening asynchronously: the time given them before a change."""


def receive(socket: WebSocketTestSession, timeout: float = 10.0) -> dict[str, Any]:
    """The next message, failing the test after ``timeout`` seconds rather than hanging it."""

    async def next_message() -> Any:
        with anyio.fail_after(timeout):
            return await socket._send_rx.receive()

    message = socket.portal.call(next_message)
    socket._raise_on_close(message)
    parsed: dict[str, Any] = json.loads(message["text"])
    return parsed


def payload(socket: WebSocketTestSession, field: str, timeout: float = 10.0) -> dict[str, Any]:
    """The data of the next ``next`` message, asserting it has no errors."""
    message = receive(socket, timeout)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message["payload"]
    data: dict[str, Any] = message["payload"]["data"][field]
    return data


@contextmanager
def subscribed(
    client: TestClient, token: str, *subscriptions: tuple[str, dict[str, Any]]
) -> Iterator[WebSocketTestSession]:
    """A signed-in socket with each ``(query, variables)`` subscribed, as ids "1", "2", …"""
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as socket:
        socket.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert receive(socket)["type"] == "connection_ack"
        for number, (query, variables) in enumerate(subscriptions, start=1):
            socket.send_json(
                {
                    "id": str(number),
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        time.sleep(SETTLE_SECONDS)
        yield socket
