"""Opens, clicks, bounces and unsubscribes, through the app over SQLite as a mail client and
a browser reach it, and the messages on the customer in the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dependency_injector import providers

from adapters.graphql.relay import local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER, MESSAGE
from adapters.memory.channels import InMemoryChannel
from application.campaigns.consent_bundle import Consents
from application.messages.bundle import Messages
from application.messages.settings import DispatchSettings
from application.principal import Principal
from domain.campaigns.channels import Channel, OutboundMessage
from domain.campaigns.messages import Message, MessageSource
from tests.graphql.conftest import Api, serving

CREATE_CUSTOMER = """
mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""
SET_CONSENT = """
mutation ($input: SetConsentInput!) { setConsent(input: $input) { userErrors { code } } }
"""
CREATE_TEMPLATE = """
mutation ($input: CreateTemplateInput!) {
  createTemplate(input: $input) { template { id } userErrors { field code message } }
}"""
MESSAGES = """
query ($id: ID!) { customer(id: $id) { ... on Customer {
  messages(first: 10) { totalCount edges { node {
    id channel status subject sentAt openedAt clickedAt bouncedAt unsubscribedAt
    openCount clickCount campaignId templateId
  } } }
} } }"""
BOUNCE = """
mutation ($input: RecordMessageBounceInput!) {
  recordMessageBounce(input: $input) { message { id status bouncedAt } userErrors { field code } }
}"""


@pytest.fixture
def api(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Api]:
    with serving(migrated_sqlite_template, tmp_path) as served:
        module = served.container.module("messages")
        # Whatever the hour the test runs at: no quiet hours.
        module.settings.override(providers.Object(DispatchSettings(quiet_hours=None)))
        yield served


@pytest.fixture
def email(api: Api) -> InMemoryChannel:
    channel = InMemoryChannel(Channel.EMAIL)
    api.container.module("messages").senders.override(providers.Object({Channel.EMAIL: channel}))
    return channel


def _sent_mail(
    api: Api, email: InMemoryChannel, address: str = "ann@example.org"
) -> tuple[str, OutboundMessage]:
    customer = api.data(CREATE_CUSTOMER, input={"firstName": "Ann", "email": address})[
        "createCustomer"
    ]["customer"]["id"]
    assert (
        api.data(
            SET_CONSENT, input={"customerId": customer, "channel": "EMAIL", "status": "OPTED_IN"}
        )["setConsent"]["userErrors"]
        == []
    )
    template = api.data(
        CREATE_TEMPLATE,
        input={
            "name": f"Spring {address}",
            "channel": "EMAIL",
            "subject": "Spring for {{ customer.first_name }}",
            "html": '<p><a href="https://shop.example/spring?ref=mail">Shop</a></p>',
            "text": "Shop: https://shop.example/spring",
        },
    )["createTemplate"]["template"]["id"]
    customer_id = local_id(customer, CUSTOMER, field="id")
    message = Message.queue(
        id=f"msg-{customer_id}",
        customer_id=customer_id,
        channel=Channel.EMAIL,
        to=address,
        source=MessageSource.campaign("spring-sale"),
        template_id=local_id(template, "Template", field="id"),
        template_version=1,
        marketing=True,
        at=api.container.platform.clock().now(),
    )
    with api.container.module("messages").ports.unit_of_work() as uow:
        uow.messages.add(message)
        uow.commit()
    report = api.container.use(Messages).dispatch.run_once()
    assert report.sent == 1, report
    return customer, email.accepted[-1]


def _links(mail: OutboundMessage) -> tuple[str, str]:
    assert mail.html is not None
    click = re.search(r'href="([^"]+/t/c/[^"]+)"', mail.html)
    pixel = re.search(r'src="([^"]+/t/o/[^"]+\.gif)"', mail.html)
    assert click and pixel
    return urlsplit(pixel.group(1)).path, urlsplit(click.group(1)).path


def _node(api: Api, customer: str) -> dict[str, object]:
    connection = api.data(MESSAGES, id=customer)["customer"]["messages"]
    assert connection["totalCount"] == 1
    node: dict[str, object] = connection["edges"][0]["node"]
    return node


