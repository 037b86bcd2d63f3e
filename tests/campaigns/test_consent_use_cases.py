"""Consent use cases on the in-memory composition: setting, double opt-in, unsubscribe,
suppression, merges, and what an export and an erasure do with consent."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from application.campaigns.consent import ExpiredLink, OptInOutcome
from application.campaigns.links import TamperedLink
from application.customers.commands import CustomerPatch
from application.errors import NotFound
from application.principal import Principal
from application.privacy.bundle import Privacy
from domain.access.roles import Resource, Role
from domain.access.visibility import Reach, Visibility
from domain.campaigns.channels import Channel, SendStatus
from domain.campaigns.consent import ConsentStatus, LawfulBasis
from domain.campaigns.suppression import SuppressionReason
from domain.errors import DomainError, ErrorCode
from tests.campaigns.conftest import SYSTEM, ConsentApp


def _token(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


def _confirmation_token(app: ConsentApp) -> str:
    text = app.mail.sent[-1].text
    url = next(word for word in text.split() if "/consent/confirm/" in word)
    return _token(url)


def test_set_consent_keeps_every_change_and_tells_partners(consent_app: ConsentApp) -> None:
    customer = consent_app.customer()
    consents = consent_app.consents
    consents.set_consent(
        SYSTEM, customer, Channel.EMAIL, ConsentStatus.OPTED_IN, "signup_form", LawfulBasis.CONSENT
    )
    consent_app.clock.advance(timedelta(hours=1))
    held = consents.set_consent(SYSTEM, customer, Channel.EMAIL, ConsentStatus.OPTED_OUT)

    assert held.status is ConsentStatus.OPTED_OUT
    assert [(c.status, c.source) for c in held.history] == [
        (ConsentStatus.OPTED_IN, "signup_form"),
        (ConsentStatus.OPTED_OUT, "api"),
    ]
    consents = consents.read_consents(SYSTEM, customer)
    assert [(c.channel, c.status) for c in consents] == [
        (Channel.EMAIL, ConsentStatus.OPTED_OUT),
        (Channel.SMS, ConsentStatus.UNKNOWN),
        (Channel.WEBHOOK, ConsentStatus.UNKNOWN),
    ]
    outbox = consent_app.backend.outbox()
    assert outbox.count(("rapport.consent.changed.v1", customer)) == 2


def test_set_consent_refuses_unknown_invisible_archived_and_unpermitted(
    consent_app: ConsentApp,
) -> None:
    consents, customers = consent_app.consents, consent_app.customers
    with pytest.raises(NotFound):
        consents.set_consent(SYSTEM, "no-such", Channel.EMAIL, ConsentStatus.OPTED_IN)

    rep = Principal(
        actor_id="rep-1",
        role=Role.SALES_REP,
        name="Rep",
        reach=Reach({Resource.CUSTOMERS: Visibility.owned_by({"rep-1"})}),
    )
    someone_elses = consent_app.customer(email="other@example.org")
    with pytest.raises(DomainError) as hidden:
        consents.set_consent(rep, someone_elses, Channel.EMAIL, ConsentStatus.OPTED_IN)
    assert hidden.value.problems[0].code is ErrorCode.NOT_FOUND

    archived = consent_app.customer(email="gone@example.org")
    customers.archive(SYSTEM, archived)
    with pytest.raises(DomainError) as refused:
        consents.set_consent(SYSTEM, archived, Channel.EMAIL, ConsentStatus.OPTED_IN)
    assert refused.value.problems[0].code is ErrorCode.ARCHIVED

    analyst = Principal(actor_id="n-1", role=Role.ANALYST, name="Analyst")
    with pytest.raises(DomainError) as forbidden:
        consents.set_consent(analyst, someone_elses, Channel.EMAIL, ConsentStatus.OPTED_IN)
    assert forbidden.value.problems[0].code is ErrorCode.FORBIDDEN
    assert consents.read_consents(SYSTEM, someone_elses)[0].history == []


def test_double_opt_in_sends_one_transactional_mail_and_one_click_confirms(
    consent_app: ConsentApp,
) -> None:
    customer = consent_app.customer()
    consents = consent_app.consents

    assert consents.request_opt_in(SYSTEM, customer) is OptInOutcome.SENT

    (mail,) = consent_app.mail.sent
    assert (mail.to, mail.marketing, mail.channel) == ("ann@example.org", False, Channel.EMAIL)
    assert "http://127.0.0.1:8000/consent/confirm/" in mail.text
    pending = consents.read_consents(SYSTEM, customer)[0]
    assert pending.status is ConsentStatus.UNKNOWN
    assert pending.pending_opt_in_since == consent_app.clock.now()

    consent_app.clock.advance(timedelta(hours=2))
    confirmed = consents.confirm_opt_in(_confirmation_token(consent_app))
    assert confirmed.status is ConsentStatus.OPTED_IN
    assert confirmed.source == "double_opt_in"
    assert confirmed.pending_opt_in_since is None
    # A second click changes nothing.
    assert len(consents.confirm_opt_in(_confirmation_token(consent_app)).history) == 1
    assert consents.request_opt_in(SYSTEM, customer) is OptInOutcome.ALREADY_OPTED_IN


def test_at_most_one_confirmation_mail_per_address_a_day(consent_app: ConsentApp) -> None:
    first = consent_app.customer()
    consents = consent_app.consents

    assert consents.request_opt_in(SYSTEM, first) is OptInOutcome.SENT
    consent_app.clock.advance(timedelta(hours=23, minutes=59))
    assert consents.request_opt_in(SYSTEM, first) is OptInOutcome.RECENTLY_SENT
    # The limit is the address's, whoever has it now and however it is spelled.
    consent_app.customers.update(
        SYSTEM, CustomerPatch(customer_id=first, email="ann.new@example.org")
    )
    second = consent_app.customer(email="ANN@Example.org")
    assert consents.request_opt_in(SYSTEM, second) is OptInOutcome.RECENTLY_SENT
    assert len(consent_app.mail.sent) == 1

    consent_app.clock.advance(timedelta(minutes=1))
    assert consents.request_opt_in(SYSTEM, second) is OptInOutcome.SENT
    assert [mail.to for mail in consent_app.mail.sent] == ["ann@example.org", "ann@example.org"]


def test_a_mail_the_channel_refused_may_be_asked_for_again(consent_app: ConsentApp) -> None:
    customer = consent_app.customer()
    consent_app.mail.answer = SendStatus.RETRY
    assert consent_app.consents.request_opt_in(SYSTEM, customer) is OptInOutcome.NOT_SENT
    consent_app.mail.answer = SendStatus.ACCEPTED
    assert consent_app.consents.request_opt_in(SYSTEM, customer) is OptInOutcome.SENT


def test_opt_in_needs_an_email_address_and_the_email_channel(consent_app: ConsentApp) -> None:
    consents = consent_app.consents
    without = consent_app.customer(email=None, phone="+442079460958")
    with pytest.raises(DomainError) as no_address:
        consents.request_opt_in(SYSTEM, without)
    assert no_address.value.problems[0].code is ErrorCode.REQUIRED
    with pytest.raises(DomainError) as by_sms:
        consents.request_opt_in(SYSTEM, consent_app.customer(), Channel.SMS)
    assert by_sms.value.problems[0].field == "channel"
    assert consent_app.mail.sent == []


def test_a_tampered_or_old_confirmation_is_refused(consent_app: ConsentApp) -> None:
    customer = consent_app.customer()
    consents = consent_app.consents
    consents.request_opt_in(SYSTEM, customer)
    token = _confirmation_token(consent_app)
    with pytest.raises(TamperedLink):
        consents.confirm_opt_in(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    # An unsubscribe token is no confirmation.
    with pytest.raises(TamperedLink):
        consents.confirm_opt_in(_token(consents.links.unsubscribe_url(customer, Channel.EMAIL)))
    consent_app.clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(ExpiredLink):
        consents.confirm_opt_in(token)
    assert consents.read_consents(SYSTEM, customer)[0].status is ConsentStatus.UNKNOWN


def test_unsubscribe_opts_out_once_and_keeps_the_message(consent_app: ConsentApp) -> None:
    customer = consent_app.customer()
    consents = consent_app.consents
    consents.set_consent(SYSTEM, customer, Channel.EMAIL, ConsentStatus.OPTED_IN)
    url = consents.links.unsubscribe_url(customer, Channel.EMAIL, "m-42")
    assert url.startswith("http://127.0.0.1:8000/unsubscribe/")

    opted_out = consents.unsubscribe(_token(url))
    again = consents.unsubscribe(_token(url))

    assert opted_out.status is ConsentStatus.OPTED_OUT
    assert (opted_out.source, opted_out.history[-1].message_id) == ("unsubscribe_link", "m-42")
    assert len(again.history) == 2
    statuses = consents.consent_reader.statuses([customer], Channel.EMAIL)
    assert statuses == {customer: ConsentStatus.OPTED_OUT}
    assert consents.consent_reader.statuses([customer], Channel.SMS) == {
        customer: ConsentStatus.UNKNOWN
    }


def test_bounces_and_complaints_suppress_an_address(consent_app: ConsentApp) -> None:
    consents = consent_app.consents
    assert consents.suppress("Ann@Example.org", Channel.EMAIL, SuppressionReason.HARD_BOUNCE)
    assert not consents.suppress("ann@example.org", Channel.EMAIL, SuppressionReason.COMPLAINT)
    assert consents.is_suppressed(" ANN@example.org", Channel.EMAIL)
    assert not consents.is_suppressed("bob@example.org", Channel.EMAIL)
    assert consents.consent_reader.suppressed(
        ["ann@example.org", "bob@example.org"], Channel.EMAIL
    ) == {"ann@example.org"}
    with pytest.raises(DomainError):
        consents.suppress("  ", Channel.EMAIL, SuppressionReason.MANUAL)


def test_a_merge_combines_consent_and_an_opt_out_wins(consent_app: ConsentApp) -> None:
    consents = consent_app.consents
    survivor = consent_app.customer()
    duplicate = consent_app.customer(email="ann.two@example.org")
    consents.set_consent(SYSTEM, survivor, Channel.EMAIL, ConsentStatus.OPTED_IN)
    consents.set_consent(SYSTEM, survivor, Channel.SMS, ConsentStatus.OPTED_IN)
    consent_app.clock.advance(timedelta(minutes=1))
    consents.set_consent(SYSTEM, duplicate, Channel.EMAIL, ConsentStatus.OPTED_OUT)
    consents.set_consent(SYSTEM, duplicate, Channel.WEBHOOK, ConsentStatus.OPTED_IN)
    consent_app.clock.advance(timedelta(minutes=1))

    consent_app.customers.merge(SYSTEM, survivor, [duplicate])

    email, sms, webhook = consents.read_consents(SYSTEM, survivor)
    assert email.status is ConsentStatus.OPTED_OUT
    assert [c.source for c in email.history] == ["api", "api", "merge"]
    assert sms.status is ConsentStatus.OPTED_IN and len(sms.history) == 1
    assert webhook.status is ConsentStatus.OPTED_IN
    assert consents.consent_reader.history(duplicate) == []
    # An unsubscribe link in a mail the duplicate got acts on the survivor.
    consents.unsubscribe(_token(consents.links.unsubscribe_url(duplicate, Channel.SMS)))
    assert consents.read_consents(SYSTEM, survivor)[1].status is ConsentStatus.OPTED_OUT


def test_consent_is_exported_and_erased_but_a_suppression_stays(consent_app: ConsentApp) -> None:
    consents = consent_app.consents
    customer = consent_app.customer()
    assert consents.request_opt_in(SYSTEM, customer) is OptInOutcome.SENT
    consents.set_consent(SYSTEM, customer, Channel.EMAIL, ConsentStatus.OPTED_IN)
    consents.suppress("ann@example.org", Channel.EMAIL, SuppressionReason.COMPLAINT)
    privacy = consent_app.container.use(Privacy)

    exported = privacy.export(SYSTEM, customer).data
    assert [c["status"] for c in exported["consents"]] == ["opted_in"]
    assert exported["consents"][0]["source"] == "api"
    assert [r["customer_id"] for r in exported["opt_in_requests"]] == [customer]

    privacy.erase(SYSTEM, customer)

    assert consents.consent_reader.history(customer) == []
    assert consent_app.container.storage.store().opt_in_requests == {}
    assert consents.is_suppressed("ann@example.org", Channel.EMAIL)
