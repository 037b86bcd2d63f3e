from typing import Any

import pytest

from domain.access.roles import Role
from tests.graphql.conftest import Api

DEFINE = """
mutation($input: DefineCustomFieldInput!) {
  defineCustomField(input: $input) {
    customFieldDefinition { id objectType key label type choices required unique }
    userErrors { field message code }
  }
}"""
DEFINITIONS = """
query($type: CustomFieldObjectType!) {
  customFieldDefinitions(objectType: $type) { key type choices required unique }
}"""
CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id version customFields } userErrors { field message code } }
}"""
UPDATE = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customer { id version customFields } userErrors { field message code } }
}"""
CREATE_COMPANY = """
mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id customFields } userErrors { field code } }
}"""
GET = "query($id: ID!) { customer(id: $id) { version customFields } }"
LIST = """
query($first: Int, $after: String, $last: Int, $before: String,
      $filter: CustomerFilter, $orderBy: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before,
            filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { firstName customFields } }
  }
}"""
FIELDS: list[dict[str, Any]] = [
    {"key": "plan", "type": "SINGLE_CHOICE", "choices": ["free", "pro", "enterprise"]},
    {"key": "seats", "type": "NUMBER"},
    {"key": "budget", "type": "DECIMAL"},
    {"key": "renewal", "type": "DATE"},
    {"key": "tags", "type": "MULTIPLE_CHOICE", "choices": ["vip", "beta"]},
    {"key": "region", "type": "TEXT", "required": True},
    {"key": "vat_number", "type": "TEXT", "unique": True},
]