def test_the_pixel_records_opens_and_the_redirect_clicks(api: Api, email: InMemoryChannel) -> None:
    customer, mail = _sent_mail(api, email)
    pixel, click = _links(mail)

    node = _node(api, customer)
    assert (node["status"], node["subject"], node["openedAt"]) == (
        "SENT",
        "Spring for Ann",
        None,
    )
    assert node["campaignId"] == to_global_id("Campaign", "spring-sale")

    opened = api.client.get(pixel)
    assert opened.status_code == 200
    assert opened.headers["content-type"] == "image/gif"
    assert opened.content.startswith(b"GIF89a")
    api.client.get(pixel)

    followed = api.client.get(click, follow_redirects=False)
    assert followed.status_code == 302
    target = urlsplit(followed.headers["location"])
    assert (target.netloc, target.path) == ("shop.example", "/spring")
    query = parse_qs(target.query)
    assert query["ref"] == ["mail"]
    assert query["utm_source"] == ["rapport"]
    assert query["utm_medium"] == ["email"]
    assert query["utm_campaign"] == ["spring-sale"]

    node = _node(api, customer)
    assert (node["openCount"], node["clickCount"]) == (2, 1)
    assert node["openedAt"] is not None and node["clickedAt"] is not None

    events = api.data(
        "query ($id: ID!) { customer(id: $id) { ... on Customer { timeline(first: 20, kinds: "
        "[BEHAVIOUR_EVENT]) { edges { node { title } } } } } }",
        id=customer,
    )["customer"]["timeline"]["edges"]
    titles = " ".join(str(edge["node"]["title"]) for edge in events)
    assert "email_opened" in titles
    assert "email_clicked" in titles


def test_a_tampered_token_is_refused_and_records_nothing(api: Api, email: InMemoryChannel) -> None:
    customer, mail = _sent_mail(api, email)
    pixel, click = _links(mail)
    token = click.rsplit("/", 1)[1]
    tampered = click[: -len(token)] + token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]

    assert api.client.get(tampered, follow_redirects=False).status_code == 400
    assert api.client.get(pixel.replace(".gif", "x.gif")).status_code == 400
    # A click token is no open token, and the other way round.
    assert api.client.get(f"/t/o/{token}.gif").status_code == 400
    assert api.client.get("/t/c/" + pixel.rsplit("/", 1)[1].removesuffix(".gif")).status_code == 400

    node = _node(api, customer)
    assert (node["openCount"], node["clickCount"]) == (0, 0)


def test_a_bounce_report_suppresses_the_address(api: Api, email: InMemoryChannel) -> None:
    customer, mail = _sent_mail(api, email, "bouncy@example.org")
    message = to_global_id(MESSAGE, mail.id)

    bounced = api.data(BOUNCE, input={"messageId": message, "hard": True, "reason": "550"})
    assert bounced["recordMessageBounce"]["userErrors"] == []
    assert bounced["recordMessageBounce"]["message"]["status"] == "BOUNCED"
    assert api.container.use(Consents).is_suppressed("bouncy@example.org", Channel.EMAIL)
    missing = api.data(BOUNCE, input={"messageId": to_global_id(MESSAGE, "nope"), "hard": False})[
        "recordMessageBounce"
    ]
    assert missing["userErrors"] == [{"field": ["messageId"], "code": "NOT_FOUND"}]
    assert _node(api, customer)["bouncedAt"] is not None


def test_one_click_unsubscribe_from_the_mail_marks_the_message(
    api: Api, email: InMemoryChannel
) -> None:
    customer, mail = _sent_mail(api, email)
    assert mail.unsubscribe_url is not None

    posted = api.client.post(
        urlsplit(mail.unsubscribe_url).path,
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert posted.status_code == 200
    consents = api.container.use(Consents).read_consents(
        Principal.system(), local_id(customer, CUSTOMER, field="id")
    )
    assert {c.channel: c.status.value for c in consents}[Channel.EMAIL] == "opted_out"
    assert _node(api, customer)["unsubscribedAt"] is not None
