"""Customer 360: external ids, activities, and lists filtered by segment and stage."""

from typing import Any

from application.customers.bundle import Customers
from application.customers.importing import CustomerRow
from application.principal import Principal
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }"""
LOG = """
mutation($input: LogActivityInput!) { logActivity(input: $input) { activity { id } } }"""
ACTIVITIES = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $filter: ActivityFilter, $orderBy: ActivityOrder) {
  customer(id: $id) {
    activities(first: $first, after: $after, last: $last, before: $before,
               filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id kind subject } }
    }
  }
}"""


def create(api: Api, **fields: Any) -> str:
    customer_id: str = api.data(CREATE, input=fields)["createCustomer"]["customer"]["id"]
    return customer_id


def log(api: Api, customer_id: str, kind: str, subject: str, day: int) -> str:
    payload = api.data(
        LOG,
        input={
            "customerId": customer_id,
            "kind": kind,
            "subject": subject,
            "occurredAt": f"2026-03-{day:02d}T10:00:00Z",
            **({"direction": "OUTBOUND"} if kind in ("CALL", "EMAIL") else {}),
        },
    )
    activity_id: str = payload["logActivity"]["activity"]["id"]
    return activity_id


def subjects(result: dict[str, Any]) -> list[str]:
    return [edge["node"]["subject"] for edge in result["customer"]["activities"]["edges"]]


def test_activities_page_filter_and_sort(api: Api) -> None:
    ada = create(api, firstName="Ada")
    for day, kind in enumerate(("NOTE", "CALL", "NOTE", "MEETING", "EMAIL"), start=1):
        log(api, ada, kind, f"{kind.lower()} {day}", day)
    api.data(
        """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }""",
        input={"events": [{"customer": {"id": ada}, "name": "Signed Up", "eventId": "e1"}]},
    )
    everything = api.data(ACTIVITIES, id=ada, first=2)
    assert subjects(everything) == ["email 5", "meeting 4"]
    connection = everything["customer"]["activities"]
    assert connection["totalCount"] == 5  # the behaviour event is no activity
    rest = api.data(ACTIVITIES, id=ada, first=10, after=connection["pageInfo"]["endCursor"])
    assert subjects(rest) == ["note 3", "call 2", "note 1"]
    notes = api.data(ACTIVITIES, id=ada, filter={"kinds": ["NOTE"]})
    assert subjects(notes) == ["note 3", "note 1"]
    assert notes["customer"]["activities"]["totalCount"] == 2
    ranged = api.data(
        ACTIVITIES,
        id=ada,
        filter={"occurredAfter": "2026-03-02T10:00:00Z", "occurredBefore": "2026-03-04T10:00:00Z"},
    )
    assert subjects(ranged) == ["note 3", "call 2"]
    oldest = api.data(ACTIVITIES, id=ada, first=2, orderBy={"direction": "ASC"})
    assert subjects(oldest) == ["note 1", "call 2"]
    after = oldest["customer"]["activities"]["pageInfo"]["endCursor"]
    assert subjects(
        api.data(ACTIVITIES, id=ada, first=2, after=after, orderBy={"direction": "ASC"})
    ) == ["note 3", "meeting 4"]
    last = api.data(ACTIVITIES, id=ada, last=2)
    assert subjects(last) == ["call 2", "note 1"]


def test_activities_and_external_ids_of_a_list_load_in_constant_statements(api: Api) -> None:
    rows = [
        CustomerRow(
            row=n, first_name=f"C{n}", email=f"c{n}@example.com", external_ids=(f"shop:{n}",)
        )
        for n in range(12)
    ]
    api.container.use(Customers).import_rows(Principal.system(), rows)
    listed = api.data("{ customers(first: 12) { edges { node { id } } } }")
    for edge in listed["customers"]["edges"]:
        log(api, edge["node"]["id"], "NOTE", "hello", 1)
        log(api, edge["node"]["id"], "CALL", "call", 2)
    query = (
        "query($n: Int) { customers(first: $n) { edges { node { externalIds { source value } "
        "activities(first: 1) { totalCount edges { node { kind author { email } } } } } } } }"
    )

    def selects(size: int) -> tuple[int, dict[str, Any]]:
        api.statements.clear()
        data = api.data(query, n=size)
        return sum(s.startswith("SELECT") for s in api.statements), data

    selects(1)
    small, data = selects(3)
    large, _ = selects(12)
    node = data["customers"]["edges"][0]["node"]
    assert node["externalIds"][0]["source"] == "shop"
    assert node["activities"]["totalCount"] == 2
    assert node["activities"]["edges"][0]["node"] == {
        "kind": "CALL",
        "author": {"email": "admin@example.com"},
    }
    # customers, external ids, first pages, counts, activities, authors
    assert small == large <= 6


