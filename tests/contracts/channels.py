"""The ChannelSender contract: every channel adapter passes these checks.

A check is handed a :class:`ChannelUnderTest`: the sender, a way to read what its far side
received, and, where the far side can be steered, a way to make it refuse an address or
fail for a while.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from application.campaigns.channels import ChannelSender
from domain.campaigns.channels import Channel, OutboundMessage, SendStatus
from domain.campaigns.sms import sms_parts


@frozen
class Received:
    """One message as the far side got it."""

    message_id: str
    to: str
    text: str


@frozen(kw_only=True)
class ChannelUnderTest:
    sender: ChannelSender
    received: Callable[[], list[Received]]
    refuse: Callable[[str], None] | None = None
    """Makes the far side refuse this address for good (a hard bounce, a 4xx)."""
    fail_next: Callable[[int], None] | None = None
    """Makes the far side fail the next N messages in passing (a 451, a 503)."""

    @property
    def channel(self) -> Channel:
        return self.sender.channel


def address(channel: Channel, n: int) -> str:
    if channel is Channel.EMAIL:
        return f"reader{n}@example.com"
    if channel is Channel.SMS:
        return f"+4915112{n:06d}"
    return f"customer-{n}"


def message(channel: Channel, n: int, **overrides: object) -> OutboundMessage:
    values: dict[str, object] = {
        "id": f"msg-{n:04d}",
        "channel": channel,
        "customer_id": f"customer-{n}",
        "to": address(channel, n),
        "subject": f"Spring news {n}",
        "text": f"Hello reader {n}, here is what is new.",
        "html": f"<p>Hello reader {n}, here is <b>what is new</b>.</p>",
        "marketing": True,
        "unsubscribe_url": f"https://crm.example.com/u/token-{n}",
        "metadata": {"campaign_id": "campaign-1"},
    }
    values.update(overrides)
    return OutboundMessage(**values)  # type: ignore[arg-type]


def other_channel(channel: Channel) -> Channel:
    return Channel.SMS if channel is not Channel.SMS else Channel.EMAIL


def check_every_message_gets_one_outcome_in_order(subject: ChannelUnderTest) -> None:
    batch = [message(subject.channel, n) for n in range(1, 6)]
    outcomes = subject.sender.send(batch)
    assert [o.message_id for o in outcomes] == [m.id for m in batch]
    assert all(o.status is SendStatus.ACCEPTED for o in outcomes), outcomes
    assert sorted(subject.received(), key=lambda r: r.message_id) == [
        Received(m.id, m.to, m.text) for m in batch
    ]


def check_an_empty_batch_sends_nothing(subject: ChannelUnderTest) -> None:
    assert subject.sender.send([]) == []
    assert subject.received() == []


def check_text_arrives_as_written(subject: ChannelUnderTest) -> None:
    text = 'Grüße, 你好 🎉 — "quoted" \\ {braces} 100% <tag> & more'
    sent = message(subject.channel, 1, text=text, subject="Ünïcode ✓")
    assert subject.sender.send([sent])[0].accepted
    assert subject.received() == [Received(sent.id, sent.to, text)]


def check_a_message_for_another_channel_is_rejected(subject: ChannelUnderTest) -> None:
    stray = message(other_channel(subject.channel), 1)
    kept = message(subject.channel, 2)
    stray_outcome, kept_outcome = subject.sender.send([stray, kept])
    assert stray_outcome.status is SendStatus.REJECTED
    assert stray_outcome.detail
    assert kept_outcome.accepted
    assert [r.message_id for r in subject.received()] == [kept.id]


def check_a_refused_address_is_rejected_and_the_rest_go(subject: ChannelUnderTest) -> None:
    assert subject.refuse is not None
    batch = [message(subject.channel, n) for n in range(1, 4)]
    subject.refuse(batch[1].to)
    outcomes = subject.sender.send(batch)
    assert [o.status for o in outcomes] == [
        SendStatus.ACCEPTED,
        SendStatus.REJECTED,
        SendStatus.ACCEPTED,
    ]
    assert outcomes[1].detail
    assert sorted(r.message_id for r in subject.received()) == [batch[0].id, batch[2].id]


def check_a_passing_failure_is_retried_later(subject: ChannelUnderTest) -> None:
    assert subject.fail_next is not None
    first = message(subject.channel, 1)
    subject.fail_next(1)
    (outcome,) = subject.sender.send([first])
    assert outcome.status is SendStatus.RETRY
    assert outcome.detail
    assert subject.received() == []
    (again,) = subject.sender.send([first])
    assert again.accepted
    assert [r.message_id for r in subject.received()] == [first.id]


def check_the_sender_works_across_calls_and_after_close(subject: ChannelUnderTest) -> None:
    first, second, third = (message(subject.channel, n) for n in range(1, 4))
    assert subject.sender.send([first])[0].accepted
    assert subject.sender.send([second])[0].accepted
    subject.sender.close()
    assert subject.sender.send([third])[0].accepted
    assert sorted(r.message_id for r in subject.received()) == [first.id, second.id, third.id]


def check_marketing_email_needs_an_unsubscribe_url(subject: ChannelUnderTest) -> None:
    """Email only: a marketing mail without one is never sent; a transactional one is."""
    marketing = message(Channel.EMAIL, 1, unsubscribe_url=None)
    transactional = message(Channel.EMAIL, 2, unsubscribe_url=None, marketing=False)
    refused, sent = subject.sender.send([marketing, transactional])
    assert refused.status is SendStatus.REJECTED
    assert "unsubscribe" in refused.detail
    assert sent.accepted
    assert [r.message_id for r in subject.received()] == [transactional.id]


def check_sms_outcomes_count_parts(subject: ChannelUnderTest) -> None:
    """SMS only: each outcome says how many parts the text went out as."""
    texts = ["short", "a" * 161, "€" * 100, "ж" * 135]
    batch = [message(Channel.SMS, n, text=text) for n, text in enumerate(texts, 1)]
    outcomes = subject.sender.send(batch)
    assert [o.parts for o in outcomes] == [1, 2, 2, 3]
    assert [o.parts for o in outcomes] == [sms_parts(text).parts for text in texts]
    assert all(o.accepted for o in outcomes)
