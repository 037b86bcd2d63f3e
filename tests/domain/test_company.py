from datetime import UTC, datetime, timedelta

import pytest

from domain.companies import (
    Address,
    Company,
    CompanyArchived,
    CompanyChanges,
    CompanyCreated,
    CompanySize,
    CompanyUpdated,
)
from domain.companies.host_name import parse_host_name
from domain.custom_fields import CustomFieldSchema
from domain.errors import DomainError, ErrorCode, RuleViolated

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
NO_FIELDS = CustomFieldSchema(())


def register(**overrides: object) -> Company:
    values: dict[str, object] = {
        "id": "co-1",
        "name": "Acme",
        "custom_fields": {},
        "schema": NO_FIELDS,
        "owner_id": "u-1",
        "at": T0,
        "by": "u-1",
    }
    values.update(overrides)
    return Company.register(**values)  # type: ignore[arg-type]


def test_registration_records_created_event() -> None:
    company = register(domain="https://Acme.COM/about", size=CompanySize.FROM_11_TO_50)
    assert (company.domain, company.version, company.size) == (
        "acme.com",
        1,
        CompanySize.FROM_11_TO_50,
    )
    [event] = company.events
    assert isinstance(event, CompanyCreated)
    assert event.event_type == "rapport.company.created.v1"
    assert (event.name, event.domain, event.actor_id) == ("Acme", "acme.com", "u-1")


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("example.com", "example.com"),
        ("  WWW.Example.com. ", "www.example.com"),
        ("http://shop.example.co.uk/path?q=1", "shop.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_normalised_to_host_names(raw: str, host: str) -> None:
    assert parse_host_name(raw) == host


@pytest.mark.parametrize(
    "raw", ["localhost", "ada@example.com", "example.com:8080", "-bad.example", "1.2.3.4", "a..b"]
)
def test_things_that_are_not_host_names_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        register(domain=raw)
    assert [(p.field, p.code) for p in caught.value.problems] == [("domain", ErrorCode.INVALID)]


def test_name_is_required_and_bounded_and_all_problems_come_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        register(name="  ", domain="nope", industry="x" * 101)
    assert {(p.field, p.code) for p in caught.value.problems} == {
        ("name", ErrorCode.REQUIRED),
        ("domain", ErrorCode.INVALID),
        ("industry", ErrorCode.TOO_LONG),
    }
    with pytest.raises(DomainError):
        register(name="x" * 201)


def test_address_keeps_parts_and_checks_the_country_code() -> None:
    address = Address.parse(street=" 10 Downing St ", city="London", postal_code="", country="gb")
    assert address == Address(street="10 Downing St", city="London", country="GB")
    with pytest.raises(DomainError) as caught:
        Address.parse(city="Atlantis", country="XX")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("address.country", ErrorCode.INVALID)
    ]
    assert register(address=Address()).address is None


def test_update_records_only_what_changed() -> None:
    company = register(industry="Retail")
    company.events.clear()
    later = T0 + timedelta(hours=1)
    company.update(
        CompanyChanges(
            name="Acme", industry=None, address=Address(city="Paris", country="FR"), size=None
        ),
        at=later,
        by="u-2",
    )
    [event] = company.events
    assert isinstance(event, CompanyUpdated)
    assert event.changes == {
        "industry": None,
        "address": {
            "street": None,
            "city": "Paris",
            "region": None,
            "postal_code": None,
            "country": "FR",
        },
    }
    assert (company.version, company.updated_at, event.version) == (2, later, 2)
    company.update(CompanyChanges(name="Acme"), at=later, by="u-2")
    assert company.version == 2


def test_a_refused_update_changes_nothing() -> None:
    company = register(domain="acme.com")
    with pytest.raises(DomainError):
        company.update(CompanyChanges(name="", domain="bad"), at=T0, by="u-1")
    assert (company.name, company.domain, company.version) == ("Acme", "acme.com", 1)


def test_archived_company_is_read_only() -> None:
    company = register()
    company.archive(at=T0, by="u-1")
    assert isinstance(company.events[-1], CompanyArchived)
    assert company.is_archived and company.version == 2
    with pytest.raises(RuleViolated) as caught:
        company.update(CompanyChanges(name="New"), at=T0, by="u-1")
    assert caught.value.problems[0].code is ErrorCode.ARCHIVED
    with pytest.raises(RuleViolated):
        company.archive(at=T0, by="u-1")
