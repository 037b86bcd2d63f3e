"""Live listeners fed from the event stream, as servers without a relay of their own are."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from adapters.delivery.streams.memory import InMemoryEventStream
from adapters.delivery.tail import StreamTail
from adapters.messaging.live import InProcessLiveEvents


def _event(n: int, kind: str) -> dict[str, Any]:
    return {"id": f"e{n}", "type": kind, "subject": "c-1", "data": {}}


def test_a_server_without_a_relay_streams_new_events_to_listeners() -> None:
    stream = InMemoryEventStream()
    stream.publish([_event(0, "rapport.customer.created.v1")])
    live = InProcessLiveEvents()
    tail = StreamTail(stream, live, wait_ms=50)

    async def listen() -> list[Mapping[str, Any]]:
        received: list[Mapping[str, Any]] = []
        listener = live.listen(["rapport.customer.created.v1"])
        first = asyncio.ensure_future(anext(listener))
        await asyncio.sleep(0.05)
        tail.start()
        await asyncio.sleep(0.2)
        stream.publish(
            [_event(1, "rapport.order.paid.v1"), _event(2, "rapport.customer.created.v1")]
        )
        received.append(await asyncio.wait_for(first, 5))
        await listener.aclose()
        return received

    try:
        received = asyncio.run(listen())
    finally:
        tail.stop()
    assert [event["id"] for event in received] == ["e2"]
