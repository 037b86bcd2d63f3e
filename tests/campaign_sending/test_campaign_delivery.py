"""A campaign sent end to end on in-memory storage: launched by the worker's round, sent by
the outbox's dispatcher to an in-memory channel, counted in the campaign's stats."""

from __future__ import annotations

from dependency_injector import providers

from adapters.memory.channels import InMemoryChannel
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.messages.bundle import Messages
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import MessageStatus
from domain.campaigns.policy import SkipReason
from tests.campaign_sending.conftest import SYSTEM, CampaignApp


def _channels(app: CampaignApp) -> dict[Channel, InMemoryChannel]:
    channels = {channel: InMemoryChannel(channel) for channel in Channel}
    app.container.module("messages").senders.override(providers.Object(channels))
    return channels


def _send_all(app: CampaignApp) -> None:
    dispatch = app.container.use(Messages).dispatch
    while dispatch.run_once().claimed:
        pass


def test_a_campaign_goes_out_through_the_dispatcher_to_those_who_consented(
    app: CampaignApp,
) -> None:
    channels = _channels(app)
    template = (
        app.container.use(Templates)
        .create(
            SYSTEM,
            name="Spring",
            channel=Channel.EMAIL,
            subject="Spring is here, {{ customer.first_name }}",
            html='<p>See <a href="https://example.com/spring">the range</a>.</p>',
            text="See https://example.com/spring\n\nUnsubscribe: {{ unsubscribe_url }}",
        )
        .id
    )
    segment = app.segment()
    consenting = app.members(3)
    (silent,) = app.members(1)
    app.members(2, first="Out")
    consents = app.container.use(Consents)
    for customer in consenting:
        consents.set_consent(SYSTEM, customer, Channel.EMAIL, ConsentStatus.OPTED_IN, "form")
    campaign = app.campaign(segment_id=segment, template_id=template)
    app.campaigns.schedule(SYSTEM, campaign, None)
    app.run_due()
    _send_all(app)
    accepted = channels[Channel.EMAIL].accepted
    by_customer = {message.customer_id: message for message in accepted}
    assert sorted(by_customer) == sorted(consenting)
    mail = by_customer[consenting[0]]
    assert mail.subject == "Spring is here, In"
    assert mail.marketing and mail.unsubscribe_url
    assert "/t/c/" in mail.html and "https://example.com/spring" not in mail.html
    statuses = {m.customer_id: (m.status, m.skip_reason) for m in app.messages_of(campaign)}
    assert statuses[silent] == (MessageStatus.SKIPPED, SkipReason.NO_CONSENT)
    assert {statuses[c] for c in consenting} == {(MessageStatus.SENT, None)}
    stats = app.campaigns.stats(list(app.campaigns.read.get_many(SYSTEM, [campaign]).values()))[
        (campaign, None)
    ]
    assert (stats.queued, stats.sent, stats.opened) == (0, 3, 0)
    # A second round finds nothing more to send: each went out once.
    app.run_due()
    _send_all(app)
    assert len(channels[Channel.EMAIL].accepted) == 3
