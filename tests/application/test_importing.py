"""ImportCustomers on the in-memory adapters: the all-new fast path and the upsert path agree."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from application.customers.commands import ContactParser
from application.customers.importing import CustomerRow, ImportCustomers
from application.customers.views import CustomerFilter
from application.errors import Forbidden
from application.principal import Principal
from domain.custom_fields import FieldType
from domain.errors import ErrorCode
from tests.application.conftest import App

SYSTEM = Principal.system()


def importer(app: App, clock: ManualClock) -> ImportCustomers:
    return ImportCustomers(
        app.backend.uow, clock, SequentialIdGenerator("imp"), ContactParser(default_region="GB")
    )


def test_a_batch_of_new_customers_is_stored_with_one_event_each(
    app: App, clock: ManualClock
) -> None:
    rows = [
        CustomerRow(
            row=n, email=f"P{n}@Example.com", phone="020 7183 8750", external_ids=(f"shop:{n}",)
        )
        for n in range(2, 12)
    ]
    result = importer(app, clock)(SYSTEM, rows)
    assert (result.created, result.problems) == (10, ())
    assert app.backend.customers.count(CustomerFilter()) == 10
    assert [event for event, _ in app.backend.outbox()].count("rapport.customer.created.v1") == 10


def test_a_unique_value_repeated_within_a_batch_of_new_customers_is_taken(
    app: App, clock: ManualClock
) -> None:
    app.define("badge", FieldType.TEXT, unique=True)
    rows = [
        CustomerRow(row=2, email="a@example.com", custom_fields={"badge": "B-1"}),
        CustomerRow(row=3, email="b@example.com", custom_fields={"badge": "B-1"}),
    ]
    result = importer(app, clock)(SYSTEM, rows)
    assert result.created == 1
    [refused] = result.problems
    assert (refused.row, refused.problem.field, refused.problem.code) == (
        3,
        "customFields.badge",
        ErrorCode.TAKEN,
    )


def test_checking_then_storing_is_the_whole_use_case(app: App, clock: ManualClock) -> None:
    use_case = importer(app, clock)
    rows = [
        CustomerRow(row=2, email="ok@example.com"),
        CustomerRow(row=3, email="not an email", phone="12"),
    ]
    checked = use_case.checker(rows)
    assert [p.row for p in checked.problems] == [3, 3]
    result = use_case.store(SYSTEM, checked)
    assert (result.created, len(result.problems)) == (1, 2)
    again = use_case(SYSTEM, rows)
    assert (again.created, again.unchanged, len(again.problems)) == (0, 1, 2)


def test_an_agent_may_import_but_not_merge_by_import(
    app: App, clock: ManualClock, agent: Principal, manager: Principal
) -> None:
    upsert = importer(app, clock)
    upsert(SYSTEM, [CustomerRow(row=2, email="ada@example.com")])
    upsert(SYSTEM, [CustomerRow(row=2, external_ids=("shop:1",))])
    both = [CustomerRow(row=2, email="ada@example.com", external_ids=("shop:1",))]
    events = app.backend.outbox()
    with pytest.raises(Forbidden):
        upsert(agent, both, auto_merge=True)
    assert app.backend.outbox() == events
    assert app.backend.customers.count(CustomerFilter()) == 2
    refused = upsert(agent, both)
    assert [p.problem.code for p in refused.problems] == [ErrorCode.TAKEN]
    merged = upsert(manager, both, auto_merge=True)
    assert (merged.merged, app.backend.customers.count(CustomerFilter())) == (1, 1)