def define(api: Api, token: str | None = None, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(
        DEFINE, token=token, input={"objectType": "CUSTOMER", "label": "A field", **fields}
    )["defineCustomField"]
    return payload


@pytest.fixture
def fields(api: Api) -> Api:
    for field in FIELDS:
        assert define(api, **field)["userErrors"] == []
    return api


def create(api: Api, first_name: str, **values: Any) -> dict[str, Any]:
    payload = api.data(CREATE, input={"firstName": first_name, "customFields": values})
    assert payload["createCustomer"]["userErrors"] == [], payload
    customer: dict[str, Any] = payload["createCustomer"]["customer"]
    return customer


def count(api: Api) -> int:
    total: int = api.data("{ customers { totalCount } }")["customers"]["totalCount"]
    return total


def test_defining_and_reading_fields(api: Api) -> None:
    made = define(api, key="plan", label="Plan", type="SINGLE_CHOICE", choices=["free", "pro"])
    assert made["userErrors"] == []
    assert made["customFieldDefinition"]["objectType"] == "CUSTOMER"
    define(api, key="arr", type="DECIMAL", objectType="COMPANY")
    assert api.data(DEFINITIONS, type="CUSTOMER")["customFieldDefinitions"] == [
        {
            "key": "plan",
            "type": "SINGLE_CHOICE",
            "choices": ["free", "pro"],
            "required": False,
            "unique": False,
        }
    ]
    assert [d["key"] for d in api.data(DEFINITIONS, type="COMPANY")["customFieldDefinitions"]] == [
        "arr"
    ]
    company = api.data(CREATE_COMPANY, input={"name": "Acme", "customFields": {"arr": "1000.10"}})
    assert company["createCompany"]["company"]["customFields"] == {"arr": "1000.10"}


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"key": "Plan", "type": "TEXT"}, ["key"], "INVALID_NAME"),
        ({"key": "level", "type": "SINGLE_CHOICE"}, ["choices"], "REQUIRED"),
        ({"key": "flag", "type": "BOOLEAN", "unique": True}, ["unique"], "INVALID"),
        ({"key": "seats", "type": "NUMBER"}, ["key"], "TAKEN"),
    ],
)
def test_bad_definitions_are_user_errors_and_define_nothing(
    fields: Api, input_: dict[str, Any], field: list[str], code: str
) -> None:
    payload = define(fields, **input_)
    assert payload["customFieldDefinition"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert len(fields.data(DEFINITIONS, type="CUSTOMER")["customFieldDefinitions"]) == len(FIELDS)


def test_agents_may_not_define_fields(api: Api) -> None:
    token = api.key(Role.SALES_REP, "agent@example.com")
    payload = define(api, token=token, key="plan", type="TEXT")
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    manager = api.key(Role.SALES_MANAGER, "manager@example.com")
    assert define(api, token=manager, key="plan", type="TEXT")["userErrors"] == []


def test_values_are_normalised_and_decimals_stay_exact(fields: Api) -> None:
    created = create(
        fields,
        "Ada",
        region="EU",
        budget="1234567890123.4500",
        seats=3,
        renewal="20270101",
        tags=["beta", "vip"],
    )
    assert created["customFields"] == {
        "region": "EU",
        "budget": "1234567890123.4500",
        "seats": 3,
        "renewal": "2027-01-01",
        "tags": ["vip", "beta"],
    }
    updated = fields.data(
        UPDATE,
        input={"id": created["id"], "version": 1, "customFields": {"seats": None, "plan": "pro"}},
    )["updateCustomer"]
    assert updated["userErrors"] == []
    assert "seats" not in updated["customer"]["customFields"]
    assert updated["customer"]["customFields"]["plan"] == "pro"


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"region": "EU", "colour": "red"}, ["customFields", "colour"], "UNKNOWN_FIELD"),
        ({"region": "EU", "seats": "three"}, ["customFields", "seats"], "INVALID"),
        ({"region": "EU", "budget": 12.5}, ["customFields", "budget"], "INVALID"),
        ({"region": "EU", "renewal": "next year"}, ["customFields", "renewal"], "INVALID"),
        ({"region": "EU", "plan": "gold"}, ["customFields", "plan"], "INVALID_CHOICE"),
        ({"region": "EU", "tags": ["vip", "gold"]}, ["customFields", "tags"], "INVALID_CHOICE"),
        ({"seats": 3}, ["customFields", "region"], "REQUIRED"),
        ({"region": "EU", "vat_number": "GB123"}, ["customFields", "vat_number"], "TAKEN"),
    ],
)
def test_bad_values_on_create_are_user_errors_and_store_nothing(
    fields: Api, values: dict[str, Any], field: list[str], code: str
) -> None:
    create(fields, "Holder", region="EU", vat_number="GB123")
    payload = fields.data(CREATE, input={"firstName": "Ada", "customFields": values})
    payload = payload["createCustomer"]
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert all(e["message"] for e in payload["userErrors"])
    assert count(fields) == 1


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"colour": "red"}, ["customFields", "colour"], "UNKNOWN_FIELD"),
        ({"seats": True}, ["customFields", "seats"], "INVALID"),
        ({"plan": "gold"}, ["customFields", "plan"], "INVALID_CHOICE"),
        ({"region": None}, ["customFields", "region"], "REQUIRED"),
        ({"region": ""}, ["customFields", "region"], "REQUIRED"),
        ({"vat_number": "GB123"}, ["customFields", "vat_number"], "TAKEN"),
    ],
)
def test_bad_values_on_update_are_user_errors_and_change_nothing(
    fields: Api, values: dict[str, Any], field: list[str], code: str
) -> None:
    create(fields, "Holder", region="EU", vat_number="GB123")
    ada = create(fields, "Ada", region="US", seats=2)
    payload = fields.data(UPDATE, input={"id": ada["id"], "version": 1, "customFields": values})
    payload = payload["updateCustomer"]
    assert payload["customer"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert fields.data(GET, id=ada["id"])["customer"] == {
        "version": 1,
        "customFields": {"region": "US", "seats": 2},
    }


def _seed(api: Api) -> None:
    for name, values in [
        ("A", {"seats": 5, "plan": "pro", "budget": "10.50"}),
        ("B", {"seats": 1, "plan": "free", "tags": ["vip"]}),
        ("C", {"plan": "pro", "budget": "9.99"}),
        ("D", {"seats": 10, "budget": "100"}),
        ("E", {"seats": 5, "tags": ["vip", "beta"]}),
        ("F", {}),
    ]:
        create(api, name, region="EU", **values)


def test_filter_by_custom_fields(fields: Api) -> None:
    _seed(fields)

    def names(*conditions: dict[str, Any]) -> list[str]:
        result = fields.data(LIST, first=20, filter={"customFields": list(conditions)})
        found = [edge["node"]["firstName"] for edge in result["customers"]["edges"]]
        assert result["customers"]["totalCount"] == len(found)
        return found

    assert names({"key": "plan", "op": "EQ", "value": "pro"}) == ["A", "C"]
    assert names({"key": "plan", "op": "NE", "value": "pro"}) == ["B", "D", "E", "F"]
    assert names({"key": "seats", "op": "GTE", "value": 5}) == ["A", "D", "E"]
    assert names({"key": "budget", "op": "LT", "value": "10.5"}) == ["C"]
    assert names({"key": "budget", "op": "IN", "value": ["10.5", "100.00"]}) == ["A", "D"]
    assert names({"key": "tags", "op": "CONTAINS", "value": "vip"}) == ["B", "E"]
    assert names({"key": "seats", "op": "IS_NOT_SET"}) == ["C", "F"]
    assert names(
        {"key": "seats", "op": "IS_SET"}, {"key": "plan", "op": "IN", "value": ["pro", "free"]}
    ) == ["A", "B"]


def test_order_by_a_custom_field_pages_with_missing_values_last(fields: Api) -> None:
    _seed(fields)
    for direction, expected in [
        ("ASC", ["B", "A", "E", "D", "C", "F"]),
        ("DESC", ["D", "E", "A", "B", "F", "C"]),
    ]:
        order = {"customField": "seats", "direction": direction}
        seen: list[str] = []
        after = None
        while True:
            page = fields.data(LIST, first=2, after=after, orderBy=order)["customers"]
            seen += [edge["node"]["firstName"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected
        backward: list[str] = []
        before = None
        while True:
            page = fields.data(LIST, last=4, before=before, orderBy=order)["customers"]
            backward = [edge["node"]["firstName"] for edge in page["edges"]] + backward
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        assert backward == expected


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        (
            {"filter": {"customFields": [{"key": "colour", "op": "EQ", "value": "red"}]}},
            "filter.customFields.colour",
            "UNKNOWN_FIELD",
        ),
        (
            {"filter": {"customFields": [{"key": "plan", "op": "EQ", "value": "gold"}]}},
            "filter.customFields.plan",
            "INVALID_CHOICE",
        ),
        (
            {"filter": {"customFields": [{"key": "seats", "op": "CONTAINS", "value": "1"}]}},
            "filter.customFields.seats",
            "INVALID",
        ),
        ({"orderBy": {"customField": "tags"}}, "orderBy.customField", "INVALID"),
        ({"orderBy": {"customField": "nope"}}, "orderBy.customField", "UNKNOWN_FIELD"),
    ],
)
def test_bad_conditions_and_orders_are_errors_with_codes(
    fields: Api, variables: dict[str, Any], field: str, code: str
) -> None:
    body = fields.query(LIST, first=5, **variables)
    assert body["errors"][0]["extensions"] == {"code": code, "field": field}
