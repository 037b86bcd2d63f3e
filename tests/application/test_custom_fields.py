import pytest

from application.custom_fields.commands import NewCustomField
from application.custom_fields.criteria import FieldCondition, FieldSort, Operator
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import CustomerFilter, CustomerOrder
from application.errors import AlreadyTaken, Forbidden, InvalidInput
from application.pagination import PageRequest
from application.principal import Principal
from domain.access.roles import Role
from domain.custom_fields import FieldType, ObjectType
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App

PLAN = NewCustomField(
    object_type=ObjectType.CUSTOMER,
    key="plan",
    label="Plan",
    field_type=FieldType.SINGLE_CHOICE,
    choices=("free", "pro"),
)


def problems(error: DomainError) -> list[tuple[str, ErrorCode]]:
    return [(p.field, p.code) for p in error.problems]


def test_admins_and_managers_define_fields_others_may_not(
    app: App, agent: Principal, viewer: Principal
) -> None:
    manager = Principal(actor_id="m", role=Role.SALES_MANAGER, name="M")
    defined = app.custom_fields.define(manager, PLAN)
    assert (defined.key, defined.choices, defined.field_type) == (
        "plan",
        ("free", "pro"),
        FieldType.SINGLE_CHOICE,
    )
    with pytest.raises(Forbidden):
        app.custom_fields.define(agent, PLAN)
    assert [d.key for d in app.custom_fields.list(viewer, ObjectType.CUSTOMER)] == ["plan"]
    assert app.custom_fields.list(viewer, ObjectType.COMPANY) == []
    assert app.backend.outbox() == [("rapport.custom_field.defined.v1", defined.id)]


def test_a_key_is_defined_once_per_object_type(app: App) -> None:
    app.custom_fields.define(Principal.system(), PLAN)
    with pytest.raises(AlreadyTaken) as caught:
        app.custom_fields.define(Principal.system(), PLAN)
    assert problems(caught.value) == [("key", ErrorCode.TAKEN)]
    app.define("plan", FieldType.TEXT, object_type=ObjectType.COMPANY)


def test_every_write_checks_values_against_the_definitions(app: App, agent: Principal) -> None:
    app.custom_fields.define(Principal.system(), PLAN)
    app.define("seats", FieldType.NUMBER, required=True)
    with pytest.raises(DomainError) as caught:
        app.customers.create(
            agent, NewCustomer(first_name="Ada", custom_fields={"plan": "gold", "colour": "red"})
        )
    assert set(problems(caught.value)) == {
        ("customFields.plan", ErrorCode.INVALID_CHOICE),
        ("customFields.colour", ErrorCode.UNKNOWN_FIELD),
        ("customFields.seats", ErrorCode.REQUIRED),
    }
    ada = app.customers.create(agent, NewCustomer(first_name="Ada", custom_fields={"seats": 3}))
    with pytest.raises(DomainError) as caught:
        app.customers.update(
            agent, CustomerPatch(customer_id=ada.id, custom_fields={"seats": "three"})
        )
    assert problems(caught.value) == [("customFields.seats", ErrorCode.INVALID)]
    with pytest.raises(DomainError) as caught:
        app.customers.update(
            agent, CustomerPatch(customer_id=ada.id, custom_fields={"seats": None})
        )
    assert problems(caught.value) == [("customFields.seats", ErrorCode.REQUIRED)]
    updated = app.customers.update(
        agent, CustomerPatch(customer_id=ada.id, custom_fields={"plan": "pro", "seats": 4})
    )
    assert dict(updated.custom_fields) == {"seats": 4, "plan": "pro"}

    result = app.customers.create_in_bulk(
        agent,
        [
            NewCustomer(first_name="A", custom_fields={"seats": 1}),
            NewCustomer(first_name="B", custom_fields={"seats": 1, "colour": "red"}),
            NewCustomer(first_name="C", custom_fields={}),
        ],
    )
    assert result.created == 1
    assert [(r.row, r.problem.field, r.problem.code) for r in result.problems] == [
        (1, "customFields.colour", ErrorCode.UNKNOWN_FIELD),
        (2, "customFields.seats", ErrorCode.REQUIRED),
    ]


