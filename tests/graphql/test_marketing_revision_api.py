"""The schema revision of tags, auto-tag rules, segments, RFM and lifecycle, through the API.

Refetching every node type, root fields by id, versions on the records users edit, Relay
connections with both directions and counts, and batched relations on lists of customers.
"""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import to_global_id
from application.principal import Principal
from application.tags.bundle import Tags
from domain.custom_fields import FieldType
from tests.graphql.conftest import Api

CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }
"""
CREATE_TAG = """
mutation($input: CreateTagInput!) {
  createTag(input: $input) { tag { id name version } userErrors { field code } }
}"""
UPDATE_TAG = """
mutation($input: UpdateTagInput!) {
  updateTag(input: $input) {
    tag { id name colour category description version } userErrors { field code }
  }
}"""
TAG = """
mutation($input: TagCustomersInput!) { tagCustomers(input: $input) { changedCount } }
"""
UNTAG = """
mutation($input: UntagCustomersInput!) { untagCustomers(input: $input) { changedCount } }
"""
CREATE_RULE = """
mutation($input: CreateAutoTagRuleInput!) {
  createAutoTagRule(input: $input) { rule { id version enabled } userErrors { field code } }
}"""
UPDATE_RULE = """
mutation($input: UpdateAutoTagRuleInput!) {
  updateAutoTagRule(input: $input) {
    rule { id version enabled customFields { key op value } event { name } tag { name } } userErrors { field code }
  }
}"""
CREATE_SEGMENT = """
mutation($input: CreateSegmentInput!) {
  createSegment(input: $input) { segment { id version } userErrors { field code } }
}"""
UPDATE_SEGMENT = """
mutation($input: UpdateSegmentInput!) {
  updateSegment(input: $input) { segment { name version } userErrors { field code } }
}"""
NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Tag { name }
    ... on AutoTagRule { enabled tag { name } }
    ... on Segment { name }
  }
}"""
CHANGE = """
mutation($input: ChangeLifecycleStageInput!) {
  changeLifecycleStage(input: $input) { userErrors { field code } }
}"""


def customer(api: Api, name: str) -> str:
    payload = api.data(CREATE_CUSTOMER, input={"firstName": name, "email": f"{name}@example.com"})
    customer_id: str = payload["createCustomer"]["customer"]["id"]
    return customer_id


def new_tag(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE_TAG, input={"name": name, "colour": "#aa0000", **fields})
    assert payload["createTag"]["userErrors"] == []
    tag: dict[str, Any] = payload["createTag"]["tag"]
    return tag


def new_rule(api: Api, tag_id: str) -> dict[str, Any]:
    event = {"name": "Signed In", "atLeast": 1, "days": 7}
    payload = api.data(CREATE_RULE, input={"tagId": tag_id, "event": event})
    assert payload["createAutoTagRule"]["userErrors"] == []
    rule: dict[str, Any] = payload["createAutoTagRule"]["rule"]
    return rule


def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(e["field"] or []), e["code"]) for e in payload["userErrors"]]


def test_every_node_type_of_the_area_is_refetched_by_node_and_by_its_root_field(api: Api) -> None:
    vip = new_tag(api, "VIP")
    rule = new_rule(api, vip["id"])
    segment = api.data(CREATE_SEGMENT, input={"name": "Known", "rule": "email is set"})[
        "createSegment"
    ]["segment"]

    assert api.data(NODE, id=vip["id"])["node"] == {
        "__typename": "Tag",
        "id": vip["id"],
        "name": "VIP",
    }
    assert api.data(NODE, id=rule["id"])["node"] == {
        "__typename": "AutoTagRule",
        "id": rule["id"],
        "enabled": True,
        "tag": {"name": "VIP"},
    }
    assert api.data(NODE, id=segment["id"])["node"] == {
        "__typename": "Segment",
        "id": segment["id"],
        "name": "Known",
    }
    roots = api.data(
        """query($tag: ID!, $rule: ID!, $segment: ID!) {
          tag(id: $tag) { name } autoTagRule(id: $rule) { id } segment(id: $segment) { name }
        }""",
        tag=vip["id"],
        rule=rule["id"],
        segment=segment["id"],
    )
    assert roots == {
        "tag": {"name": "VIP"},
        "autoTagRule": {"id": rule["id"]},
        "segment": {"name": "Known"},
    }
    missing = api.data(
        "query($id: ID!) { autoTagRule(id: $id) { id } }", id=to_global_id("AutoTagRule", "x")
    )
    assert missing == {"autoTagRule": None}
    wrong = api.query("query($id: ID!) { tag(id: $id) { id } }", id=segment["id"])
    assert wrong["errors"][0]["extensions"] == {"code": "INVALID_ID", "field": "id"}


