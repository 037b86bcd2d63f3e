"""Journeys through the API: defined, refused with the field at fault, versioned,
activated and paused, listed, and their stats."""

from __future__ import annotations

from typing import Any

from adapters.graphql.relay import from_global_id
from application.journeys.bundle import Journeys
from application.scheduling.bundle import Scheduling
from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.journeys.seeding import CREATE, template, welcome_input

JOURNEY = """
query($id: ID!) {
  journey(id: $id) {
    id name status revision
    trigger { kind eventName }
    steps { id kind next templateId waitSeconds title taskKind }
    current { number entryStepId goalRule reentry { kind days } }
    versions { number }
    stats {
      entered active completed goalReached exited
      messages { queued sent }
      steps { stepId reached messages { queued } }
    }
  }
}
"""
UPDATE = """
mutation($input: UpdateJourneyInput!) {
  updateJourney(input: $input) { journey { revision versions { number } } userErrors { field code } }
}
"""
STATUS = """
mutation($input: {name}Input!) {{
  {field}(input: $input) {{ journey {{ status }} userErrors {{ field code }} }}
}}
"""


def _status(api: Api, mutation: str, journey_id: str, token: str | None = None) -> Any:
    name = mutation[0].upper() + mutation[1:]
    document = STATUS.format(name=name, field=mutation)
    return api.data(document, token, input={"id": journey_id})[mutation]


def test_a_journey_is_defined_activated_and_read_back(api: Api) -> None:
    mail = template(api, "Welcome mail")
    created = api.data(CREATE, input=welcome_input(mail))["createJourney"]
    assert created["userErrors"] == []
    journey = created["journey"]
    assert journey["status"] == "DRAFT"

    assert _status(api, "activateJourney", journey["id"])["journey"] == {"status": "ACTIVE"}
    found = api.data(JOURNEY, id=journey["id"])["journey"]
    assert found["trigger"] == {"kind": "EVENT_TRACKED", "eventName": "signed_up"}
    assert [(s["id"], s["kind"], s["next"]) for s in found["steps"]] == [
        ("hello", "SEND", "rest"),
        ("rest", "WAIT", "call"),
        ("call", "TASK", None),
    ]
    assert found["steps"][0]["templateId"] == mail
    assert found["steps"][1]["waitSeconds"] == 86_400
    assert (found["steps"][2]["title"], found["steps"][2]["taskKind"]) == ("Call them", "CALL")
    assert found["current"] == {
        "number": 1,
        "entryStepId": "hello",
        "goalRule": "orders.count(7d) >= 1",
        "reentry": {"kind": "AFTER", "days": 30},
    }
    assert found["stats"]["entered"] == 0
    assert found["stats"]["messages"] == {"queued": 0, "sent": 0}

    # Customers on it: the stats count them and the outbox's messages.
    journeys = api.container.use(Journeys)
    customer = api.data(
        'mutation { createCustomer(input: {firstName: "Ann", email: "ann@example.com"}) '
        "{ customer { id } } }"
    )["createCustomer"]["customer"]["id"]
    with journeys.engine.uow() as uow:
        stored = uow.journeys.get(from_global_id(journey["id"])[1])
        assert stored is not None
        journeys.engine.enter(uow, stored, [from_global_id(customer)[1]])
        uow.commit()
    api.container.use(Scheduling).run_due_work()
    stats = api.data(JOURNEY, id=journey["id"])["journey"]["stats"]
    assert (stats["entered"], stats["active"]) == (1, 1)
    assert stats["messages"]["queued"] == 1
    assert {s["stepId"]: (s["reached"], s["messages"]["queued"]) for s in stats["steps"]} == {
        "hello": (1, 1),
        "rest": (1, 0),
    }

    assert _status(api, "pauseJourney", journey["id"])["journey"] == {"status": "PAUSED"}
    assert _status(api, "pauseJourney", journey["id"])["userErrors"] == [
        {"field": ["status"], "code": "TRANSITION_NOT_ALLOWED"}
    ]


def test_a_bad_definition_is_refused_field_by_field(api: Api) -> None:
    given = welcome_input(
        "VGVtcGxhdGU6bm9uZQ",  # a template id there is none of
        goalRule="orders.count(7d >= 1",
        steps=[
            {"id": "hello", "kind": "SEND", "templateId": "VGVtcGxhdGU6bm9uZQ", "next": "gone"},
            {"id": "orphan", "kind": "WAIT", "waitSeconds": 60},
        ],
    )
    payload = api.data(CREATE, input=given)["createJourney"]
    assert payload["journey"] is None
    found = {(".".join(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert ("steps.hello.next", "UNKNOWN_STEP") in found
    assert ("steps.orphan", "UNREACHABLE_STEP") in found
    assert any(field == "goalRule" for field, _ in found)
    assert api.data("{ journeys(first: 5) { totalCount } }")["journeys"]["totalCount"] == 0


def test_a_new_version_is_published_with_the_revision_read(api: Api) -> None:
    mail = template(api, "Welcome mail")
    journey = api.data(CREATE, input=welcome_input(mail))["createJourney"]["journey"]
    update = {**welcome_input(mail, name="Welcome v2"), "id": journey["id"]}
    updated = api.data(UPDATE, input={**update, "revision": journey["revision"]})["updateJourney"]
    assert updated["userErrors"] == []
    assert updated["journey"]["versions"] == [{"number": 1}, {"number": 2}]
    stale = api.data(UPDATE, input={**update, "revision": journey["revision"]})["updateJourney"]
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]


def test_journeys_page_oldest_first_and_only_marketers_manage_them(api: Api) -> None:
    mail = template(api, "Welcome mail")
    for name in ("First", "Second", "Third"):
        api.data(CREATE, input=welcome_input(mail, name=name))
    page = api.data("{ journeys(first: 2) { edges { node { name } } pageInfo { hasNextPage } } }")
    assert [e["node"]["name"] for e in page["journeys"]["edges"]] == ["First", "Second"]
    assert page["journeys"]["pageInfo"]["hasNextPage"]

    rep = api.key(Role.SALES_REP, "rep@example.com")
    refused = api.data(CREATE, rep, input=welcome_input(mail, name="Mine"))["createJourney"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    listed = api.data("{ journeys(first: 5) { totalCount } }", rep)
    assert listed["journeys"]["totalCount"] == 3
