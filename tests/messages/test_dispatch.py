"""The dispatcher on in-memory storage, a fake clock and in-memory channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.clock import ManualClock
from application.messages.dispatch import TokenBucket
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import FIRST_RETRY_DELAY, MessageStatus
from domain.campaigns.policy import DeferReason, SkipReason
from domain.campaigns.suppression import SuppressionReason
from tests.messages.conftest import MessagesApp

DAY = timedelta(days=1)


def test_an_opted_in_customer_gets_the_rendered_tracked_mail(app: MessagesApp) -> None:
    customer = app.customer("ann@example.org")
    message_id = app.enqueue(customer, app.template(), campaign="camp-1")

    report = app.dispatch()

    assert (report.claimed, report.sent) == (1, 1)
    (mail,) = app.email.accepted
    assert (mail.id, mail.to, mail.subject) == (message_id, "ann@example.org", "Hello Ann")
    assert mail.unsubscribe_url is not None
    assert "/unsubscribe/" in mail.unsubscribe_url
    assert mail.html is not None
    assert "https://shop.example/sale" not in mail.html
    assert "/t/c/" in mail.html
    assert "/t/o/" in mail.html
    assert "/t/c/" in mail.text
    assert mail.metadata["campaign_id"] == "camp-1"
    stored = app.message(message_id)
    assert (stored.status, stored.sent_at, stored.subject) == (
        MessageStatus.SENT,
        app.clock.now(),
        "Hello Ann",
    )
    assert app.dispatch().claimed == 0


def test_no_consent_and_opt_out_are_skipped_and_never_sent(app: MessagesApp) -> None:
    template = app.template()
    unknown = app.enqueue(app.customer("u@example.org", consent=None), template)
    refused = app.enqueue(app.customer("o@example.org", consent=ConsentStatus.OPTED_OUT), template)
    sms_only = app.enqueue(app.customer("s@example.org", channel=Channel.SMS), template)

    report = app.dispatch()

    assert (report.claimed, report.skipped, report.sent) == (3, 3, 0)
    assert app.email.handed == []
    for message_id in (unknown, refused, sms_only):
        stored = app.message(message_id)
        assert (stored.status, stored.skip_reason) == (
            MessageStatus.SKIPPED,
            SkipReason.NO_CONSENT,
        )


def test_transactional_mail_needs_no_consent_but_no_suppression(app: MessagesApp) -> None:
    template = app.template()
    plain = app.enqueue(app.customer("t@example.org", consent=None), template, marketing=False)
    app.consents.suppress("b@example.org", Channel.EMAIL, SuppressionReason.COMPLAINT)
    blocked = app.enqueue(app.customer("b@example.org"), template)

    app.dispatch()

    assert [m.id for m in app.email.accepted] == [plain]
    assert app.email.accepted[0].unsubscribe_url is None
    assert app.message(blocked).skip_reason is SkipReason.SUPPRESSED


def test_a_cap_defers_one_customer_and_never_stalls_the_others(app: MessagesApp) -> None:
    template = app.template()
    busy = app.customer("busy@example.org")
    other = app.customer("other@example.org")
    first = [app.enqueue(busy, template) for _ in range(3)]
    app.dispatch()
    assert len(app.email.accepted) == 3

    app.clock.advance(DAY)
    held = app.enqueue(busy, template)
    free = app.enqueue(other, template)
    report = app.dispatch()

    assert (report.sent, report.deferred) == (1, 1)
    assert [m.id for m in app.email.accepted[3:]] == [free]
    stored = app.message(held)
    assert (stored.status, stored.defer_reason) == (
        MessageStatus.DEFERRED,
        DeferReason.FREQUENCY_CAP,
    )
    # The first of the three counted sends leaves the 7-day window then.
    assert stored.due_at == app.message(first[0]).sent_at + 7 * DAY  # type: ignore[operator]

    app.clock.advance(5 * DAY)
    assert app.dispatch().claimed == 0
    app.clock.set(stored.due_at)
    assert app.dispatch().sent == 1
    assert app.email.accepted[-1].id == held


def test_sends_of_one_batch_count_toward_the_cap(app: MessagesApp) -> None:
    template = app.template()
    busy = app.customer("busy@example.org")
    queued = [app.enqueue(busy, template) for _ in range(4)]

    report = app.dispatch()

    assert (report.sent, report.deferred) == (3, 1)
    assert app.message(queued[-1]).status is MessageStatus.DEFERRED


def test_quiet_hours_hold_back_in_the_customers_time_zone(app: MessagesApp) -> None:
    template = app.template()
    # 13:00 UTC is 22:00 in Tokyo: inside the quiet hours there, not in London.
    app.clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
    tokyo = app.enqueue(app.customer("tokyo@example.org", phone="+81 3-1234-5678"), template)
    london = app.enqueue(app.customer("london@example.org", phone="+44 20 7946 0000"), template)

    report = app.dispatch()

    assert (report.sent, report.deferred) == (1, 1)
    assert [m.id for m in app.email.accepted] == [london]
    held = app.message(tokyo)
    assert held.defer_reason is DeferReason.QUIET_HOURS
    # 08:00 the next morning in Tokyo.
    assert held.due_at == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    app.clock.set(held.due_at)
    app.dispatch()
    assert app.email.accepted[-1].id == tokyo


def test_a_passing_failure_is_retried_with_backoff_and_sent_once(app: MessagesApp) -> None:
    message_id = app.enqueue(app.customer(), app.template())
    app.email.fail_next(1)

    report = app.dispatch()

    assert (report.sent, report.retried) == (0, 1)
    stored = app.message(message_id)
    assert stored.status is MessageStatus.QUEUED
    assert stored.due_at == app.clock.now() + FIRST_RETRY_DELAY
    assert app.dispatch().claimed == 0
    app.clock.advance(FIRST_RETRY_DELAY)
    assert app.dispatch().sent == 1
    assert [m.id for m in app.email.accepted] == [message_id]
    assert app.message(message_id).attempts == 2


def test_a_refused_address_bounces_and_is_suppressed(app: MessagesApp) -> None:
    template = app.template()
    customer = app.customer("gone@example.org")
    app.email.refuse("gone@example.org")
    first = app.enqueue(customer, template)

    report = app.dispatch()

    assert report.bounced == 1
    stored = app.message(first)
    assert (stored.status, stored.hard_bounce) == (MessageStatus.BOUNCED, True)
    assert app.consents.is_suppressed("gone@example.org", Channel.EMAIL)
    later = app.enqueue(customer, template)
    app.dispatch()
    assert app.message(later).skip_reason is SkipReason.SUPPRESSED
    assert len(app.email.handed) == 1


def test_a_failing_channel_loses_nothing_and_sends_nothing_twice(app: MessagesApp) -> None:
    template = app.template()
    queued = [app.enqueue(app.customer(f"c{i}@example.org"), template) for i in range(6)]
    app.email.fail_next(3)

    app.dispatch()
    for _ in range(4):
        app.clock.advance(FIRST_RETRY_DELAY * 4)
        app.dispatch()

    assert sorted(m.id for m in app.email.accepted) == sorted(queued)
    assert all(app.message(m).status is MessageStatus.SENT for m in queued)


def test_the_throttle_waits_on_the_clock() -> None:
    clock = ManualClock(datetime(2026, 3, 2, tzinfo=UTC))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    bucket = TokenBucket(rate=4.0, clock=clock, sleep=sleep)
    started = clock.now()
    for _ in range(9):
        bucket.take()
    assert clock.now() - started == timedelta(seconds=2)
    assert waits == [0.25] * 8
