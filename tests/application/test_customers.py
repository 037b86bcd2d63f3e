from datetime import timedelta

import pytest

from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import CustomerFilter
from application.errors import AlreadyTaken, Forbidden, NotFound, StaleVersion
from application.principal import Principal
from domain.access.roles import Role
from domain.access.visibility import EVERYTHING
from domain.custom_fields import FieldType
from domain.customers import KEEP
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App


def test_create_normalises_contact_points_and_defaults_owner_to_actor(
    app: App, agent: Principal
) -> None:
    view = app.customers.create(
        agent, NewCustomer(first_name="Ada", email="ADA@example.com", phone="020 7183 8750")
    )
    assert (view.email, view.phone, view.owner_id) == (
        "ada@example.com",
        "+442071838750",
        agent.actor_id,
    )
    assert app.customers.get(agent, [view.id])[view.id] == view
    assert app.backend.outbox() == [("rapport.customer.created.v1", view.id)]


def test_create_reports_every_bad_field_and_stores_nothing(app: App, agent: Principal) -> None:
    with pytest.raises(DomainError) as caught:
        app.customers.create(
            agent, NewCustomer(first_name="x" * 101, email="not-an-email", phone="12")
        )
    assert {(p.field, p.code) for p in caught.value.problems} == {
        ("firstName", ErrorCode.TOO_LONG),
        ("email", ErrorCode.INVALID_EMAIL),
        ("phone", ErrorCode.INVALID_PHONE),
    }
    assert (
        app.backend.customers.count(CustomerFilter(include_archived=True), visible=EVERYTHING) == 0
    )


def test_email_already_in_use_is_taken(app: App, agent: Principal) -> None:
    app.customers.create(agent, NewCustomer(email="ada@example.com"))
    with pytest.raises(AlreadyTaken) as caught:
        app.customers.create(agent, NewCustomer(email="Ada@Example.com"))
    assert caught.value.problems[0].field == "email"


def test_unknown_owner_is_not_found(app: App, agent: Principal) -> None:
    with pytest.raises(NotFound) as caught:
        app.customers.create(agent, NewCustomer(first_name="Ada", owner_id="nobody"))
    assert caught.value.problems[0].field == "ownerId"


def test_viewer_may_read_but_not_write(app: App, agent: Principal, viewer: Principal) -> None:
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    with pytest.raises(Forbidden):
        app.customers.create(viewer, NewCustomer(first_name="Grace"))
    with pytest.raises(Forbidden):
        app.customers.update(viewer, CustomerPatch(customer_id=created.id, first_name="Eve"))
    assert list(app.customers.get(viewer, [created.id])) == [created.id]


def test_agent_may_not_archive(app: App, agent: Principal) -> None:
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    with pytest.raises(Forbidden):
        app.customers.archive(agent, created.id)


def test_update_with_current_version_applies(app: App, agent: Principal) -> None:
    created = app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.com"))
    app.clock.advance(timedelta(minutes=5))
    updated = app.customers.update(
        agent,
        CustomerPatch(
            customer_id=created.id,
            expected_version=1,
            last_name="King",
            phone="+44 20 7183 8750",
            email=None,
        ),
    )
    assert (updated.last_name, updated.phone, updated.email, updated.version) == (
        "King",
        "+442071838750",
        None,
        2,
    )
    assert updated.updated_at == created.updated_at + timedelta(minutes=5)


def test_stale_version_is_a_conflict_and_changes_nothing(app: App, agent: Principal) -> None:
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    app.customers.update(
        agent, CustomerPatch(customer_id=created.id, expected_version=1, last_name="King")
    )
    with pytest.raises(StaleVersion) as caught:
        app.customers.update(
            agent, CustomerPatch(customer_id=created.id, expected_version=1, first_name="Eve")
        )
    assert caught.value.problems[0].code is ErrorCode.STALE_VERSION
    assert app.customers.get(agent, [created.id])[created.id].first_name == "Ada"


def test_update_to_an_email_in_use_is_taken(app: App, agent: Principal) -> None:
    app.customers.create(agent, NewCustomer(email="ada@example.com"))
    other = app.customers.create(agent, NewCustomer(email="grace@example.com"))
    with pytest.raises(AlreadyTaken):
        app.customers.update(agent, CustomerPatch(customer_id=other.id, email="ada@example.com"))


def test_update_of_unknown_customer_is_not_found(app: App, agent: Principal) -> None:
    with pytest.raises(NotFound):
        app.customers.update(agent, CustomerPatch(customer_id="missing", first_name="Eve"))


def test_patch_defaults_keep_everything(app: App, agent: Principal) -> None:
    app.define("tier", FieldType.TEXT)
    created = app.customers.create(
        agent, NewCustomer(first_name="Ada", custom_fields={"tier": "gold"})
    )
    same = app.customers.update(agent, CustomerPatch(customer_id=created.id))
    assert same == created
    assert CustomerPatch(customer_id="x").email is KEEP


def test_archive_hides_the_customer_from_lists(app: App, agent: Principal) -> None:
    manager = Principal(actor_id=agent.actor_id, role=Role.SALES_MANAGER, name="M")
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    archived = app.customers.archive(manager, created.id, expected_version=1)
    assert archived.archived_at is not None and archived.version == 2
    assert app.customers.list.count(agent, CustomerFilter()) == 0
    assert app.customers.list.count(agent, CustomerFilter(include_archived=True)) == 1


def test_bulk_create_keeps_good_rows_and_reports_bad_ones_by_row(
    app: App, agent: Principal
) -> None:
    app.customers.create(agent, NewCustomer(email="taken@example.com"))
    rows = [
        NewCustomer(first_name="Ada", email="ada@example.com"),
        NewCustomer(first_name="Bad", email="nope"),
        NewCustomer(first_name="Dup", email="taken@example.com"),
        NewCustomer(first_name="Twice", email="twice@example.com"),
        NewCustomer(first_name="Twice again", email="twice@example.com"),
        NewCustomer(first_name="Lost", owner_id="nobody"),
        NewCustomer(first_name="Grace", phone="+1 415 555 2671"),
    ]
    result = app.customers.create_in_bulk(agent, rows, first_row=100)
    assert result.created == 3
    assert [(r.row, r.problem.field, r.problem.code) for r in result.problems] == [
        (101, "email", ErrorCode.INVALID_EMAIL),
        (102, "email", ErrorCode.TAKEN),
        (104, "email", ErrorCode.TAKEN),
        (105, "ownerId", ErrorCode.NOT_FOUND),
    ]
    assert app.customers.list.count(agent, CustomerFilter()) == 4
