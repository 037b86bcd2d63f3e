"""Tags through the API: the catalogue, bulk tagging, Customer.tags and the tag filter."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import to_global_id
from application.principal import Principal
from application.tags.bundle import Tags
from domain.access.roles import Role
from domain.custom_fields import FieldType
from tests.graphql.conftest import Api

CREATE_TAG = """
mutation($input: CreateTagInput!) {
  createTag(input: $input) {
    tag { id name colour category description createdAt }
    userErrors { field message code }
  }
}"""
TAG = """
mutation($input: TagCustomersInput!) {
  tagCustomers(input: $input) { changedCount unchangedCount userErrors { field code } }
}"""
UNTAG = """
mutation($input: UntagCustomersInput!) {
  untagCustomers(input: $input) { changedCount unchangedCount userErrors { field code } }
}"""
TAGS = """
query($first: Int, $after: String) {
  tags(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name colour } }
  }
}"""
CUSTOMERS = """
query($first: Int, $filter: CustomerFilter) {
  customers(first: $first, filter: $filter) {
    totalCount edges { node { id firstName tags { name category } } }
  }
}"""
CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""
TIMELINE = """
query($id: ID!) {
  customer(id: $id) {
    timeline(kinds: [TAGGED, UNTAGGED]) { edges { node { kind title } } }
    tagHistory { totalCount edges { node { added tagId tagName ruleId rule { id } actor { email } } } }
  }
}"""


def new_tag(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE_TAG, input={"name": name, "colour": "#aa0000", **fields})
    assert payload["createTag"]["userErrors"] == []
    tag: dict[str, Any] = payload["createTag"]["tag"]
    return tag


def customers(api: Api, count: int) -> list[str]:
    return [
        api.data(CREATE_CUSTOMER, input={"firstName": f"N{n:03d}"})["createCustomer"]["customer"][
            "id"
        ]
        for n in range(count)
    ]


def test_tags_are_created_listed_and_put_on_customers(api: Api) -> None:
    vip = new_tag(api, "VIP", category="BEHAVIOUR", description="Spends a lot")
    assert (vip["colour"], vip["category"]) == ("#AA0000", "BEHAVIOUR")
    b2b = new_tag(api, "b2b")
    people = customers(api, 3)
    result = api.data(TAG, input={"customerIds": people[:2], "tagIds": [vip["id"], b2b["id"]]})
    assert result["tagCustomers"] == {"changedCount": 4, "unchangedCount": 0, "userErrors": []}

    listed = api.data(CUSTOMERS, first=10)["customers"]["edges"]
    tags_by_name = {e["node"]["firstName"]: [t["name"] for t in e["node"]["tags"]] for e in listed}
    assert tags_by_name == {"N000": ["b2b", "VIP"], "N001": ["b2b", "VIP"], "N002": []}

    catalogue = api.data(TAGS, first=1)["tags"]
    assert catalogue["totalCount"] == 2
    assert [e["node"]["name"] for e in catalogue["edges"]] == ["b2b"]
    rest = api.data(TAGS, first=5, after=catalogue["pageInfo"]["endCursor"])["tags"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["VIP"]

    node = api.data("query($id: ID!) { node(id: $id) { ... on Tag { name } } }", id=vip["id"])
    assert node == {"node": {"name": "VIP"}}


def test_untagging_shows_on_the_timeline(api: Api) -> None:
    vip = new_tag(api, "VIP")
    (ada,) = customers(api, 1)
    api.data(TAG, input={"customerIds": [ada], "tagIds": [vip["id"]]})
    result = api.data(UNTAG, input={"customerIds": [ada, ada], "tagIds": [vip["id"]]})
    assert result["untagCustomers"]["changedCount"] == 1
    customer = api.data(TIMELINE, id=ada)["customer"]
    entries = customer["timeline"]["edges"]
    assert sorted((e["node"]["kind"], e["node"]["title"]) for e in entries) == [
        ("TAGGED", "Tagged VIP"),
        ("UNTAGGED", "Untagged VIP"),
    ]
    change = {"tagId": vip["id"], "tagName": "VIP", "ruleId": None, "rule": None}
    admin = {"email": "admin@example.com"}
    assert customer["tagHistory"]["totalCount"] == 2
    assert [e["node"] for e in customer["tagHistory"]["edges"]] == [
        {"added": False, **change, "actor": admin},
        {"added": True, **change, "actor": admin},
    ]


def test_customers_filter_by_any_of_their_tags(api: Api) -> None:
    vip, b2b, lead = new_tag(api, "VIP"), new_tag(api, "B2B"), new_tag(api, "Lead")
    people = customers(api, 3)
    api.data(TAG, input={"customerIds": people[:1], "tagIds": [vip["id"]]})
    api.data(TAG, input={"customerIds": people[1:2], "tagIds": [b2b["id"]]})
    found = api.data(CUSTOMERS, first=10, filter={"tagIds": [vip["id"], b2b["id"]]})
    assert found["customers"]["totalCount"] == 2
    none = api.data(CUSTOMERS, first=10, filter={"tagIds": [lead["id"]]})
    assert none["customers"]["totalCount"] == 0
    body = api.query(CUSTOMERS, first=10, filter={"tagIds": [people[0]]})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


def test_a_name_in_use_whatever_its_case_is_taken(api: Api) -> None:
    new_tag(api, "VIP")
    payload = api.data(CREATE_TAG, input={"name": "vip", "colour": "#000000"})["createTag"]
    assert payload["tag"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["name"], "TAKEN")]
    invalid = api.data(CREATE_TAG, input={"name": "", "colour": "red"})["createTag"]
    assert {(tuple(e["field"]), e["code"]) for e in invalid["userErrors"]} == {
        (("name",), "REQUIRED"),
        (("colour",), "INVALID"),
    }
    assert api.data(TAGS)["tags"]["totalCount"] == 1


def test_bad_or_unknown_ids_change_nothing(api: Api) -> None:
    vip = new_tag(api, "VIP")
    (ada,) = customers(api, 1)
    malformed = api.data(TAG, input={"customerIds": [ada, "nonsense"], "tagIds": [ada]})
    assert malformed["tagCustomers"]["userErrors"] == [
        {"field": ["customerIds", "1"], "code": "INVALID_ID"},
        {"field": ["tagIds", "0"], "code": "INVALID_ID"},
    ]
    unknown_customer = to_global_id("Customer", "nobody")
    unknown_tag = to_global_id("Tag", "nothing")
    unknown = api.data(
        TAG, input={"customerIds": [ada, unknown_customer], "tagIds": [vip["id"], unknown_tag]}
    )
    assert unknown["tagCustomers"]["changedCount"] == 0
    assert unknown["tagCustomers"]["userErrors"] == [
        {"field": ["customerIds", "1"], "code": "NOT_FOUND"},
        {"field": ["tagIds", "1"], "code": "NOT_FOUND"},
    ]
    listed = api.data(CUSTOMERS, first=5)["customers"]["edges"]
    assert listed[0]["node"]["tags"] == []


def test_roles_limit_who_changes_tags(api: Api) -> None:
    vip = new_tag(api, "VIP")
    (ada,) = customers(api, 1)
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    agent = api.key(Role.SALES_REP, "agent@example.com")
    refused = api.data(CREATE_TAG, token=agent, input={"name": "Mine", "colour": "#000000"})
    assert refused["createTag"]["userErrors"][0]["code"] == "FORBIDDEN"
    refused = api.data(TAG, token=viewer, input={"customerIds": [ada], "tagIds": [vip["id"]]})
    assert refused["tagCustomers"]["userErrors"][0]["code"] == "FORBIDDEN"
    hidden = api.data(TAG, token=agent, input={"customerIds": [ada], "tagIds": [vip["id"]]})
    assert hidden["tagCustomers"]["userErrors"][0]["code"] == "NOT_FOUND"  # not the agent's
    agent_id = api.data("{ viewer { id } }", token=agent)["viewer"]["id"]
    given = api.data(
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) "
        "{ userErrors { code } } }",
        input={"id": ada, "version": 1, "ownerId": agent_id},
    )
    assert given["updateCustomer"]["userErrors"] == []
    allowed = api.data(TAG, token=agent, input={"customerIds": [ada], "tagIds": [vip["id"]]})
    assert allowed["tagCustomers"]["changedCount"] == 1


def test_a_list_with_tags_runs_the_same_number_of_statements_whatever_its_size(
    api: Api,
) -> None:
    tag_ids = [new_tag(api, f"T{n}")["id"] for n in range(3)]
    people = customers(api, 40)
    api.data(TAG, input={"customerIds": people, "tagIds": tag_ids})

    def statements_for(size: int) -> int:
        api.statements.clear()
        edges = api.data(CUSTOMERS, first=size)["customers"]["edges"]
        assert len(edges) == size and all(len(e["node"]["tags"]) == 3 for e in edges)
        return sum(statement.startswith("SELECT") for statement in api.statements)

    statements_for(1)  # the first request also checks the API key
    assert statements_for(5) == statements_for(40) == 3  # page, total count, tags


CREATE_RULE = """
mutation($input: CreateAutoTagRuleInput!) {
  createAutoTagRule(input: $input) {
    rule { id customFields { key op value } event { name atLeast days } tag { name } }
    userErrors { field code }
  }
}"""


def test_an_auto_tag_rule_made_through_the_api_tags_on_the_next_run(api: Api) -> None:
    api.define("plan", FieldType.TEXT)
    pro = new_tag(api, "Pro")
    for plan in ("pro", "free"):
        api.data(CREATE_CUSTOMER, input={"firstName": plan, "customFields": {"plan": plan}})
    made = api.data(
        CREATE_RULE,
        input={"tagId": pro["id"], "customFields": [{"key": "plan", "op": "EQ", "value": "pro"}]},
    )["createAutoTagRule"]
    assert made["userErrors"] == []
    assert made["rule"]["tag"] == {"name": "Pro"}
    assert made["rule"]["customFields"] == [{"key": "plan", "op": "EQ", "value": "pro"}]
    assert made["rule"]["event"] is None
    report = api.container.use(Tags).run_rules(Principal.system())
    assert (report.added, report.removed) == (1, 0)
    listed = api.data(CUSTOMERS, first=5, filter={"tagIds": [pro["id"]]})["customers"]
    assert [e["node"]["firstName"] for e in listed["edges"]] == ["pro"]


def test_a_rule_needs_one_valid_condition_and_a_known_tag(api: Api) -> None:
    pro = new_tag(api, "Pro")

    def errors(**input: Any) -> list[tuple[str, str]]:
        payload = api.data(CREATE_RULE, input=input)["createAutoTagRule"]
        assert payload["rule"] is None
        return [(".".join(e["field"]), e["code"]) for e in payload["userErrors"]]

    event = {"name": "Signed In", "atLeast": 3, "days": 7}
    assert errors(tagId=pro["id"]) == [("event", "INVALID")]
    assert errors(tagId=pro["id"], event=event, customFields=[]) == [("event", "INVALID")]
    assert errors(tagId=pro["id"], event={**event, "days": 0}) == [("days", "INVALID")]
    assert errors(tagId=pro["id"], customFields=[{"key": "tier", "op": "IS_SET"}]) == [
        ("condition.fields.tier", "UNKNOWN_FIELD")
    ]
    assert errors(tagId="nonsense", event=event) == [("tagId", "INVALID_ID")]
    assert errors(tagId=to_global_id("Tag", "nothing"), event=event) == [("tagId", "NOT_FOUND")]
    made = api.data(CREATE_RULE, input={"tagId": pro["id"], "event": event})["createAutoTagRule"]
    assert (made["rule"]["event"], made["rule"]["customFields"]) == (event, None)


RULES = "{ autoTagRules { totalCount edges { node { id tag { name } } } } }"


def rules_of(api: Api, token: str | None = None) -> list[dict[str, Any]]:
    return [e["node"] for e in api.data(RULES, token)["autoTagRules"]["edges"]]


DELETE_RULE = """
mutation($input: DeleteAutoTagRuleInput!) {
  deleteAutoTagRule(input: $input) { deletedId untaggedCount userErrors { field code } }
}"""


def test_rules_are_listed_and_deleting_one_keeps_or_takes_off_its_tags(api: Api) -> None:
    api.define("plan", FieldType.TEXT)
    pro, paying = new_tag(api, "Pro"), new_tag(api, "Paying")
    ada = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "customFields": {"plan": "pro"}})
    ada_id = ada["createCustomer"]["customer"]["id"]
    is_pro = [{"key": "plan", "op": "EQ", "value": "pro"}]
    rules = [
        api.data(CREATE_RULE, input={"tagId": tag["id"], "customFields": is_pro})[
            "createAutoTagRule"
        ]["rule"]["id"]
        for tag in (pro, paying)
    ]
    assert [r["id"] for r in rules_of(api)] == rules
    api.container.use(Tags).run_rules(Principal.system())

    removing = api.data(DELETE_RULE, input={"id": rules[0], "removeTags": True})
    assert removing["deleteAutoTagRule"] == {
        "deletedId": rules[0],
        "untaggedCount": 1,
        "userErrors": [],
    }
    keeping = api.data(DELETE_RULE, input={"id": rules[1]})["deleteAutoTagRule"]
    assert (keeping["untaggedCount"], keeping["userErrors"]) == (0, [])
    assert rules_of(api) == []

    history = [e["node"] for e in api.data(TIMELINE, id=ada_id)["customer"]["tagHistory"]["edges"]]
    assert [(h["tagName"], h["added"]) for h in history] == [
        ("Pro", False),
        ("Paying", True),
        ("Pro", True),
    ]
    # The kept tag is now the customer's own: no run of the job takes it off.
    api.container.use(Tags).run_rules(Principal.system())
    tags = api.data(CUSTOMERS, first=5)["customers"]["edges"][0]["node"]["tags"]
    assert [t["name"] for t in tags] == ["Paying"]


def test_deleting_an_unknown_rule_or_without_the_right_changes_nothing(api: Api) -> None:
    pro = new_tag(api, "Pro")
    event = {"name": "Signed In", "atLeast": 1, "days": 7}
    rule = api.data(CREATE_RULE, input={"tagId": pro["id"], "event": event})["createAutoTagRule"][
        "rule"
    ]["id"]

    def codes(rule_id: str, token: str | None = None) -> list[tuple[str, str]]:
        payload = api.data(DELETE_RULE, token, input={"id": rule_id})["deleteAutoTagRule"]
        return [(".".join(e["field"] or []), e["code"]) for e in payload["userErrors"]]

    assert codes("nonsense") == [("id", "INVALID_ID")]
    assert codes(to_global_id("AutoTagRule", "nothing")) == [("id", "NOT_FOUND")]
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    assert [r["id"] for r in rules_of(api, viewer)] == [rule]
    assert codes(rule, viewer)[0][1] == "FORBIDDEN"
    assert [r["id"] for r in rules_of(api)] == [rule]
