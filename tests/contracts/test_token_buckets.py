"""The TokenBuckets contract against the in-memory adapter and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from adapters.memory.token_buckets import InMemoryTokenBuckets
from application.limits import TokenBuckets
from tests.conftest import IN_CI
from tests.contracts import token_buckets

REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis() -> Iterator[TokenBuckets]:
    import redis

    from adapters.redis.token_buckets import RedisTokenBuckets

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is not reachable: {error}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true requires it)")
        pytest.skip(message)
    buckets = RedisTokenBuckets(client, prefix="rapport:test-bucket:")
    yield buckets
    for key in client.scan_iter("rapport:test-bucket:*"):
        client.delete(key)
    buckets.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.slow)])
def buckets(request: pytest.FixtureRequest) -> Iterator[TokenBuckets]:
    if request.param == "memory":
        yield InMemoryTokenBuckets()
    else:
        yield from _redis()


def test_a_new_key_starts_full_and_empties(buckets: TokenBuckets) -> None:
    token_buckets.check_a_new_key_starts_full_and_empties(buckets)


def test_a_refused_take_takes_nothing(buckets: TokenBuckets) -> None:
    token_buckets.check_a_refused_take_takes_nothing(buckets)


def test_more_than_the_capacity_is_never_granted(buckets: TokenBuckets) -> None:
    token_buckets.check_more_than_the_capacity_is_never_granted(buckets)


def test_keys_have_buckets_of_their_own(buckets: TokenBuckets) -> None:
    token_buckets.check_keys_have_buckets_of_their_own(buckets)


def test_an_empty_bucket_refills_with_time(buckets: TokenBuckets) -> None:
    token_buckets.check_an_empty_bucket_refills_with_time(buckets)


def test_fractional_amounts_are_counted(buckets: TokenBuckets) -> None:
    token_buckets.check_fractional_amounts_are_counted(buckets)


def test_redis_being_away_grants_rather_than_fails() -> None:
    import redis

    from adapters.redis.token_buckets import RedisTokenBuckets
    from application.limits import BucketPolicy

    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    answer = RedisTokenBuckets(unreachable).take("k", 1, BucketPolicy(1, 1))
    assert answer.granted
