"""A seeded database with at least one record of every kind the API serves: the demo data
(customers, companies, orders, events, tags, notes, deals, segments) and, through the API
as a front end would make them, leads, tasks, an auto-tag rule, a webhook delivery,
message templates, campaigns, journeys and the first customer's latest note."""

from __future__ import annotations

from typing import Any

from adapters.demo.seeding import seed_demo
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.journeys.seeding import seed_journey

WORLD_CUSTOMERS = 160


def _first_id(api: Api, document: str, path: tuple[str, ...]) -> str:
    value: Any = api.data(document)
    for key in path:
        value = value[key][0] if key == "edges" else value[key]
    return str(value)


def seed_world(api: Api) -> None:
    seed_demo(api.container.bundles, customers=WORLD_CUSTOMERS)
    customer = _first_id(
        api,
        "{ customers(first: 1) { edges { node { id } } } }",
        ("customers", "edges", "node", "id"),
    )
    tag = _first_id(
        api, "{ tags(first: 1) { edges { node { id } } } }", ("tags", "edges", "node", "id")
    )
    deal = _first_id(
        api,
        "{ opportunities(first: 1) { edges { node { id } } } }",
        ("opportunities", "edges", "node", "id"),
    )
    for number, size in enumerate(
        ("FROM_11_TO_50", "FROM_201_TO_500", "OVER_10000", "FROM_1_TO_10")
    ):
        created = api.data(
            "mutation($input: CreateLeadInput!) { createLead(input: $input) { userErrors { code } } }",
            input={
                "email": f"lead{number}@prospect.example.com",
                "firstName": f"Lee{number}",
                "lastName": "Prospect",
                "companyName": "Prospect Ltd",
                "companySize": size,
                "utmSource": "newsletter",
            },
        )
        assert created["createLead"]["userErrors"] == []
    for day in (1, 2, 3, 4):
        task = api.data(
            "mutation($input: CreateTaskInput!) { createTask(input: $input) { userErrors { code } } }",
            input={
                "kind": "CALL",
                "title": f"Call about the renewal, take {day}",
                "dueAt": f"2030-01-0{day}T09:00:00Z",
                "customerId": customer,
                "opportunityId": deal,
            },
        )
        assert task["createTask"]["userErrors"] == []
    for name in ("Churn risk", "Trade show"):
        made = api.data(
            "mutation($input: CreateTagInput!) { createTag(input: $input) { userErrors { code } } }",
            input={"name": name, "colour": "#8E24AA", "category": "STATIC"},
        )
        assert made["createTag"]["userErrors"] == []
        segment = api.data(
            "mutation($input: CreateSegmentInput!) "
            "{ createSegment(input: $input) { userErrors { code } } }",
            input={"name": f"{name} customers", "rule": f'tag("{name.lower()}")'},
        )
        assert segment["createSegment"]["userErrors"] == []
    for at_least in (1, 3, 5, 8):
        rule = api.data(
            "mutation($input: CreateAutoTagRuleInput!) "
            "{ createAutoTagRule(input: $input) { userErrors { code } } }",
            input={"tagId": tag, "event": {"name": "signed_in", "atLeast": at_least, "days": 30}},
        )
        assert rule["createAutoTagRule"]["userErrors"] == []
    hook = api.data(
        "mutation($input: CreateWebhookSubscriptionInput!) "
        "{ createWebhookSubscription(input: $input) { userErrors { code } } }",
        input={"url": "http://127.0.0.1:9/hooks", "eventTypes": ["CUSTOMER_UPDATED"]},
    )
    assert hook["createWebhookSubscription"]["userErrors"] == []
    template = api.data(
        "mutation($input: CreateTemplateInput!) "
        "{ createTemplate(input: $input) { template { id } userErrors { code } } }",
        input={
            "name": "Welcome",
            "channel": "EMAIL",
            "subject": "Welcome, {{ customer.first_name }}",
            "text": "Hello {{ customer.display_name }}.\n\nUnsubscribe: {{ unsubscribe_url }}",
        },
    )
    assert template["createTemplate"]["userErrors"] == []
    templates = [template["createTemplate"]["template"]["id"]]
    for name in ("Spring", "Summer", "Autumn"):
        made = api.data(
            "mutation($input: CreateTemplateInput!) "
            "{ createTemplate(input: $input) { template { id } userErrors { code } } }",
            input={"name": name, "channel": "EMAIL", "subject": name, "text": "Hello."},
        )
        assert made["createTemplate"]["userErrors"] == []
        templates.append(made["createTemplate"]["template"]["id"])
    segments = api.data("{ segments(first: 1) { edges { node { id } } } }")
    segment = segments["segments"]["edges"][0]["node"]["id"]
    variants = [
        {"key": "A", "templateId": templates[1], "weightPercent": 50},
        {"key": "B", "templateId": templates[2], "weightPercent": 50},
    ]
    for given in (
        {"name": "Welcome mail", "templateId": templates[0]},
        {"name": "Spring sale", "templateId": templates[1]},
        {"name": "Summer sale", "templateId": templates[2], "throttlePerSecond": 10},
        {"name": "Autumn test", "abTest": {"variants": variants, "testSharePercent": 20}},
    ):
        campaign = api.data(
            "mutation($input: CreateCampaignInput!) "
            "{ createCampaign(input: $input) { userErrors { code } } }",
            input={"segmentId": segment, **given},
        )
        assert campaign["createCampaign"]["userErrors"] == []
    for number in range(4):
        seed_journey(api, f"Journey {number}")
    for phone in ("+14155550123", "+14155550124", "+14155550125", "+14155550126", "+14155550127"):
        api.data(
            "mutation($input: UpdateCustomerInput!) "
            "{ updateCustomer(input: $input) { userErrors { code } } }",
            input={"id": customer, "version": _version(api, customer), "phone": phone},
        )
    # Newest on the first customer's timeline, so a page of the first few customers shows
    # an activity among its latest entries and loads one, as a longer page does.
    note = api.data(
        "mutation($input: LogActivityInput!) { logActivity(input: $input) { userErrors { code } } }",
        input={"customerId": customer, "kind": "NOTE", "subject": "Renewal call booked"},
    )
    assert note["logActivity"]["userErrors"] == []
    for number in range(4):
        api.key(Role.SALES_REP, f"integration{number}@example.com")
    api.container.module("events").outbox_relay().drain()


def _version(api: Api, customer: str) -> int:
    return int(
        api.data("query($id: ID!) { customer(id: $id) { version } }", id=customer)["customer"][
            "version"
        ]
    )
