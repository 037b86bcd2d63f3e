"""The subscriptions over graphql-transport-ws, fed by the relay in the app: the typed
``events`` stream and the typed live subscriptions, each with its filters."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from adapters.graphql.event_types import EventType, enum_name, graphql_data
from adapters.graphql.relay import from_global_id, local_id, to_global_id
from application.access.bundle import Access
from application.activities.bundle import Activities
from application.activities.commands import NewActivity
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.events.catalogue import event_classes
from application.lifecycle.bundle import Lifecycle
from application.lifecycle.commands import StageMove
from application.pipeline.bundle import Sales
from application.pipeline.opportunities import NewOpportunity, OpportunityPatch
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from application.tags.bundle import Tags
from application.tags.commands import NewTag
from bootstrap import Container, Settings, asgi_app, build_container
from domain.access.roles import Role
from domain.activities import ActivityKind
from domain.pipeline import Outcome
from tests.graphql.live_socket import PROTOCOL, payload, receive, subscribed


@frozen
class Served:
    client: TestClient
    container: Container
    token: str
    admin: Principal

    def post(self, query: str, **variables: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {self.token}"},
            json={"query": query, "variables": variables},
        ).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def customer(self, first_name: str) -> str:
        """A new customer's local id, made through the use case."""
        return (
            self.container.use(Customers).create(self.admin, NewCustomer(first_name=first_name)).id
        )


@pytest.fixture
def served(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Served]:
    path = tmp_path / "live.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    assert settings.relay_in_app
    container = build_container(settings)
    issued = container.use(Access).issue_api_key(
        Principal.system(), role=Role.ADMIN, name="test", user_email="admin@example.com"
    )
    admin = container.use(Access).authenticate(issued.token)
    assert admin is not None
    with TestClient(asgi_app(container, settings)) as client:
        yield Served(client, container, issued.token, admin)


EVENTS = """
subscription($types: [EventType!], $customerId: ID) {
  events(types: $types, customerId: $customerId) {
    id type subject time sequence data
    subjectNode { id ... on Customer { firstName } }
    actor { email }
  }
}"""


def test_a_front_end_receives_a_typed_event_of_a_change_made_through_graphql(
    served: Served,
) -> None:
    with subscribed(
        served.client, served.token, (EVENTS, {"types": ["CUSTOMER_CREATED"]})
    ) as socket:
        created = served.post(
            'mutation { createCustomer(input: {firstName: "Ada"}) { customer { id } } }'
        )["createCustomer"]["customer"]
        event = payload(socket, "events")

    assert event["type"] == "CUSTOMER_CREATED"
    assert event["subject"] == created["id"]
    assert event["subjectNode"] == {"id": created["id"], "firstName": "Ada"}
    assert event["actor"] == {"email": "admin@example.com"}
    assert datetime.fromisoformat(event["time"]).tzinfo is not None
    assert int(event["sequence"]) > 0
    data = event["data"]
    assert data["firstName"] == "Ada" and "first_name" not in data
    assert from_global_id(data["ownerId"])[0] == "User"


def test_the_events_of_one_customer_only(served: Served) -> None:
    ada, bob = served.customer("Ada"), served.customer("Bob")
    bob_id = to_global_id("Customer", bob)
    variables = {"types": ["CUSTOMER_UPDATED", "LIFECYCLE_STAGE_CHANGED"], "customerId": bob_id}
    lifecycle = served.container.use(Lifecycle)
    with subscribed(served.client, served.token, (EVENTS, variables)) as socket:
        lifecycle.change_stage(
            served.admin, StageMove(customer_id=ada, track="acquisition", stage="lead")
        )
        lifecycle.change_stage(
            served.admin, StageMove(customer_id=bob, track="acquisition", stage="lead")
        )
        event = payload(socket, "events")

    assert (event["type"], event["subject"]) == ("LIFECYCLE_STAGE_CHANGED", bob_id)
    assert event["data"]["toStage"] == "lead"
    assert from_global_id(event["data"]["changeId"])[0] == "StageChange"


DEAL_EVENTS = """
subscription($pipelineId: ID, $subjectId: ID) {
  events(
    types: [OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_CLOSED]
    pipelineId: $pipelineId
    subjectId: $subjectId
  ) { type subject data subjectNode { id ... on Opportunity { status } } }
}"""


