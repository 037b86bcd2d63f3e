from datetime import timedelta

import pytest

from application.activities.commands import ActivityPatch, NewActivity
from application.customers.commands import NewCustomer
from application.customers.views import CustomerView
from application.errors import Forbidden, NotFound, StaleVersion
from application.principal import Principal
from domain.activities import ActivityKind, Direction
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App


@pytest.fixture
def customer(app: App, agent: Principal) -> CustomerView:
    return app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.com"))


def call(customer: str, **fields: object) -> NewActivity:
    values: dict[str, object] = {
        "customer_id": customer,
        "kind": ActivityKind.CALL,
        "subject": "Renewal",
        "body": "They will renew.",
        "duration_seconds": 300,
        "direction": Direction.OUTBOUND,
    }
    values.update(fields)
    return NewActivity(**values)  # type: ignore[arg-type]


def activity_events(app: App) -> list[str]:
    return [t for t, _ in app.backend.outbox() if t.startswith("rapport.activity.")]


def timeline_titles(app: App, actor: Principal, customer_id: str) -> list[str]:
    return [e.node.title for e in app.timeline.get(actor, customer_id).edges]


def test_a_logged_call_is_stored_on_the_timeline_with_its_event(
    app: App, agent: Principal, customer: CustomerView
) -> None:
    view = app.activities.log(agent, call(customer.id))
    assert (view.author_id, view.occurred_at, view.version) == (agent.actor_id, app.clock.now(), 1)
    assert app.activities.get(agent, [view.id]) == {view.id: view}
    (entry,) = [e.node for e in app.timeline.get(agent, customer.id).edges]
    assert (entry.id, entry.kind, entry.title, entry.actor_id) == (
        view.id,
        "call",
        "Renewal",
        agent.actor_id,
    )
    assert app.backend.outbox()[-1] == ("rapport.activity.logged.v1", view.id)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"body": "x" * 10_001}, "body", ErrorCode.TOO_LONG),
        ({"kind": ActivityKind.NOTE}, "durationSeconds", ErrorCode.INVALID),
        ({"direction": None}, "direction", ErrorCode.REQUIRED),
        ({"customer_id": "nobody"}, "customerId", ErrorCode.NOT_FOUND),
    ],
)
def test_a_refused_activity_stores_nothing(
    app: App,
    agent: Principal,
    customer: CustomerView,
    fields: dict[str, object],
    field: str,
    code: ErrorCode,
) -> None:
    with pytest.raises(DomainError) as caught:
        app.activities.log(agent, call(customer.id, **fields))
    assert (field, code) in {(p.field, p.code) for p in caught.value.problems}
    assert app.timeline.get(agent, customer.id).edges == ()
    assert activity_events(app) == []


def test_an_archived_customer_takes_no_new_activities(
    app: App, manager: Principal, customer: CustomerView
) -> None:
    app.customers.archive(manager, customer.id)
    with pytest.raises(DomainError) as caught:
        app.activities.log(manager, call(customer.id))
    assert caught.value.problems[0].code is ErrorCode.ARCHIVED


def test_a_viewer_may_read_the_timeline_but_not_log(
    app: App, agent: Principal, viewer: Principal, customer: CustomerView
) -> None:
    app.activities.log(agent, call(customer.id))
    with pytest.raises(Forbidden):
        app.activities.log(viewer, call(customer.id))
    assert timeline_titles(app, viewer, customer.id) == ["Renewal"]


def test_an_edit_redraws_the_timeline_entry(
    app: App, agent: Principal, customer: CustomerView
) -> None:
    first = app.activities.log(agent, call(customer.id, subject="First"))
    app.clock.advance(timedelta(minutes=1))
    second = app.activities.log(agent, call(customer.id, subject="Second"))
    assert timeline_titles(app, agent, customer.id) == ["Second", "First"]
    updated = app.activities.update(
        agent,
        ActivityPatch(
            activity_id=first.id,
            expected_version=1,
            subject="First, moved later",
            occurred_at=second.occurred_at + timedelta(minutes=5),
            direction=Direction.INBOUND,
        ),
    )
    assert (updated.version, updated.direction) == (2, Direction.INBOUND)
    assert timeline_titles(app, agent, customer.id) == ["First, moved later", "Second"]
    assert activity_events(app)[-1] == "rapport.activity.updated.v1"


def test_an_edit_over_a_stale_version_is_refused(
    app: App, agent: Principal, customer: CustomerView
) -> None:
    logged = app.activities.log(agent, call(customer.id))
    app.activities.update(
        agent, ActivityPatch(activity_id=logged.id, expected_version=1, body="v2")
    )
    with pytest.raises(StaleVersion):
        app.activities.update(
            agent, ActivityPatch(activity_id=logged.id, expected_version=1, body="v3")
        )
    assert app.activities.get(agent, [logged.id])[logged.id].body == "v2"


def test_only_the_author_or_a_manager_may_edit_or_delete(
    app: App, agent: Principal, manager: Principal, customer: CustomerView
) -> None:
    logged = app.activities.log(agent, call(customer.id))
    colleague = Principal(actor_id="agent-2", role=agent.role, name="Colleague")
    with pytest.raises(DomainError) as caught:
        app.activities.update(colleague, ActivityPatch(activity_id=logged.id, subject="Mine"))
    assert caught.value.problems[0].code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError):
        app.activities.delete(colleague, logged.id)
    edited = app.activities.update(manager, ActivityPatch(activity_id=logged.id, subject="Fixed"))
    assert (edited.subject, edited.author_id) == ("Fixed", agent.actor_id)


def test_an_edit_that_changes_nothing_writes_nothing(
    app: App, agent: Principal, customer: CustomerView
) -> None:
    logged = app.activities.log(agent, call(customer.id))
    same = app.activities.update(agent, ActivityPatch(activity_id=logged.id, subject="Renewal"))
    assert same.version == 1
    assert activity_events(app) == ["rapport.activity.logged.v1"]


def test_a_deleted_activity_leaves_the_timeline_and_cannot_be_deleted_again(
    app: App, agent: Principal, manager: Principal, customer: CustomerView
) -> None:
    logged = app.activities.log(agent, call(customer.id))
    app.activities.delete(manager, logged.id, expected_version=1)
    assert app.activities.get(agent, [logged.id]) == {}
    assert app.timeline.get(agent, customer.id).edges == ()
    assert activity_events(app) == ["rapport.activity.logged.v1", "rapport.activity.deleted.v1"]
    with pytest.raises(NotFound):
        app.activities.delete(manager, logged.id)
    with pytest.raises(NotFound):
        app.activities.update(agent, ActivityPatch(activity_id=logged.id, subject="Back"))
