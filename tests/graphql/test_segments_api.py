"""Segments through the API: preview, create, members, sizes, customer.segments, RFM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.graphql.conftest import Api

PREVIEW = """
query($rule: String!) {
  previewSegment(rule: $rule) {
    count evaluationMs sample(first: 2) { email } userErrors { field message code }
  }
}"""
CREATE = """
mutation($input: CreateSegmentInput!) {
  createSegment(input: $input) {
    segment { id name kind rule size version sizeHistory { totalCount edges { node { size } } } }
    userErrors { field message code }
  }
}"""
UPDATE = """
mutation($input: UpdateSegmentInput!) {
  updateSegment(input: $input) {
    segment { id name rule size sizeHistory(last: 5) { edges { node { size } } } }
    userErrors { field message code }
  }
}"""
MEMBERS = """
query($id: ID!, $after: String) {
  node(id: $id) {
    ... on Segment {
      name members(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { email } }
      }
    }
  }
}"""
CUSTOMER = """
query($id: ID!) {
  customer(id: $id) { segments { name } rfm { recency frequency monetary class } }
}"""
CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""
RECORD = """
mutation($input: RecordOrderInput!) { recordOrder(input: $input) { userErrors { code } } }
"""
CREATE_TAG = """
mutation($input: CreateTagInput!) { createTag(input: $input) { tag { id } } }
"""
TAG = """
mutation($input: TagCustomersInput!) { tagCustomers(input: $input) { changedCount } }
"""
RFM = "mutation { computeRfm(input: {windowDays: 365}) { scoredCount userErrors { code } } }"


def customer(api: Api, email: str) -> str:
    payload = api.data(CREATE_CUSTOMER, input={"firstName": "A", "lastName": "B", "email": email})
    customer_id: str = payload["createCustomer"]["customer"]["id"]
    return customer_id


def order(api: Api, customer_id: str, total: str, days_ago: int) -> None:
    placed = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    payload = api.data(
        RECORD,
        input={"customerId": customer_id, "placedAt": placed, "currency": "USD", "total": total},
    )
    assert payload["recordOrder"]["userErrors"] == []


def preview(api: Api, rule: str) -> dict[str, Any]:
    result: dict[str, Any] = api.data(PREVIEW, rule=rule)["previewSegment"]
    return result


def test_a_rule_is_previewed_saved_and_kept_with_its_members(api: Api) -> None:
    ada, bob, cy = (customer(api, f"{name}@example.com") for name in ("ada", "bob", "cy"))
    order(api, ada, "600.00", 10)
    order(api, bob, "200.00", 10)
    order(api, cy, "900.00", 200)
    vip = api.data(CREATE_TAG, input={"name": "VIP", "colour": "#aa0000"})["createTag"]["tag"]
    api.data(TAG, input={"customerIds": [ada, cy], "tagIds": [vip["id"]]})

    rule = 'tag("vip") and orders.sum(90d) > 500'
    found = preview(api, rule)
    assert found["userErrors"] == []
    assert found["count"] == 1
    assert found["sample"] == [{"email": "ada@example.com"}]
    assert found["evaluationMs"] >= 0

    created = api.data(
        CREATE, input={"name": "Big VIPs", "rule": 'tag("vip")  and orders.sum(90d)>500'}
    )
    segment = created["createSegment"]["segment"]
    assert created["createSegment"]["userErrors"] == []
    assert segment["rule"] == rule
    assert (segment["kind"], segment["size"]) == ("DYNAMIC", 1)
    assert segment["sizeHistory"] == {"totalCount": 1, "edges": [{"node": {"size": 1}}]}

    changed = api.data(UPDATE, input={"id": segment["id"], "version": 1, "rule": 'tag("vip")'})
    assert changed["updateSegment"]["segment"]["size"] == 2
    history = changed["updateSegment"]["segment"]["sizeHistory"]["edges"]
    assert [p["node"]["size"] for p in history] == [1, 2]

    page = api.data(MEMBERS, id=segment["id"])["node"]["members"]
    assert (page["pageInfo"]["hasNextPage"], page["totalCount"]) == (False, 2)
    emails = sorted(e["node"]["email"] for e in page["edges"])
    assert emails == ["ada@example.com", "cy@example.com"]
    assert api.data(CUSTOMER, id=cy)["customer"]["segments"] == [{"name": "Big VIPs"}]
    assert api.data(CUSTOMER, id=bob)["customer"]["segments"] == []


def test_rfm_scores_show_on_customers_and_in_rules(api: Api) -> None:
    ada, bob = customer(api, "ada@example.com"), customer(api, "bob@example.com")
    order(api, ada, "600.00", 5)
    order(api, ada, "100.00", 3)
    order(api, bob, "20.00", 300)
    assert api.data(RFM)["computeRfm"] == {"scoredCount": 2, "userErrors": []}
    # Of two customers, the better one has one below it: 1 + floor(5 * 1 / 2) = 3.
    assert api.data(CUSTOMER, id=ada)["customer"]["rfm"] == {
        "recency": 3,
        "frequency": 3,
        "monetary": 3,
        "class": "NEED_ATTENTION",
    }
    assert api.data(CUSTOMER, id=bob)["customer"]["rfm"]["class"] == "LOST"
    assert preview(api, 'rfm.class = "lost"')["count"] == 1
    assert preview(api, "rfm.r >= 3")["sample"] == [{"email": "ada@example.com"}]


def test_a_bad_rule_is_refused_with_its_position_and_nothing_is_saved(api: Api) -> None:
    wrong = api.data(CREATE, input={"name": "Odd", "rule": "email is set and\n  email > 5"})
    assert wrong["createSegment"]["segment"] is None
    assert wrong["createSegment"]["userErrors"] == [
        {
            "field": ["rule"],
            "message": "line 2, column 3: email is a text field: 5 is not a text",
            "code": "INVALID",
        }
    ]
    tag = preview(api, 'tag("vip")')["userErrors"]
    assert tag == [
        {
            "field": ["rule"],
            "message": "line 1, column 1: there is no tag 'vip'",
            "code": "NOT_FOUND",
        }
    ]
    unknown = preview(api, "colour = 'red'")
    assert unknown["count"] is None
    assert unknown["userErrors"][0]["message"].startswith("line 1, column 10")
    field = preview(api, 'favourite = "red"')["userErrors"][0]
    assert (field["code"], field["message"]) == (
        "UNKNOWN_FIELD",
        "line 1, column 1: there is no field favourite",
    )
    stage = preview(api, 'stage(acquisition) = "vip"')["userErrors"][0]
    assert stage["code"] == "UNKNOWN_STAGE"
    window = preview(api, 'event("Signed In", 9999d) >= 1')["userErrors"][0]
    assert "between 1 and 366 days" in window["message"]
    nested = preview(api, "not " * 40 + "email is set")["userErrors"][0]
    assert "nest at most" in nested["message"]
    assert api.data("{ segments { totalCount edges { node { name } } } }")["segments"] == {
        "totalCount": 0,
        "edges": [],
    }


def test_a_changed_customer_is_rechecked_against_dynamic_segments(api: Api) -> None:
    ada, bob = customer(api, "ada@example.com"), customer(api, "bob@example.com")
    vip = api.data(CREATE_TAG, input={"name": "VIP", "colour": "#aa0000"})["createTag"]["tag"]
    created = api.data(CREATE, input={"name": "VIPs", "rule": 'tag("vip")'})
    segment = created["createSegment"]["segment"]
    assert segment["size"] == 0

    api.data(TAG, input={"customerIds": [bob], "tagIds": [vip["id"]]})
    api.container.module("segments").watcher().drain()
    assert api.data(CUSTOMER, id=bob)["customer"]["segments"] == [{"name": "VIPs"}]
    assert api.data(CUSTOMER, id=ada)["customer"]["segments"] == []
    [listed] = api.data("{ segments { edges { node { name size } } } }")["segments"]["edges"]
    assert listed["node"] == {"name": "VIPs", "size": 1}


CLUSTER = """
mutation($input: ClusterCustomersInput!) {
  clusterCustomers(input: $input) {
    segments { name kind size description } userErrors { field message code }
  }
}"""


def test_customers_are_clustered_into_static_segments(api: Api) -> None:
    spenders = [customer(api, f"big{i}@example.com") for i in range(3)]
    savers = [customer(api, f"small{i}@example.com") for i in range(2)]
    for who in spenders:
        order(api, who, "900.00", 3)
    for who in savers:
        order(api, who, "5.00", 3)
    result = api.data(CLUSTER, input={"k": 2, "features": ["MONETARY"], "name": "Spend"})
    payload = result["clusterCustomers"]
    assert payload["userErrors"] == []
    assert [(s["name"], s["kind"], s["size"]) for s in payload["segments"]] == [
        ("Spend 1", "STATIC", 3),
        ("Spend 2", "STATIC", 2),
    ]
    assert payload["segments"][1]["description"] == "2 customers; on average monetary 5.0"
    wrong = api.data(CLUSTER, input={"k": 1, "features": ["MONETARY"], "name": "X"})
    assert wrong["clusterCustomers"]["userErrors"][0]["field"] == ["k"]


RULE_TEXT = """
query($input: SegmentRuleInput!) {
  segmentRuleText(input: $input) { text userErrors { field message code } }
}"""
TREE = {
    "allOf": [
        {"stage": {"track": "acquisition", "stages": ["customer"]}},
        {"tags": {"names": ["vip"]}},
        {"orders": {"metric": "SUM", "days": 90, "comparison": "GT", "value": "500"}},
        {"event": {"name": "viewed_product", "days": 30, "comparison": "GTE", "times": 3}},
        {
            "not": {
                "attribute": {
                    "field": "custom.plan",
                    "op": "IN",
                    "values": [{"text": "free"}, {"text": "trial"}],
                }
            }
        },
        {
            "attribute": {
                "field": "created_at",
                "op": "COMPARE",
                "comparison": "GTE",
                "values": [{"date": "2025-01-01"}],
            }
        },
    ]
}


def test_the_rule_tree_and_the_text_are_two_faces_of_one_rule(api: Api) -> None:
    text = api.data(RULE_TEXT, input=TREE)["segmentRuleText"]
    assert text == {
        "text": 'stage(acquisition) = "customer" and tag("vip") and orders.sum(90d) > 500'
        ' and event("viewed_product", 30d) >= 3 and not custom.plan in ("free", "trial")'
        " and created_at >= 2025-01-01",
        "userErrors": [],
    }
    ada = customer(api, "ada@example.com")
    api.data(CREATE_TAG, input={"name": "VIP", "colour": "#aa0000"})
    del ada
    tree = {
        "anyOf": [{"tags": {"names": ["vip"]}}, {"attribute": {"field": "email", "op": "IS_SET"}}]
    }
    created = api.data(CREATE, input={"name": "Known", "ruleInput": tree})["createSegment"]
    assert created["userErrors"] == []
    assert (created["segment"]["rule"], created["segment"]["size"]) == (
        'tag("vip") or email is set',
        1,
    )
    both = api.data(CREATE, input={"name": "Both", "rule": "email is set", "ruleInput": tree})
    assert both["createSegment"]["userErrors"][0]["field"] == ["rule"]
    lonely = api.data(RULE_TEXT, input={"allOf": [{"segment": "Known"}]})["segmentRuleText"]
    assert lonely["userErrors"][0]["field"] == ["ruleInput", "allOf"]
    two = api.data(RULE_TEXT, input={"segment": "Known", "tags": {"names": ["vip"]}})
    assert (
        two["segmentRuleText"]["userErrors"][0]["message"]
        == "give exactly one condition or combination"
    )


@pytest.mark.parametrize(
    ("attribute", "field"),
    [
        ({"field": "", "op": "COMPARE", "comparison": "EQ"}, "values"),
        ({"field": "email", "op": "COMPARE", "comparison": "EQ", "values": []}, "values"),
        ({"field": "email", "op": "BETWEEN", "values": [{"text": "a"}]}, "values"),
        ({"field": "email", "op": "IS_SET", "values": [{"text": "a"}]}, "values"),
        ({"field": "email", "op": "COMPARE", "values": [{"text": "a"}]}, "comparison"),
    ],
)
def test_an_attribute_with_the_wrong_number_of_values_is_a_user_error(
    api: Api, attribute: dict[str, object], field: str
) -> None:
    text = api.data(RULE_TEXT, input={"attribute": attribute})["segmentRuleText"]
    assert text["text"] is None
    assert [(e["field"], e["code"]) for e in text["userErrors"]] == [
        (["ruleInput", "attribute", field], "REQUIRED" if field == "comparison" else "INVALID")
    ]
    created = api.data(CREATE, input={"name": "x", "ruleInput": {"attribute": attribute}})
    assert created["createSegment"]["segment"] is None
    assert [e["field"] for e in created["createSegment"]["userErrors"]] == [
        ["ruleInput", "attribute", field]
    ]


TRACK = """
mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted userErrors { code } } }
"""


def test_behaviour_rules_count_tracked_events_with_or_without_a_property(api: Api) -> None:
    customer(api, "ada@example.com")
    customer(api, "bob@example.com")
    now = datetime.now(UTC).isoformat()
    events = [
        {
            "customer": {"email": email},
            "name": "Viewed Product",
            "eventId": f"{email}-{n}",
            "occurredAt": now,
            "properties": {"category": category},
        }
        for n, (email, category) in enumerate(
            [
                ("ada@example.com", "shoes"),
                ("ada@example.com", "shoes"),
                ("bob@example.com", "hats"),
            ]
        )
    ]
    assert api.data(TRACK, input={"events": events})["trackEvents"]["accepted"] == 3
    assert preview(api, 'event("Viewed Product", 7d) >= 1')["count"] == 2
    shoes = preview(api, 'event("Viewed Product", 7d, category = "shoes") >= 2')
    assert (shoes["count"], shoes["sample"]) == (1, [{"email": "ada@example.com"}])
    assert preview(api, 'event("Viewed Product", 7d, category = "socks") = 0')["count"] == 2


def test_tracked_events_move_customers_into_behaviour_segments_without_a_refresh(
    api: Api,
) -> None:
    ada, bob = customer(api, "ada@example.com"), customer(api, "bob@example.com")
    rule = 'event("Signed In", 7d) >= 2'
    assert (
        api.data(CREATE, input={"name": "Regulars", "rule": rule})["createSegment"]["userErrors"]
        == []
    )
    now = datetime.now(UTC).isoformat()
    events = [
        {"customer": {"id": who}, "name": "Signed In", "eventId": f"{who}-{n}", "occurredAt": now}
        for n, who in enumerate([ada, ada, bob])
    ]
    assert api.data(TRACK, input={"events": events})["trackEvents"]["accepted"] == 3
    api.container.module("segments").watcher().drain()
    assert api.data(CUSTOMER, id=ada)["customer"]["segments"] == [{"name": "Regulars"}]
    assert api.data(CUSTOMER, id=bob)["customer"]["segments"] == []
    assert preview(api, rule)["count"] == 1
