"""Token buckets in Redis, so that every server process draws on the same buckets."""

from __future__ import annotations

import logging
import math
from typing import Any

import redis

from application.limits import Allowance, BucketPolicy

log = logging.getLogger(__name__)

# One round trip, atomic, and timed by Redis's own clock so that processes on machines
# whose clocks disagree still refill a bucket at one rate. Numbers go back as strings:
# Redis turns Lua numbers into integers.
_TAKE = """
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local amount = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local granted = 0
if amount <= tokens then
  tokens = tokens - amount
  granted = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {granted, tostring(tokens)}
"""


class RedisTokenBuckets:
    """Buckets as hashes under ``prefix``; each expires once it would be full again.

    When Redis cannot be reached the take is granted and a warning logged: a limit that
    cannot be counted must not take the API down with it.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "rapport:bucket:") -> None:
        self._client = client
        self._prefix = prefix
        self._take = client.register_script(_TAKE)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisTokenBuckets:
        return cls(redis.Redis.from_url(url, socket_timeout=1.0), **options)

    def take(self, key: str, amount: float, policy: BucketPolicy) -> Allowance:
        if amount > policy.capacity:
            return Allowance(False, policy.capacity, math.inf)
        try:
            granted, tokens = self._take(
                keys=[self._prefix + key],
                args=[repr(float(amount)), repr(policy.capacity), repr(policy.refill_per_second)],
            )
        except redis.RedisError as error:
            log.warning("token buckets unavailable, granting %s: %s", key, error)
            return Allowance(True, policy.capacity, 0.0)
        remaining = float(tokens)
        if granted:
            return Allowance(True, remaining, 0.0)
        return Allowance(False, remaining, (amount - remaining) / policy.refill_per_second)

    def close(self) -> None:
        self._client.close()
