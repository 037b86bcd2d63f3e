"""The consent ports' contract: consents with their history, suppressions, opt-in claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen

from application.campaigns.ports import ConsentReader, ConsentUnitOfWorkFactory, SecretStore
from application.errors import StaleVersion
from domain.campaigns.channels import Channel
from domain.campaigns.consent import Consent, ConsentStatus, LawfulBasis, OptInRequest
from domain.campaigns.suppression import Suppression, SuppressionReason, address_key
from domain.customers import Customer, EmailAddress
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@frozen
class ConsentBackend:
    storage: StorageBackend
    uow: ConsentUnitOfWorkFactory
    reader: ConsentReader
    secrets: SecretStore


def _customer(customer_id: str) -> Customer:
    return Customer(
        id=customer_id,
        first_name="Ada",
        last_name="Lovelace",
        email=EmailAddress(f"{customer_id}@example.com"),
        phone=None,
        custom_fields={},
        owner_id="u-1",
        created_at=AT,
        updated_at=AT,
    )


def _change(
    backend: ConsentBackend,
    customer_id: str,
    channel: Channel,
    status: ConsentStatus,
    at: datetime = AT,
    **extra: object,
) -> Consent:
    with backend.uow() as uow:
        consent = uow.consents.get(customer_id, channel) or Consent(
            customer_id=customer_id, channel=channel
        )
        consent.change(status, source="api", at=at, actor_id="u-1", **extra)  # type: ignore[arg-type]
        uow.consents.save(consent)
        uow.commit()
    return consent


class ConsentContract:
    @pytest.fixture
    def consent(self) -> ConsentBackend:
        raise NotImplementedError

    def test_a_consent_comes_back_with_its_whole_history(self, consent: ConsentBackend) -> None:
        _change(
            consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_IN, lawful_basis=LawfulBasis.CONSENT
        )
        _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_OUT, AT + DAY, message_id="m-1")
        _change(consent, "c-1", Channel.SMS, ConsentStatus.OPTED_IN, AT + 2 * DAY)

        with consent.uow() as uow:
            email = uow.consents.get("c-1", Channel.EMAIL)
            assert uow.consents.get("c-2", Channel.EMAIL) is None
        assert email is not None
        assert [c.status for c in email.history] == [
            ConsentStatus.OPTED_IN,
            ConsentStatus.OPTED_OUT,
        ]
        assert email.history[0].lawful_basis is LawfulBasis.CONSENT
        assert email.history[1].message_id == "m-1"
        assert email.updated_at == AT + DAY
        (sms, by_email) = consent.reader.history("c-1")[::-1]
        assert [c.channel for c in consent.reader.history("c-1")] == [Channel.EMAIL, Channel.SMS]
        assert sms.status is ConsentStatus.OPTED_IN
        assert by_email.history == email.history
        assert consent.reader.history("c-2") == []

    def test_changes_go_out_as_events_on_commit(self, consent: ConsentBackend) -> None:
        seen: list[tuple[str, str]] = []
        consent.storage.bus.subscribe(
            "rapport.consent.changed.v1", lambda e: seen.append((e.event_type, e.aggregate_id))
        )
        _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_IN)
        assert seen == [("rapport.consent.changed.v1", "c-1")]
        assert ("rapport.consent.changed.v1", "c-1") in consent.storage.outbox()

    def test_statuses_are_read_in_one_batch_and_unknown_when_never_recorded(
        self, consent: ConsentBackend
    ) -> None:
        _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_IN)
        _change(consent, "c-2", Channel.EMAIL, ConsentStatus.OPTED_OUT)
        _change(consent, "c-3", Channel.SMS, ConsentStatus.OPTED_IN)
        assert consent.reader.statuses(["c-1", "c-2", "c-3", "c-4"], Channel.EMAIL) == {
            "c-1": ConsentStatus.OPTED_IN,
            "c-2": ConsentStatus.OPTED_OUT,
            "c-3": ConsentStatus.UNKNOWN,
            "c-4": ConsentStatus.UNKNOWN,
        }
        assert consent.reader.statuses([], Channel.EMAIL) == {}

    def test_a_consent_changed_meanwhile_is_stale(self, consent: ConsentBackend) -> None:
        if not consent.storage.concurrent_writers:
            pytest.skip("a second writer waits for the first here: no change can come between")
        _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_IN)
        with consent.uow() as uow:
            loaded = uow.consents.get("c-1", Channel.EMAIL)
            assert loaded is not None
            _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_OUT, AT + DAY)
            loaded.change(ConsentStatus.UNKNOWN, source="api", at=AT + DAY, actor_id="u-2")
            with pytest.raises(StaleVersion):
                uow.consents.save(loaded)
                uow.commit()
        with consent.uow() as uow:
            stored = uow.consents.get("c-1", Channel.EMAIL)
        assert stored is not None and stored.status is ConsentStatus.OPTED_OUT

    def test_a_rewoven_history_and_a_removal_are_stored(self, consent: ConsentBackend) -> None:
        _change(consent, "c-1", Channel.EMAIL, ConsentStatus.OPTED_IN, AT + DAY)
        _change(consent, "c-2", Channel.EMAIL, ConsentStatus.OPTED_OUT, AT)
        with consent.uow() as uow:
            survivor, loser = uow.consents.of_customers(["c-1", "c-2"])
            survivor.absorb([loser], at=AT + 2 * DAY, actor_id="u-1")
            uow.consents.save(survivor)
            uow.consents.remove("c-2", Channel.EMAIL)
            uow.commit()
        (stored,) = consent.reader.history("c-1")
        assert [c.status for c in stored.history] == [
            ConsentStatus.OPTED_OUT,
            ConsentStatus.OPTED_IN,
            ConsentStatus.OPTED_OUT,
        ]
        assert stored.history[-1].source == "merge"
        assert consent.reader.history("c-2") == []
        assert consent.reader.statuses(["c-1", "c-2"], Channel.EMAIL) == {
            "c-1": ConsentStatus.OPTED_OUT,
            "c-2": ConsentStatus.UNKNOWN,
        }

    def test_a_suppressed_address_is_found_in_any_spelling_on_its_channel_only(
        self, consent: ConsentBackend
    ) -> None:
        with consent.uow() as uow:
            first = Suppression.of(
                "Ann@Example.org", Channel.EMAIL, SuppressionReason.HARD_BOUNCE, AT
            )
            assert uow.suppressions.add(first)
            assert not uow.suppressions.add(
                Suppression.of("ann@example.org", Channel.EMAIL, SuppressionReason.COMPLAINT, AT)
            )
            uow.commit()
        found = consent.reader.suppressed(
            [" ann@EXAMPLE.org", "bob@example.org", "ann@example.org"], Channel.EMAIL
        )
        assert found == {" ann@EXAMPLE.org", "ann@example.org"}
        assert consent.reader.suppressed(["ann@example.org"], Channel.SMS) == set()
        with consent.uow() as uow:
            kept = uow.suppressions.get(
                address_key("ann@example.org", Channel.EMAIL), Channel.EMAIL
            )
        assert kept is not None and kept.reason is SuppressionReason.HARD_BOUNCE

    def test_an_address_is_claimed_once_a_day(self, consent: ConsentBackend) -> None:
        key = address_key("ann@example.org", Channel.EMAIL)

        def request(at: datetime, customer_id: str = "c-1") -> OptInRequest:
            return OptInRequest(
                address_key=key, customer_id=customer_id, channel=Channel.EMAIL, requested_at=at
            )

        def claim(wanted: OptInRequest) -> bool:
            with consent.uow() as uow:
                claimed = uow.opt_in_requests.claim(wanted, DAY)
                uow.commit()
            return claimed

        assert claim(request(AT))
        assert not claim(request(AT + timedelta(hours=23), "c-2"))
        assert claim(request(AT + DAY))
        with consent.uow() as uow:
            last = uow.opt_in_requests.last_for(key)
            assert last == request(AT + DAY)
            uow.opt_in_requests.release(request(AT + DAY))
            uow.commit()
        with consent.uow() as uow:
            assert uow.opt_in_requests.last_for(key) is None

    def test_a_secret_is_made_once(self, consent: ConsentBackend) -> None:
        first = consent.secrets.get_or_create("key", "one")
        assert consent.secrets.get_or_create("key", "two") == first == "one"
