"""Relayed CloudEvents fanned out to asyncio listeners, such as GraphQL subscriptions."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)
Listener = tuple[
    asyncio.AbstractEventLoop, "asyncio.Queue[Mapping[str, Any]]", frozenset[str] | None
]


class InProcessLiveEvents:
    """A listener that falls ``max_backlog`` events behind is dropped rather than slow the relay."""

    def __init__(self, *, max_backlog: int = 10_000) -> None:
        self._listeners: dict[int, Listener] = {}
        self._lock = threading.Lock()
        self._max_backlog = max_backlog

    def broadcast(self, events: Sequence[Mapping[str, Any]]) -> None:
        with self._lock:
            listeners = list(self._listeners.items())
        for key, (loop, queue, types) in listeners:
            wanted = [event for event in events if types is None or event["type"] in types]
            for event in wanted:
                try:
                    loop.call_soon_threadsafe(self._put, key, queue, event)
                except RuntimeError:  # the listener's loop has closed
                    self._forget(key)
                    break

    def _put(self, key: int, queue: asyncio.Queue[Mapping[str, Any]], event: Any) -> None:
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("a live event listener fell behind; dropping it")
            self._forget(key)

    def _forget(self, key: int) -> None:
        with self._lock:
            self._listeners.pop(key, None)

    async def listen(self, types: Collection[str] | None) -> AsyncIterator[Mapping[str, Any]]:
        queue: asyncio.Queue[Mapping[str, Any]] = asyncio.Queue(self._max_backlog)
        key = id(queue)
        with self._lock:
            self._listeners[key] = (
                asyncio.get_running_loop(),
                queue,
                frozenset(types) if types else None,
            )
        try:
            while True:
                yield await queue.get()
        finally:
            self._forget(key)
