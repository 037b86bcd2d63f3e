"""An in-memory event stream with consumer groups, for tests and the embedded profile."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from application.events.stream import StreamMessage


class InMemoryEventStream:
    """One ordered log; each group has a cursor and a list of taken, unacked messages."""

    def __init__(self, *, redeliver_after: float = 30.0) -> None:
        self._log: list[Mapping[str, Any]] = []
        self._cursors: dict[str, int] = {}
        self._pending: dict[str, dict[int, tuple[float, int]]] = {}
        self._redeliver_after = redeliver_after
        self._lock = threading.Condition()

    def publish(self, events: Sequence[Mapping[str, Any]]) -> None:
        with self._lock:
            self._log.extend(events)
            self._lock.notify_all()

    def consume(
        self, group: str, consumer: str, *, count: int = 100, wait_ms: int = 0
    ) -> Sequence[StreamMessage]:
        deadline = time.monotonic() + wait_ms / 1000
        with self._lock:
            while True:
                taken = self._take(group, count)
                remaining = deadline - time.monotonic()
                if taken or remaining <= 0:
                    return taken
                self._lock.wait(remaining)

    def _take(self, group: str, count: int) -> list[StreamMessage]:
        now = time.monotonic()
        pending = self._pending.setdefault(group, {})
        taken: list[StreamMessage] = []
        for index, (taken_at, deliveries) in sorted(pending.items()):
            if len(taken) < count and now - taken_at >= self._redeliver_after:
                pending[index] = (now, deliveries + 1)
                taken.append(StreamMessage(str(index), self._log[index], deliveries + 1))
        cursor = self._cursors.get(group, 0)
        while len(taken) < count and cursor < len(self._log):
            pending[cursor] = (now, 1)
            taken.append(StreamMessage(str(cursor), self._log[cursor], 1))
            cursor += 1
        self._cursors[group] = cursor
        return taken

    def ack(self, group: str, receipts: Sequence[str]) -> None:
        with self._lock:
            pending = self._pending.setdefault(group, {})
            for receipt in receipts:
                pending.pop(int(receipt), None)

    def join(self, group: str, *, from_now: bool) -> None:
        with self._lock:
            if group not in self._cursors:
                self._cursors[group] = len(self._log) if from_now else 0

    def leave(self, group: str) -> None:
        with self._lock:
            self._cursors.pop(group, None)
            self._pending.pop(group, None)

    def close(self) -> None:
        pass