def test_a_tag_is_updated_at_its_version_and_a_stale_version_changes_nothing(api: Api) -> None:
    vip = new_tag(api, "VIP")
    new_tag(api, "Lead")
    changed = api.data(
        UPDATE_TAG,
        input={
            "id": vip["id"],
            "version": 1,
            "name": "Very Important",
            "colour": "#00ff00",
            "category": "TRANSACTION",
            "description": "Spends a lot",
        },
    )["updateTag"]
    assert changed["userErrors"] == []
    assert changed["tag"] == {
        "id": vip["id"],
        "name": "Very Important",
        "colour": "#00FF00",
        "category": "TRANSACTION",
        "description": "Spends a lot",
        "version": 2,
    }
    stale = api.data(UPDATE_TAG, input={"id": vip["id"], "version": 1, "name": "Other"})
    assert (stale["updateTag"]["tag"], codes(stale["updateTag"])) == (
        None,
        [("version", "STALE_VERSION")],
    )
    taken = api.data(UPDATE_TAG, input={"id": vip["id"], "version": 2, "name": "lead"})
    assert codes(taken["updateTag"]) == [("name", "TAKEN")]
    same_case = api.data(
        UPDATE_TAG, input={"id": vip["id"], "version": 2, "name": "VERY important"}
    )
    assert same_case["updateTag"]["tag"]["version"] == 3
    cleared = api.data(UPDATE_TAG, input={"id": vip["id"], "version": 3, "description": None})
    assert (cleared["updateTag"]["tag"]["description"], cleared["updateTag"]["tag"]["version"]) == (
        "",
        4,
    )
    kept = api.data(UPDATE_TAG, input={"id": vip["id"], "version": 4, "name": None})
    assert codes(kept["updateTag"]) == [("name", "REQUIRED")]
    unknown = api.data(UPDATE_TAG, input={"id": to_global_id("Tag", "x"), "version": 1})
    assert codes(unknown["updateTag"]) == [("id", "NOT_FOUND")]
    malformed = api.data(UPDATE_TAG, input={"id": "nonsense", "version": 1})
    assert codes(malformed["updateTag"]) == [("id", "INVALID_ID")]
    names = api.data("{ tags { edges { node { name } } } }")["tags"]["edges"]
    assert [e["node"]["name"] for e in names] == ["Lead", "VERY important"]


