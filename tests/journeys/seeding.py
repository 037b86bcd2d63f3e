"""A journey for a world of test data (the node registry refetches one), made through the API."""

from __future__ import annotations

from typing import Any

from tests.graphql.conftest import Api

CREATE = """
mutation($input: CreateJourneyInput!) {
  createJourney(input: $input) {
    journey { id name status revision }
    userErrors { field code message }
  }
}
"""


def template(api: Api, name: str) -> str:
    created = api.data(
        "mutation($input: CreateTemplateInput!) "
        "{ createTemplate(input: $input) { template { id } userErrors { code } } }",
        input={"name": name, "channel": "EMAIL", "subject": name, "text": f"{name} text"},
    )["createTemplate"]
    assert created["userErrors"] == []
    return str(created["template"]["id"])


def welcome_input(template_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": "Welcome",
        "trigger": {"kind": "EVENT_TRACKED", "eventName": "signed_up"},
        "entryStepId": "hello",
        "steps": [
            {"id": "hello", "kind": "SEND", "templateId": template_id, "next": "rest"},
            {"id": "rest", "kind": "WAIT", "waitSeconds": 86_400, "next": "call"},
            {"id": "call", "kind": "TASK", "title": "Call them", "taskKind": "CALL"},
        ],
        "goalRule": "orders.count(7d) >= 1",
        "reentry": {"kind": "AFTER", "days": 30},
        **fields,
    }


def seed_journey(api: Api, name: str = "Seeded welcome") -> str:
    """Create one journey through the API; its global id."""
    payload = api.data(CREATE, input=welcome_input(template(api, f"{name} mail"), name=name))
    assert payload["createJourney"]["userErrors"] == []
    return str(payload["createJourney"]["journey"]["id"])
