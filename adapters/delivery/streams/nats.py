"""NATS JetStream: one stream over ``<prefix>.>``, durable pull consumers as groups.

nats-py is asyncio-only; this adapter runs its client on a private event loop thread so the
relay (synchronous) and consumers can call it like the other adapters.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from application.events.stream import StreamMessage

T = TypeVar("T")


class NatsEventStream:
    def __init__(
        self,
        url: str,
        *,
        stream: str = "RAPPORT_EVENTS",
        subject_prefix: str = "rapport-events",
        redeliver_after_seconds: float = 30.0,
    ) -> None:
        self._stream = stream
        self._prefix = subject_prefix
        self._ack_wait = redeliver_after_seconds
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._subscriptions: dict[str, JetStreamContext.PullSubscription] = {}
        self._unacked: dict[str, Any] = {}
        self._client = self._run(nats.connect(url, connect_timeout=2, max_reconnect_attempts=2))
        self._js = self._client.jetstream()
        self._run(self._ensure_stream())

    @classmethod
    def from_url(cls, url: str, **options: Any) -> NatsEventStream:
        return cls(url, **options)

    def publish(self, events: Sequence[Mapping[str, Any]]) -> None:
        self._run(self._publish(events))

    def consume(
        self, group: str, consumer: str, *, count: int = 100, wait_ms: int = 0
    ) -> Sequence[StreamMessage]:
        return self._run(self._consume(group, count, wait_ms))

    def ack(self, group: str, receipts: Sequence[str]) -> None:
        self._run(self._ack(group, receipts))

    def join(self, group: str, *, from_now: bool) -> None:
        self._run(self._subscription(group, from_now=from_now))

    def leave(self, group: str) -> None:
        self._run(self._leave(group))

    def close(self) -> None:
        self._run(self._client.drain())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def delete(self) -> None:
        """Removes the stream and its consumers (tests)."""
        self._run(self._js.delete_stream(self._stream))

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    async def _ensure_stream(self) -> None:
        await self._js.add_stream(StreamConfig(name=self._stream, subjects=[f"{self._prefix}.>"]))

    async def _publish(self, events: Sequence[Mapping[str, Any]]) -> None:
        # Sent in order over one connection, so the stream stores them in outbox order;
        # the acks are awaited together, and any failure fails the whole batch.
        acks = [
            await self._js.publish_async(
                f"{self._prefix}.{event['type']}",
                json.dumps(event, separators=(",", ":")).encode(),
                stream=self._stream,
                headers={"Nats-Msg-Id": str(event["id"])},
            )
            for event in events
        ]
        await asyncio.wait_for(asyncio.gather(*acks), timeout=30)

    async def _subscription(
        self, group: str, *, from_now: bool = False
    ) -> JetStreamContext.PullSubscription:
        if group not in self._subscriptions:
            self._subscriptions[group] = await self._js.pull_subscribe(
                f"{self._prefix}.>",
                durable=group,
                stream=self._stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=self._ack_wait,
                    deliver_policy=DeliverPolicy.NEW if from_now else DeliverPolicy.ALL,
                ),
            )
        return self._subscriptions[group]

    async def _leave(self, group: str) -> None:
        subscription = self._subscriptions.pop(group, None)
        if subscription is not None:
            await subscription.unsubscribe()
        await self._js.delete_consumer(self._stream, group)

    async def _consume(self, group: str, count: int, wait_ms: int) -> list[StreamMessage]:
        subscription = await self._subscription(group)
        try:
            messages = await subscription.fetch(count, timeout=max(wait_ms / 1000, 0.05))
        except NatsTimeout:
            return []
        taken = []
        for message in messages:
            receipt = f"{group}:{message.metadata.sequence.stream}"
            self._unacked[receipt] = message
            taken.append(
                StreamMessage(receipt, json.loads(message.data), message.metadata.num_delivered)
            )
        return taken

    async def _ack(self, group: str, receipts: Sequence[str]) -> None:
        for receipt in receipts:
            message = self._unacked.pop(receipt, None)
            if message is not None:
                await message.ack_sync()