def test_customers_filter_by_segment_and_lifecycle_stage(api: Api) -> None:
    ada = create(api, firstName="Ada", email="ada@example.com")
    bob = create(api, firstName="Bob", email="bob@example.com")
    create(api, firstName="Cy", email="cy@example.com")
    tag = api.data(
        """mutation { createTag(input: {name: "vip", colour: "#aa0000"}) { tag { id } } }"""
    )["createTag"]["tag"]["id"]
    api.data(
        """mutation($input: TagCustomersInput!) { tagCustomers(input: $input) { userErrors { code } } }""",
        input={"customerIds": [bob], "tagIds": [tag]},
    )
    segment = api.data(
        """mutation($input: CreateSegmentInput!) {
          createSegment(input: $input) { segment { id } userErrors { field code } } }""",
        input={"name": "Static", "kind": "STATIC", "rule": 'tag("vip")'},
    )["createSegment"]
    assert segment["userErrors"] == [], segment
    moved = api.data(
        """mutation($input: ChangeLifecycleStageInput!) {
          changeLifecycleStage(input: $input) { userErrors { code } } }""",
        input={"customerId": ada, "track": "acquisition", "stage": "lead"},
    )
    assert moved["changeLifecycleStage"]["userErrors"] == []
    query = """query($filter: CustomerFilter) {
      customers(filter: $filter) { totalCount edges { node { id } } } }"""

    def ids(**filter: Any) -> set[str]:
        found = api.data(query, filter=filter)["customers"]
        assert found["totalCount"] == len(found["edges"])
        return {edge["node"]["id"] for edge in found["edges"]}

    assert ids(segmentIds=[segment["segment"]["id"]]) == {bob}
    assert ids(lifecycleStage={"track": "acquisition", "stage": "lead"}) == {ada}
    assert ids(lifecycleStage={"track": "acquisition", "stage": "customer"}) == set()
    bad = api.query(query, filter={"segmentIds": [ada]})
    assert bad["errors"][0]["extensions"] == {"code": "INVALID_ID", "field": "filter.segmentIds"}


def test_root_fields_fetch_users_events_and_field_definitions(api: Api) -> None:
    ada = create(api, firstName="Ada")
    viewer = api.data("{ viewer { id email } }")["viewer"]
    assert api.data("query($id: ID!) { user(id: $id) { email } }", id=viewer["id"]) == {
        "user": {"email": viewer["email"]}
    }
    api.data(
        """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }""",
        input={"events": [{"customer": {"id": ada}, "name": "Signed Up", "eventId": "e1"}]},
    )
    entry = api.data(
        """query($id: ID!) { customer(id: $id) { timeline { edges { node {
          ... on BehaviourTimelineEntry { event { id } } } } } } }""",
        id=ada,
    )["customer"]["timeline"]["edges"][0]["node"]
    event_id = entry["event"]["id"]
    found = api.data(
        "query($id: ID!) { behaviourEvent(id: $id) { name customer { id } } }", id=event_id
    )
    assert found == {"behaviourEvent": {"name": "Signed Up", "customer": {"id": ada}}}
    defined = api.data(
        """mutation { defineCustomField(input: {objectType: CUSTOMER, key: "plan", label: "Plan",
          type: SINGLE_CHOICE, choices: ["free", "pro"]}) {
          customFieldDefinition { id key } userErrors { code } } }"""
    )["defineCustomField"]["customFieldDefinition"]
    by_root = api.data(
        "query($id: ID!) { customFieldDefinition(id: $id) { key choices } }", id=defined["id"]
    )
    assert by_root == {"customFieldDefinition": {"key": "plan", "choices": ["free", "pro"]}}
    by_node = api.data(
        "query($id: ID!) { node(id: $id) { ... on CustomFieldDefinition { key } } }",
        id=defined["id"],
    )
    assert by_node == {"node": {"key": "plan"}}
    bad = api.query("query($id: ID!) { user(id: $id) { email } }", id=ada)
    assert bad["errors"][0]["extensions"] == {"code": "INVALID_ID", "field": "id"}


DUPLICATES = """
query($first: Int, $after: String, $last: Int, $before: String) {
  duplicateCandidates(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { score customer { id } other { id } } }
  }
}"""


def test_duplicate_candidates_page_both_ways(api: Api) -> None:
    for number in range(4):
        create(
            api, firstName=f"Twin{number}", email=f"twin{number}@example.com", phone="+14155550123"
        )
    everything = api.data(DUPLICATES, first=100)["duplicateCandidates"]
    pairs = [edge["cursor"] for edge in everything["edges"]]
    assert everything["totalCount"] == len(pairs) == 6  # four customers sharing a phone
    last_two = api.data(DUPLICATES, last=2)["duplicateCandidates"]
    assert [edge["cursor"] for edge in last_two["edges"]] == pairs[-2:]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    before = api.data(DUPLICATES, last=3, before=last_two["pageInfo"]["startCursor"])
    assert [edge["cursor"] for edge in before["duplicateCandidates"]["edges"]] == pairs[1:4]
    middle = api.data(DUPLICATES, first=2, after=pairs[0])["duplicateCandidates"]
    assert [edge["cursor"] for edge in middle["edges"]] == pairs[1:3]
    assert middle["pageInfo"]["hasNextPage"] and middle["pageInfo"]["hasPreviousPage"]
    bad = api.query(DUPLICATES, last=2, before="nope")
    assert bad["errors"][0]["extensions"] == {"code": "INVALID", "field": "before"}
