"""ImportCustomers on the in-memory adapters: the all-new fast path and the upsert path agree."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from application.customers.commands import ContactParser
from application.customers.file_keys import FileKeys
from application.customers.importing import CustomerRow, ImportCustomers
from application.customers.views import CustomerFilter, CustomerOrder
from application.errors import Forbidden
from application.pagination import PageRequest
from application.principal import Principal
from domain.access.roles import Resource, Role
from domain.access.visibility import EVERYTHING, Reach, Visibility
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
    assert app.backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 10
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


def versions(app: App) -> dict[str, tuple[str, int]]:
    """Every customer's first name and version, by email or external id."""
    page = app.customers.list(
        SYSTEM, CustomerFilter(include_archived=True), CustomerOrder(), PageRequest(first=100)
    )
    views = [edge.node for edge in page.edges]
    external = app.customers.get.external_ids(SYSTEM, [view.id for view in views])
    return {
        view.email or " ".join(external.get(view.id, ())): (view.first_name, view.version)
        for view in views
    }


def test_rows_of_one_file_with_one_email_or_external_id_are_reported_not_merged(
    app: App, clock: ManualClock
) -> None:
    rows = [
        CustomerRow(row=2, first_name="Ada", email="ada@example.com"),
        CustomerRow(row=3, first_name="Bea", email="ADA@Example.com"),
        CustomerRow(row=4, first_name="Cy", external_ids=("shop:1",)),
        CustomerRow(row=5, first_name="Di", email="di@example.com", external_ids=("shop:1",)),
    ]
    result = importer(app, clock)(SYSTEM, rows)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [
        (p.row, p.problem.field, p.problem.code, p.problem.message) for p in result.problems
    ] == [
        (3, "email", ErrorCode.DUPLICATE_IN_FILE, "row 2 of this file has this email already"),
        (
            5,
            "externalIds",
            ErrorCode.DUPLICATE_IN_FILE,
            "row 4 of this file has the external id shop:1 already",
        ),
    ]
    assert versions(app) == {"ada@example.com": ("Ada", 1), "shop:1": ("Cy", 1)}

    again = importer(app, clock)(SYSTEM, rows)
    assert (again.created, again.updated, again.unchanged, len(again.problems)) == (0, 0, 2, 2)
    assert versions(app) == {"ada@example.com": ("Ada", 1), "shop:1": ("Cy", 1)}


def test_a_row_naming_by_another_key_a_customer_an_earlier_row_named_is_a_duplicate(
    app: App, clock: ManualClock
) -> None:
    use_case = importer(app, clock)
    use_case(SYSTEM, [CustomerRow(row=2, email="ada@example.com", external_ids=("shop:1",))])
    rows = [
        CustomerRow(row=2, first_name="Ada", email="ada@example.com"),
        CustomerRow(row=3, first_name="Augusta", external_ids=("shop:1",)),
    ]
    result = use_case(SYSTEM, rows)
    assert (result.updated, [(p.row, p.problem.field) for p in result.problems]) == (
        1,
        [(3, "externalIds")],
    )
    assert result.problems[0].problem.message == "row 2 of this file names the same customer"
    assert versions(app) == {"ada@example.com": ("Ada", 2)}


def test_the_batches_of_one_file_share_what_earlier_rows_named(
    app: App, clock: ManualClock
) -> None:
    use_case = importer(app, clock)
    earlier = FileKeys()
    first = use_case.store(
        SYSTEM, use_case.checker([CustomerRow(row=2, email="a@example.com")]), earlier=earlier
    )
    second = use_case.store(
        SYSTEM,
        use_case.checker([CustomerRow(row=3, first_name="Again", email="A@example.com")]),
        earlier=earlier,
    )
    assert (first.created, second.created, second.unchanged, second.updated) == (1, 0, 0, 0)
    [problem] = second.problems
    assert (problem.row, problem.problem.code) == (3, ErrorCode.DUPLICATE_IN_FILE)
    assert versions(app) == {"a@example.com": ("", 1)}


