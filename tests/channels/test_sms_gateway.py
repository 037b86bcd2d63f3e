"""SMS through the HTTP gateway adapter, against a gateway on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from adapters.channels import ChannelConfigurationError
from adapters.channels.sms_http import HttpSmsGateway
from domain.campaigns.channels import Channel, SendStatus
from tests.channels.servers import HttpReceiver, SmsGateway, http_receiver, sms_gateway
from tests.contracts.channels import message


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    with sms_gateway() as running:
        yield running


def _url(gateway: SmsGateway) -> str:
    assert gateway.receiver is not None
    return gateway.receiver.url


def _requests(gateway: SmsGateway) -> HttpReceiver:
    assert gateway.receiver is not None
    return gateway.receiver


def test_the_default_body_names_recipient_sender_text_and_reference(gateway: SmsGateway) -> None:
    sms = HttpSmsGateway(_url(gateway), sender_id="Rapport", authorization="Bearer s3cret")
    sent = message(Channel.SMS, 1, text="Your code is 1234")
    (outcome,) = sms.send([sent])
    sms.close()
    assert outcome.accepted
    assert outcome.provider_id == "gw-1"
    assert gateway.messages == [
        {"to": sent.to, "from": "Rapport", "text": "Your code is 1234", "reference": sent.id}
    ]
    ((headers, _),) = _requests(gateway).requests
    assert headers["authorization"] == "Bearer s3cret"
    assert headers["content-type"] == "application/json"


def test_a_body_template_shapes_the_request(gateway: SmsGateway) -> None:
    template = (
        '{"to": "{to}", "text": "{text}", "meta": {"parts": {parts}, "encoding": "{encoding}",'
        ' "customer": "{customer_id}", "ref": "{message_id}"}}'
    )
    sms = HttpSmsGateway(_url(gateway), body_template=template)
    sent = message(Channel.SMS, 1, text="ж" * 71)
    assert sms.send([sent])[0].parts == 2
    sms.close()
    assert gateway.messages[0]["meta"] == {
        "parts": 2,
        "encoding": "UCS-2",
        "customer": sent.customer_id,
        "ref": sent.id,
    }


def test_text_is_json_escaped_whatever_it_holds(gateway: SmsGateway) -> None:
    text = 'He said "hi" \\ then\nleft\t}{ "}, "to": "+10000000000'
    sms = HttpSmsGateway(_url(gateway))
    assert sms.send([message(Channel.SMS, 1, text=text)])[0].accepted
    sms.close()
    assert gateway.messages[0]["text"] == text
    assert gateway.messages[0]["to"] == message(Channel.SMS, 1).to


def test_messages_share_one_kept_alive_connection(gateway: SmsGateway) -> None:
    sms = HttpSmsGateway(_url(gateway))
    for batch in range(2):
        outcomes = sms.send([message(Channel.SMS, batch * 5 + n) for n in range(5)])
        assert all(o.accepted for o in outcomes)
    sms.close()
    assert len(gateway.messages) == 10
    assert len(_requests(gateway).clients) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, SendStatus.ACCEPTED),
        (202, SendStatus.ACCEPTED),
        (400, SendStatus.REJECTED),
        (401, SendStatus.REJECTED),
        (404, SendStatus.REJECTED),
        (422, SendStatus.REJECTED),
        (408, SendStatus.RETRY),
        (429, SendStatus.RETRY),
        (500, SendStatus.RETRY),
        (503, SendStatus.RETRY),
    ],
)
def test_the_gateways_status_decides_the_outcome(status: int, expected: SendStatus) -> None:
    with http_receiver(lambda _h, _b: (status, b'{"error": "nope"}')) as receiver:
        sms = HttpSmsGateway(receiver.url)
        (outcome,) = sms.send([message(Channel.SMS, 1)])
        sms.close()
    assert outcome.status is expected
    assert outcome.parts == 1
    if expected is not SendStatus.ACCEPTED:
        assert str(status) in outcome.detail
        assert "nope" in outcome.detail


def test_a_gateway_that_does_not_answer_is_retried() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        sms = HttpSmsGateway(f"http://127.0.0.1:{closed.getsockname()[1]}/send")
        outcomes = sms.send([message(Channel.SMS, 1), message(Channel.SMS, 2)])
    assert [o.status for o in outcomes] == [SendStatus.RETRY, SendStatus.RETRY]
    assert all("no answer" in o.detail for o in outcomes)


def test_an_answer_without_an_id_leaves_the_provider_id_empty() -> None:
    with http_receiver(lambda _h, _b: (200, b"OK")) as receiver:
        sms = HttpSmsGateway(receiver.url)
        (outcome,) = sms.send([message(Channel.SMS, 1)])
        sms.close()
    assert outcome.accepted
    assert outcome.provider_id == ""


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [({"to": "0151 1234567"}, "E.164"), ({"to": "+49"}, "E.164"), ({"text": ""}, "needs text")],
)
def test_what_no_gateway_could_send_is_rejected_unsent(
    gateway: SmsGateway, overrides: dict[str, str], complaint: str
) -> None:
    sms = HttpSmsGateway(_url(gateway))
    (outcome,) = sms.send([message(Channel.SMS, 1, **overrides)])
    sms.close()
    assert outcome.status is SendStatus.REJECTED
    assert complaint in outcome.detail
    assert _requests(gateway).requests == []


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"url": "ftp://gateway.example.com/send"}, "RAPPORT_SMS_GATEWAY_URL"),
        ({"url": "https://user:pw@gateway.example.com/"}, "RAPPORT_SMS_GATEWAY_URL"),
        ({"authorization": "Bearer x\r\nX-Evil: 1"}, "RAPPORT_SMS_GATEWAY_AUTH"),
        ({"body_template": '{"to": "{to}", "msg": "{body}"}'}, "{body}"),
        ({"body_template": '{"to": "{to}", "text": {text}}'}, "inside quotes"),
        ({"body_template": "to={to}&text={text}"}, "must be JSON"),
    ],
)
def test_bad_gateway_settings_are_configuration_errors(
    arguments: dict[str, str], complaint: str
) -> None:
    settings = {"url": "https://gateway.example.com/send"} | arguments
    with pytest.raises(ChannelConfigurationError) as error:
        HttpSmsGateway(settings.pop("url"), **settings)
    assert complaint in str(error.value)


def test_the_default_template_is_valid_json_for_any_value() -> None:
    from adapters.channels.sms_http import DEFAULT_BODY_TEMPLATE, BodyTemplate

    values = dict.fromkeys(("to", "from", "text", "message_id"), '"\\\n\x00')
    assert json.loads(BodyTemplate(DEFAULT_BODY_TEMPLATE).render(values))["text"] == '"\\\n\x00'
