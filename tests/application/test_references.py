"""The reference checks that every use case linking records shares, on the memory backend."""

from __future__ import annotations

import pytest

from application.companies.commands import NewCompany
from application.customers.commands import NewCustomer
from application.customers.lookup import CustomerStatus
from application.errors import NotFound
from application.principal import Principal
from application.references import (
    company_refusal,
    customer_refusal,
    load_live_customer,
    require_active_company,
    require_live_customer,
    require_user,
    user_refusal,
)
from domain.access.roles import Role
from domain.errors import DomainError, ErrorCode, Problem, RuleViolated
from tests.application.conftest import App


def _problem(error: DomainError) -> Problem:
    (problem,) = error.problems
    return problem


def _company(app: App, agent: Principal, *, archived: bool = False) -> str:
    company = app.companies.create(agent, NewCompany(name="Acme"))
    if archived:
        app.companies.archive(Principal.system(), company.id)
    return company.id


def _customer(app: App, agent: Principal, *, archived: bool = False) -> str:
    customer = app.customers.create(agent, NewCustomer(first_name="Ada", last_name="Lovelace"))
    if archived:
        app.customers.archive(Principal.system(), customer.id)
    return customer.id


def test_a_stored_user_passes(app: App, agent: Principal) -> None:
    with app.backend.uow() as uow:
        require_user(uow, agent.actor_id)
        assert user_refusal(uow, agent.actor_id) is None


def test_an_unknown_user_is_not_found_on_the_field_named(app: App) -> None:
    with app.backend.uow() as uow, pytest.raises(NotFound) as raised:
        require_user(uow, "nobody", field="assigneeId")
    assert _problem(raised.value) == Problem(
        "assigneeId", ErrorCode.NOT_FOUND, "no user has this id"
    )


def test_the_field_defaults_to_the_owner(app: App) -> None:
    with app.backend.uow() as uow:
        refusal = user_refusal(uow, "nobody")
    assert refusal is not None
    assert _problem(refusal) == Problem("ownerId", ErrorCode.NOT_FOUND, "no user has this id")


def test_the_actor_counts_as_a_user_even_when_not_stored(app: App) -> None:
    service = Principal(actor_id="service-1", role=Role.ADMIN, name="Importer")
    with app.backend.uow() as uow:
        require_user(uow, "service-1", actor=service)
        with pytest.raises(NotFound):
            require_user(uow, "service-1")


def test_an_active_company_passes_and_none_names_no_company(app: App, agent: Principal) -> None:
    company_id = _company(app, agent)
    with app.backend.uow() as uow:
        require_active_company(uow, company_id)
        require_active_company(uow, None)


def test_an_unknown_company_is_not_found(app: App) -> None:
    with app.backend.uow() as uow, pytest.raises(NotFound) as raised:
        require_active_company(uow, "no-such-company")
    assert _problem(raised.value) == Problem(
        "companyId", ErrorCode.NOT_FOUND, "no company has this id"
    )


def test_an_archived_company_is_refused_as_archived(app: App, agent: Principal) -> None:
    company_id = _company(app, agent, archived=True)
    with app.backend.uow() as uow, pytest.raises(RuleViolated) as raised:
        require_active_company(uow, company_id, field="company")
    assert _problem(raised.value) == Problem(
        "company", ErrorCode.ARCHIVED, "the company is archived"
    )


def test_a_company_refusal_follows_its_archived_flag() -> None:
    assert company_refusal(False) is None
    assert isinstance(company_refusal(None), NotFound)
    assert isinstance(company_refusal(True), RuleViolated)


def test_a_live_customer_passes_and_is_loaded(app: App, agent: Principal) -> None:
    customer_id = _customer(app, agent)
    with app.backend.uow() as uow:
        require_live_customer(uow, customer_id)
        assert load_live_customer(uow, customer_id).id == customer_id


@pytest.mark.parametrize("archived", [False, True], ids=["unknown", "archived"])
def test_a_missing_or_archived_customer_reads_as_no_active_customer(
    app: App, agent: Principal, archived: bool
) -> None:
    customer_id = _customer(app, agent, archived=True) if archived else "no-such-customer"
    expected = Problem("customerId", ErrorCode.NOT_FOUND, "no active customer has this id")
    with app.backend.uow() as uow:
        with pytest.raises(NotFound) as required:
            require_live_customer(uow, customer_id)
        with pytest.raises(NotFound) as loaded:
            load_live_customer(uow, customer_id)
    assert _problem(required.value) == expected
    assert _problem(loaded.value) == expected


def test_loading_names_the_field_and_message_asked_for(app: App, agent: Principal) -> None:
    customer_id = _customer(app, agent, archived=True)
    with app.backend.uow() as uow, pytest.raises(NotFound) as raised:
        load_live_customer(uow, customer_id, field="leadId", message="the customer is gone")
    assert _problem(raised.value) == Problem("leadId", ErrorCode.NOT_FOUND, "the customer is gone")


def test_a_reason_for_archived_customers_tells_them_from_missing_ones(
    app: App, agent: Principal
) -> None:
    customer_id = _customer(app, agent, archived=True)
    reason = "an archived customer takes no new notes"
    with app.backend.uow() as uow:
        with pytest.raises(RuleViolated) as archived:
            require_live_customer(uow, customer_id, when_archived=reason)
        with pytest.raises(NotFound) as missing:
            require_live_customer(uow, "no-such-customer", when_archived=reason)
    assert _problem(archived.value) == Problem("customerId", ErrorCode.ARCHIVED, reason)
    assert _problem(missing.value) == Problem(
        "customerId", ErrorCode.NOT_FOUND, "no customer has this id"
    )


def test_a_customer_refusal_follows_its_status() -> None:
    assert customer_refusal(CustomerStatus.ACTIVE) is None
    refusal = customer_refusal(CustomerStatus.ARCHIVED, field="customerIds.3")
    assert refusal is not None
    assert _problem(refusal) == Problem(
        "customerIds.3", ErrorCode.NOT_FOUND, "no active customer has this id"
    )
