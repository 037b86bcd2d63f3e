"""Field-level security through the API: masked and hidden fields, refused writes, filters,
orders and rules, on in-memory storage and on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from adapters.graphql.app import create_app
from application.access.bundle import Access
from application.principal import Principal
from bootstrap import Settings, build_container
from domain.access.roles import FieldAccess, Resource, Role, RoleDefinition
from domain.custom_fields import FieldType
from tests.delivery.partner import Partner
from tests.delivery.partner import serving as serving_partner
from tests.graphql.conftest import Api, admin_token, serving
from tests.graphql.test_pipeline_api import create as create_deal
from tests.graphql.test_pipeline_api import stages

PAYROLL_BLIND = RoleDefinition(
    "payroll_blind",
    "Payroll blind",
    Role.SALES_REP.permissions,
    field_rules={
        (Resource.CUSTOMERS, "custom_fields.salary"): FieldAccess.HIDDEN,
        (Resource.CUSTOMERS, "email"): FieldAccess.READ_ONLY,
        (Resource.DEALS, "amount"): FieldAccess.READ_ONLY,
    },
)
CUSTOMER = """
query($id: ID!) { customer(id: $id) { id email phone displayName firstName customFields } }
"""
CUSTOMERS = "{ customers(first: 10) { edges { node { email phone } } } }"
PEOPLE = """
query($id: ID!) { company(id: $id) { name people { edges { node { email phone } } } } }
"""
DEAL = """
query($id: ID!) { opportunity(id: $id) { name status amount { amount currency } lineItems {
  product } customer { firstName } } }
"""
BOARD = """
query($id: ID!) { pipelineBoard(pipelineId: $id) { count totals { amount }
  columns { count } } }
"""
FORECAST = """
query($id: ID!) { salesForecast(pipelineId: $id, period: QUARTER) { count amount { amount } } }
"""
TIMELINE = """
query($id: ID!) { customer(id: $id) { timeline(first: 5) { edges { node {
  ... on OpportunityTimelineEntry { amount { amount } } } } } } }
"""
UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customer { version } userErrors { field code message } }
}"""
UPDATE_DEAL = """
mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { version } userErrors { field code } }
}"""
LIST = """
query($filter: CustomerFilter, $order: CustomerOrder) {
  customers(first: 5, filter: $filter, orderBy: $order) { totalCount edges { node { id } } }
}"""
PREVIEW = """
query($rule: String!) { previewSegment(rule: $rule) { count userErrors { field code } } }
"""


@pytest.fixture(params=["memory", "sqlite"])
def served(
    request: pytest.FixtureRequest, migrated_sqlite_template: Path, tmp_path: Path
) -> Iterator[Api]:
    if request.param == "sqlite":
        with serving(migrated_sqlite_template, tmp_path) as api:
            yield api
        return
    container = build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))
    app = create_app(container.services(), container.use(Access).authenticate)
    with TestClient(app) as client:
        yield Api(client, container, admin_token(container), [])


def _key(api: Api, role: str, email: str) -> str:
    access = api.container.use(Access)
    return access.issue_api_key(Principal.system(), role=role, name="t", user_email=email).token


def _customer(api: Api, **fields: Any) -> str:
    payload = api.data(
        "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) "
        "{ customer { id } userErrors { code } } }",
        input=fields,
    )["createCustomer"]
    assert payload["userErrors"] == []
    customer_id: str = payload["customer"]["id"]
    return customer_id


def _forbidden(body: dict[str, Any]) -> list[tuple[list[Any], str | None]]:
    return [
        (error["path"], error["extensions"].get("field"))
        for error in body.get("errors", [])
        if error["extensions"]["code"] == "FORBIDDEN_FIELD"
    ]


def test_an_analyst_reads_emails_and_phones_masked_wherever_customers_appear(
    served: Api,
) -> None:
    company = served.data('mutation { createCompany(input: {name: "Acme"}) { company { id } } }')
    company_id = company["createCompany"]["company"]["id"]
    ada = _customer(served, email="ada@example.com", phone="+442071838750", companyId=company_id)
    nameless = _customer(served, email="zed@example.org")
    analyst = _key(served, Role.ANALYST.value, "analyst@example.com")

    one = served.data(CUSTOMER, analyst, id=ada)["customer"]
    assert (one["email"], one["phone"]) == ("a•••@example.com", "+••••••••••50")
    listed = served.data(CUSTOMERS, analyst)["customers"]["edges"]
    assert [edge["node"]["email"] for edge in listed] == ["a•••@example.com", "z•••@example.org"]
    people = served.data(PEOPLE, analyst, id=company_id)["company"]["people"]["edges"]
    assert people == [{"node": {"email": "a•••@example.com", "phone": "+••••••••••50"}}]
    # A customer without a name shows its email as its name: masked too.
    assert served.data(CUSTOMER, analyst, id=nameless)["customer"]["displayName"] == (
        "z•••@example.org"
    )
    admin = served.data(CUSTOMER, id=ada)["customer"]
    assert (admin["email"], admin["phone"]) == ("ada@example.com", "+442071838750")


