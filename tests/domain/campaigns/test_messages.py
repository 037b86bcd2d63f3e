"""The outbox message: its state machine, retries, tracking and events."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.channels import Channel, SendOutcome, SendStatus
from domain.campaigns.messages import (
    CLAIM_LEASE,
    MAX_SEND_ATTEMPTS,
    Message,
    MessageBounced,
    MessageClicked,
    MessageDelivered,
    MessageOpened,
    MessageSent,
    MessageSource,
    MessageStatus,
    retry_delay,
)
from domain.campaigns.policy import DeferReason, SkipReason
from domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def queued(source: MessageSource | None = None, marketing: bool = True) -> Message:
    return Message.queue(
        id="m-1",
        customer_id="c-1",
        channel=Channel.EMAIL,
        to="ada@example.com",
        source=source or MessageSource.campaign("cmp-1", variant="B"),
        template_id="t-1",
        template_version=2,
        marketing=marketing,
        at=NOW,
    )


def outcome(status: SendStatus, detail: str = "") -> SendOutcome:
    return SendOutcome(message_id="m-1", status=status, provider_id="<m-1@rapport>", detail=detail)


def sent() -> Message:
    message = queued()
    message.claim(NOW)
    message.record(outcome(SendStatus.ACCEPTED), NOW + timedelta(seconds=1))
    return message


def test_dedupe_keys_are_one_per_campaign_and_customer_or_per_enrolment_step() -> None:
    assert queued().dedupe_key == "campaign:cmp-1:c-1"
    journey = MessageSource.journey(
        journey_id="j-1", version=3, step_id="welcome", enrolment_id="e-1"
    )
    assert journey.dedupe_key("c-1") == "journey:e-1:welcome"
    again = MessageSource.journey(
        journey_id="j-1", version=3, step_id="welcome", enrolment_id="e-1", visit=2
    )
    assert again.dedupe_key("c-1") == "journey:e-1:welcome:2"
    assert MessageSource.transactional("opt-in-7").dedupe_key("c-1") == "transactional:opt-in-7:c-1"


def test_a_source_without_its_ids_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        MessageSource.campaign("")
    assert raised.value.problems[0].field == "source.campaignId"
    with pytest.raises(DomainError):
        MessageSource.journey(journey_id="j", version=0, step_id="s", enrolment_id="e")
    with pytest.raises(DomainError):
        queued(MessageSource.transactional("r"), marketing=True)


def test_an_accepted_message_is_sent_with_an_event_naming_its_source_not_its_address() -> None:
    message = sent()
    assert message.status is MessageStatus.SENT
    assert message.attempts == 1
    assert message.provider_id == "<m-1@rapport>"
    assert message.sent_at == NOW + timedelta(seconds=1)
    [event] = message.events
    assert isinstance(event, MessageSent)
    assert (event.campaign_id, event.variant, event.customer_id) == ("cmp-1", "B", "c-1")
    assert "ada@example.com" not in repr(event)


def test_a_message_is_claimed_only_when_due() -> None:
    message = Message.queue(
        id="m-1",
        customer_id="c-1",
        channel=Channel.SMS,
        to="+4915112345678",
        source=MessageSource.campaign("cmp-1"),
        template_id="t-1",
        template_version=1,
        marketing=True,
        at=NOW,
        due_at=NOW + timedelta(hours=1),
    )
    with pytest.raises(DomainError):
        message.claim(NOW)
    message.claim(NOW + timedelta(hours=1))
    assert message.status is MessageStatus.SENDING


def test_a_message_claimed_by_a_worker_that_died_may_be_claimed_again_after_the_lease() -> None:
    message = queued()
    message.claim(NOW)
    assert not message.is_due(NOW + CLAIM_LEASE - timedelta(seconds=1))
    with pytest.raises(DomainError):
        message.claim(NOW + timedelta(minutes=1))
    message.claim(NOW + CLAIM_LEASE)
    assert message.claimed_at == NOW + CLAIM_LEASE


def test_retries_back_off_then_the_message_fails() -> None:
    message = queued()
    at = NOW
    delays = []
    for _ in range(MAX_SEND_ATTEMPTS - 1):
        message.claim(at)
        message.record(outcome(SendStatus.RETRY, "421 try later"), at)
        assert message.status is MessageStatus.QUEUED
        delays.append(message.due_at - at)
        at = message.due_at
    assert delays[:4] == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert max(delays) <= timedelta(hours=1)
    message.claim(at)
    message.record(outcome(SendStatus.RETRY, "421 try later"), at)
    assert message.status is MessageStatus.FAILED
    assert message.failure == "421 try later"
    assert message.events == []


def test_retry_delays_are_capped() -> None:
    assert retry_delay(1) == timedelta(minutes=1)
    assert retry_delay(7) == timedelta(hours=1)
    assert retry_delay(10_000) == timedelta(hours=1)


def test_a_refusal_is_a_hard_bounce() -> None:
    message = queued()
    message.claim(NOW)
    message.record(outcome(SendStatus.REJECTED, "550 no such user"), NOW)
    assert message.status is MessageStatus.BOUNCED
    assert message.hard_bounce
    [event] = message.events
    assert isinstance(event, MessageBounced) and event.hard


def test_an_outcome_for_another_message_is_refused() -> None:
    message = queued()
    message.claim(NOW)
    with pytest.raises(DomainError):
        message.record(SendOutcome(message_id="m-2", status=SendStatus.ACCEPTED), NOW)


def test_deferral_and_skip_from_the_worker() -> None:
    message = queued()
    message.claim(NOW)
    with pytest.raises(DomainError):
        message.defer(NOW, DeferReason.QUIET_HOURS, NOW)
    message.defer(NOW + timedelta(hours=9), DeferReason.QUIET_HOURS, NOW)
    assert (message.status, message.due_at) == (
        MessageStatus.DEFERRED,
        NOW + timedelta(hours=9),
    )
    assert message.attempts == 0
    message.claim(NOW + timedelta(hours=9))
    message.skip(SkipReason.NO_CONSENT, NOW + timedelta(hours=9))
    assert message.status is MessageStatus.SKIPPED
    assert message.skip_reason is SkipReason.NO_CONSENT
    with pytest.raises(DomainError) as raised:
        message.claim(NOW + timedelta(days=1))
    assert raised.value.problems[0].code is ErrorCode.TRANSITION_NOT_ALLOWED


def test_tracking_counts_every_open_and_click_and_keeps_the_first() -> None:
    message = sent()
    message.events.clear()
    assert message.delivered(NOW + timedelta(minutes=1))
    assert not message.delivered(NOW + timedelta(minutes=2))
    message.opened(NOW + timedelta(hours=1))
    message.opened(NOW + timedelta(hours=2))
    message.clicked(NOW + timedelta(hours=3))
    assert (message.open_count, message.click_count) == (2, 1)
    assert message.opened_at == NOW + timedelta(hours=1)
    assert message.clicked_at == NOW + timedelta(hours=3)
    assert [type(event) for event in message.events] == [
        MessageDelivered,
        MessageOpened,
        MessageOpened,
        MessageClicked,
    ]
    assert [getattr(event, "first", None) for event in message.events] == [None, True, False, True]


def test_a_click_without_a_recorded_open_counts_as_the_open_too() -> None:
    message = sent()
    message.clicked(NOW + timedelta(hours=1))
    assert message.opened_at == NOW + timedelta(hours=1)
    assert message.open_count == 1


def test_a_bounce_report_after_delivery_is_ignored_and_tracking_before_sending_refused() -> None:
    message = sent()
    message.delivered(NOW)
    assert not message.bounced(NOW, hard=False, detail="mailbox full")
    assert message.status is MessageStatus.DELIVERED
    with pytest.raises(DomainError):
        queued().opened(NOW)


def test_an_unsubscribe_is_kept_once() -> None:
    message = sent()
    assert message.unsubscribed(NOW + timedelta(hours=1))
    assert not message.unsubscribed(NOW + timedelta(hours=2))
    assert message.unsubscribed_at == NOW + timedelta(hours=1)


operations = st.lists(
    st.sampled_from(
        [
            "claim",
            "accept",
            "retry",
            "reject",
            "defer",
            "skip",
            "delivered",
            "bounced",
            "opened",
            "clicked",
        ]
    ),
    max_size=40,
)


def apply(message: Message, operation: str, at: datetime) -> None:
    actions = {
        "claim": lambda: message.claim(at),
        "accept": lambda: message.record(outcome(SendStatus.ACCEPTED), at),
        "retry": lambda: message.record(outcome(SendStatus.RETRY), at),
        "reject": lambda: message.record(outcome(SendStatus.REJECTED), at),
        "defer": lambda: message.defer(at + timedelta(minutes=5), DeferReason.FREQUENCY_CAP, at),
        "skip": lambda: message.skip(SkipReason.SUPPRESSED, at),
        "delivered": lambda: message.delivered(at),
        "bounced": lambda: message.bounced(at, hard=False),
        "opened": lambda: message.opened(at),
        "clicked": lambda: message.clicked(at),
    }
    actions[operation]()


@given(operations)
def test_no_path_sends_twice_and_a_terminal_state_stays(sequence: list[str]) -> None:
    message = queued()
    at = NOW
    terminal: MessageStatus | None = None
    reached_sent = 0
    for operation in sequence:
        at += timedelta(hours=2)  # past any retry delay, deferral or lease
        before = message.status
        with contextlib.suppress(DomainError):
            apply(message, operation, at)
        if message.status is MessageStatus.SENT and before is not MessageStatus.SENT:
            reached_sent += 1
        if terminal is not None:
            assert message.status is terminal
        elif message.status.is_terminal:
            terminal = message.status
    sends = [event for event in message.events if isinstance(event, MessageSent)]
    assert reached_sent <= 1
    assert len(sends) <= 1
    assert message.attempts <= MAX_SEND_ATTEMPTS