def test_the_events_of_one_deal_of_one_pipeline(served: Served) -> None:
    sales = served.container.use(Sales)
    (pipeline,) = [p for p in sales.read_pipeline.pipelines(served.admin) if p.is_default]
    customer = served.customer("Ada")

    def deal(name: str) -> str:
        new = NewOpportunity(name=name, customer_id=customer, currency="EUR")
        return sales.create_opportunity(served.admin, new).id

    other, wanted = deal("Other"), deal("Wanted")
    wanted_id = to_global_id("Opportunity", wanted)
    variables = {"pipelineId": to_global_id("Pipeline", pipeline.id), "subjectId": wanted_id}
    with subscribed(served.client, served.token, (DEAL_EVENTS, variables)) as socket:
        sales.move_opportunity(served.admin, other, pipeline.stages[1].id)
        sales.close_opportunity(served.admin, wanted, Outcome.WON, "signed")
        event = payload(socket, "events")

    # A closed event names no pipeline: the deal's own is read when it is delivered.
    assert (event["type"], event["subject"]) == ("OPPORTUNITY_CLOSED", wanted_id)
    assert event["data"]["outcome"] == "WON"
    assert event["subjectNode"] == {"id": wanted_id, "status": "WON"}


def test_a_misspelt_event_type_is_an_error_not_a_silent_stream(served: Served) -> None:
    with subscribed(
        served.client, served.token, (EVENTS, {"types": ["CUSTOMER_CRAETED"]})
    ) as socket:
        message = receive(socket)
    assert message["type"] == "error"
    assert "CUSTOMER_CRAETED" in message["payload"][0]["message"]


def test_the_event_type_enum_names_every_event_of_the_catalogue() -> None:
    named = {str(member.value): member.name for member in EventType}
    assert named == {cls.event_type: enum_name(cls.event_type) for cls in event_classes()}
    assert enum_name("rapport.lead.first_touch_due.v1") == "LEAD_FIRST_TOUCH_DUE"
    assert enum_name("rapport.order.paid.v2") == "ORDER_PAID_V2"


def test_event_data_is_in_the_schemas_terms() -> None:
    data = graphql_data(
        {
            "customer_id": "c-1",
            "merged_ids": ["c-2"],
            "kind": "call",
            "external_ids": ["shop:1"],
            "changes": {"first_name": "Ada", "owner_id": "u-1"},
        }
    )
    assert data == {
        "customerId": to_global_id("Customer", "c-1"),
        "mergedIds": [to_global_id("Customer", "c-2")],
        "kind": "CALL",
        "externalIds": ["shop:1"],
        "changes": {"firstName": "Ada", "ownerId": to_global_id("User", "u-1")},
    }


def test_a_socket_without_a_key_is_refused(served: Served) -> None:
    with served.client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as socket:
        socket.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 4403


STAGE_CHANGED = """
subscription($customerId: ID, $track: String) {
  lifecycleStageChanged(customerId: $customerId, track: $track) {
    eventId
    customer { id firstName lifecycle { track { key } stage { key } } }
    stage { track { key } stage { key label } }
    change { id fromStage { key } toStage { key } actor { email } }
  }
}"""


def test_a_stage_change_arrives_with_the_customer_and_its_new_stage(served: Served) -> None:
    ada, bob = served.customer("Ada"), served.customer("Bob")
    bob_id = to_global_id("Customer", bob)
    with subscribed(
        served.client,
        served.token,
        (STAGE_CHANGED, {"customerId": bob_id, "track": "acquisition"}),
    ) as socket:
        # Ada's move is not Bob's: the first thing the subscriber gets is Bob's.
        served.post(
            "mutation($id: ID!) { changeLifecycleStage(input: "
            '{customerId: $id, track: "acquisition", stage: "lead"}) { userErrors { code } } }',
            id=to_global_id("Customer", ada),
        )
        served.container.use(Lifecycle).change_stage(
            served.admin, StageMove(customer_id=bob, track="acquisition", stage="lead")
        )
        changed = payload(socket, "lifecycleStageChanged")
        served.container.use(Lifecycle).change_stage(
            served.admin,
            StageMove(customer_id=bob, track="acquisition", stage="marketing_qualified_lead"),
        )
        again = payload(socket, "lifecycleStageChanged")

    # Each delivery reads afresh: the customer's stages are not those the first one loaded.
    assert again["customer"]["lifecycle"] == [
        {"track": {"key": "acquisition"}, "stage": {"key": "marketing_qualified_lead"}}
    ]
    assert again["change"]["fromStage"] == {"key": "lead"}
    assert changed["customer"]["id"] == bob_id
    assert changed["customer"]["firstName"] == "Bob"
    assert changed["stage"] == {
        "track": {"key": "acquisition"},
        "stage": {"key": "lead", "label": "Lead"},
    }
    assert changed["change"]["toStage"] == {"key": "lead"}
    assert changed["change"]["actor"] == {"email": "admin@example.com"}
    assert from_global_id(changed["change"]["id"])[0] == "StageChange"


