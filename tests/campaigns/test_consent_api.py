"""Consent over the API and the public pages, on the app over SQLite, as a mail client and
a browser use them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapters.graphql.relay import local_id
from adapters.graphql.type_names import CUSTOMER
from application.campaigns.consent_bundle import Consents
from bootstrap import Settings, build_container
from domain.access.roles import Role
from domain.campaigns.channels import Channel
from tests.campaigns.conftest import with_recording_mail
from tests.campaigns.recording_sender import RecordingSender
from tests.graphql.conftest import Api, serving

SET_CONSENT = """
mutation ($input: SetConsentInput!) {
  setConsent(input: $input) {
    consent { channel status source lawfulBasis updatedAt history { status source } }
    userErrors { field code message }
  }
}"""
REQUEST_OPT_IN = """
mutation ($input: RequestOptInInput!) {
  requestOptIn(input: $input) { outcome userErrors { field code } }
}"""
CONSENTS = """
query ($id: ID!) { customer(id: $id) { ... on Customer { consents { channel status updatedAt } } } }
"""
CREATE = """
mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""


@pytest.fixture
def api(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Api]:
    with serving(migrated_sqlite_template, tmp_path) as served:
        yield served


@pytest.fixture
def mail(api: Api) -> RecordingSender:
    return with_recording_mail(api.container)


def _customer(api: Api, email: str = "ann@example.org") -> str:
    data = api.data(CREATE, input={"firstName": "Ann", "email": email})
    customer_id: str = data["createCustomer"]["customer"]["id"]
    return customer_id


def _statuses(api: Api, customer_id: str) -> dict[str, str]:
    consents = api.data(CONSENTS, id=customer_id)["customer"]["consents"]
    return {row["channel"]: row["status"] for row in consents}


def _path(url: str) -> str:
    return urlsplit(url).path


def test_set_consent_and_read_it_on_the_customer(api: Api) -> None:
    customer = _customer(api)
    assert _statuses(api, customer) == {"EMAIL": "UNKNOWN", "SMS": "UNKNOWN", "WEBHOOK": "UNKNOWN"}

    payload = api.data(
        SET_CONSENT,
        input={
            "customerId": customer,
            "channel": "EMAIL",
            "status": "OPTED_IN",
            "source": "signup_form",
            "lawfulBasis": "CONSENT",
        },
    )["setConsent"]

    assert payload["userErrors"] == []
    assert payload["consent"]["status"] == "OPTED_IN"
    assert payload["consent"]["lawfulBasis"] == "CONSENT"
    assert payload["consent"]["history"] == [{"status": "OPTED_IN", "source": "signup_form"}]
    assert _statuses(api, customer)["EMAIL"] == "OPTED_IN"


def test_bad_input_is_a_user_error_and_changes_nothing(api: Api) -> None:
    customer = _customer(api)
    too_long = api.data(
        SET_CONSENT,
        input={"customerId": customer, "channel": "SMS", "status": "OPTED_IN", "source": "x" * 65},
    )["setConsent"]
    assert too_long["consent"] is None
    assert too_long["userErrors"][0]["code"] == "TOO_LONG"
    missing = api.data(
        SET_CONSENT,
        input={"customerId": "Q3VzdG9tZXI6bm8tc3VjaA==", "channel": "SMS", "status": "OPTED_IN"},
    )["setConsent"]
    assert missing["userErrors"][0]["code"] in ("NOT_FOUND", "INVALID_ID")
    analyst = api.key(Role.ANALYST, "analyst@example.com")
    refused = api.data(
        SET_CONSENT,
        analyst,
        input={"customerId": customer, "channel": "SMS", "status": "OPTED_IN"},
    )["setConsent"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    assert _statuses(api, customer)["SMS"] == "UNKNOWN"


def test_double_opt_in_confirms_with_one_click(api: Api, mail: RecordingSender) -> None:
    customer = _customer(api)
    ask = {"input": {"customerId": customer, "channel": "EMAIL"}}
    assert api.data(REQUEST_OPT_IN, **ask)["requestOptIn"]["outcome"] == "SENT"
    assert api.data(REQUEST_OPT_IN, **ask)["requestOptIn"]["outcome"] == "RECENTLY_SENT"
    (sent,) = mail.sent
    link = next(word for word in sent.text.split() if "/consent/confirm/" in word)

    page = api.client.get(_path(link))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "confirmed" in page.text
    assert _statuses(api, customer)["EMAIL"] == "OPTED_IN"


def test_a_tampered_confirmation_is_refused(api: Api, mail: RecordingSender) -> None:
    customer = _customer(api)
    api.data(REQUEST_OPT_IN, input={"customerId": customer, "channel": "EMAIL"})
    link = next(word for word in mail.sent[0].text.split() if "/consent/confirm/" in word)
    page = api.client.get(_path(link)[:-3] + "xyz")
    assert page.status_code == 400
    assert _statuses(api, customer)["EMAIL"] == "UNKNOWN"


def _unsubscribe_path(api: Api, customer_global_id: str, message_id: str = "m-1") -> str:
    """The path of the link the sending pipeline puts in a marketing mail."""
    customer = local_id(customer_global_id, CUSTOMER, field="id")
    links = api.container.use(Consents).links
    return _path(links.unsubscribe_url(customer, Channel.EMAIL, message_id))


def test_one_click_unsubscribe_as_a_mail_client_posts_it(api: Api) -> None:
    customer = _customer(api)
    api.data(SET_CONSENT, input={"customerId": customer, "channel": "EMAIL", "status": "OPTED_IN"})
    path = _unsubscribe_path(api, customer)

    page = api.client.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.text and "List-Unsubscribe" in page.text
    # Opening the page (as a link scanner does) changes nothing.
    assert _statuses(api, customer)["EMAIL"] == "OPTED_IN"

    posted = api.client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert posted.status_code == 200
    assert _statuses(api, customer)["EMAIL"] == "OPTED_OUT"
    assert api.client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200


def test_a_tampered_unsubscribe_is_refused_and_changes_nothing(api: Api) -> None:
    customer = _customer(api)
    api.data(SET_CONSENT, input={"customerId": customer, "channel": "EMAIL", "status": "OPTED_IN"})
    path = _unsubscribe_path(api, customer)
    head, _, token = path.rpartition("/")
    forged = f"{head}/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}"

    assert api.client.get(forged).status_code == 400
    assert api.client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert _statuses(api, customer)["EMAIL"] == "OPTED_IN"


def test_links_survive_a_restart_with_the_key_made_on_first_start(
    tmp_path: Path, migrated_sqlite_template: Path
) -> None:
    database = tmp_path / "restart.db"
    shutil.copyfile(migrated_sqlite_template, database)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{database}"})
    first = build_container(settings)
    url = first.use(Consents).links.unsubscribe_url("c-1", Channel.EMAIL, "m-1")
    first.close()
    second = build_container(settings)
    try:
        assert second.use(Consents).links.unsubscribe_url("c-1", Channel.EMAIL, "m-1") == url
    finally:
        second.close()
