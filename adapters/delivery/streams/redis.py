"""Redis Streams: one stream, consumer groups, XAUTOCLAIM for messages left unacked."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import redis

from application.events.stream import StreamMessage


class RedisEventStream:
    def __init__(
        self,
        client: redis.Redis,
        *,
        stream: str = "rapport.events",
        redeliver_after_ms: int = 30_000,
        max_length: int = 1_000_000,
    ) -> None:
        self._client = client
        self._stream = stream
        self._redeliver_after_ms = redeliver_after_ms
        self._max_length = max_length
        self._groups: set[str] = set()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisEventStream:
        return cls(redis.Redis.from_url(url), **options)

    def publish(self, events: Sequence[Mapping[str, Any]]) -> None:
        pipeline = self._client.pipeline(transaction=False)
        for event in events:
            pipeline.xadd(
                self._stream,
                {"type": event["type"], "event": json.dumps(event, separators=(",", ":"))},
                maxlen=self._max_length,
                approximate=True,
            )
        pipeline.execute()

    def consume(
        self, group: str, consumer: str, *, count: int = 100, wait_ms: int = 0
    ) -> Sequence[StreamMessage]:
        self._ensure_group(group)
        _, claimed, *_ = self._client.xautoclaim(
            self._stream, group, consumer, self._redeliver_after_ms, "0-0", count=count
        )
        messages = [
            self._message(group, entry_id, fields, redelivered=True)
            for entry_id, fields in claimed
            if fields
        ]
        if len(messages) < count:
            answer: Any = self._client.xreadgroup(
                group,
                consumer,
                {self._stream: ">"},
                count=count - len(messages),
                block=wait_ms or None,
            )
            for _, entries in answer or []:
                messages += [
                    self._message(group, entry_id, fields, redelivered=False)
                    for entry_id, fields in entries
                ]
        return messages

    def ack(self, group: str, receipts: Sequence[str]) -> None:
        if receipts:
            self._client.xack(self._stream, group, *receipts)

    def close(self) -> None:
        self._client.close()

    def join(self, group: str, *, from_now: bool) -> None:
        self._ensure_group(group, start="$" if from_now else "0")

    def leave(self, group: str) -> None:
        self._client.xgroup_destroy(self._stream, group)
        self._groups.discard(group)

    def _ensure_group(self, group: str, start: str = "0") -> None:
        if group in self._groups:
            return
        try:
            self._client.xgroup_create(self._stream, group, id=start, mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._groups.add(group)

    def _message(
        self, group: str, entry_id: Any, fields: Mapping[Any, Any], *, redelivered: bool
    ) -> StreamMessage:
        receipt = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        deliveries = 1
        if redelivered:
            info = self._client.xpending_range(self._stream, group, receipt, receipt, 1)
            deliveries = int(info[0]["times_delivered"]) if info else 2
        return StreamMessage(receipt, json.loads(fields[b"event"]), deliveries)
