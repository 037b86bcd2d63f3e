"""Field rules in the use cases: imports obey them, and event payloads are redacted by role."""

from __future__ import annotations

import json

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from application.customers.commands import ContactParser, NewCustomer
from application.customers.importing import CustomerRow, ImportCustomers
from application.customers.views import CustomerFilter
from application.events.redaction import RedactEvents, redacted_data
from application.field_security import redacted, require_writable_input
from application.principal import Principal
from domain.access.roles import BUILT_IN_ROLES, FieldAccess, Resource, Role, RoleDefinition
from domain.access.visibility import EVERYTHING
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App

EMAIL_READ_ONLY = RoleDefinition(
    "clerk",
    "Clerk",
    Role.SALES_MANAGER.permissions,
    field_rules={(Resource.CUSTOMERS, "email"): FieldAccess.READ_ONLY},
)
CLERK = Principal(actor_id="clerk-1", role=EMAIL_READ_ONLY, name="Clerk")


def test_an_import_refuses_rows_that_set_a_field_the_importer_may_not_edit(
    app: App, clock: ManualClock
) -> None:
    importer = ImportCustomers(
        app.backend.uow, clock, SequentialIdGenerator("imp"), ContactParser(default_region="GB")
    )
    result = importer(
        CLERK,
        [CustomerRow(row=2, email="ada@example.com"), CustomerRow(row=3, first_name="Grace")],
    )
    assert result.created == 1
    [refused] = result.problems
    assert (refused.row, refused.problem.field, refused.problem.code) == (
        2,
        "email",
        ErrorCode.FORBIDDEN_FIELD,
    )
    assert app.backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 1


def test_a_bulk_create_refuses_the_rows_and_keeps_the_rest(app: App) -> None:
    result = app.customers.create_in_bulk(
        CLERK, [NewCustomer(first_name="Ada", email="ada@example.com"), NewCustomer(last_name="H")]
    )
    assert result.created == 1
    assert [p.problem.code for p in result.problems] == [ErrorCode.FORBIDDEN_FIELD]


def test_every_refused_field_is_named_at_once() -> None:
    role = RoleDefinition(
        "narrow",
        "Narrow",
        frozenset(),
        field_rules={
            (Resource.CUSTOMERS, "first_name"): FieldAccess.READ_ONLY,
            (Resource.CUSTOMERS, "custom_fields.tier"): FieldAccess.HIDDEN,
        },
    )
    actor = Principal(actor_id="n", role=role, name="N")
    with pytest.raises(DomainError) as refused:
        require_writable_input(
            actor,
            Resource.CUSTOMERS,
            NewCustomer(first_name="Ada", last_name="L", custom_fields={"tier": "gold", "x": 1}),
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("firstName", ErrorCode.FORBIDDEN_FIELD),
        ("customFields.tier", ErrorCode.FORBIDDEN_FIELD),
    ]


def test_a_record_is_redacted_by_role_hidden_left_out_and_masked_masked() -> None:
    analyst = BUILT_IN_ROLES[Role.ANALYST.value]
    record = {"first_name": "Ada", "email": "ada@example.com", "phone": "+442071838750"}
    assert redacted(analyst, Resource.CUSTOMERS, record) == {
        "first_name": "Ada",
        "email": "a•••@example.com",
        "phone": "+••••••••••50",
    }
    support = BUILT_IN_ROLES[Role.SUPPORT_AGENT.value]
    deal = {"name": "Big", "amount": "10.00", "currency": "EUR", "line_items": [{"p": 1}]}
    assert redacted_data(support, "rapport.opportunity.created.v1", deal) == {
        "name": "Big",
        "currency": "EUR",
    }
    # An edit's changes are redacted like the record itself.
    edit = {"changes": {"email": "eve@example.com", "last_name": "L"}, "version": 2}
    assert redacted_data(analyst, "rapport.customer.updated.v1", edit) == {
        "changes": {"email": "e•••@example.com", "last_name": "L"},
        "version": 2,
    }
    # Events of other aggregates carry no field a rule names.
    order = {"amount": "10.00"}
    assert redacted_data(support, "rapport.order.placed.v1", order) is order


def test_an_event_body_is_redacted_for_a_stored_role_and_emptied_for_a_deleted_one(
    app: App,
) -> None:
    with app.container.storage.unit_of_work() as uow:
        uow.roles.put(EMAIL_READ_ONLY)
        uow.roles.put(
            RoleDefinition(
                "blind",
                "Blind",
                frozenset(),
                field_rules={(Resource.CUSTOMERS, "email"): FieldAccess.HIDDEN},
            )
        )
        uow.commit()
    redact = RedactEvents(app.container.storage.access_reader())
    body = json.dumps(
        {"type": "rapport.customer.created.v1", "id": "e1", "data": {"email": "a@b.co", "x": 1}}
    )
    assert redact("clerk", body) == body
    assert json.loads(redact("blind", body))["data"] == {"x": 1}
    assert "data" not in json.loads(redact("gone", body))
    assert json.loads(redact("admin", body))["data"] == {"email": "a@b.co", "x": 1}
