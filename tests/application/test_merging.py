from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.activities.commands import NewActivity
from application.behaviour.tracking import IncomingEvent
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.views import CustomerFilter
from application.errors import Forbidden, NotFound
from application.orders.commands import NewOrder, RecordOrder
from application.principal import Principal
from domain.access.visibility import EVERYTHING
from domain.activities import ActivityKind
from domain.custom_fields import FieldType
from domain.customers import ExternalId
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App

SYSTEM = Principal.system()


@pytest.fixture
def merge(app: App) -> MergeCustomers:
    return MergeCustomers(app.backend.uow, app.clock)


@pytest.fixture
def record(app: App) -> RecordOrder:
    from adapters.ids import SequentialIdGenerator

    return RecordOrder(app.backend.uow, app.clock, SequentialIdGenerator("o"))


def order_for(record: RecordOrder, customer_id: str, total: str) -> None:
    record(
        SYSTEM,
        NewOrder(
            customer_id=customer_id, placed_at=record.clock.now(), currency="USD", total=total
        ),
    )


def test_merge_keeps_the_newest_values_and_every_order(
    app: App, merge: MergeCustomers, record: RecordOrder
) -> None:
    app.define("tier", FieldType.TEXT)
    app.define("city", FieldType.TEXT)
    survivor = app.customers.create(
        SYSTEM,
        NewCustomer(first_name="Ada", email="ada@example.com", custom_fields={"tier": "gold"}),
    )
    app.clock.advance(timedelta(days=1))
    duplicate = app.customers.create(
        SYSTEM,
        NewCustomer(
            first_name="Ada",
            last_name="King",
            phone="+442071838750",
            custom_fields={"city": "London"},
        ),
    )
    order_for(record, survivor.id, "10.00")
    order_for(record, duplicate.id, "5.50")
    order_for(record, duplicate.id, "1.25")

    merged = merge(SYSTEM, survivor.id, [duplicate.id])

    assert (merged.first_name, merged.last_name, merged.email, merged.phone) == (
        "Ada",
        "King",
        "ada@example.com",
        "+442071838750",
    )
    assert dict(merged.custom_fields) == {"tier": "gold", "city": "London"}
    orders = app.backend.orders.of_customer(survivor.id, before=None, limit=10, visible=EVERYTHING)
    assert sorted(o.total for o in orders) == [Decimal("1.25"), Decimal("5.50"), Decimal("10.00")]
    gone = app.customers.get(SYSTEM, [duplicate.id])[duplicate.id]
    assert (gone.merged_into, gone.archived_at is not None) == (survivor.id, True)
    assert app.customers.list.count(SYSTEM, CustomerFilter()) == 1
    assert ("rapport.customer.merged.v1", survivor.id) in app.backend.outbox()


def test_merged_or_unknown_customers_cannot_merge_again(app: App, merge: MergeCustomers) -> None:
    a = app.customers.create(SYSTEM, NewCustomer(first_name="A"))
    b = app.customers.create(SYSTEM, NewCustomer(first_name="B"))
    merge(SYSTEM, a.id, [b.id])
    with pytest.raises(NotFound):
        merge(SYSTEM, a.id, [b.id])
    with pytest.raises(DomainError):
        merge(SYSTEM, a.id, [a.id])
    with pytest.raises(DomainError):
        merge(SYSTEM, a.id, [])


def test_candidates_pair_shared_mailboxes_and_phones_best_first(app: App) -> None:
    ada = app.customers.create(
        SYSTEM, NewCustomer(first_name="Ada", last_name="Lovelace", email="ada.lovelace@gmail.com")
    )
    ada2 = app.customers.create(
        SYSTEM,
        NewCustomer(first_name="ada", last_name="lovelace", email="AdaLovelace+crm@gmail.com"),
    )
    bob = app.customers.create(SYSTEM, NewCustomer(first_name="Bob", phone="020 7183 8750"))
    rob = app.customers.create(SYSTEM, NewCustomer(first_name="Rob", phone="+44 20 7183 8750"))
    app.customers.create(
        SYSTEM, NewCustomer(first_name="Ada", last_name="Lovelace")
    )  # a name alone is no match
    candidates = FindDuplicateCandidates(app.backend.customers)(SYSTEM)
    assert [(c.first_id, c.second_id, c.reasons) for c in candidates] == [
        (ada.id, ada2.id, ("email", "name")),
        (bob.id, rob.id, ("phone",)),
    ]
    assert candidates[0].score > candidates[1].score