MOVED = """
subscription($pipelineId: ID, $ownerId: ID) {
  opportunityMoved(pipelineId: $pipelineId, ownerId: $ownerId) {
    move type
    opportunity { id name stage { id key } owner { email } customer { id } }
    fromStage { key }
  }
}"""


def test_a_deal_move_arrives_as_the_opportunity_filtered_by_owner(served: Served) -> None:
    sales = served.container.use(Sales)
    (pipeline,) = [p for p in sales.read_pipeline.pipelines(served.admin) if p.is_default]
    rep = served.container.use(Access).issue_api_key(
        Principal.system(), role=Role.SALES_MANAGER, name="rep", user_email="rep@example.com"
    )
    customer = served.customer("Ada")

    def deal(name: str, owner: str) -> str:
        new = NewOpportunity(
            name=name,
            customer_id=customer,
            owner_id=owner,
            currency="EUR",
            amount="1000",
            expected_close_date=date(2027, 1, 1),
        )
        return sales.create_opportunity(served.admin, new).id

    variables = {
        "pipelineId": to_global_id("Pipeline", pipeline.id),
        "ownerId": to_global_id("User", rep.user_id),
    }
    second, third = pipeline.stages[1].id, pipeline.stages[2].id
    with subscribed(served.client, served.token, (MOVED, variables)) as socket:
        ours = deal("Ours", served.admin.actor_id)
        theirs = deal("Theirs", rep.user_id)
        created = payload(socket, "opportunityMoved")
        sales.move_opportunity(served.admin, ours, second)
        sales.move_opportunity(served.admin, theirs, second)
        moved = payload(socket, "opportunityMoved")
        sales.move_opportunity(served.admin, theirs, third)
        sales.close_opportunity(served.admin, theirs, Outcome.WON, "signed")
        again = payload(socket, "opportunityMoved")
        closed = payload(socket, "opportunityMoved")

    assert (created["move"], created["fromStage"]) == ("CREATED", None)
    assert created["opportunity"]["name"] == "Theirs"
    assert (moved["move"], moved["type"]) == ("STAGE_CHANGED", "OPPORTUNITY_STAGE_CHANGED")
    assert moved["opportunity"]["id"] == to_global_id("Opportunity", theirs)
    assert moved["opportunity"]["owner"] == {"email": "rep@example.com"}
    assert moved["opportunity"]["customer"] == {"id": to_global_id("Customer", customer)}
    assert moved["fromStage"] == {"key": pipeline.stages[0].key}
    # Each delivery reads the deal afresh: the second shows the stage it has now.
    assert moved["opportunity"]["stage"]["key"] == pipeline.stages[1].key
    assert again["opportunity"]["stage"]["key"] == pipeline.stages[2].key
    assert (closed["move"], closed["fromStage"]) == ("CLOSED", None)


def test_an_edited_deal_arrives_as_updated_with_what_it_is_now(served: Served) -> None:
    sales = served.container.use(Sales)
    customer = served.customer("Ada")
    new = NewOpportunity(
        name="Pilot", customer_id=customer, owner_id=served.admin.actor_id, currency="EUR"
    )
    with subscribed(served.client, served.token, (MOVED, {})) as socket:
        # Opened while subscribed, so its creation is delivered first, whenever the relay
        # gets to it, and cannot be mistaken for the edit.
        opened = sales.create_opportunity(served.admin, new)
        assert payload(socket, "opportunityMoved")["move"] == "CREATED"
        sales.update_opportunity(
            served.admin,
            OpportunityPatch(
                opportunity_id=opened.id,
                expected_version=opened.version,
                name="Pilot, fifty seats",
                amount=("950.00", "EUR"),
            ),
        )
        edited = payload(socket, "opportunityMoved")
    assert (edited["move"], edited["type"]) == ("UPDATED", "OPPORTUNITY_UPDATED")
    assert edited["opportunity"]["id"] == to_global_id("Opportunity", opened.id)
    assert edited["opportunity"]["name"] == "Pilot, fifty seats"
    assert edited["fromStage"] is None