def test_a_refused_update_leaves_the_customer_as_it_was(app: App, clock: ManualClock) -> None:
    app.define("badge", FieldType.TEXT, unique=True)
    use_case = importer(app, clock)
    use_case(
        SYSTEM,
        [
            CustomerRow(row=2, first_name="Ada", email="ada@example.com"),
            CustomerRow(
                row=3, first_name="Bob", email="bob@example.com", custom_fields={"badge": "B-1"}
            ),
        ],
    )
    result = use_case(
        SYSTEM,
        [
            CustomerRow(
                row=2, first_name="Eve", email="ada@example.com", custom_fields={"badge": "B-1"}
            )
        ],
    )
    assert (result.updated, result.unchanged) == (0, 0)
    assert [(p.row, p.problem.code) for p in result.problems] == [(2, ErrorCode.TAKEN)]
    assert versions(app)["ada@example.com"] == ("Ada", 1)


def test_an_email_that_an_earlier_row_took_off_a_customer_names_nobody_for_later_rows(
    app: App, clock: ManualClock
) -> None:
    use_case = importer(app, clock)
    use_case(SYSTEM, [CustomerRow(row=2, email="old@example.com", external_ids=("shop:1",))])
    rows = [
        CustomerRow(row=2, email="new@example.com", external_ids=("shop:1",)),
        CustomerRow(row=3, first_name="Olga", email="old@example.com"),
    ]
    first = use_case(SYSTEM, rows)
    assert (first.created, first.updated, first.problems) == (1, 1, ())
    before = versions(app)
    assert before == {"new@example.com": ("", 2), "old@example.com": ("Olga", 1)}
    again = use_case(SYSTEM, rows)
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 2, ())
    assert versions(app) == before


def test_a_unique_value_repeated_within_a_batch_that_also_updates_is_taken(
    app: App, clock: ManualClock
) -> None:
    app.define("badge", FieldType.TEXT, unique=True)
    use_case = importer(app, clock)
    use_case(SYSTEM, [CustomerRow(row=2, email="known@example.com")])
    rows = [
        CustomerRow(row=2, email="known@example.com", custom_fields={"badge": "B-1"}),
        CustomerRow(row=3, email="new@example.com", custom_fields={"badge": "B-1"}),
        CustomerRow(row=4, email="other@example.com", custom_fields={"badge": "B-2"}),
        CustomerRow(row=5, email="last@example.com", custom_fields={"badge": "B-2"}),
    ]
    result = use_case(SYSTEM, rows)
    assert (result.created, result.updated) == (1, 1)
    assert [(p.row, p.problem.field, p.problem.code) for p in result.problems] == [
        (3, "customFields.badge", ErrorCode.TAKEN),
        (5, "customFields.badge", ErrorCode.TAKEN),
    ]


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
    assert app.backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 2
    refused = upsert(agent, both)
    assert [p.problem.code for p in refused.problems] == [ErrorCode.TAKEN]
    merged = upsert(manager, both, auto_merge=True)
    assert (merged.merged, app.backend.customers.count(CustomerFilter(), visible=EVERYTHING)) == (
        1,
        1,
    )


def test_a_rep_importing_a_row_that_matches_a_hidden_customer_updates_nothing(
    app: App, clock: ManualClock
) -> None:
    run = importer(app, clock)
    run(SYSTEM, [CustomerRow(row=2, email="hidden@example.com", first_name="A")])
    (hidden,) = app.backend.customers.slice(
        CustomerFilter(), CustomerOrder(), visible=EVERYTHING, after=None, before=None,
        limit=5, from_end=False,
    )  # fmt: skip
    rep = Principal(
        actor_id="rep-1",
        role=Role.SALES_REP,
        name="Rep",
        reach=Reach({Resource.CUSTOMERS: Visibility.owned_by({"rep-1"})}),
    )
    result = run(
        rep,
        [
            CustomerRow(row=2, email="hidden@example.com", first_name="Changed"),
            CustomerRow(row=3, email="mine@example.com", first_name="Mine"),
        ],
    )
    assert result.created == 1 and result.updated == 0
    assert [(p.row, p.problem.field, p.problem.code) for p in result.problems] == [
        (2, "email", ErrorCode.TAKEN)
    ]
    unchanged = app.backend.customers.get_many([hidden.id], visible=EVERYTHING)[hidden.id]
    assert (unchanged.first_name, unchanged.version) == ("A", hidden.version)