def test_an_auto_tag_rule_is_updated_at_its_version_and_a_disabled_rule_does_not_run(
    api: Api,
) -> None:
    api.define("plan", FieldType.TEXT)
    pro, paying = new_tag(api, "Pro"), new_tag(api, "Paying")
    api.data(CREATE_CUSTOMER, input={"firstName": "Ada", "customFields": {"plan": "pro"}})
    rule = new_rule(api, pro["id"])
    is_pro = [{"key": "plan", "op": "EQ", "value": "pro"}]
    changed = api.data(
        UPDATE_RULE,
        input={"id": rule["id"], "version": 1, "customFields": is_pro, "tagId": paying["id"]},
    )["updateAutoTagRule"]
    assert changed["userErrors"] == []
    assert (changed["rule"]["version"], changed["rule"]["tag"]) == (2, {"name": "Paying"})
    assert (changed["rule"]["customFields"][0]["key"], changed["rule"]["event"]) == ("plan", None)
    stale = api.data(UPDATE_RULE, input={"id": rule["id"], "version": 1, "enabled": False})
    assert codes(stale["updateAutoTagRule"]) == [("version", "STALE_VERSION")]
    both = api.data(
        UPDATE_RULE,
        input={
            "id": rule["id"],
            "version": 2,
            "customFields": is_pro,
            "event": {"name": "x"},
        },
    )
    assert codes(both["updateAutoTagRule"]) == [("event", "INVALID")]
    off = api.data(UPDATE_RULE, input={"id": rule["id"], "version": 2, "enabled": False})
    assert (
        off["updateAutoTagRule"]["rule"]["enabled"],
        off["updateAutoTagRule"]["rule"]["version"],
    ) == (False, 3)

    report = api.container.use(Tags).run_rules(Principal.system())
    assert (report.rules, report.added) == (0, 0)
    api.data(UPDATE_RULE, input={"id": rule["id"], "version": 3, "enabled": True})
    report = api.container.use(Tags).run_rules(Principal.system())
    assert (report.rules, report.added) == (1, 1)
    history = api.data(
        "{ customers(first: 1) { edges { node { tagHistory { edges { node { tagName tag { name }"
        " rule { id } } } } } } } }"
    )["customers"]["edges"][0]["node"]["tagHistory"]["edges"]
    assert [e["node"] for e in history] == [
        {"tagName": "Paying", "tag": {"name": "Paying"}, "rule": {"id": rule["id"]}}
    ]
    disabled = api.data(
        "{ autoTagRules(filter: {enabled: false}) { totalCount } "
        "enabled: autoTagRules(filter: {enabled: true}) { totalCount edges { node { id } } } }"
    )
    assert disabled["autoTagRules"]["totalCount"] == 0
    assert [e["node"]["id"] for e in disabled["enabled"]["edges"]] == [rule["id"]]


def test_a_segment_is_updated_at_its_version_only(api: Api) -> None:
    segment = api.data(CREATE_SEGMENT, input={"name": "Known", "rule": "email is set"})[
        "createSegment"
    ]["segment"]
    assert segment["version"] == 1
    renamed = api.data(UPDATE_SEGMENT, input={"id": segment["id"], "version": 1, "name": "All"})
    assert renamed["updateSegment"] == {
        "segment": {"name": "All", "version": 2},
        "userErrors": [],
    }
    stale = api.data(UPDATE_SEGMENT, input={"id": segment["id"], "version": 1, "name": "Old"})
    assert codes(stale["updateSegment"]) == [("version", "STALE_VERSION")]


