"""What every TokenBuckets adapter must do, whichever store keeps the buckets."""

from __future__ import annotations

import math
import time
import uuid

from application.limits import BucketPolicy, TokenBuckets

SLOW = BucketPolicy(capacity=3, refill_per_second=0.001)
FAST = BucketPolicy(capacity=2, refill_per_second=50)


def _key() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}"


def check_a_new_key_starts_full_and_empties(buckets: TokenBuckets) -> None:
    key = _key()
    answers = [buckets.take(key, 1, SLOW) for _ in range(4)]
    assert [answer.granted for answer in answers] == [True, True, True, False]
    assert math.isclose(answers[2].remaining, 0, abs_tol=0.01)
    refused = answers[3]
    assert refused.retry_after > 900  # one token at 0.001 a second is ~1000 s away


def check_a_refused_take_takes_nothing(buckets: TokenBuckets) -> None:
    key = _key()
    assert buckets.take(key, 2, SLOW).granted
    assert not buckets.take(key, 2, SLOW).granted
    assert buckets.take(key, 1, SLOW).granted


def check_more_than_the_capacity_is_never_granted(buckets: TokenBuckets) -> None:
    answer = buckets.take(_key(), 4, SLOW)
    assert not answer.granted
    assert answer.retry_after == math.inf


def check_keys_have_buckets_of_their_own(buckets: TokenBuckets) -> None:
    first, second = _key(), _key()
    assert buckets.take(first, 3, SLOW).granted
    assert not buckets.take(first, 1, SLOW).granted
    assert buckets.take(second, 3, SLOW).granted


def check_an_empty_bucket_refills_with_time(buckets: TokenBuckets) -> None:
    key = _key()
    assert buckets.take(key, 2, FAST).granted
    refused = buckets.take(key, 2, FAST)
    assert not refused.granted
    assert 0 < refused.retry_after <= 2 / FAST.refill_per_second
    time.sleep(refused.retry_after + 0.02)
    assert buckets.take(key, 2, FAST).granted


def check_fractional_amounts_are_counted(buckets: TokenBuckets) -> None:
    key = _key()
    assert buckets.take(key, 2.5, SLOW).granted
    answer = buckets.take(key, 0.25, SLOW)
    assert answer.granted
    assert math.isclose(answer.remaining, 0.25, abs_tol=0.01)
