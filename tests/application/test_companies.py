from datetime import timedelta

import pytest

from application.companies.commands import CompanyPatch, NewCompany
from application.companies.views import CompanyFilter, CompanyOrder, CompanyOrderField
from application.custom_fields.criteria import FieldSort
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import CustomerFilter, CustomerOrder
from application.errors import Forbidden, NotFound, StaleVersion
from application.pagination import PageRequest
from application.principal import Principal
from domain.access.roles import Role
from domain.companies import Address, CompanySize
from domain.custom_fields import FieldType, ObjectType
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App


@pytest.fixture
def manager(agent: Principal) -> Principal:
    return Principal(actor_id=agent.actor_id, role=Role.SALES_MANAGER, name="M")


def test_create_normalises_and_defaults_owner_to_actor(app: App, agent: Principal) -> None:
    view = app.companies.create(
        agent,
        NewCompany(
            name=" Acme ",
            domain="HTTPS://www.Acme.com/",
            size=CompanySize.FROM_51_TO_200,
            address=Address.parse(city="Leeds", country="gb"),
        ),
    )
    assert (view.name, view.domain, view.owner_id) == ("Acme", "www.acme.com", agent.actor_id)
    assert view.address == Address(city="Leeds", country="GB")
    assert app.companies.get(agent, [view.id])[view.id] == view
    assert app.backend.outbox() == [("rapport.company.created.v1", view.id)]


def test_bad_company_input_is_refused_and_nothing_is_stored(app: App, agent: Principal) -> None:
    with pytest.raises(DomainError) as caught:
        app.companies.create(agent, NewCompany(name="", domain="not a domain"))
    assert {(p.field, p.code) for p in caught.value.problems} == {
        ("name", ErrorCode.REQUIRED),
        ("domain", ErrorCode.INVALID),
    }
    with pytest.raises(NotFound):
        app.companies.create(agent, NewCompany(name="Acme", owner_id="ghost"))
    assert app.companies.list.count(agent, CompanyFilter(include_archived=True)) == 0


def test_update_with_a_stale_version_is_a_conflict(app: App, agent: Principal) -> None:
    created = app.companies.create(agent, NewCompany(name="Acme"))
    app.clock.advance(timedelta(minutes=1))
    updated = app.companies.update(
        agent, CompanyPatch(company_id=created.id, expected_version=1, industry="Retail")
    )
    assert (updated.industry, updated.version) == ("Retail", 2)
    assert updated.updated_at == created.updated_at + timedelta(minutes=1)
    with pytest.raises(StaleVersion):
        app.companies.update(
            agent, CompanyPatch(company_id=created.id, expected_version=1, name="X")
        )
    assert app.companies.get(agent, [created.id])[created.id].name == "Acme"


def test_permissions_follow_roles(
    app: App, agent: Principal, viewer: Principal, manager: Principal
) -> None:
    created = app.companies.create(agent, NewCompany(name="Acme"))
    with pytest.raises(Forbidden):
        app.companies.create(viewer, NewCompany(name="Beta"))
    with pytest.raises(Forbidden):
        app.companies.archive(agent, created.id)
    assert list(app.companies.get(viewer, [created.id])) == [created.id]
    archived = app.companies.archive(manager, created.id, expected_version=1)
    assert archived.archived_at is not None
    assert app.companies.list.count(viewer, CompanyFilter()) == 0


def test_customers_join_existing_active_companies_only(
    app: App, agent: Principal, manager: Principal
) -> None:
    acme = app.companies.create(agent, NewCompany(name="Acme"))
    ada = app.customers.create(agent, NewCustomer(first_name="Ada", company_id=acme.id))
    assert ada.company_id == acme.id
    with pytest.raises(NotFound) as caught:
        app.customers.create(agent, NewCustomer(first_name="Eve", company_id="ghost"))
    assert caught.value.problems[0].field == "companyId"
    gone = app.companies.create(agent, NewCompany(name="Gone"))
    app.companies.archive(manager, gone.id)
    with pytest.raises(DomainError) as refused:
        app.customers.update(agent, CustomerPatch(customer_id=ada.id, company_id=gone.id))
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("companyId", ErrorCode.ARCHIVED)
    ]
    left = app.customers.update(agent, CustomerPatch(customer_id=ada.id, company_id=None))
    assert (left.company_id, left.version) == (None, 2)
    people = app.customers.list(
        agent, CustomerFilter(company_ids=frozenset({acme.id})), CustomerOrder(), PageRequest()
    )
    assert people.edges == ()


def test_bulk_rows_are_refused_for_unknown_or_archived_companies(
    app: App, agent: Principal, manager: Principal
) -> None:
    acme = app.companies.create(agent, NewCompany(name="Acme"))
    gone = app.companies.create(agent, NewCompany(name="Gone"))
    app.companies.archive(manager, gone.id)
    result = app.customers.create_in_bulk(
        agent,
        [
            NewCustomer(first_name="A", company_id=acme.id),
            NewCustomer(first_name="B", company_id="ghost"),
            NewCustomer(first_name="C", company_id=gone.id),
        ],
    )
    assert result.created == 1
    assert [(r.row, r.problem.field, r.problem.code) for r in result.problems] == [
        (1, "companyId", ErrorCode.NOT_FOUND),
        (2, "companyId", ErrorCode.ARCHIVED),
    ]


def test_companies_list_by_name_and_custom_field(app: App, agent: Principal) -> None:
    app.define("revenue", FieldType.DECIMAL, object_type=ObjectType.COMPANY)
    for name, revenue in [("beta", "10.5"), ("Acme", "9.75"), ("Zeta", None), ("acme", "100")]:
        values = {"revenue": revenue} if revenue else {}
        app.companies.create(agent, NewCompany(name=name, custom_fields=values))
    by_name = app.companies.list(
        agent, CompanyFilter(), CompanyOrder(CompanyOrderField.NAME), PageRequest(first=10)
    )
    assert [e.node.name for e in by_name.edges] == ["Acme", "acme", "beta", "Zeta"]
    by_revenue = CompanyOrder(custom_field=FieldSort("revenue"), descending=True)
    first = app.companies.list(agent, CompanyFilter(), by_revenue, PageRequest(first=2))
    rest = app.companies.list(
        agent, CompanyFilter(), by_revenue, PageRequest(first=2, after=first.end_cursor)
    )
    names = [e.node.name for e in (*first.edges, *rest.edges)]
    assert names == ["acme", "beta", "Acme", "Zeta"]
