"""Contracts of the customer repository, the unit of work and the customer reader."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from application.customers.views import CustomerFilter, CustomerOrder, CustomerOrderField
from application.errors import AlreadyTaken, StaleVersion
from application.pagination import SortKey
from application.search import MAX_SEARCH_LENGTH
from domain.access.visibility import EVERYTHING
from domain.custom_fields import CustomFieldSchema, FieldType
from domain.customers import Customer, CustomerChanges, EmailAddress, ExternalId, PhoneNumber
from tests.contracts.backend import StorageBackend
from tests.contracts.custom_fields import definition

SCHEMA = CustomFieldSchema(
    [
        definition("tier", FieldType.TEXT),
        definition("n", FieldType.NUMBER),
        definition("vip", FieldType.BOOLEAN),
    ]
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def new_customer(
    *,
    first: str = "Ada",
    last: str = "Lovelace",
    email: str | None = None,
    phone: str | None = None,
    owner: str = "owner-1",
    at: datetime = T0,
    custom_fields: dict[str, object] | None = None,
    customer_id: str | None = None,
    external_ids: tuple[ExternalId, ...] = (),
    company_id: str | None = None,
    schema: CustomFieldSchema = SCHEMA,
) -> Customer:
    number = next(_numbers)
    return Customer.register(
        id=customer_id or f"cust-{number:08d}",
        first_name=first,
        last_name=last,
        email=EmailAddress.parse(email) if email else None,
        phone=PhoneNumber(phone) if phone else None,
        custom_fields=custom_fields or {},
        schema=schema,
        owner_id=owner,
        company_id=company_id,
        at=at,
        by="actor-1",
        external_ids=external_ids,
    )


class CustomerRepositoryContract:
    """Saving and loading customers inside units of work."""

    def test_added_customer_reads_back_equal(self, backend: StorageBackend) -> None:
        customer = new_customer(
            email="Ada@Example.com", phone="+442071838750", custom_fields={"tier": "gold", "n": 3}
        )
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
        assert loaded is not None
        assert (loaded.first_name, loaded.last_name) == ("Ada", "Lovelace")
        assert loaded.email == EmailAddress("ada@example.com")
        assert loaded.phone == PhoneNumber("+442071838750")
        assert loaded.custom_fields == {"tier": "gold", "n": 3}
        assert loaded.created_at == T0 and loaded.created_at.tzinfo is not None
        assert loaded.version == 1
        assert loaded.events == []

    def test_unknown_id_is_none(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            assert uow.customers.get("no-such-customer") is None

    def test_finds_active_customer_by_email(self, backend: StorageBackend) -> None:
        customer = new_customer(email="grace@example.com")
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            found = uow.customers.get_by_email(EmailAddress("grace@example.com"))
            assert found is not None and found.id == customer.id
            assert uow.customers.get_by_email(EmailAddress("other@example.com")) is None

    def test_archived_customer_frees_its_email(self, backend: StorageBackend) -> None:
        customer = new_customer(email="grace@example.com")
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            loaded.archive(at=T0 + timedelta(days=1), by="actor-1")
            uow.commit()
        with backend.uow() as uow:
            assert uow.customers.get_by_email(EmailAddress("grace@example.com")) is None
            uow.customers.add(new_customer(email="grace@example.com"))
            uow.commit()

    def test_two_active_customers_cannot_share_an_email(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.customers.add(new_customer(email="same@example.com"))
            uow.commit()
        with pytest.raises(AlreadyTaken), backend.uow() as uow:
            uow.customers.add(new_customer(email="same@example.com"))
            uow.commit()
        assert backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 1

    def test_emails_in_use_reports_only_taken_addresses(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.customers.add_many(
                [new_customer(email="a@example.com"), new_customer(email="b@example.com")]
            )
            uow.commit()
        with backend.uow() as uow:
            taken = uow.customers.emails_in_use(
                [EmailAddress("a@example.com"), EmailAddress("c@example.com")]
            )
        assert taken == {EmailAddress("a@example.com")}

    def test_bulk_added_customers_are_stored_with_their_events(
        self, backend: StorageBackend
    ) -> None:
        batch = [new_customer(email=f"bulk{n}@example.com") for n in range(25)]
        with backend.uow() as uow:
            uow.customers.add_many(batch)
            uow.commit()
        assert backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 25
        assert backend.outbox() == [("rapport.customer.created.v1", c.id) for c in batch]

    def test_bulk_added_customers_read_back_as_singly_added_ones_do(
        self, backend: StorageBackend
    ) -> None:
        """add_many takes a faster road (COPY on PostgreSQL) to the same stored state."""

        def twin(customer_id: str, crm_id: str) -> Customer:
            return new_customer(
                customer_id=customer_id,
                first="Zoë",
                last="Ødegård",
                email=f"{customer_id}@Example.com",
                phone="+442071838750",
                custom_fields={"tier": "gold", "n": 2.5, "vip": True},
                external_ids=(ExternalId("shop", f"{customer_id}-1"), ExternalId("crm", crm_id)),
                at=T0 + timedelta(microseconds=123456),
            )

        with backend.uow() as uow:
            uow.customers.add(twin("one-by-one", "x"))
            uow.commit()
        with backend.uow() as uow:
            uow.customers.add_many([twin("in-bulk", "y")])
            uow.commit()

        def comparable(customer: Customer | None) -> dict[str, object]:
            assert customer is not None
            values = {
                name: getattr(customer, name)
                for name in (
                    "first_name", "last_name", "phone", "custom_fields", "owner_id",
                    "created_at", "updated_at", "archived_at", "company_id", "version",
                    "merged_into",
                )
            }  # fmt: skip
            values["email_domain"] = customer.email.domain if customer.email else None
            values["external_sources"] = sorted(i.source for i in customer.external_ids)
            return values

        with backend.uow() as uow:
            single, bulk = uow.customers.get("one-by-one"), uow.customers.get("in-bulk")
            assert comparable(single) == comparable(bulk)
            assert uow.customers.find_by_external_ids([ExternalId("crm", "y")]) == {
                ExternalId("crm", "y"): "in-bulk"
            }
        views = backend.customers.get_many(["one-by-one", "in-bulk"], visible=EVERYTHING)
        assert views["one-by-one"].created_at == views["in-bulk"].created_at
        assert views["one-by-one"].display_name == views["in-bulk"].display_name
        assert backend.outbox()[-1] == ("rapport.customer.created.v1", "in-bulk")

    def test_get_many_loads_known_customers_for_change(self, backend: StorageBackend) -> None:
        first = new_customer(email="first@example.com", external_ids=(ExternalId("shop", "1"),))
        second = new_customer(email="second@example.com")
        with backend.uow() as uow:
            uow.customers.add_many([first, second])
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get_many([first.id, second.id, "nobody"])
            assert set(loaded) == {first.id, second.id}
            assert loaded[first.id].external_ids == frozenset({ExternalId("shop", "1")})
            assert uow.customers.get(first.id) is loaded[first.id]
            loaded[second.id].update(
                CustomerChanges(last_name="Byron"), at=T0 + timedelta(days=1), by="actor-1"
            )
            uow.commit()
        with backend.uow() as uow:
            again = uow.customers.get(second.id)
        assert again is not None and (again.last_name, again.version) == ("Byron", 2)


class UnitOfWorkContract:
    """Transactions: nothing without commit, stale writes refused, events in the outbox."""

    def test_rolls_back_uncommitted_work_by_default(self, backend: StorageBackend) -> None:
        with backend.uow() as uow:
            uow.customers.add(new_customer())
        assert backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 0
        assert backend.outbox() == []

    def test_rolls_back_when_the_block_raises(self, backend: StorageBackend) -> None:
        with pytest.raises(RuntimeError), backend.uow() as uow:
            uow.customers.add(new_customer())
            raise RuntimeError("boom")
        assert backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 0

    def test_commit_stores_recorded_events_in_order(self, backend: StorageBackend) -> None:
        customer = new_customer()
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            loaded.update(CustomerChanges(first_name="Augusta"), at=T0 + timedelta(1), by="a")
            loaded.archive(at=T0 + timedelta(2), by="a")
            uow.commit()
        assert backend.outbox() == [
            ("rapport.customer.created.v1", customer.id),
            ("rapport.customer.updated.v1", customer.id),
            ("rapport.customer.archived.v1", customer.id),
        ]

    def test_committed_events_reach_in_process_subscribers(self, backend: StorageBackend) -> None:
        received: list[str] = []
        backend.bus.subscribe("*", lambda event: received.append(event.event_type))
        with backend.uow() as uow:
            uow.customers.add(new_customer())
            assert received == []
            uow.commit()
        assert received == ["rapport.customer.created.v1"]

    def test_stale_write_is_a_conflict_not_a_lost_update(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip(f"{backend.name} serialises writers, so two writes cannot interleave")
        customer = new_customer()
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        first, second = backend.uow(), backend.uow()
        with first, second:
            mine = first.customers.get(customer.id)
            theirs = second.customers.get(customer.id)
            assert mine is not None and theirs is not None
            theirs.update(CustomerChanges(last_name="Byron"), at=T0 + timedelta(1), by="b")
            second.commit()
            mine.update(CustomerChanges(first_name="Augusta"), at=T0 + timedelta(2), by="a")
            with pytest.raises(StaleVersion):
                first.commit()
        with backend.uow() as uow:
            stored = uow.customers.get(customer.id)
        assert stored is not None
        assert (stored.first_name, stored.last_name, stored.version) == ("Ada", "Byron", 2)

    def test_saved_changes_survive_a_new_unit_of_work(self, backend: StorageBackend) -> None:
        customer = new_customer()
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            loaded.update(
                CustomerChanges(email=EmailAddress("new@example.com"), custom_fields={"vip": True}),
                at=T0 + timedelta(1),
                by="a",
                schema=SCHEMA,
            )
            uow.commit()
        view = backend.customers.get_many([customer.id], visible=EVERYTHING)[customer.id]
        assert (view.email, dict(view.custom_fields), view.version) == (
            "new@example.com",
            {"vip": True},
            2,
        )


def _dataset(backend: StorageBackend, size: int = 40, seed: int = 7) -> list[Customer]:
    rng = random.Random(seed)
    names = ["Zoë", "ada", "Ada", "Émile", "bob", "Bob", "李", "王", "", "Ågot"]
    customers = []
    for n in range(size):
        customers.append(
            new_customer(
                first=rng.choice(names),
                last=rng.choice(names),
                email=f"user{rng.randint(0, 10_000)}x{n}@example.com"
                if rng.random() < 0.7
                else None,
                phone="+14155550100" if n % 5 == 0 else None,
                # Several customers share each timestamp, so ties are broken by id.
                at=T0 + timedelta(minutes=rng.randint(0, 5)),
                owner=rng.choice(["owner-1", "owner-2"]),
                customer_id=f"id-{rng.randint(0, 10**9):010d}-{n:03d}",
            )
        )
    customers = [c for c in customers if c.display_name]
    with backend.uow() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    return customers


class CustomerReaderContract:
    """Queries return the same customers in the same order on every adapter."""

    @pytest.mark.parametrize("field", list(CustomerOrderField))
    @pytest.mark.parametrize("descending", [False, True])
    def test_walking_forward_and_backward_visits_every_customer_once_in_order(
        self, backend: StorageBackend, field: CustomerOrderField, descending: bool
    ) -> None:
        customers = _dataset(backend)
        order = CustomerOrder(field, descending)
        views = backend.customers.get_many([c.id for c in customers], visible=EVERYTHING).values()
        expected = [
            v.id
            for v in sorted(
                views,
                key=lambda v: (field.key_of(v).value, v.id),  # type: ignore[arg-type, return-value]
                reverse=descending,
            )
        ]
        forward: list[str] = []
        after: SortKey | None = None
        while True:
            page = backend.customers.slice(
                CustomerFilter(),
                order,
                after=after,
                before=None,
                limit=7,
                from_end=False,
                visible=EVERYTHING,
            )
            forward.extend(v.id for v in page)
            if len(page) < 7:
                break
            after = field.key_of(page[-1])
        assert forward == expected

        backward: list[str] = []
        before: SortKey | None = None
        while True:
            page = backend.customers.slice(
                CustomerFilter(),
                order,
                after=None,
                before=before,
                limit=7,
                from_end=True,
                visible=EVERYTHING,
            )
            backward.extend(v.id for v in page)
            if len(page) < 7:
                break
            before = field.key_of(page[-1])
        assert backward == list(reversed(expected))

    def test_filters_agree_with_a_plain_scan(self, backend: StorageBackend) -> None:
        customers = _dataset(backend)
        email = next(c.email.value for c in customers if c.email)
        filters = [
            CustomerFilter(search="ADA"),
            CustomerFilter(search="王"),
            CustomerFilter(search="%"),
            CustomerFilter(search="+1415"),
            CustomerFilter(email=email.upper()),
            CustomerFilter(owner_ids=frozenset({"owner-2"})),
            CustomerFilter(created_after=T0 + timedelta(minutes=2)),
            CustomerFilter(created_before=T0 + timedelta(minutes=2)),
        ]
        for where in filters:
            expected = {c.id for c in customers if _matches(c, where)}
            found = backend.customers.slice(
                where,
                CustomerOrder(),
                after=None,
                before=None,
                limit=1000,
                from_end=False,
                visible=EVERYTHING,
            )
            assert {v.id for v in found} == expected, where
            assert backend.customers.count(where, visible=EVERYTHING) == len(expected), where

    def test_the_longest_search_finds_its_customer_and_no_pattern_is_too_complex(
        self, backend: StorageBackend
    ) -> None:
        first, last = "Ä" + "%_" * 49 + "a", "\\" * 50 + "z" * 50
        wanted, other = new_customer(first=first, last=last), new_customer()
        with backend.uow() as uow:
            uow.customers.add_many([wanted, other])
            uow.commit()
        longest = f"{first[1:]} {last}"
        assert len(longest) == MAX_SEARCH_LENGTH
        for search, expected in ((longest, [wanted.id]), ("%_\\" * 66 + "%_", [])):
            where = CustomerFilter(search=search.upper())
            found = backend.customers.slice(
                where,
                CustomerOrder(),
                after=None,
                before=None,
                limit=10,
                from_end=False,
                visible=EVERYTHING,
            )
            assert [v.id for v in found] == expected
            assert backend.customers.count(where, visible=EVERYTHING) == len(expected)

    def test_archived_customers_are_hidden_unless_asked_for(self, backend: StorageBackend) -> None:
        kept, archived = new_customer(), new_customer()
        archived.archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.customers.add_many([kept, archived])
            uow.commit()
        assert backend.customers.count(CustomerFilter(), visible=EVERYTHING) == 1
        assert (
            backend.customers.count(CustomerFilter(include_archived=True), visible=EVERYTHING) == 2
        )

    def test_first_customers_of_many_companies_and_their_counts_in_one_read(
        self, backend: StorageBackend
    ) -> None:
        # Ties on the time are broken by id, as the list of one company's people is.
        people = [
            new_customer(company_id="co-1", at=T0 + timedelta(minutes=2), customer_id="p-a"),
            new_customer(company_id="co-1", at=T0, customer_id="p-c"),
            new_customer(company_id="co-1", at=T0, customer_id="p-b"),
            new_customer(company_id="co-1", at=T0 - timedelta(1), customer_id="p-gone"),
            new_customer(company_id="co-2", customer_id="p-d"),
            new_customer(customer_id="p-nobody"),
        ]
        people[3].archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.customers.add_many(people)
            uow.commit()
        companies = ["co-1", "co-2", "co-3"]
        first_two = backend.customers.first_of_companies(companies, 2, visible=EVERYTHING)
        assert {k: [v.id for v in views] for k, views in first_two.items()} == {
            "co-1": ["p-b", "p-c"],
            "co-2": ["p-d"],
            "co-3": [],
        }
        for company_id in companies:
            one_by_one = backend.customers.slice(
                CustomerFilter(company_ids=frozenset({company_id})),
                CustomerOrder(),
                after=None,
                before=None,
                limit=2,
                from_end=False,
                visible=EVERYTHING,
            )
            assert list(first_two[company_id]) == list(one_by_one)
        assert backend.customers.count_of_companies(companies, visible=EVERYTHING) == {
            "co-1": 3,
            "co-2": 1,
            "co-3": 0,
        }
        assert backend.customers.first_of_companies([], 2, visible=EVERYTHING) == {}
        assert backend.customers.count_of_companies([], visible=EVERYTHING) == {}

    def test_get_many_skips_unknown_ids(self, backend: StorageBackend) -> None:
        customer = new_customer()
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        found = backend.customers.get_many([customer.id, "missing"], visible=EVERYTHING)
        assert list(found) == [customer.id]
        assert found[customer.id].display_name == "Ada Lovelace"
        assert backend.customers.get_many([], visible=EVERYTHING) == {}


def _matches(customer: Customer, where: CustomerFilter) -> bool:
    email = customer.email.value if customer.email else None
    phone = customer.phone.e164 if customer.phone else None
    text = " ".join(p for p in (customer.first_name, customer.last_name, email, phone) if p)
    return (
        (where.search is None or where.search.casefold() in text.casefold())
        and (where.email is None or email == where.email.lower())
        and (where.owner_ids is None or customer.owner_id in where.owner_ids)
        and (where.created_after is None or customer.created_at >= where.created_after)
        and (where.created_before is None or customer.created_at < where.created_before)
    )


class CustomerSegmentAndStageFilterContract:
    """``segment_ids`` and ``lifecycle_stage`` read the segments' and lifecycle's own tables."""

    def test_segment_and_lifecycle_stage_filters(self, backend: StorageBackend) -> None:
        from application.customers.views import StageAt
        from tests.contracts.lifecycle import move
        from tests.contracts.segments import new_segment

        ada, bob, cy = new_customer(), new_customer(), new_customer()
        first = new_segment("First", segment_id="seg-f")
        second = new_segment("Second", segment_id="seg-s")
        with backend.uow() as uow:
            uow.customers.add_many([ada, bob, cy])
            uow.segments.add(first)
            uow.segments.add(second)
            uow.segments.set_members(first, [ada.id], T0)
            uow.segments.set_members(second, [bob.id], T0)
            uow.commit()
        move(backend, ada.id, "lead", "ch-a")
        move(backend, bob.id, "lead", "ch-b1")
        move(backend, bob.id, "customer", "ch-b2", days=1)

        def ids(where: CustomerFilter) -> set[str]:
            found = backend.customers.slice(
                where,
                CustomerOrder(),
                after=None,
                before=None,
                limit=100,
                from_end=False,
                visible=EVERYTHING,
            )
            assert backend.customers.count(where, visible=EVERYTHING) == len(found)
            return {view.id for view in found}

        assert ids(CustomerFilter(segment_ids=frozenset({"seg-f", "seg-s"}))) == {ada.id, bob.id}
        assert ids(CustomerFilter(segment_ids=frozenset({"seg-s"}))) == {bob.id}
        assert ids(CustomerFilter(segment_ids=frozenset())) == set()
        lead = StageAt("acquisition", "lead")
        assert ids(CustomerFilter(lifecycle_stage=lead)) == {ada.id}
        assert ids(CustomerFilter(lifecycle_stage=StageAt("acquisition", "customer"))) == {bob.id}
        both = CustomerFilter(segment_ids=frozenset({"seg-f"}), lifecycle_stage=lead)
        assert ids(both) == {ada.id}
        assert ids(CustomerFilter(lifecycle_stage=StageAt("nope", "lead"))) == set()