def test_a_support_agent_gets_null_amounts_with_an_error_and_the_rest_of_the_deal(
    served: Api,
) -> None:
    ada = _customer(served, firstName="Ada")
    deal = create_deal(served, name="Big", customerId=ada, currency="EUR", amount="1000.00")
    pipeline = stages(served)[""]
    support = _key(served, Role.SUPPORT_AGENT.value, "support@example.com")

    body = served.query(DEAL, support, id=deal["opportunity"]["id"])
    assert body["data"]["opportunity"] == {
        "name": "Big",
        "status": "OPEN",
        "amount": None,
        "lineItems": None,
        "customer": {"firstName": "Ada"},
    }
    assert sorted(_forbidden(body)) == [
        (["opportunity", "amount"], "amount"),
        (["opportunity", "lineItems"], "amount"),
    ]
    board = served.query(BOARD, support, id=pipeline)
    assert board["data"]["pipelineBoard"]["totals"] is None
    assert board["data"]["pipelineBoard"]["count"] == 1
    assert (["pipelineBoard", "totals"], "amount") in _forbidden(board)
    forecast = served.query(FORECAST, support, id=pipeline)
    assert forecast["data"]["salesForecast"] == [{"count": 1, "amount": None}]
    assert _forbidden(forecast) == [(["salesForecast", 0, "amount"], "amount")]
    admin = served.data(DEAL, id=deal["opportunity"]["id"])["opportunity"]
    assert admin["amount"] == {"amount": "1000.00", "currency": "EUR"}
    timeline = served.query(TIMELINE, support, id=ada)
    entries = timeline["data"]["customer"]["timeline"]["edges"]
    assert [edge["node"]["amount"] for edge in entries] == [None]
    assert _forbidden(timeline) == [
        (["customer", "timeline", "edges", 0, "node", "amount"], "amount")
    ]


def _store_role(api: Api, role: RoleDefinition) -> None:
    with api.container.storage.unit_of_work() as uow:
        uow.roles.put(role)
        uow.commit()


def test_a_custom_role_does_not_see_a_hidden_custom_field(served: Api) -> None:
    served.define("salary", FieldType.NUMBER)
    served.define("team", FieldType.TEXT)
    ada = _customer(served, firstName="Ada", customFields={"salary": 90000, "team": "core"})
    _store_role(served, PAYROLL_BLIND)
    blind = _key(served, PAYROLL_BLIND.key, "blind@example.com")

    seen = served.data(CUSTOMER, blind, id=ada)["customer"]
    assert seen["customFields"] == {"team": "core"}
    assert served.data(CUSTOMER, id=ada)["customer"]["customFields"] == {
        "salary": 90000,
        "team": "core",
    }


def test_writes_of_fields_a_role_may_not_edit_are_refused_and_change_nothing(
    served: Api,
) -> None:
    served.define("salary", FieldType.NUMBER)
    ada = _customer(served, firstName="Ada", email="ada@example.com")
    _store_role(served, PAYROLL_BLIND)
    blind = _key(served, PAYROLL_BLIND.key, "blind@example.com")

    refused = served.data(
        UPDATE_CUSTOMER,
        blind,
        input={"id": ada, "version": 1, "email": "eve@example.com", "customFields": {"salary": 1}},
    )["updateCustomer"]
    assert refused["customer"] is None
    assert sorted((e["field"], e["code"]) for e in refused["userErrors"]) == [
        (["customFields", "salary"], "FORBIDDEN_FIELD"),
        (["email"], "FORBIDDEN_FIELD"),
    ]
    after = served.data(CUSTOMER, id=ada)["customer"]
    assert (after["email"], after["customFields"]) == ("ada@example.com", {})
    allowed = served.data(
        UPDATE_CUSTOMER, blind, input={"id": ada, "version": 1, "firstName": "Adele"}
    )["updateCustomer"]
    assert allowed == {"customer": {"version": 2}, "userErrors": []}

    deal = create_deal(served, name="Big", customerId=ada, currency="EUR", amount="10.00")
    # A role that may change deals, but not their amounts.
    moved = served.data(
        UPDATE_DEAL,
        blind,
        input={
            "id": deal["opportunity"]["id"],
            "version": 1,
            "amount": {"amount": "1.00", "currency": "EUR"},
        },
    )["updateOpportunity"]
    assert moved == {
        "opportunity": None,
        "userErrors": [{"field": ["amount"], "code": "FORBIDDEN_FIELD"}],
    }
    admin = served.data(DEAL, id=deal["opportunity"]["id"])["opportunity"]
    assert admin["amount"] == {"amount": "10.00", "currency": "EUR"}


