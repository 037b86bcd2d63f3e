from typing import Any

import pytest

from adapters.graphql.relay import to_global_id
from domain.access.roles import Role
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) {
    company {
      id name domain industry size version customFields owner { email }
      address { street city region postalCode country }
    }
    userErrors { field message code }
  }
}"""
UPDATE = """
mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) {
    company { id name domain industry size version address { city country } }
    userErrors { field message code }
  }
}"""
ARCHIVE = """
mutation($input: ArchiveCompanyInput!) {
  archiveCompany(input: $input) { company { id archivedAt version } userErrors { field code } }
}"""
GET = "query($id: ID!) { company(id: $id) { id name version } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Company { name } } }"
LIST = """
query($first: Int, $after: String, $filter: CompanyFilter, $orderBy: CompanyOrder) {
  companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name size } }
  }
}"""
CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id company { id name } }
    userErrors { field code }
  }
}"""
UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id version company { name } }
    userErrors { field code }
  }
}"""
PEOPLE = """
query($id: ID!, $first: Int, $after: String) {
  company(id: $id) {
    people(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { firstName company { name } } }
    }
  }
}"""


def create(api: Api, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE, input=fields)["createCompany"]
    assert payload["userErrors"] == []
    company: dict[str, Any] = payload["company"]
    return company


def total(api: Api) -> int:
    count: int = api.data("{ companies(filter: {includeArchived: true}) { totalCount } }")[
        "companies"
    ]["totalCount"]
    return count


def test_company_lifecycle_through_the_api(api: Api) -> None:
    created = create(
        api,
        name="Acme",
        domain="https://WWW.Acme.com/about",
        industry="Software",
        size="FROM_51_TO_200",
        address={"street": "1 Main St", "city": "Leeds", "postalCode": "LS1", "country": "gb"},
    )
    assert created["domain"] == "www.acme.com"
    assert created["size"] == "FROM_51_TO_200"
    assert created["address"] == {
        "street": "1 Main St",
        "city": "Leeds",
        "region": None,
        "postalCode": "LS1",
        "country": "GB",
    }
    assert created["owner"] == {"email": "admin@example.com"}
    assert created["customFields"] == {}
    assert api.data(GET, id=created["id"])["company"]["name"] == "Acme"
    assert api.data(NODE, id=created["id"])["node"]["name"] == "Acme"

    updated = api.data(
        UPDATE,
        input={
            "id": created["id"],
            "version": 1,
            "industry": None,
            "address": {"city": "Paris", "country": "FR"},
        },
    )["updateCompany"]
    assert updated["userErrors"] == []
    assert updated["company"]["industry"] is None
    assert updated["company"]["address"] == {"city": "Paris", "country": "FR"}
    assert updated["company"]["version"] == 2

    archived = api.data(ARCHIVE, input={"id": created["id"], "version": 2})["archiveCompany"]
    assert archived["userErrors"] == []
    assert archived["company"]["archivedAt"] is not None
    assert api.data("{ companies { totalCount } }")["companies"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": ""}, ["name"], "REQUIRED"),
        ({"name": "x" * 201}, ["name"], "TOO_LONG"),
        ({"name": "Acme", "domain": "not a domain"}, ["domain"], "INVALID"),
        ({"name": "Acme", "address": {"country": "XX"}}, ["address", "country"], "INVALID"),
        ({"name": "Acme", "ownerId": "garbage"}, ["ownerId"], "INVALID_ID"),
        (
            {"name": "Acme", "customFields": {"tier": "gold"}},
            ["customFields", "tier"],
            "UNKNOWN_FIELD",
        ),
        ({"name": "Acme", "customFields": "gold"}, ["customFields"], "INVALID"),
    ],
)
def test_bad_company_input_is_a_user_error_and_stores_nothing(
    api: Api, fields: dict[str, Any], field: list[str], code: str
) -> None:
    payload = api.data(CREATE, input=fields)["createCompany"]
    assert payload["company"] is None
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ]
    assert total(api) == 0


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"id": "garbage", "version": 1}, ["id"], "INVALID_ID"),
        ({"id": to_global_id("Customer", "x"), "version": 1}, ["id"], "INVALID_ID"),
        ({"id": to_global_id("Company", "missing"), "version": 1}, ["id"], "NOT_FOUND"),
        ({"version": 1, "name": None}, ["name"], "REQUIRED"),
        ({"version": 1, "ownerId": "garbage"}, ["ownerId"], "INVALID_ID"),
        ({"version": 7, "name": "Later"}, ["version"], "STALE_VERSION"),
    ],
)
def test_bad_update_input_is_a_user_error_and_changes_nothing(
    api: Api, input_: dict[str, Any], field: list[str], code: str
) -> None:
    created = create(api, name="Acme")
    payload = api.data(UPDATE, input={"id": created["id"], **input_})["updateCompany"]
    assert payload["company"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert api.data(GET, id=created["id"])["company"] == {
        "id": created["id"],
        "name": "Acme",
        "version": 1,
    }


def test_customers_belong_to_a_company_and_list_as_its_people(api: Api) -> None:
    acme = create(api, name="Acme")
    other = create(api, name="Other")
    for number in range(5):
        body = api.data(
            CREATE_CUSTOMER, input={"firstName": f"P{number}", "companyId": acme["id"]}
        )["createCustomer"]
        assert body["userErrors"] == []
        assert body["customer"]["company"] == {"id": acme["id"], "name": "Acme"}
    loner = api.data(CREATE_CUSTOMER, input={"firstName": "Loner"})["createCustomer"]
    assert loner["customer"]["company"] is None
    moved = api.data(
        UPDATE_CUSTOMER,
        input={"id": loner["customer"]["id"], "version": 1, "companyId": other["id"]},
    )["updateCustomer"]
    assert moved["customer"]["company"] == {"name": "Other"}

    seen: list[str] = []
    after = None
    while True:
        people = api.data(PEOPLE, id=acme["id"], first=2, after=after)["company"]["people"]
        assert people["totalCount"] == 5
        seen += [edge["node"]["firstName"] for edge in people["edges"]]
        if not people["pageInfo"]["hasNextPage"]:
            break
        after = people["pageInfo"]["endCursor"]
    assert seen == [f"P{n}" for n in range(5)]

    by_company = api.data(
        "query($ids: [ID!]) { customers(filter: {companyIds: $ids}) { totalCount } }",
        ids=[other["id"]],
    )
    assert by_company["customers"]["totalCount"] == 1


def test_malformed_or_unknown_company_ids_are_user_errors_and_change_nothing(api: Api) -> None:
    acme = create(api, name="Acme")
    cases = [
        ("garbage", "INVALID_ID"),
        (to_global_id("User", "x"), "INVALID_ID"),
        (to_global_id("Company", "ghost"), "NOT_FOUND"),
    ]
    for company_id, code in cases:
        payload = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "companyId": company_id})[
            "createCustomer"
        ]
        assert payload == {"customer": None, "userErrors": [{"field": ["companyId"], "code": code}]}
    count = api.data("{ customers { totalCount } }")["customers"]["totalCount"]
    assert count == 0
    ada = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "companyId": acme["id"]})
    customer_id = ada["createCustomer"]["customer"]["id"]
    for company_id, code in cases:
        payload = api.data(
            UPDATE_CUSTOMER, input={"id": customer_id, "version": 1, "companyId": company_id}
        )["updateCustomer"]
        assert payload == {"customer": None, "userErrors": [{"field": ["companyId"], "code": code}]}
    body = api.query(GET, id="%%%")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    body = api.query(
        "query($ids: [ID!]) { customers(filter: {companyIds: $ids}) { totalCount } }",
        ids=["garbage"],
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID_ID", "field": "filter.companyIds"}


def test_customers_cannot_join_an_archived_company(api: Api) -> None:
    acme = create(api, name="Acme")
    api.data(ARCHIVE, input={"id": acme["id"]})
    payload = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "companyId": acme["id"]})
    assert payload["createCustomer"]["userErrors"] == [{"field": ["companyId"], "code": "ARCHIVED"}]


def test_companies_page_filter_and_order(api: Api) -> None:
    for name, size in [
        ("beta", "OVER_10000"),
        ("Acme", "FROM_1_TO_10"),
        ("Zeta", None),
        ("acme", None),
    ]:
        create(api, name=name, size=size)
    order = {"field": "NAME", "direction": "ASC"}
    first = api.data(LIST, first=3, orderBy=order)["companies"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Acme", "acme", "beta"]
    rest = api.data(LIST, first=3, after=first["pageInfo"]["endCursor"], orderBy=order)
    assert [e["node"]["name"] for e in rest["companies"]["edges"]] == ["Zeta"]
    small = api.data(LIST, filter={"sizes": ["FROM_1_TO_10"], "search": "ACM"})["companies"]
    assert (small["totalCount"], small["edges"][0]["node"]["name"]) == (1, "Acme")


def test_customer_company_is_loaded_in_one_statement_per_list(api: Api) -> None:
    companies = [create(api, name=f"Co{n}")["id"] for n in range(5)]
    for number in range(30):
        api.data(
            CREATE_CUSTOMER,
            input={"firstName": f"N{number}", "companyId": companies[number % 5]},
        )
    query = "query($n: Int) { customers(first: $n) { totalCount edges { node { company { name } owner { name } } } } }"

    def statements_for(size: int) -> int:
        api.statements.clear()
        edges = api.data(query, n=size)["customers"]["edges"]
        assert len(edges) == size and all(edge["node"]["company"] for edge in edges)
        return sum(statement.startswith("SELECT") for statement in api.statements)

    statements_for(1)
    assert statements_for(5) == statements_for(30) == 4


def test_roles_limit_company_changes(api: Api) -> None:
    created = create(api, name="Acme")
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    agent = api.key(Role.SALES_REP, "agent@example.com")
    refused = api.data(CREATE, token=viewer, input={"name": "Beta"})["createCompany"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    refused = api.data(ARCHIVE, token=agent, input={"id": created["id"]})["archiveCompany"]
    assert refused["userErrors"] == [{"field": None, "code": "FORBIDDEN"}]
    assert total(api) == 1
