"""Messages to a webhook, verified by a receiver with the standardwebhooks library."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.channels import ChannelConfigurationError
from adapters.channels.webhook import WebhookChannel
from domain.campaigns.channels import Channel, SendStatus
from tests.channels.servers import WebhookReceiver, webhook_receiver
from tests.contracts.channels import message

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_plJ3nmyCDGBKInavdOK15jsl"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(SECRET) as running:
        yield running


def _url(receiver: WebhookReceiver) -> str:
    assert receiver.receiver is not None
    return receiver.receiver.url


def test_the_receiver_verifies_the_message_and_reads_it_whole(receiver: WebhookReceiver) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    channel = WebhookChannel(_url(receiver), SECRET, now=lambda: now)
    sent = message(Channel.WEBHOOK, 1, metadata={"journey_id": "j-1", "step_id": "s-2"})
    (outcome,) = channel.send([sent])
    channel.close()
    assert outcome.accepted
    assert outcome.provider_id == sent.id
    assert receiver.messages == [
        {
            "id": sent.id,
            "channel": "webhook",
            "customer_id": sent.customer_id,
            "to": sent.to,
            "subject": sent.subject,
            "text": sent.text,
            "html": sent.html,
            "marketing": True,
            "unsubscribe_url": sent.unsubscribe_url,
            "metadata": {"journey_id": "j-1", "step_id": "s-2"},
        }
    ]
    (headers,) = receiver.headers
    assert headers["webhook-id"] == sent.id
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["content-type"] == "application/json"


def test_a_retry_carries_the_same_webhook_id(receiver: WebhookReceiver) -> None:
    channel = WebhookChannel(_url(receiver), SECRET)
    sent = message(Channel.WEBHOOK, 1)
    receiver.steering.fail_next(1)
    assert channel.send([sent])[0].status is SendStatus.RETRY
    assert channel.send([sent])[0].accepted
    channel.close()
    assert receiver.receiver is not None
    ids = [headers["webhook-id"] for headers, _ in receiver.receiver.requests]
    assert ids == [sent.id, sent.id]


def test_a_message_signed_with_another_secret_is_refused(receiver: WebhookReceiver) -> None:
    channel = WebhookChannel(_url(receiver), OTHER_SECRET)
    (outcome,) = channel.send([message(Channel.WEBHOOK, 1)])
    channel.close()
    assert outcome.status is SendStatus.REJECTED
    assert "401" in outcome.detail
    assert receiver.unverified == 1
    assert receiver.messages == []


@pytest.mark.parametrize(
    ("url", "secret", "complaint"),
    [
        ("https://partner.example.com/in", "", "RAPPORT_MESSAGE_WEBHOOK_SECRET is required"),
        ("https://partner.example.com/in", "whsec_%%%", "cannot sign"),
        ("partner.example.com/in", SECRET, "RAPPORT_MESSAGE_WEBHOOK_URL"),
    ],
)
def test_bad_webhook_settings_are_configuration_errors(
    url: str, secret: str, complaint: str
) -> None:
    with pytest.raises(ChannelConfigurationError, match=complaint):
        WebhookChannel(url, secret)
