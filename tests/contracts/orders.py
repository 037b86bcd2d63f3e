"""Contracts of the order repository and reader, and of customers' external ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application.errors import AlreadyTaken, StaleVersion
from domain.access.visibility import EVERYTHING
from domain.customers import EmailAddress, ExternalId
from domain.orders import Currency, Money, Order, OrderLine, OrderStatus
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import new_customer

T0 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
USD = Currency("USD")


def new_order(
    customer_id: str,
    order_id: str,
    *,
    at: datetime = T0,
    total: str | None = None,
    external_id: str | None = None,
    paid: bool = True,
    currency: Currency = USD,
) -> Order:
    lines = [
        OrderLine.of(
            sku="cd-1",
            name="Kind of Blue",
            quantity=2,
            unit_price=Money.of("9.99", currency),
            index=0,
        ),
        OrderLine.of(
            sku="cd-2",
            name="Blue Train",
            quantity=1,
            unit_price=Money.of("12.50", currency),
            index=1,
        ),
    ]
    return Order.place(
        id=order_id,
        customer_id=customer_id,
        placed_at=at,
        currency=currency,
        lines=lines,
        total=Money.of(total, currency) if total is not None else None,
        paid=paid,
        external_id=external_id,
        at=at,
        by="actor-1",
    )


def _with_customer(backend: StorageBackend, **kwargs: object) -> str:
    customer = new_customer(**kwargs)  # type: ignore[arg-type]
    with backend.uow() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer.id


class OrderRepositoryContract:
    def test_order_reads_back_with_exact_money(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        order = new_order(customer_id, "order-1", external_id="shop:1001")
        with backend.uow() as uow:
            uow.orders.add(order)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.orders.get("order-1")
        assert loaded is not None
        assert loaded.total == Money(Decimal("32.48"), USD)
        assert loaded.lines == order.lines
        assert (loaded.status, loaded.external_id, loaded.placed_at) == (
            OrderStatus.PAID,
            "shop:1001",
            T0,
        )
        view = backend.orders.get_many(["order-1"], visible=EVERYTHING)["order-1"]
        assert (view.total, view.currency, view.lines[0].unit_price) == (
            Decimal("32.48"),
            "USD",
            Decimal("9.99"),
        )
        assert backend.outbox()[-1] == ("rapport.order.placed.v1", "order-1")

    def test_zero_decimal_currency_keeps_whole_units(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        yen = Currency("JPY")
        order = Order.place(
            id="order-jpy",
            customer_id=customer_id,
            placed_at=T0,
            currency=yen,
            lines=[],
            total=Money.of("1500", yen),
            at=T0,
            by="a",
        )
        with backend.uow() as uow:
            uow.orders.add(order)
            uow.commit()
        assert backend.orders.get_many(["order-jpy"], visible=EVERYTHING)[
            "order-jpy"
        ].total == Decimal("1500")

    def test_refund_is_saved_and_adjusts_the_net_total(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        with backend.uow() as uow:
            uow.orders.add(new_order(customer_id, "order-1"))
            uow.commit()
        with backend.uow() as uow:
            order = uow.orders.get("order-1")
            assert order is not None
            order.refund(Money.of("10.00", USD), reason="scratched", at=T0 + timedelta(1), by="a")
            uow.commit()
        view = backend.orders.get_many(["order-1"], visible=EVERYTHING)["order-1"]
        assert (view.refunded, view.net_total, view.version) == (
            Decimal("10.00"),
            Decimal("22.48"),
            2,
        )

    def test_stale_order_write_is_a_conflict(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip(f"{backend.name} serialises writers, so two writes cannot interleave")
        customer_id = _with_customer(backend)
        with backend.uow() as uow:
            uow.orders.add(new_order(customer_id, "order-1"))
            uow.commit()
        first, second = backend.uow(), backend.uow()
        with first, second:
            mine, theirs = first.orders.get("order-1"), second.orders.get("order-1")
            assert mine is not None and theirs is not None
            theirs.refund(Money.of("1.00", USD), reason="", at=T0, by="b")
            second.commit()
            mine.refund(Money.of("2.00", USD), reason="", at=T0, by="a")
            with pytest.raises(StaleVersion):
                first.commit()
        assert backend.orders.get_many(["order-1"], visible=EVERYTHING)[
            "order-1"
        ].refunded == Decimal("1.00")

    def test_external_ids_in_use(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        with backend.uow() as uow:
            uow.orders.add_many(
                [
                    new_order(customer_id, "o1", external_id="shop:1"),
                    new_order(customer_id, "o2", external_id="shop:2"),
                ]
            )
            uow.commit()
        with backend.uow() as uow:
            assert uow.orders.external_ids_in_use(["shop:2", "shop:3"]) == {"shop:2"}

    def test_order_external_id_is_unique(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        with backend.uow() as uow:
            uow.orders.add(new_order(customer_id, "o1", external_id="shop:1"))
            uow.commit()
        with pytest.raises(AlreadyTaken), backend.uow() as uow:
            uow.orders.add(new_order(customer_id, "o2", external_id="shop:1"))
            uow.commit()

    def test_orders_of_a_customer_newest_first_in_pages(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        other = _with_customer(backend)
        with backend.uow() as uow:
            uow.orders.add_many(
                [new_order(customer_id, f"o{n}", at=T0 + timedelta(days=n % 3)) for n in range(7)]
                + [new_order(other, "x1")]
            )
            uow.commit()
        seen: list[str] = []
        before = None
        while page := backend.orders.of_customer(
            customer_id, before=before, limit=3, visible=EVERYTHING
        ):
            seen += [o.id for o in page]
            before = (page[-1].placed_at, page[-1].id)
        expected = sorted(
            (f"o{n}" for n in range(7)),
            key=lambda i: (T0 + timedelta(days=int(i[1:]) % 3), i),
            reverse=True,
        )
        assert seen == expected
        assert backend.orders.count_of_customers(
            [customer_id, other, "none"], visible=EVERYTHING
        ) == {
            customer_id: 7,
            other: 1,
            "none": 0,
        }
        newest = backend.orders.newest_of_customers(
            [customer_id, other, "none"], 2, visible=EVERYTHING
        )
        assert [o.id for o in newest[customer_id]] == expected[:2]
        assert [o.id for o in newest[other]] == ["x1"]
        assert newest["none"] == []

    def test_totals_are_exact_per_currency(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        eur = Currency("EUR")
        with backend.uow() as uow:
            uow.orders.add_many(
                [new_order(customer_id, f"u{n}", total="0.10") for n in range(30)]
                + [new_order(customer_id, "e1", total="5.55", currency=eur)]
            )
            uow.commit()
        totals = {
            t.currency: (t.orders, t.total) for t in backend.orders.totals(visible=EVERYTHING)
        }
        assert totals == {"EUR": (1, Decimal("5.55")), "USD": (30, Decimal("3.00"))}


class ExternalIdContract:
    def test_external_ids_are_saved_with_the_customer(self, backend: StorageBackend) -> None:
        ids = {ExternalId("shop", "123"), ExternalId("wechat", "o6_bmjrPTlm6")}
        customer = new_customer(first="", last="", email=None, external_ids=tuple(ids))
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            assert loaded.external_ids == ids
            assert uow.customers.find_by_external_ids(
                [ExternalId("shop", "123"), ExternalId("shop", "9")]
            ) == {ExternalId("shop", "123"): customer.id}

    def test_linking_adds_an_id_and_records_the_change(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend)
        with backend.uow() as uow:
            customer = uow.customers.get(customer_id)
            assert customer is not None
            customer.link([ExternalId("crm", "A-1")], at=T0, by="a")
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer_id)
            assert loaded is not None
            assert loaded.external_ids == {ExternalId("crm", "A-1")}
            assert loaded.version == 2

    def test_an_external_id_names_one_customer(self, backend: StorageBackend) -> None:
        first = new_customer(external_ids=(ExternalId("shop", "1"),))
        with backend.uow() as uow:
            uow.customers.add_many([first])
            uow.commit()
        second = new_customer(external_ids=(ExternalId("shop", "1"),))
        with pytest.raises(AlreadyTaken) as caught, backend.uow() as uow:
            uow.customers.add(second)
            uow.commit()
        assert caught.value.problems[0].field == "externalIds"

    def test_find_by_emails(self, backend: StorageBackend) -> None:
        customer_id = _with_customer(backend, email="ada@example.com")
        with backend.uow() as uow:
            found = uow.customers.find_by_emails(
                [EmailAddress("ada@example.com"), EmailAddress("nobody@example.com")]
            )
        assert found == {EmailAddress("ada@example.com"): customer_id}


class MergeContract:
    """A merge through the real unit of work: unique values change hands within one transaction."""

    def test_merge_moves_email_external_ids_and_orders(self, backend: StorageBackend) -> None:
        from adapters.clock import ManualClock
        from application.customers.merging import MergeCustomers
        from application.principal import Principal

        survivor = new_customer(first="Ada", email=None, phone="+14155550100")
        duplicate = new_customer(
            first="Ada",
            email="ada@example.com",
            external_ids=(ExternalId("shop", "7"),),
            at=T0 + timedelta(1),
        )
        with backend.uow() as uow:
            uow.customers.add_many([survivor, duplicate])
            uow.orders.add_many([new_order(duplicate.id, "o1"), new_order(survivor.id, "o2")])
            uow.commit()

        from adapters.ids import SequentialIdGenerator
        from application.activities.commands import LogActivity, NewActivity
        from application.behaviour.tracking import IncomingEvent, TrackEvents
        from domain.activities import ActivityKind
        from domain.behaviour.event import TIMELINE_KIND as BEHAVIOUR_KIND

        clock, ids = ManualClock(T0 + timedelta(2)), SequentialIdGenerator("h")
        LogActivity(backend.uow, clock, ids)(
            Principal.system(),
            NewActivity(customer_id=duplicate.id, kind=ActivityKind.NOTE, body="hi"),
        )
        TrackEvents(backend.uow, clock, ids)(
            Principal.system(),
            [
                IncomingEvent(
                    customer_id=duplicate.id, name="viewed", event_id="ev-1", occurred_at=T0
                )
            ],
        )
        MergeCustomers(backend.uow, clock)(Principal.system(), survivor.id, [duplicate.id])
        day = T0.date()
        assert backend.behaviour.count(survivor.id, "viewed", since=day, until=day) == 1
        assert backend.behaviour.count(duplicate.id, "viewed", since=day, until=day) == 0
        kinds = [
            e.kind
            for e in backend.timeline.slice(
                survivor.id, kinds=None, after=None, limit=10, visible=EVERYTHING
            )
        ]
        assert sorted(kinds) == sorted(["note", BEHAVIOUR_KIND])

        with backend.uow() as uow:
            merged = uow.customers.get(survivor.id)
            retired = uow.customers.get(duplicate.id)
            assert merged is not None and retired is not None
            assert merged.email == EmailAddress("ada@example.com")
            assert merged.external_ids == {ExternalId("shop", "7")}
            assert (retired.merged_into, retired.email, retired.external_ids) == (
                survivor.id,
                None,
                frozenset(),
            )
            assert uow.customers.find_by_external_ids([ExternalId("shop", "7")]) == {
                ExternalId("shop", "7"): survivor.id
            }
        assert backend.orders.count_of_customers(
            [survivor.id, duplicate.id], visible=EVERYTHING
        ) == {
            survivor.id: 2,
            duplicate.id: 0,
        }

    def test_duplicate_pairs_share_a_mailbox_or_a_phone(self, backend: StorageBackend) -> None:
        a = new_customer(email="ada.lovelace@gmail.com", customer_id="a")
        b = new_customer(email="adalovelace@gmail.com", customer_id="b")
        c = new_customer(email="c@example.com", phone="+14155550100", customer_id="c")
        d = new_customer(email="d@example.com", phone="+14155550100", customer_id="d")
        e = new_customer(email="e@example.com", phone="+14155550100", customer_id="e")
        e.archive(at=T0, by="x")
        with backend.uow() as uow:
            uow.customers.add_many([a, b, c, d, e])
            uow.commit()
        assert sorted(backend.customers.duplicate_pairs(visible=EVERYTHING)) == [
            ("a", "b", "email"),
            ("c", "d", "phone"),
        ]


class CompanyOrdersContract:
    def test_orders_of_a_company_are_those_of_its_people(self, backend: StorageBackend) -> None:
        from domain.companies import Company
        from domain.custom_fields import CustomFieldSchema

        company = Company.register(
            id="co-1",
            name="Acme",
            domain=None,
            industry=None,
            size=None,
            address=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id="owner-1",
            at=T0,
            by="a",
        )
        inside = new_customer(company_id="co-1")
        outside = new_customer()
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.customers.add_many([inside, outside])
            uow.orders.add_many(
                [
                    new_order(inside.id, "o1", at=T0),
                    new_order(inside.id, "o2", at=T0 + timedelta(1)),
                    new_order(outside.id, "o3"),
                ]
            )
            uow.commit()
        newest = backend.orders.of_company("co-1", before=None, limit=1, visible=EVERYTHING)
        assert [o.id for o in newest] == ["o2"]
        rest = backend.orders.of_company(
            "co-1", before=(newest[0].placed_at, newest[0].id), limit=5, visible=EVERYTHING
        )
        assert [o.id for o in rest] == ["o1"]
        assert backend.orders.count_of_company("co-1", visible=EVERYTHING) == 2
        assert backend.orders.count_of_company("nobody", visible=EVERYTHING) == 0
        newest = backend.orders.newest_of_companies(["co-1", "nobody"], 1, visible=EVERYTHING)
        assert {key: [o.id for o in views] for key, views in newest.items()} == {
            "co-1": ["o2"],
            "nobody": [],
        }
        assert backend.orders.count_of_companies(["co-1", "nobody"], visible=EVERYTHING) == {
            "co-1": 2,
            "nobody": 0,
        }


class OrderStatsContract:
    """Order summaries: paid minus refunded per currency; cancelled orders do not count."""

    def test_stats_of_customers_and_companies(self, backend: StorageBackend) -> None:
        from domain.companies import Company
        from domain.custom_fields import CustomFieldSchema

        company = Company.register(
            id="co-stats",
            name="Acme",
            domain=None,
            industry=None,
            size=None,
            address=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id="owner-1",
            at=T0,
            by="a",
        )
        ada, bob, nobody = (new_customer(company_id="co-stats"), new_customer(), new_customer())
        eur = Currency("EUR")
        refunded = new_order(ada.id, "s2", at=T0 + timedelta(days=1), total="30.00")
        refunded.refund(Money.of("10.00", USD), reason="broken", at=T0, by="a")
        cancelled = new_order(ada.id, "s4", at=T0 + timedelta(days=9), paid=False)
        cancelled.cancel(at=T0, by="a")
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.customers.add_many([ada, bob, nobody])
            uow.orders.add_many(
                [
                    new_order(ada.id, "s1", at=T0, total="10.00"),
                    refunded,
                    new_order(ada.id, "s3", at=T0 + timedelta(days=2), paid=False),
                    cancelled,
                    new_order(ada.id, "s5", at=T0 - timedelta(days=1), total="7", currency=eur),
                    new_order(bob.id, "s6", at=T0, total="1.00"),
                ]
            )
            uow.commit()
        stats = backend.orders.stats_of_customers([ada.id, nobody.id], visible=EVERYTHING)
        mine = stats[ada.id]
        assert mine.orders == 4  # the cancelled one does not count
        assert (mine.first_order_at, mine.last_order_at) == (
            T0 - timedelta(days=1),
            T0 + timedelta(days=2),
        )
        assert [(r.currency, r.paid_orders, r.revenue) for r in mine.revenue] == [
            ("EUR", 1, Decimal("7.00")),
            ("USD", 2, Decimal("30.00")),  # 10 + (30 - 10 refunded); the unpaid s3 is not revenue
        ]
        assert [r.average for r in mine.revenue] == [Decimal("7.00"), Decimal("15.00")]
        assert stats[nobody.id].orders == 0 and stats[nobody.id].revenue == ()
        assert stats[nobody.id].last_order_at is None
        company_stats = backend.orders.stats_of_companies(
            ["co-stats", "co-none"], visible=EVERYTHING
        )
        assert company_stats["co-stats"] == mine
        assert company_stats["co-none"].orders == 0

    def test_orders_filter_and_sort_by_time_or_exact_total(self, backend: StorageBackend) -> None:
        from application.orders.views import OrderFilter, OrderSort, OrderSortField
        from application.pagination import SortKey

        ada, bob = new_customer(), new_customer()
        jpy, bhd = Currency("JPY"), Currency("BHD")

        def single(order_id: str, at: datetime, price: str, currency: Currency) -> Order:
            line = OrderLine.of(
                sku="x", name="X", quantity=1, unit_price=Money.of(price, currency), index=0
            )
            return Order.place(
                id=order_id,
                customer_id=ada.id,
                placed_at=at,
                currency=currency,
                lines=[line],
                total=None,
                paid=True,
                external_id=None,
                at=at,
                by="actor-1",
            )

        with backend.uow() as uow:
            uow.customers.add_many([ada, bob])
            uow.orders.add_many(
                [
                    new_order(ada.id, "t1", at=T0, total="20.00"),
                    single("t2", T0 + timedelta(days=1), "5", jpy),
                    single("t3", T0 + timedelta(days=2), "5.125", bhd),
                    new_order(ada.id, "t4", at=T0 + timedelta(days=3), total="5.13", paid=False),
                    new_order(bob.id, "t5", at=T0, total="99.00"),
                ]
            )
            uow.commit()
        mine = OrderFilter(customer_id=ada.id)
        by_total = OrderSort(OrderSortField.TOTAL, descending=False)

        def ids(where: OrderFilter, order: OrderSort, **kw: object) -> list[str]:
            found = backend.orders.slice(
                where,
                order,
                after=kw.get("after"),  # type: ignore[arg-type]
                before=kw.get("before"),  # type: ignore[arg-type]
                limit=int(kw.get("limit", 10)),  # type: ignore[call-overload]
                from_end=bool(kw.get("from_end", False)),
                visible=EVERYTHING,
            )
            return [view.id for view in found]

        assert ids(mine, by_total) == ["t2", "t3", "t4", "t1"]  # 5 < 5.125 < 5.13 < 20
        assert ids(mine, OrderSort()) == ["t4", "t3", "t2", "t1"]
        after = SortKey(
            by_total.key_of(backend.orders.get_many(["t3"], visible=EVERYTHING)["t3"]).value, "t3"
        )
        assert ids(mine, by_total, after=after) == ["t4", "t1"]
        assert ids(mine, by_total, limit=2, from_end=True) == ["t1", "t4"]
        paid = OrderFilter(customer_id=ada.id, statuses=frozenset({"paid"}))
        assert ids(paid, OrderSort()) == ["t3", "t2", "t1"]
        ranged = OrderFilter(
            customer_id=ada.id,
            placed_after=T0 + timedelta(days=1),
            placed_before=T0 + timedelta(days=3),
        )
        assert ids(ranged, OrderSort()) == ["t3", "t2"]
        assert (
            backend.orders.count(mine, visible=EVERYTHING) == 4
            and backend.orders.count(ranged, visible=EVERYTHING) == 2
        )
        assert backend.orders.count(OrderFilter(), visible=EVERYTHING) == 5
