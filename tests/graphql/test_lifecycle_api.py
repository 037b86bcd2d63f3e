from typing import Any

from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.test_orders_api import customer, record

CHANGE = """
mutation($input: ChangeLifecycleStageInput!) {
  changeLifecycleStage(input: $input) {
    customer { id lifecycle { track { key } stage { key } enteredAt } }
    lifecycle { track { key label } stage { key label } }
    userErrors { field message code }
  }
}"""
HISTORY = """
query($id: ID!, $first: Int, $after: String) {
  customer(id: $id) {
    stageHistory(first: $first, after: $after) {
      totalCount
      edges { cursor node {
        id track { key } fromStage { key label } toStage { key label } changedAt reason rule
        override actor { name }
      } }
      pageInfo { hasNextPage endCursor }
    }
    timeline(kinds: [STAGE_CHANGED]) {
      edges { node { kind title ... on StageChangeTimelineEntry { track { key } fromStage { key } toStage { key } } } }
    }
  }
}"""
LIST = """
{ customers(first: 50) { edges { node { email lifecycle { track { key } stage { key } } } } } }"""
SINCE = """query($id: ID!) { customer(id: $id) { lifecycle { track { key } secondsInStage } } }"""
TRACKS = """
{ lifecycleTracks { key label stages { key label } transitions { fromStage toStage }
  rules { key trigger toStage days } } }"""


def change(api: Api, token: str | None = None, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.data(CHANGE, token, input=fields)["changeLifecycleStage"]
    return result


def test_change_a_stage_and_read_it_back_with_its_history(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    first = change(api, customerId=ada, track="acquisition", stage="lead")
    assert first["userErrors"] == []
    assert first["lifecycle"] == [
        {
            "track": {"key": "acquisition", "label": "Acquisition"},
            "stage": {"key": "lead", "label": "Lead"},
        }
    ]
    second = change(
        api,
        customerId=ada,
        track="acquisition",
        stage="customer",
        override=True,
        reason="signed at the fair",
    )
    assert second["userErrors"] == []
    assert [s["stage"]["key"] for s in second["customer"]["lifecycle"]] == ["customer"]
    page = api.data(HISTORY, id=ada, first=1)["customer"]
    (edge,) = page["stageHistory"]["edges"]
    node = edge["node"]
    assert page["stageHistory"]["totalCount"] == 2
    assert (node["fromStage"]["key"], node["toStage"]["key"], node["override"], node["reason"]) == (
        "lead",
        "customer",
        True,
        "signed at the fair",
    )
    assert node["actor"] is not None
    assert page["stageHistory"]["pageInfo"]["hasNextPage"] is True
    rest = api.data(HISTORY, id=ada, first=5, after=page["stageHistory"]["pageInfo"]["endCursor"])
    assert [e["node"]["toStage"]["key"] for e in rest["customer"]["stageHistory"]["edges"]] == [
        "lead"
    ]
    assert [e["node"]["kind"] for e in page["timeline"]["edges"]] == ["STAGE_CHANGED"] * 2


def test_unhappy_changes_are_user_errors(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    change(api, customerId=ada, track="acquisition", stage="lead")
    cases = [
        ({"track": "loyalty", "stage": "gold"}, "UNKNOWN_TRACK", ["track"]),
        ({"track": "acquisition", "stage": "vip"}, "UNKNOWN_STAGE", ["stage"]),
        ({"track": "acquisition", "stage": "subscriber"}, "TRANSITION_NOT_ALLOWED", ["stage"]),
        ({"track": "acquisition", "stage": "customer", "override": True}, "REQUIRED", ["reason"]),
    ]
    for fields, code, path in cases:
        payload = change(api, customerId=ada, **fields)
        assert payload["customer"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, path)], fields
    bad_id = change(api, customerId="nope", track="acquisition", stage="lead")
    assert bad_id["userErrors"][0]["code"] == "INVALID_ID"
    viewer = api.key(Role.ANALYST, "viewer@example.com")
    forbidden = change(api, viewer, customerId=ada, track="acquisition", stage="lead")
    assert forbidden["userErrors"][0]["code"] == "FORBIDDEN"
    bad_cursor = api.query(HISTORY, id=ada, after="bm9wZQ")
    assert bad_cursor["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}


def test_a_paid_order_moves_the_customer_and_lists_cost_constant_statements(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    record(api, customerId=ada, placedAt="2026-03-01T10:00:00Z", currency="USD", paid=True)

    def statements_for_list() -> int:
        api.statements.clear()
        api.data(LIST)
        return len(api.statements)

    few = statements_for_list()
    for number in range(8):
        other = customer(api, f"c{number}@example.com")
        change(api, customerId=other, track="engagement", stage="new")
    assert statements_for_list() == few
    listed = {
        e["node"]["email"]: e["node"]["lifecycle"] for e in api.data(LIST)["customers"]["edges"]
    }
    assert listed["ada@example.com"] == [
        {"track": {"key": "acquisition"}, "stage": {"key": "customer"}}
    ]
    assert listed["c0@example.com"] == [{"track": {"key": "engagement"}, "stage": {"key": "new"}}]


def test_lifecycle_tracks_lists_the_default_tracks_and_rules(api: Api) -> None:
    tracks = api.data(TRACKS)["lifecycleTracks"]
    assert [t["key"] for t in tracks] == ["acquisition", "engagement"]
    assert [s["key"] for s in tracks[1]["stages"]] == [
        "new",
        "active",
        "at_risk",
        "dormant",
        "churned",
        "won_back",
    ]
    assert {"fromStage": "dormant", "toStage": "won_back"} in tracks[1]["transitions"]
    assert [(r["key"], r["days"]) for r in tracks[1]["rules"]][:1] == [
        ("order_after_dormancy", None)
    ]


SAVE_TRACK = """
mutation($input: SaveLifecycleTrackInput!) {
  saveLifecycleTrack(input: $input) { tracks { key stages { key } } userErrors { field code } }
}"""
SAVE_RULE = """
mutation($input: SaveLifecycleRuleInput!) {
  saveLifecycleRule(input: $input) { tracks { key rules { key } } userErrors { field code } }
}"""


def test_tracks_and_rules_are_edited_through_the_api(api: Api) -> None:
    track = {
        "key": "loyalty",
        "label": "Loyalty",
        "stages": [{"key": "bronze", "label": "Bronze"}],
        "transitions": [{"fromStage": None, "toStage": "bronze"}],
        "position": 2,
    }
    saved = api.data(SAVE_TRACK, input=track)["saveLifecycleTrack"]
    assert saved["userErrors"] == []
    assert [t["key"] for t in saved["tracks"]] == ["acquisition", "engagement", "loyalty"]
    rule = {"key": "b", "track": "loyalty", "trigger": "PAID_ORDER", "toStage": "gold"}
    refused = api.data(SAVE_RULE, input=rule)["saveLifecycleRule"]
    assert refused["userErrors"] == [{"field": ["toStage"], "code": "UNKNOWN_STAGE"}]
    agent = api.key(Role.SALES_REP, "agent@example.com")
    forbidden = api.data(SAVE_TRACK, agent, input=track)["saveLifecycleTrack"]
    assert forbidden["userErrors"][0]["code"] == "FORBIDDEN"


def test_time_in_stage_is_readable(api: Api) -> None:
    ada = customer(api, "ada@example.com")
    change(api, customerId=ada, track="acquisition", stage="lead")
    [stage] = api.data(SINCE, id=ada)["customer"]["lifecycle"]
    assert stage["track"] == {"key": "acquisition"}
    assert 0 <= stage["secondsInStage"] < 60
