"""Id generators: time-ordered UUIDv7 for production, counters for tests."""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid


class UuidV7Generator:
    """RFC 9562 UUIDv7: a millisecond timestamp, then a counter-seeded random tail.

    Ids made in the same millisecond still sort in creation order, which keeps
    B-tree inserts at the right edge of the index.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0
        self._random = b""
        self._taken = 0

    def new_id(self) -> str:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                self._sequence += 1
                if self._sequence > 0xFFF:
                    ms += 1
                    self._sequence = 0
            else:
                self._sequence = int.from_bytes(self._random_bytes(2), "big") & 0x7FF
            self._last_ms = ms
            sequence = self._sequence
            tail = int.from_bytes(self._random_bytes(8), "big") & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (sequence << 64) | (0b10 << 62) | tail
        return str(uuid.UUID(int=value))

    def _random_bytes(self, count: int) -> bytes:
        # One system call per few hundred ids rather than one per id: a bulk import makes
        # thousands a second.
        if self._taken + count > len(self._random):
            self._random, self._taken = os.urandom(4096), 0
        self._taken += count
        return self._random[self._taken - count : self._taken]


class SequentialIdGenerator:
    """Readable, predictable ids (``c-000001``) that still sort in creation order."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._counter):012d}"