@pytest.mark.parametrize(
    ("variables", "at"),
    [
        ({"filter": {"search": "ada"}}, "filter.search"),
        ({"filter": {"email": "ada@example.com"}}, "filter.email"),
        ({"order": {"field": "EMAIL"}}, "orderBy"),
        ({"order": {"field": "NAME"}}, "orderBy"),
    ],
)
def test_an_analyst_may_not_filter_search_or_sort_by_masked_fields(
    served: Api, variables: dict[str, Any], at: str
) -> None:
    _customer(served, firstName="Ada", email="ada@example.com")
    analyst = _key(served, Role.ANALYST.value, "analyst@example.com")
    body = served.query(LIST, analyst, **variables)
    assert body["data"] is None or body["data"]["customers"] is None
    assert _forbidden(body) == [(["customers"], at)]
    assert "email" in body["errors"][0]["message"]


def test_hidden_custom_fields_and_deal_amounts_cannot_filter_or_sort(served: Api) -> None:
    served.define("salary", FieldType.NUMBER)
    _store_role(served, PAYROLL_BLIND)
    blind = _key(served, PAYROLL_BLIND.key, "blind@example.com")
    by_salary = served.query(
        LIST, blind, filter={"customFields": [{"key": "salary", "op": "GT", "value": 1}]}
    )
    assert _forbidden(by_salary) == [(["customers"], "filter.customFields.salary")]
    sorted_by_salary = served.query(LIST, blind, order={"customField": "salary"})
    assert _forbidden(sorted_by_salary) == [(["customers"], "orderBy")]
    # A field the role reads in full still filters.
    assert served.data(LIST, blind, filter={"search": "ada"})["customers"]["totalCount"] == 0

    support = _key(served, Role.SUPPORT_AGENT.value, "support@example.com")
    by_amount = served.query(
        "{ opportunities(first: 5, orderBy: {field: AMOUNT}) { totalCount } }", support
    )
    assert _forbidden(by_amount) == [(["opportunities"], "orderBy")]


def test_segment_rules_on_masked_fields_are_refused(served: Api) -> None:
    analyst = _key(served, Role.ANALYST.value, "analyst@example.com")
    refused = served.data(PREVIEW, analyst, rule='email contains "@gmail."')["previewSegment"]
    assert refused == {
        "count": None,
        "userErrors": [{"field": ["rule"], "code": "FORBIDDEN_FIELD"}],
    }
    allowed = served.data(PREVIEW, analyst, rule='first_name = "Ada"')["previewSegment"]
    assert allowed == {"count": 0, "userErrors": []}


SUBSCRIBE = """
mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) {
    webhookSubscription { id secret role }
    userErrors { field code }
  }
}"""


def test_a_support_agents_webhook_receives_deal_events_without_the_amount(api: Api) -> None:
    support_partner, admin_partner = Partner(), Partner()
    with serving_partner(support_partner) as support_url, serving_partner(admin_partner) as url:
        subscriptions = [
            api.data(
                SUBSCRIBE,
                input={"url": target, "eventTypes": ["OPPORTUNITY_CREATED"], **role},
            )["createWebhookSubscription"]["webhookSubscription"]
            for target, role in ((support_url, {"role": "support_agent"}), (url, {}))
        ]
        assert [s["role"] for s in subscriptions] == ["support_agent", "admin"]
        support_partner.secret = subscriptions[0]["secret"]
        admin_partner.secret = subscriptions[1]["secret"]
        ada = _customer(api, firstName="Ada")
        create_deal(api, name="Big", customerId=ada, currency="EUR", amount="1000.00")
        events = api.container.module("events")
        events.outbox_relay().drain()
        dispatcher = events.webhook_dispatcher()
        dispatcher.drain()
        dispatcher.close()

    # Both signatures verify: the support agent's over the payload without the amount.
    assert (support_partner.rejected, admin_partner.rejected) == (0, 0)
    (seen_by_support,) = support_partner.events
    (seen_by_admin,) = admin_partner.events
    assert seen_by_admin.data["amount"] == "1000.00"
    assert "amount" not in seen_by_support.data
    assert {k: v for k, v in seen_by_admin.data.items() if k != "amount"} == seen_by_support.data


def test_a_webhook_role_must_exist(api: Api) -> None:
    refused = api.data(SUBSCRIBE, input={"url": "https://hooks.example.com/x", "role": "nobody"})[
        "createWebhookSubscription"
    ]
    assert refused == {
        "webhookSubscription": None,
        "userErrors": [{"field": ["role"], "code": "NOT_FOUND"}],
    }