@settings(
    max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    orders_per_customer=st.lists(st.integers(min_value=0, max_value=4), min_size=2, max_size=6),
    survivor_index=st.integers(min_value=0, max_value=5),
    data=st.data(),
)
def test_a_merge_keeps_every_order_and_external_id(
    app: App,
    merge: MergeCustomers,
    record: RecordOrder,
    orders_per_customer: list[int],
    survivor_index: int,
    data: st.DataObject,
) -> None:
    ids = []
    for index, count in enumerate(orders_per_customer):
        customer = app.customers.create(
            SYSTEM,
            NewCustomer(
                first_name=f"P{index}", email=f"p{index}-{len(app.backend.outbox())}@example.com"
            ),
        )
        app.customers.update(SYSTEM, CustomerPatch(customer_id=customer.id, first_name=f"P{index}"))
        with app.backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            loaded.link([ExternalId("shop", customer.id)], at=app.clock.now(), by="t")
            uow.commit()
        for number in range(count):
            order_for(record, customer.id, f"{number + 1}.00")
            app.activities.log(
                SYSTEM,
                NewActivity(customer_id=customer.id, kind=ActivityKind.NOTE, body=f"note {number}"),
            )
            app.behaviour.track(
                SYSTEM,
                [
                    IncomingEvent(
                        customer_id=customer.id, name="viewed", event_id=f"{customer.id}-{number}"
                    )
                ],
            )
        ids.append(customer.id)
    survivor = ids[survivor_index % len(ids)]
    others = [i for i in ids if i != survivor]
    duplicates = data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
    before = {i: app.backend.orders.count_of_customers([i], visible=EVERYTHING)[i] for i in ids}
    entries_before = {i: len(app.timeline.get(SYSTEM, i, first=100).edges) for i in ids}

    merge(SYSTEM, survivor, duplicates)

    after = app.backend.orders.count_of_customers(ids, visible=EVERYTHING)
    assert sum(after.values()) == sum(before.values())
    assert after[survivor] == before[survivor] + sum(before[d] for d in duplicates)
    assert all(after[d] == 0 for d in duplicates)
    # Orders, notes and tracked events all show on the survivor's timeline now.
    entries_after = {i: len(app.timeline.get(SYSTEM, i, first=100).edges) for i in ids}
    assert entries_after[survivor] == entries_before[survivor] + sum(
        entries_before[d] for d in duplicates
    )
    assert entries_before[survivor] == 3 * before[survivor]
    assert all(entries_after[d] == 0 for d in duplicates)
    today = app.clock.now().date()
    assert (
        app.backend.behaviour.count(survivor, "viewed", since=today, until=today) == after[survivor]
    )
    external = app.customers.get.external_ids(SYSTEM, [survivor])[survivor]
    assert sorted(external) == sorted(f"shop:{i}" for i in [survivor, *duplicates])


def test_an_agent_may_not_merge_as_it_may_not_archive(
    app: App, merge: MergeCustomers, agent: Principal, manager: Principal
) -> None:
    survivor = app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.com"))
    duplicate = app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.org"))
    events = app.backend.outbox()
    for attempt in (
        lambda: merge(agent, survivor.id, [duplicate.id]),
        lambda: app.customers.archive(agent, duplicate.id),
    ):
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert [p.code for p in refused.value.problems] == [ErrorCode.FORBIDDEN]
    assert app.customers.get(agent, [survivor.id, duplicate.id]) == {
        survivor.id: survivor,
        duplicate.id: duplicate,
    }
    assert app.backend.outbox() == events
    merged = merge(manager, survivor.id, [duplicate.id])
    assert app.customers.get(manager, [duplicate.id])[duplicate.id].merged_into == merged.id
