"""The privacy ports' contract: finding a person's ids, exporting and erasing them."""

from __future__ import annotations

from datetime import UTC, datetime

from attrs import frozen

from application.privacy.ports import (
    PersonalDataReader,
    PrivacyUnitOfWorkFactory,
    StorageCompaction,
)
from domain.access.visibility import EVERYTHING
from domain.customers import Customer, EmailAddress, PhoneNumber
from domain.privacy import ERASED_CUSTOMER_ID, Erasure
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@frozen
class PrivacyBackend:
    storage: StorageBackend
    uow: PrivacyUnitOfWorkFactory
    reader: PersonalDataReader
    compaction: StorageCompaction


def _person(customer_id: str, email: str, merged_into: str | None = None) -> Customer:
    return Customer(
        id=customer_id,
        first_name="Zebedee",
        last_name="Quackenbush",
        email=EmailAddress(email),
        phone=PhoneNumber("+442079460321") if merged_into is None else None,
        custom_fields={},
        owner_id="u-1",
        created_at=AT,
        updated_at=AT,
        archived_at=AT if merged_into else None,
        merged_into=merged_into,
    )


def _add(backend: PrivacyBackend, *customers: Customer) -> None:
    with backend.storage.uow() as uow:
        for customer in customers:
            uow.customers.add(customer)
        uow.commit()


def _chain(backend: PrivacyBackend) -> None:
    """``c-1``, with ``c-2`` merged into it and ``c-3`` merged into ``c-2``; ``c-9`` apart."""
    _add(
        backend,
        _person("c-1", "zeb@example.com"),
        _person("c-2", "zeb.two@example.com", merged_into="c-1"),
        _person("c-3", "zeb.three@example.com", merged_into="c-2"),
        _person("c-9", "other@example.com"),
    )


def _erase(backend: PrivacyBackend, customer_id: str, *, commit: bool = True) -> None:
    with backend.uow() as uow:
        subjects = uow.personal_data.subjects(customer_id) or []
        erasure = Erasure.of(customer_id, subjects[1:], at=AT, by="u-1")
        mentions = uow.personal_data.contact_points(erasure.subject_ids)
        uow.personal_data.erase(erasure, [*erasure.subject_ids, *mentions])
        if commit:
            uow.commit()
    backend.compaction.after_erasure()


class PrivacyContract:
    def test_subjects_are_the_customer_and_everyone_merged_into_them(
        self, privacy: PrivacyBackend
    ) -> None:
        _chain(privacy)
        with privacy.uow() as uow:
            assert uow.personal_data.subjects("c-1") == ["c-1", "c-2", "c-3"]
            assert uow.personal_data.subjects("c-9") == ["c-9"]
            assert uow.personal_data.subjects("nobody") is None

    def test_contact_points_are_their_emails_and_phones(self, privacy: PrivacyBackend) -> None:
        _chain(privacy)
        with privacy.uow() as uow:
            assert uow.personal_data.contact_points(["c-1", "c-2"]) == [
                "+442079460321",
                "zeb.two@example.com",
                "zeb@example.com",
            ]

    def test_an_export_holds_the_records_of_every_subject(self, privacy: PrivacyBackend) -> None:
        _chain(privacy)
        records = privacy.reader.collect(["c-1", "c-2", "c-3"])
        assert sorted(row["email"] for row in records["customers"]) == [
            "zeb.three@example.com",
            "zeb.two@example.com",
            "zeb@example.com",
        ]
        assert records["orders"] == []

    def test_erasure_removes_every_subject_and_emits_one_event(
        self, privacy: PrivacyBackend
    ) -> None:
        _chain(privacy)
        _erase(privacy, "c-1")
        with privacy.uow() as uow:
            for customer_id in ("c-1", "c-2", "c-3"):
                assert uow.personal_data.subjects(customer_id) is None
            assert uow.personal_data.subjects("c-9") == ["c-9"]
        stand_in = privacy.storage.customers.get_many({ERASED_CUSTOMER_ID}, visible=EVERYTHING)[
            ERASED_CUSTOMER_ID
        ]
        assert stand_in.email is None
        assert stand_in.archived_at is not None
        assert privacy.reader.collect(["c-1"])["customers"] == []
        erased = [event for event in privacy.storage.outbox() if event[1] == "c-1"]
        assert erased == [("rapport.customer.erased.v1", "c-1")]

    def test_a_second_erasure_shares_the_stand_in(self, privacy: PrivacyBackend) -> None:
        _chain(privacy)
        _erase(privacy, "c-1")
        _erase(privacy, "c-9")
        with privacy.uow() as uow:
            assert uow.personal_data.subjects(ERASED_CUSTOMER_ID) == [ERASED_CUSTOMER_ID]

    def test_rolls_back_uncommitted_erasure_by_default(self, privacy: PrivacyBackend) -> None:
        _chain(privacy)
        _erase(privacy, "c-1", commit=False)
        with privacy.uow() as uow:
            assert uow.personal_data.subjects("c-1") == ["c-1", "c-2", "c-3"]
        assert all(event[0] != "rapport.customer.erased.v1" for event in privacy.storage.outbox())
