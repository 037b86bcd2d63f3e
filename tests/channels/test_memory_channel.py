"""The in-memory channel's steering, which tests of the sending code rely on."""

from __future__ import annotations

from adapters.memory.channels import InMemoryChannel
from domain.campaigns.channels import Channel, SendStatus
from tests.contracts.channels import message


def test_failures_span_batches_and_then_stop() -> None:
    channel = InMemoryChannel(Channel.EMAIL)
    channel.fail_next(3)
    first = channel.send([message(Channel.EMAIL, 1), message(Channel.EMAIL, 2)])
    second = channel.send([message(Channel.EMAIL, 3), message(Channel.EMAIL, 4)])
    statuses = [o.status for o in first + second]
    assert statuses == [SendStatus.RETRY] * 3 + [SendStatus.ACCEPTED]
    assert [m.id for m in channel.handed] == ["msg-0001", "msg-0002", "msg-0003", "msg-0004"]
    assert [m.id for m in channel.accepted] == ["msg-0004"]
    assert channel.batches == 2


def test_addresses_can_be_refused_from_the_start() -> None:
    channel = InMemoryChannel(Channel.SMS, refused=["+4915112000001"])
    (outcome,) = channel.send([message(Channel.SMS, 1)])
    assert outcome.status is SendStatus.REJECTED
    assert channel.accepted == []