def test_unique_values_are_taken_on_create_update_and_in_bulk(app: App, agent: Principal) -> None:
    manager = Principal(actor_id=agent.actor_id, role=Role.SALES_MANAGER, name="M")
    app.define("vat", FieldType.DECIMAL, unique=True)
    first = app.customers.create(agent, NewCustomer(first_name="A", custom_fields={"vat": "12.50"}))
    with pytest.raises(AlreadyTaken) as caught:
        app.customers.create(agent, NewCustomer(first_name="B", custom_fields={"vat": "12.5"}))
    assert problems(caught.value) == [("customFields.vat", ErrorCode.TAKEN)]
    other = app.customers.create(agent, NewCustomer(first_name="B", custom_fields={"vat": "13"}))
    with pytest.raises(AlreadyTaken):
        app.customers.update(
            agent, CustomerPatch(customer_id=other.id, custom_fields={"vat": "12.500"})
        )
    # Keeping one's own value, or changing something else, is no clash.
    app.customers.update(agent, CustomerPatch(customer_id=first.id, custom_fields={"vat": "12.50"}))
    app.customers.update(agent, CustomerPatch(customer_id=first.id, first_name="Ann"))

    result = app.customers.create_in_bulk(
        agent,
        [
            NewCustomer(first_name="C", custom_fields={"vat": "12.5"}),
            NewCustomer(first_name="D", custom_fields={"vat": "99"}),
            NewCustomer(first_name="E", custom_fields={"vat": "99.0"}),
        ],
    )
    assert result.created == 1
    assert [(r.row, r.problem.field, r.problem.code) for r in result.problems] == [
        (0, "customFields.vat", ErrorCode.TAKEN),
        (2, "customFields.vat", ErrorCode.TAKEN),
    ]
    # An archived customer frees its value.
    app.customers.archive(manager, first.id)
    app.customers.create(agent, NewCustomer(first_name="F", custom_fields={"vat": "12.50"}))


def test_lists_filter_and_order_by_custom_fields(app: App, agent: Principal) -> None:
    app.custom_fields.define(Principal.system(), PLAN)
    app.define("seats", FieldType.NUMBER)
    for name, values in [
        ("A", {"plan": "pro", "seats": 5}),
        ("B", {"plan": "free", "seats": 1}),
        ("C", {"plan": "pro"}),
        ("D", {"seats": 10}),
    ]:
        app.customers.create(agent, NewCustomer(first_name=name, custom_fields=values))
    pro = CustomerFilter(custom_fields=(FieldCondition("plan", Operator.EQ, "pro"),))
    assert app.customers.list.count(agent, pro) == 2
    by_seats = CustomerOrder(custom_field=FieldSort("seats"), descending=True)
    names: list[str] = []
    after = None
    while True:
        page = app.customers.list(
            agent, CustomerFilter(), by_seats, PageRequest(first=1, after=after)
        )
        names += [e.node.first_name for e in page.edges]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert names == ["D", "A", "B", "C"]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (FieldCondition("colour", Operator.EQ, "red"), ErrorCode.UNKNOWN_FIELD),
        (FieldCondition("plan", Operator.EQ, "gold"), ErrorCode.INVALID_CHOICE),
        (FieldCondition("plan", Operator.GT, "free"), ErrorCode.INVALID),
        (FieldCondition("seats", Operator.EQ, "many"), ErrorCode.INVALID),
        (FieldCondition("seats", Operator.IN, 3), ErrorCode.INVALID),
        (FieldCondition("seats", Operator.EQ, None), ErrorCode.INVALID),
    ],
)
def test_bad_conditions_are_input_errors(
    app: App, agent: Principal, condition: FieldCondition, problem: ErrorCode
) -> None:
    app.custom_fields.define(Principal.system(), PLAN)
    app.define("seats", FieldType.NUMBER)
    with pytest.raises(DomainError) as caught:
        app.customers.list.count(agent, CustomerFilter(custom_fields=(condition,)))
    assert problems(caught.value) == [(f"filter.customFields.{condition.key}", problem)]


def test_ordering_by_an_unknown_or_unsortable_field_is_refused(app: App, agent: Principal) -> None:
    app.define("tags", FieldType.MULTIPLE_CHOICE, choices=("a", "b"))
    for key in ("tags", "nope"):
        with pytest.raises(InvalidInput) as caught:
            app.customers.list(
                agent, CustomerFilter(), CustomerOrder(custom_field=FieldSort(key)), PageRequest()
            )
        assert caught.value.problems[0].field == "orderBy.customField"


def test_a_cursor_of_another_custom_order_is_refused(app: App, agent: Principal) -> None:
    app.define("seats", FieldType.NUMBER)
    app.define("city", FieldType.TEXT)
    app.customers.create(
        agent, NewCustomer(first_name="A", custom_fields={"seats": 1, "city": "X"})
    )
    app.customers.create(agent, NewCustomer(first_name="B", custom_fields={"seats": 2}))
    by_seats = CustomerOrder(custom_field=FieldSort("seats"))
    page = app.customers.list(agent, CustomerFilter(), by_seats, PageRequest(first=1))
    by_city = CustomerOrder(custom_field=FieldSort("city"))
    with pytest.raises(InvalidInput):
        app.customers.list(
            agent, CustomerFilter(), by_city, PageRequest(first=1, after=page.end_cursor)
        )
