"""The EventStream contract against the in-memory adapter, Redis Streams and NATS JetStream."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from adapters.delivery.streams.memory import InMemoryEventStream
from application.events.stream import EventStream
from tests.conftest import IN_CI
from tests.contracts import event_streams

REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NATS_URL = os.environ.get("RAPPORT_TEST_NATS_URL", "nats://127.0.0.1:4222")
REDELIVER_SECONDS = 1.0


def _unreachable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true requires it)")
    pytest.skip(message)


def _redis() -> Iterator[EventStream]:
    import redis

    from adapters.delivery.streams.redis import RedisEventStream

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        _unreachable(f"Redis at {REDIS_URL}", error)
    name = f"rapport.test.{uuid.uuid4().hex[:12]}"
    stream = RedisEventStream(client, stream=name, redeliver_after_ms=int(REDELIVER_SECONDS * 1000))
    yield stream
    client.delete(name)
    stream.close()


def _nats() -> Iterator[EventStream]:
    from adapters.delivery.streams.nats import NatsEventStream

    suffix = uuid.uuid4().hex[:12]
    try:
        stream = NatsEventStream(
            NATS_URL,
            stream=f"RAPPORT_TEST_{suffix}",
            subject_prefix=f"rapport-test-{suffix}",
            redeliver_after_seconds=REDELIVER_SECONDS,
        )
    except Exception as error:
        _unreachable(f"NATS JetStream at {NATS_URL}", error)
    yield stream
    stream.delete()
    stream.close()


def _memory() -> Iterator[EventStream]:
    yield InMemoryEventStream(redeliver_after=REDELIVER_SECONDS)


ADAPTERS: dict[str, Callable[[], Iterator[EventStream]]] = {
    "memory": _memory,
    "redis": _redis,
    "nats": _nats,
}


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.slow),
        pytest.param("nats", marks=pytest.mark.slow),
    ]
)
def stream(request: pytest.FixtureRequest) -> Iterator[EventStream]:
    yield from ADAPTERS[request.param]()


def test_published_events_arrive_in_order(stream: EventStream) -> None:
    event_streams.check_published_events_arrive_in_order(stream)


def test_each_group_gets_every_event_and_members_share_them(stream: EventStream) -> None:
    event_streams.check_each_group_gets_every_event_and_members_share_them(stream)


def test_acked_events_do_not_come_back(stream: EventStream) -> None:
    event_streams.check_acked_events_do_not_come_back(stream)


def test_unacked_events_are_redelivered(stream: EventStream) -> None:
    event_streams.check_unacked_events_are_redelivered(stream)


def test_a_group_joining_from_now_skips_what_came_before(stream: EventStream) -> None:
    event_streams.check_a_group_joining_from_now_skips_what_came_before(stream)
