"""Campaigns through the API, over SQLite: created (bad input refused on its field),
scheduled, launched by the worker's round, read back with their stats."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import to_global_id
from application.scheduling.bundle import Scheduling
from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) {
    campaign { id status channel }
    userErrors { field code message }
  }
}
"""
SCHEDULE = """
mutation($input: ScheduleCampaignInput!) {
  scheduleCampaign(input: $input) {
    campaign { id status scheduledAt }
    userErrors { field code }
  }
}
"""
CANCEL = """
mutation($input: CancelCampaignInput!) {
  cancelCampaign(input: $input) { campaign { status } userErrors { field code } }
}
"""
READ = """
query($id: ID!) {
  campaign(id: $id) {
    id name status channel scheduledAt startedAt finishedAt throttlePerSecond
    segment { id } template { id }
    abTest { testSharePercent metric confidence waitMinutes }
    variants { key weightPercent template { id } stats { queued sent } }
    winner { key }
    stats(attributionModel: LINEAR) {
      queued sent delivered bounced opened clicked unsubscribed converted conversions
      attributedRevenue { amount currency }
    }
  }
}
"""


def _template(api: Api, name: str) -> str:
    made = api.data(
        "mutation($input: CreateTemplateInput!) "
        "{ createTemplate(input: $input) { template { id } userErrors { code } } }",
        input={"name": name, "channel": "EMAIL", "subject": "Hi", "text": "Hello"},
    )["createTemplate"]
    assert made["userErrors"] == []
    return str(made["template"]["id"])


def _segment(api: Api) -> str:
    made = api.data(
        "mutation($input: CreateSegmentInput!) "
        "{ createSegment(input: $input) { segment { id } userErrors { code } } }",
        input={"name": "Newsletter", "rule": 'first_name = "In"'},
    )["createSegment"]
    assert made["userErrors"] == []
    return str(made["segment"]["id"])


def _customers(api: Api, count: int) -> None:
    for number in range(count):
        made = api.data(
            "mutation($input: CreateCustomerInput!) "
            "{ createCustomer(input: $input) { userErrors { code } } }",
            input={"firstName": "In", "email": f"in{number}@example.com"},
        )["createCustomer"]
        assert made["userErrors"] == []


def _create(api: Api, token: str | None = None, **given: Any) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(CREATE, token, input={"name": "Spring", **given})[
        "createCampaign"
    ]
    return payload


def test_bad_input_is_a_user_error_on_its_field(api: Api) -> None:
    template, segment = _template(api, "Spring"), _segment(api)
    missing = _create(
        api,
        segmentId=to_global_id("Segment", "nope"),
        templateId=to_global_id("Template", "nope"),
    )
    assert missing["campaign"] is None
    assert sorted((e["field"], e["code"]) for e in missing["userErrors"]) == [
        (["segmentId"], "NOT_FOUND"),
        (["templateId"], "NOT_FOUND"),
    ]
    uneven = _create(
        api,
        segmentId=segment,
        abTest={
            "variants": [
                {"key": "A", "templateId": template, "weightPercent": 50},
                {"key": "B", "templateId": template, "weightPercent": 40},
            ]
        },
    )
    assert (["abTest", "variants"], "INVALID") in [
        (e["field"], e["code"]) for e in uneven["userErrors"]
    ]
    assert api.data("{ campaigns(first: 5) { totalCount } }")["campaigns"]["totalCount"] == 0


def test_a_campaign_is_scheduled_launched_and_read_back(api: Api) -> None:
    template, segment = _template(api, "Spring"), _segment(api)
    _customers(api, 3)
    created = _create(api, segmentId=segment, templateId=template, throttlePerSecond=100)
    assert created["userErrors"] == []
    assert (created["campaign"]["status"], created["campaign"]["channel"]) == ("DRAFT", "EMAIL")
    campaign = created["campaign"]["id"]
    scheduled = api.data(SCHEDULE, input={"campaignId": campaign, "at": None})
    assert scheduled["scheduleCampaign"]["campaign"]["status"] == "SCHEDULED"
    # The worker's round launches what is due.
    api.container.use(Scheduling).run_due_work()
    read = api.data(READ, id=campaign)["campaign"]
    assert (read["status"], read["segment"]["id"], read["template"]["id"]) == (
        "SENT",
        segment,
        template,
    )
    assert read["throttlePerSecond"] == 100 and read["finishedAt"] is not None
    assert (read["abTest"], read["variants"], read["winner"]) == (None, [], None)
    assert read["stats"] == {
        "queued": 3,
        "sent": 0,
        "delivered": 0,
        "bounced": 0,
        "opened": 0,
        "clicked": 0,
        "unsubscribed": 0,
        "converted": 0,
        "conversions": 0,
        "attributedRevenue": [],
    }
    listed = api.data("{ campaigns(first: 5) { totalCount edges { node { id } } } }")
    assert listed["campaigns"]["totalCount"] == 1
    assert listed["campaigns"]["edges"][0]["node"]["id"] == campaign
    node = api.data("query($id: ID!) { node(id: $id) { id } }", id=campaign)
    assert node["node"] == {"id": campaign}
    refused = api.data(CANCEL, input={"campaignId": campaign})["cancelCampaign"]
    assert refused == {
        "campaign": None,
        "userErrors": [{"field": ["status"], "code": "TRANSITION_NOT_ALLOWED"}],
    }


def test_an_ab_test_shows_its_variants_and_can_be_cancelled_while_scheduled(
    api: Api,
) -> None:
    first, second, segment = _template(api, "A"), _template(api, "B"), _segment(api)
    created = _create(
        api,
        segmentId=segment,
        abTest={
            "variants": [
                {"key": "A", "templateId": first, "weightPercent": 70},
                {"key": "B", "templateId": second, "weightPercent": 30},
            ],
            "testSharePercent": 20,
            "metric": "CLICK_RATE",
            "confidence": 0.9,
            "waitMinutes": 90,
        },
    )
    assert created["userErrors"] == []
    campaign = created["campaign"]["id"]
    at = "2099-01-01T09:00:00+00:00"
    scheduled = api.data(SCHEDULE, input={"campaignId": campaign, "at": at})
    assert scheduled["scheduleCampaign"]["campaign"]["scheduledAt"] == at
    read = api.data(READ, id=campaign)["campaign"]
    assert read["template"] is None
    assert read["abTest"] == {
        "testSharePercent": 20,
        "metric": "CLICK_RATE",
        "confidence": 0.9,
        "waitMinutes": 90,
    }
    assert [(v["key"], v["weightPercent"], v["template"]["id"]) for v in read["variants"]] == [
        ("A", 70, first),
        ("B", 30, second),
    ]
    cancelled = api.data(CANCEL, input={"campaignId": campaign})["cancelCampaign"]
    assert cancelled == {"campaign": {"status": "CANCELLED"}, "userErrors": []}
