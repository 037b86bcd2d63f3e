"""Token buckets in this process: the embedded default, and what tests run on."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from attrs import define

from application.limits import Allowance, BucketPolicy

MAX_KEYS = 100_000


@define
class _Bucket:
    tokens: float
    updated: float


class InMemoryTokenBuckets:
    """Buckets by key; past ``max_keys`` the least recently used are forgotten (as full)."""

    def __init__(
        self, *, now: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS
    ) -> None:
        self._now = now
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, amount: float, policy: BucketPolicy) -> Allowance:
        with self._lock:
            now = self._now()
            bucket = self._buckets.pop(key, None) or _Bucket(policy.capacity, now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(policy.capacity, bucket.tokens + elapsed * policy.refill_per_second)
            bucket.updated = now
            self._buckets[key] = bucket
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            if amount > policy.capacity:
                return Allowance(False, bucket.tokens, math.inf)
            if bucket.tokens < amount:
                wait = (amount - bucket.tokens) / policy.refill_per_second
                return Allowance(False, bucket.tokens, wait)
            bucket.tokens -= amount
            return Allowance(True, bucket.tokens, 0.0)
