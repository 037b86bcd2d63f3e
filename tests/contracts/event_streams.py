"""The contract every EventStream adapter keeps."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from application.events.stream import EventStream, StreamMessage


def _events(n: int, subject: str = "c-1", start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "specversion": "1.0",
            "id": f"event-{subject}-{i}",
            "source": "urn:test",
            "type": "rapport.customer.updated.v1",
            "subject": subject,
            "data": {"version": i},
        }
        for i in range(start, start + n)
    ]


def _drain(stream: EventStream, group: str, consumer: str, n: int) -> list[StreamMessage]:
    taken: list[StreamMessage] = []
    deadline = time.monotonic() + 10
    while len(taken) < n and time.monotonic() < deadline:
        taken += stream.consume(group, consumer, count=n - len(taken), wait_ms=200)
    return taken


def _ids(messages: Sequence[StreamMessage]) -> list[str]:
    return [str(message.event["id"]) for message in messages]


def check_published_events_arrive_in_order(stream: EventStream) -> None:
    events = _events(5) + _events(5, "c-2")
    stream.publish(events)
    taken = _drain(stream, "g1", "a", 10)
    assert _ids(taken) == [event["id"] for event in events]
    assert all(message.deliveries == 1 for message in taken)


def check_each_group_gets_every_event_and_members_share_them(stream: EventStream) -> None:
    stream.publish(_events(6))
    first = _drain(stream, "shared", "a", 3)
    second = _drain(stream, "shared", "b", 3)
    other = _drain(stream, "other", "a", 6)
    assert len(set(_ids(first)) | set(_ids(second))) == 6
    assert len(_ids(other)) == 6


def check_acked_events_do_not_come_back(stream: EventStream) -> None:
    stream.publish(_events(3))
    taken = _drain(stream, "g", "a", 3)
    stream.ack("g", [message.receipt for message in taken])
    time.sleep(1.5)
    assert stream.consume("g", "a", count=10, wait_ms=300) == []


def check_unacked_events_are_redelivered(stream: EventStream) -> None:
    stream.publish(_events(2))
    taken = _drain(stream, "g", "a", 2)
    stream.ack("g", [taken[0].receipt])
    time.sleep(1.5)
    again = _drain(stream, "g", "b", 1)
    assert _ids(again) == [_ids(taken)[1]]
    assert again[0].deliveries == 2


def check_a_group_joining_from_now_skips_what_came_before(stream: EventStream) -> None:
    stream.publish(_events(2, "old"))
    stream.join("live", from_now=True)
    stream.join("history", from_now=False)
    stream.publish(_events(1, "new"))
    assert _ids(_drain(stream, "live", "a", 1)) == ["event-new-0"]
    assert len(_drain(stream, "history", "a", 3)) == 3
    stream.leave("live")