TAGS = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: TagFilter,
      $orderBy: TagOrder) {
  tags(first: $first, after: $after, last: $last, before: $before, filter: $filter,
       orderBy: $orderBy) {
    totalCount edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def names(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in connection["edges"]]


def test_the_catalogue_pages_both_ways_filters_and_orders(api: Api) -> None:
    for name, category in (
        ("b", "STATIC"),
        ("A", "BEHAVIOUR"),
        ("c", "BEHAVIOUR"),
        ("ab", "STATIC"),
    ):
        new_tag(api, name, category=category)
    first = api.data(TAGS, first=2)["tags"]
    assert (names(first), first["totalCount"], first["pageInfo"]["hasNextPage"]) == (
        ["A", "ab"],
        4,
        True,
    )
    last = api.data(TAGS, last=2)["tags"]
    assert (names(last), last["pageInfo"]["hasPreviousPage"]) == (["b", "c"], True)
    before = api.data(TAGS, last=5, before=last["pageInfo"]["startCursor"])["tags"]
    assert names(before) == ["A", "ab"]
    behaviour = api.data(TAGS, filter={"categories": ["BEHAVIOUR"]})["tags"]
    assert (names(behaviour), behaviour["totalCount"]) == (["A", "c"], 2)
    holding_a = api.data(TAGS, filter={"nameContains": "a"})["tags"]
    assert names(holding_a) == ["A", "ab"]
    newest = api.data(TAGS, orderBy={"field": "CREATED_AT", "direction": "DESC"}, first=3)["tags"]
    assert names(newest) == ["ab", "c", "A"]
    rest = api.data(
        TAGS,
        orderBy={"field": "CREATED_AT", "direction": "DESC"},
        after=newest["pageInfo"]["endCursor"],
    )["tags"]
    assert names(rest) == ["b"]
    mixed = api.query(TAGS, after=newest["pageInfo"]["endCursor"])
    assert mixed["errors"][0]["extensions"]["code"] == "INVALID"


SEGMENTS = """
query($filter: SegmentFilter, $orderBy: SegmentOrder, $last: Int) {
  segments(filter: $filter, orderBy: $orderBy, last: $last) {
    totalCount edges { node { name kind size } }
  }
}"""


def test_segments_page_filter_by_kind_and_name_and_order(api: Api) -> None:
    for email in ("ada", "bob"):
        customer(api, email)
    api.data(CREATE_SEGMENT, input={"name": "Everyone", "rule": "email is set", "kind": "STATIC"})
    api.data(CREATE_SEGMENT, input={"name": "Bobs", "rule": 'email = "bob@example.com"'})
    api.data(CREATE_SEGMENT, input={"name": "Nobody", "rule": 'email = "x"'})
    every = api.data(SEGMENTS)["segments"]
    assert (names(every), every["totalCount"]) == (["Bobs", "Everyone", "Nobody"], 3)
    static = api.data(SEGMENTS, filter={"kinds": ["STATIC"]})["segments"]
    assert names(static) == ["Everyone"]
    assert names(api.data(SEGMENTS, filter={"nameContains": "BOD"})["segments"]) == ["Nobody"]
    by_size = api.data(SEGMENTS, orderBy={"field": "SIZE", "direction": "DESC"})["segments"]
    assert [e["node"]["size"] for e in by_size["edges"]] == [2, 1, 0]
    assert names(api.data(SEGMENTS, last=1)["segments"]) == ["Nobody"]


MEMBERS = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  segment(id: $id) {
    members(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor node { email } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"""


def test_segment_members_are_a_relay_connection_both_ways(api: Api) -> None:
    ids = sorted(customer(api, f"m{n}") for n in range(5))
    segment = api.data(CREATE_SEGMENT, input={"name": "All", "rule": "email is set"})[
        "createSegment"
    ]["segment"]

    def page(**arguments: Any) -> dict[str, Any]:
        members: dict[str, Any] = api.data(MEMBERS, id=segment["id"], **arguments)["segment"][
            "members"
        ]
        return members

    def emails(members: dict[str, Any]) -> list[str]:
        return [e["node"]["email"] for e in members["edges"]]

    everyone = emails(page(first=10))
    assert len(everyone) == 5 == page(first=1)["totalCount"]
    assert len(ids) == 5
    first = page(first=2)
    assert emails(first) == everyone[:2]
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (True, False)
    second = page(first=2, after=first["pageInfo"]["endCursor"])
    assert emails(second) == everyone[2:4]
    last = page(last=2)
    assert emails(last) == everyone[3:]
    assert (last["pageInfo"]["hasPreviousPage"], last["pageInfo"]["hasNextPage"]) == (True, False)
    before = page(last=2, before=last["pageInfo"]["startCursor"])
    assert emails(before) == everyone[1:3]
    bad = api.query(MEMBERS, id=segment["id"], after="nope")
    assert bad["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}


HISTORIES = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  customer(id: $id) {
    tagHistory(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { node { tagName added } } pageInfo { startCursor endCursor }
    }
    stageHistory(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { node { toStage { key } } } pageInfo { startCursor endCursor }
    }
  }
}"""


def test_tag_and_stage_histories_page_both_ways_with_a_total(api: Api) -> None:
    ada = customer(api, "ada")
    tags = [new_tag(api, name) for name in ("t1", "t2", "t3")]
    for tag in tags:
        api.data(TAG, input={"customerIds": [ada], "tagIds": [tag["id"]]})
    api.data(UNTAG, input={"customerIds": [ada], "tagIds": [tags[0]["id"]]})
    for stage in ("subscriber", "lead", "marketing_qualified_lead"):
        moved = api.data(CHANGE, input={"customerId": ada, "track": "acquisition", "stage": stage})
        assert moved["changeLifecycleStage"]["userErrors"] == []

    def histories(**arguments: Any) -> dict[str, Any]:
        found: dict[str, Any] = api.data(HISTORIES, id=ada, **arguments)["customer"]
        return found

    newest = histories(first=2)
    tag_history, stage_history = newest["tagHistory"], newest["stageHistory"]
    assert (tag_history["totalCount"], stage_history["totalCount"]) == (4, 3)
    assert [(e["node"]["tagName"], e["node"]["added"]) for e in tag_history["edges"]] == [
        ("t1", False),
        ("t3", True),
    ]
    assert [e["node"]["toStage"]["key"] for e in stage_history["edges"]] == [
        "marketing_qualified_lead",
        "lead",
    ]
    oldest = histories(last=2)
    assert [e["node"]["tagName"] for e in oldest["tagHistory"]["edges"]] == ["t2", "t1"]
    assert [e["node"]["toStage"]["key"] for e in oldest["stageHistory"]["edges"]] == [
        "lead",
        "subscriber",
    ]
    tag_before = api.data(
        "query($id: ID!, $before: String) { customer(id: $id) {"
        " tagHistory(last: 5, before: $before) { edges { node { tagName } } } } }",
        id=ada,
        before=oldest["tagHistory"]["pageInfo"]["startCursor"],
    )["customer"]["tagHistory"]
    assert [e["node"]["tagName"] for e in tag_before["edges"]] == ["t1", "t3"]
    stage_before = api.data(
        "query($id: ID!, $before: String) { customer(id: $id) {"
        " stageHistory(last: 5, before: $before) { edges { node { toStage { key } } } } } }",
        id=ada,
        before=oldest["stageHistory"]["pageInfo"]["startCursor"],
    )["customer"]["stageHistory"]
    assert [e["node"]["toStage"]["key"] for e in stage_before["edges"]] == [
        "marketing_qualified_lead"
    ]


LIST = """
query($n: Int) {
  customers(first: $n) {
    edges { node {
      tagHistory(first: 2) { totalCount edges { node { tagName actor { email } } } }
      stageHistory(first: 2) {
        totalCount edges { node { track { key label } toStage { key label } } }
      }
      lifecycle { track { label } stage { label } }
      segments { name }
      rfm { class }
    } }
  }
}"""


def test_histories_stages_and_segments_of_a_list_cost_the_same_whatever_its_size(
    api: Api,
) -> None:
    people = [customer(api, f"p{n:02d}") for n in range(50)]
    tag_ids = [new_tag(api, f"T{n}")["id"] for n in range(3)]
    api.data(TAG, input={"customerIds": people, "tagIds": tag_ids})
    for person in people:
        api.data(CHANGE, input={"customerId": person, "track": "acquisition", "stage": "lead"})
    api.data(CREATE_SEGMENT, input={"name": "Everyone", "rule": "email is set"})
    api.data("mutation { computeRfm(input: {}) { scoredCount } }")

    def selects(size: int) -> int:
        api.statements.clear()
        edges = api.data(LIST, n=size)["customers"]["edges"]
        assert len(edges) == size
        for edge in edges:
            node = edge["node"]
            assert node["tagHistory"]["totalCount"] == 3
            assert len(node["tagHistory"]["edges"]) == 2
            assert node["stageHistory"]["edges"][0]["node"]["toStage"] == {
                "key": "lead",
                "label": "Lead",
            }
            assert node["lifecycle"] == [
                {"track": {"label": "Acquisition"}, "stage": {"label": "Lead"}}
            ]
            assert node["segments"] == [{"name": "Everyone"}]
        return sum(statement.startswith("SELECT") for statement in api.statements)

    selects(1)  # the first request also checks the API key
    small, large = selects(5), selects(50)
    assert small == large, (small, large)
    # The page; tag history pages, their counts and their actors; stage history pages and
    # their counts; the lifecycle catalogue; the stages; the segments; the RFM scores.
    assert large <= 12, large


def test_rfm_classes_are_an_enum_in_scores_and_rule_trees(api: Api) -> None:
    tree = {"rfmClass": {"classes": ["CANT_LOSE", "AT_RISK"], "negated": True}}
    text = api.data(
        "query($input: SegmentRuleInput!) { segmentRuleText(input: $input) { text } }",
        input=tree,
    )
    assert text["segmentRuleText"]["text"] == 'rfm.class not in ("cant_lose", "at_risk")'
    bad = api.query(
        "query($input: SegmentRuleInput!) { segmentRuleText(input: $input) { text } }",
        input={"rfmClass": {"classes": ["cant_lose"]}},
    )
    assert "errors" in bad


SEGMENT_LIST = """
query($n: Int) {
  segments(first: $n) {
    edges { node {
      name
      members(first: 2) { totalCount edges { node { email } } }
      sizeHistory(last: 3) { totalCount edges { node { size } } }
    } }
  }
}"""


def test_members_and_sizes_of_a_list_of_segments_cost_the_same_whatever_its_size(
    api: Api,
) -> None:
    for n in range(3):
        customer(api, f"s{n}")
    for n in range(12):
        made = api.data(CREATE_SEGMENT, input={"name": f"S{n:02d}", "rule": "email is set"})
        assert made["createSegment"]["userErrors"] == []

    def selects(size: int) -> int:
        api.statements.clear()
        edges = api.data(SEGMENT_LIST, n=size)["segments"]["edges"]
        assert len(edges) == size
        for edge in edges:
            members = edge["node"]["members"]
            assert (members["totalCount"], len(members["edges"])) == (3, 2)
            assert edge["node"]["sizeHistory"]["totalCount"] == 1
        return sum(statement.startswith("SELECT") for statement in api.statements)

    selects(1)  # the first request also checks the API key
    small, large = selects(3), selects(12)
    assert small == large, (small, large)


SAVE_TRACK = """
mutation($input: SaveLifecycleTrackInput!) {
  saveLifecycleTrack(input: $input) {
    track { key label version stages { key } } userErrors { field code }
  }
}"""
SAVE_RULE = """
mutation($input: SaveLifecycleRuleInput!) {
  saveLifecycleRule(input: $input) {
    rule { key track trigger version enabled } userErrors { field code }
  }
}"""


def test_lifecycle_tracks_and_rules_are_saved_at_their_version(api: Api) -> None:
    track = {
        "key": "loyalty",
        "label": "Loyalty",
        "stages": [{"key": "bronze", "label": "Bronze"}],
        "transitions": [{"fromStage": None, "toStage": "bronze"}],
    }
    made = api.data(SAVE_TRACK, input=track)["saveLifecycleTrack"]
    assert made["track"] == {
        "key": "loyalty",
        "label": "Loyalty",
        "version": 1,
        "stages": [{"key": "bronze"}],
    }
    relabelled = api.data(SAVE_TRACK, input={**track, "label": "Loyal", "version": 1})
    assert relabelled["saveLifecycleTrack"]["track"]["version"] == 2
    stale = api.data(SAVE_TRACK, input={**track, "label": "Old", "version": 1})
    assert codes(stale["saveLifecycleTrack"]) == [("version", "STALE_VERSION")]
    unknown = api.data(SAVE_TRACK, input={**track, "key": "vip", "version": 3})
    assert codes(unknown["saveLifecycleTrack"]) == [("key", "NOT_FOUND")]
    labels = api.data('{ lifecycleTrack(key: "loyalty") { label version } }')
    assert labels == {"lifecycleTrack": {"label": "Loyal", "version": 2}}

    rule = {"key": "buyers", "track": "loyalty", "trigger": "PAID_ORDER", "toStage": "bronze"}
    saved = api.data(SAVE_RULE, input=rule)["saveLifecycleRule"]
    assert saved["rule"] == {
        "key": "buyers",
        "track": "loyalty",
        "trigger": "PAID_ORDER",
        "version": 1,
        "enabled": True,
    }
    off = api.data(SAVE_RULE, input={**rule, "enabled": False, "version": 1})
    assert (
        off["saveLifecycleRule"]["rule"]["version"],
        off["saveLifecycleRule"]["rule"]["enabled"],
    ) == (
        2,
        False,
    )
    stale_rule = api.data(SAVE_RULE, input={**rule, "version": 1})
    assert codes(stale_rule["saveLifecycleRule"]) == [("version", "STALE_VERSION")]