TIMELINE = """
subscription($customerId: ID!) {
  customerTimeline(customerId: $customerId) { id kind title subject { id } }
}"""


def test_a_customers_timeline_brings_their_new_entries_only(served: Served) -> None:
    ada, bob = served.customer("Ada"), served.customer("Bob")
    activities = served.container.use(Activities)
    with subscribed(
        served.client, served.token, (TIMELINE, {"customerId": to_global_id("Customer", bob)})
    ) as socket:
        activities.log(
            served.admin, NewActivity(customer_id=ada, kind=ActivityKind.NOTE, subject="Ada's")
        )
        logged = activities.log(
            served.admin, NewActivity(customer_id=bob, kind=ActivityKind.NOTE, subject="Bob's")
        )
        entry = payload(socket, "customerTimeline")
        # A deal's move names no customer in its event: the timeline is looked at anyway.
        sales = served.container.use(Sales)
        (pipeline,) = [p for p in sales.read_pipeline.pipelines(served.admin) if p.is_default]
        new = NewOpportunity(name="Bob's deal", customer_id=bob, currency="EUR")
        deal = sales.create_opportunity(served.admin, new).id
        opened = payload(socket, "customerTimeline")
        sales.move_opportunity(served.admin, deal, pipeline.stages[1].id)
        moved = payload(socket, "customerTimeline")

    assert (opened["kind"], moved["kind"]) == ("OPPORTUNITY", "OPPORTUNITY")
    assert moved["subject"] == {"id": to_global_id("Opportunity", deal)}
    assert moved["title"].startswith("Bob's deal: moved to")
    assert (entry["kind"], entry["title"]) == ("NOTE", "Bob's")
    assert entry["subject"] == {"id": to_global_id("Activity", logged.id)}
    assert from_global_id(entry["id"])[0] == "TimelineEntry"


def test_a_timeline_of_a_malformed_customer_id_is_refused_with_a_code(served: Served) -> None:
    with subscribed(served.client, served.token, (TIMELINE, {"customerId": "garbage"})) as socket:
        message = receive(socket)
    assert message["type"] in ("next", "error")
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [error["extensions"] for error in errors] == [
        {"code": "INVALID_ID", "field": "customerId"}
    ]


MEMBERSHIP = """
subscription($segmentId: ID, $customerId: ID) {
  segmentMembershipChanged(segmentId: $segmentId, customerId: $customerId) {
    change at customer { id firstName } segment { id name }
  }
}"""


def test_a_customer_entering_a_segment_arrives_with_the_customer_and_the_segment(
    served: Served,
) -> None:
    ada, bob = served.customer("Ada"), served.customer("Bob")
    tags = served.container.use(Tags)
    vip = tags.create(served.admin, NewTag(name="VIP", colour="#aa0000")).id
    segment = served.container.use(Segments).create(
        served.admin, NewSegment(name="VIPs", rule='tag("VIP")')
    )
    variables = {
        "segmentId": to_global_id("Segment", segment.id),
        "customerId": to_global_id("Customer", bob),
    }
    with subscribed(served.client, served.token, (MEMBERSHIP, variables)) as socket:
        tags.tag(served.admin, [ada], [vip])
        tags.tag(served.admin, [bob], [vip])
        entered = payload(socket, "segmentMembershipChanged")
        tags.untag(served.admin, [bob], [vip])
        exited = payload(socket, "segmentMembershipChanged")

    assert entered["change"] == "ENTERED"
    assert entered["customer"] == {"id": to_global_id("Customer", bob), "firstName": "Bob"}
    assert entered["segment"] == {"id": to_global_id("Segment", segment.id), "name": "VIPs"}
    assert exited["change"] == "EXITED"
    assert local_id(exited["customer"]["id"], "Customer") == bob


def test_an_analyst_follows_events_with_emails_and_phones_masked(served: Served) -> None:
    analyst = served.container.use(Access).issue_api_key(
        Principal.system(), role=Role.ANALYST, name="test", user_email="analyst@example.com"
    )
    query = "subscription { events(types: [CUSTOMER_CREATED]) { data subjectNode { id "
    query += "... on Customer { email } } } }"
    with subscribed(served.client, analyst.token, (query, {})) as socket:
        served.container.use(Customers).create(
            served.admin, NewCustomer(first_name="Ada", email="ada@example.com")
        )
        event = payload(socket, "events")

    assert event["data"]["email"] == "a•••@example.com"
    assert event["data"]["firstName"] == "Ada"
    assert event["subjectNode"]["email"] == "a•••@example.com"
