from typing import Any

import pytest

from tests.graphql.conftest import Api

CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }"""
LOG = """
mutation($input: LogActivityInput!) { logActivity(input: $input) { userErrors { code } } }"""
TRACK = """
mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
PAGE = """
query($id: ID!, $first: Int, $after: String, $kinds: [TimelineKind!]) {
  customer(id: $id) {
    timeline(first: $first, after: $after, kinds: $kinds) {
      edges { cursor node { id kind title occurredAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


@pytest.fixture
def ada(api: Api) -> str:
    created = api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "email": "ada@example.com"})
    customer_id: str = created["createCustomer"]["customer"]["id"]
    return customer_id


def note(api: Api, customer_id: str, body: str, at: str) -> None:
    payload = api.data(
        LOG, input={"customerId": customer_id, "kind": "NOTE", "body": body, "occurredAt": at}
    )
    assert payload["logActivity"]["userErrors"] == []


def track(api: Api, customer_id: str, name: str, event_id: str, at: str) -> None:
    event = {"customer": {"id": customer_id}, "name": name, "eventId": event_id, "occurredAt": at}
    assert api.data(TRACK, input={"events": [event]})["trackEvents"]["accepted"] == 1


def page(api: Api, customer_id: str, **arguments: Any) -> dict[str, Any]:
    timeline: dict[str, Any] = api.data(PAGE, id=customer_id, **arguments)["customer"]["timeline"]
    return timeline


def test_the_timeline_merges_kinds_newest_first_and_filters_them(api: Api, ada: str) -> None:
    note(api, ada, "Met at the fair", "2026-03-01T10:00:00Z")
    track(api, ada, "Signed Up", "e-1", "2026-03-02T10:00:00Z")
    note(api, ada, "Asked for a demo", "2026-03-03T10:00:00Z")
    everything = page(api, ada)
    assert [(e["node"]["kind"], e["node"]["title"]) for e in everything["edges"]] == [
        ("NOTE", "Asked for a demo"),
        ("BEHAVIOUR_EVENT", "Signed Up"),
        ("NOTE", "Met at the fair"),
    ]
    only_events = page(api, ada, kinds=["BEHAVIOUR_EVENT", "CALL"])
    assert [e["node"]["title"] for e in only_events["edges"]] == ["Signed Up"]


def test_paging_through_the_timeline_is_stable_under_concurrent_inserts(api: Api, ada: str) -> None:
    for day in range(1, 10):
        note(api, ada, f"note {day}", f"2026-03-{day:02d}T10:00:00Z")
        track(api, ada, f"event {day}", f"e-{day}", f"2026-03-{day:02d}T10:00:00Z")
    existing = {e["node"]["id"] for e in page(api, ada, first=100)["edges"]}
    seen: list[str] = []
    after = None
    inserted = 0
    while True:
        current = page(api, ada, first=4, after=after)
        seen.extend(e["node"]["id"] for e in current["edges"])
        if not current["pageInfo"]["hasNextPage"]:
            break
        after = current["pageInfo"]["endCursor"]
        inserted += 1
        # one newer than everything, one back-dated behind the cursor, one at its very time
        cursor_time = current["edges"][-1]["node"]["occurredAt"]
        note(api, ada, f"new {inserted}", f"2026-04-{inserted:02d}T10:00:00Z")
        track(api, ada, f"late {inserted}", f"late-{inserted}", f"2026-02-{inserted:02d}T10:00:00Z")
        track(api, ada, f"tie {inserted}", f"tie-{inserted}", cursor_time)
    assert len(seen) == len(set(seen)), "an entry already seen came back"
    assert existing <= set(seen), "an entry that existed at the first fetch was skipped"
    assert inserted >= 4


def test_a_bad_kind_or_cursor_is_a_typed_error(api: Api, ada: str) -> None:
    bad_kind = api.query(PAGE, id=ada, kinds=["ORDERZ"])
    assert bad_kind["data"] is None and "TimelineKind" in bad_kind["errors"][0]["message"]
    bad_cursor = api.query(PAGE, id=ada, after="bm9wZQ")
    assert bad_cursor["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}
    too_many = api.query(PAGE, id=ada, first=500)
    assert too_many["errors"][0]["extensions"] == {"code": "INVALID", "field": "first"}


TYPED = """
query($id: ID!, $from: DateTime, $to: DateTime, $last: Int, $before: String) {
  customer(id: $id) {
    timeline(from: $from, to: $to, last: $last, before: $before) {
      totalCount
      pageInfo { hasPreviousPage startCursor }
      edges {
        node {
          __typename kind title
          subject { __typename id }
          ... on OrderTimelineEntry {
            orderStatus total { amount currency } refunded { amount currency } order { id }
          }
          ... on ActivityTimelineEntry { activityKind activity { id } }
          ... on BehaviourTimelineEntry { eventName event { name } }
          ... on TagTimelineEntry { added tagName autoTagRule { id } tag { name } }
          ... on StageChangeTimelineEntry {
            track { key label } fromStage { key label } toStage { key label } override
          }
        }
      }
    }
  }
}"""
RECORD = """
mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }"""
CREATE_TAG = """
mutation($input: CreateTagInput!) { createTag(input: $input) { tag { id } } }"""
TAG = """
mutation($input: TagCustomersInput!) { tagCustomers(input: $input) { userErrors { code } } }"""


def test_entries_are_typed_by_kind_with_their_subject_and_schema_enums(api: Api, ada: str) -> None:
    note(api, ada, "Met at the fair", "2026-03-01T10:00:00Z")
    track(api, ada, "Signed Up", "e-1", "2026-03-02T10:00:00Z")
    order = api.data(
        RECORD,
        input={
            "customerId": ada,
            "placedAt": "2026-03-03T10:00:00Z",
            "currency": "eur",
            "lines": [{"sku": "A", "name": "Anvil", "quantity": 2, "unitPrice": "10.50"}],
            "paid": True,
        },
    )["recordOrder"]["order"]["id"]
    tag = api.data(CREATE_TAG, input={"name": "VIP", "colour": "#aa0000"})["createTag"]["tag"]
    api.data(TAG, input={"customerIds": [ada], "tagIds": [tag["id"]]})
    timeline = api.data(TYPED, id=ada)["customer"]["timeline"]
    # the paid order also moves Ada on the lifecycle track: a fifth entry
    assert timeline["totalCount"] == len(timeline["edges"]) == 5
    by_type = {edge["node"]["__typename"]: edge["node"] for edge in timeline["edges"]}
    placed = by_type["OrderTimelineEntry"]
    assert placed["orderStatus"] == "PAID" and placed["kind"] == "ORDER"
    assert placed["total"] == {"amount": "21.00", "currency": "EUR"}
    assert placed["refunded"] == {"amount": "0.00", "currency": "EUR"}
    assert placed["order"] == {"id": order} and placed["subject"] == {
        "__typename": "Order",
        "id": order,
    }
    logged = by_type["ActivityTimelineEntry"]
    assert logged["activityKind"] == "NOTE"
    assert logged["subject"] == {"__typename": "Activity", "id": logged["activity"]["id"]}
    tracked = by_type["BehaviourTimelineEntry"]
    assert tracked["eventName"] == "Signed Up" and tracked["event"] == {"name": "Signed Up"}
    assert tracked["subject"]["__typename"] == "BehaviourEvent"
    moved = by_type["StageChangeTimelineEntry"]
    assert (moved["track"], moved["fromStage"], moved["toStage"]) == (
        {"key": "acquisition", "label": "Acquisition"},
        None,
        {"key": "customer", "label": "Customer"},
    )
    assert moved["override"] is False
    assert moved["kind"] == "STAGE_CHANGED" and moved["subject"] == {
        "__typename": "Customer",
        "id": ada,
    }
    tagged = by_type["TagTimelineEntry"]
    assert (tagged["added"], tagged["tagName"], tagged["autoTagRule"]) == (True, "VIP", None)
    assert tagged["tag"] == {"name": "VIP"} and tagged["subject"] == {
        "__typename": "Tag",
        "id": tag["id"],
    }


def test_a_date_range_narrows_the_timeline_and_its_count(api: Api, ada: str) -> None:
    for day in range(1, 7):
        note(api, ada, f"note {day}", f"2026-03-{day:02d}T10:00:00Z")
    ranged = api.data(
        TYPED, id=ada, **{"from": "2026-03-02T10:00:00Z", "to": "2026-03-05T10:00:00Z"}
    )
    timeline = ranged["customer"]["timeline"]
    assert [e["node"]["title"] for e in timeline["edges"]] == ["note 4", "note 3", "note 2"]
    assert timeline["totalCount"] == 3
    assert api.data(TYPED, id=ada)["customer"]["timeline"]["totalCount"] == 6
    backwards = api.data(TYPED, id=ada, last=2)["customer"]["timeline"]
    assert [e["node"]["title"] for e in backwards["edges"]] == ["note 2", "note 1"]
    assert backwards["pageInfo"]["hasPreviousPage"] is True
    before = api.data(TYPED, id=ada, last=2, before=backwards["pageInfo"]["startCursor"])
    assert [e["node"]["title"] for e in before["customer"]["timeline"]["edges"]] == [
        "note 4",
        "note 3",
    ]
    wrong_way = api.query(
        TYPED, id=ada, **{"from": "2026-03-05T10:00:00Z", "to": "2026-03-02T10:00:00Z"}
    )
    assert wrong_way["errors"][0]["extensions"] == {"code": "INVALID", "field": "to"}
