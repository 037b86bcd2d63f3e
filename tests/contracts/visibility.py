"""Contracts of record-level visibility: every reader given a restricted ``Visibility``
reads, counts and pages exactly the records it admits (owned by one of its owners, or
shared by id), and the records that belong to them (orders, activities, events, timeline
entries, segment members) follow their customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest
from attrs import frozen

from adapters.files.customer_export import customer_rows
from application.companies.views import CompanyFilter, CompanyOrder
from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerFilter, CustomerOrder, CustomerOrderField
from application.orders.views import OrderFilter, OrderSort
from application.pagination import SortKey
from application.principal import Principal
from domain.access.api_key import ApiKey
from domain.access.roles import Resource, Role
from domain.access.user import User
from domain.access.visibility import EVERYTHING, NOTHING, Reach, Visibility
from domain.customers import EmailAddress
from tests.contracts.activities import new_activity
from tests.contracts.backend import StorageBackend
from tests.contracts.behaviour import tracked
from tests.contracts.companies import new_company
from tests.contracts.customers import T0, new_customer
from tests.contracts.orders import new_order
from tests.contracts.segments import new_segment
from tests.contracts.tags import change, new_tag
from tests.contracts.timeline import entry

PHONE = "+442071838750"

OWNERS = {"c-a": "u1", "c-b": "u2", "c-c": "u3", "c-d": "u1", "c-e": "u2", "c-f": "u3"}
"""Customers by id and their owners; c-a, c-b and c-e share a phone, all work at k1."""
COMPANY_OWNERS = {"k1": "u1", "k2": "u2", "k3": "u3"}

REP = Visibility.owned_by({"u1"}, {"c-e"})
"""A rep who owns c-a and c-d and was shared c-e."""
REP_COMPANIES = Visibility.owned_by({"u1"}, {"k3"})

CASES = {
    "restricted": (REP, {"c-a", "c-d", "c-e"}),
    # Two owners' branches, and a share of a record one of them owns, read once.
    "team": (Visibility.owned_by({"u1", "u3"}, {"c-b", "c-a"}), set(OWNERS) - {"c-e"}),
    "owner only": (Visibility.owned_by({"u3"}), {"c-c", "c-f"}),
    "shares only": (Visibility.owned_by((), {"c-b", "c-f", "c-unknown"}), {"c-b", "c-f"}),
    "nothing": (NOTHING, set()),
    "everything": (EVERYTHING, set(OWNERS)),
}


@frozen
class World:
    customers: tuple[str, ...]
    orders: dict[str, str]
    """Order id by customer id."""
    activities: dict[str, str]
    events: dict[str, str]
    tag_id: str


def _world(backend: StorageBackend) -> World:
    companies = [
        new_company(company_id=company_id, owner=owner, name=company_id)
        for company_id, owner in COMPANY_OWNERS.items()
    ]
    people = [
        new_customer(
            customer_id=customer_id,
            owner=owner,
            first=customer_id,
            phone=PHONE if customer_id in ("c-a", "c-b", "c-e") else None,
            company_id="k1" if customer_id in ("c-a", "c-b", "c-e") else "k2",
            at=T0 + timedelta(minutes=index),
        )
        for index, (customer_id, owner) in enumerate(OWNERS.items())
    ]
    tag = new_tag("vip")
    orders = {customer.id: f"o-{customer.id}" for customer in people}
    activities = {customer.id: new_activity(customer.id) for customer in people}
    with backend.uow() as uow:
        for company in companies:
            uow.companies.add(company)
        uow.customers.add_many(people)
        uow.tags.add(tag)
        for customer in people:
            uow.orders.add(new_order(customer.id, orders[customer.id], at=T0))
            uow.activities.add(activities[customer.id])
        uow.timeline.record([entry(customer, f"t-{customer.id}") for customer in people])
        uow.commit()
    with backend.uow() as uow:
        uow.tags.apply([change(customer_id, tag) for customer_id in OWNERS])
        uow.commit()
    events = {customer_id: tracked(customer_id) for customer_id in OWNERS}
    with backend.uow() as uow:
        uow.tracked_events.append(list(events.values()))
        uow.commit()
    if backend.segments is not None:
        with backend.uow() as uow:
            segment = new_segment("Everyone", segment_id="seg-v")
            uow.segments.add(segment)
            uow.segments.set_members(segment, list(OWNERS), T0)
            uow.commit()
    return World(
        customers=tuple(OWNERS),
        orders=orders,
        activities={cid: activity.id for cid, activity in activities.items()},
        events={cid: event.id for cid, event in events.items()},
        tag_id=tag.id,
    )


def _by_customer(ids_by_customer: dict[str, str], found: Iterable[str]) -> set[str]:
    """The customers whose record (order, activity, event) is among ``found``."""
    customers = {record_id: customer_id for customer_id, record_id in ids_by_customer.items()}
    return {customers[record_id] for record_id in found}


class VisibilityContract:
    """``backend`` runs these on every adapter; ``case`` gives a visibility and what it
    admits of the world."""

    @pytest.fixture(params=sorted(CASES))
    def case(self, request: pytest.FixtureRequest) -> tuple[Visibility, set[str]]:
        return CASES[request.param]

    def test_customers_by_id_count_slice_and_ids(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        world = _world(backend)
        readers = backend.customers
        assert set(readers.get_many(list(OWNERS), visible=visible)) == admitted
        everyone = CustomerFilter(include_archived=True)
        assert readers.count(everyone, visible=visible) == len(admitted)
        page = readers.slice(
            everyone,
            CustomerOrder(),
            visible=visible,
            after=None,
            before=None,
            limit=100,
            from_end=False,
        )
        assert [view.id for view in page] == sorted(admitted)  # oldest first, as created
        assert readers.ids_matching(everyone, visible=visible) == admitted
        # Other conditions narrow what is visible, never widen it.
        at_k1 = CustomerFilter(company_ids=frozenset({"k1"}))
        assert readers.count(at_k1, visible=visible) == len(admitted & {"c-a", "c-b", "c-e"})
        tagged = CustomerFilter(tag_ids=frozenset({world.tag_id}))
        assert readers.ids_matching(tagged, visible=visible) == admitted

    @pytest.mark.parametrize("descending", [False, True])
    @pytest.mark.parametrize("field", list(CustomerOrderField))
    def test_pages_walk_the_visible_customers_both_ways(
        self,
        backend: StorageBackend,
        case: tuple[Visibility, set[str]],
        field: CustomerOrderField,
        descending: bool,
    ) -> None:
        visible, admitted = case
        _world(backend)
        order = CustomerOrder(field=field, descending=descending)
        # Without a filter, and with one that admits every customer (each is at k1 or k2).
        for where in (
            CustomerFilter(include_archived=True),
            CustomerFilter(include_archived=True, company_ids=frozenset({"k1", "k2"})),
        ):

            def page(
                after: SortKey | None,
                before: SortKey | None,
                from_end: bool,
                where: CustomerFilter = where,
            ) -> list[str]:
                views = backend.customers.slice(
                    where,
                    order,
                    visible=visible,
                    after=after,
                    before=before,
                    limit=2,
                    from_end=from_end,
                )
                return [view.id for view in views]

            views = backend.customers.slice(
                where, order, visible=visible, after=None, before=None, limit=100, from_end=False
            )
            whole = [view.id for view in views]
            keys = {view.id: order.key_of(view) for view in views}
            assert set(whole) == admitted
            forwards: list[str] = []
            while chunk := page(keys[forwards[-1]] if forwards else None, None, False):
                forwards += chunk
            backwards: list[str] = []
            while chunk := page(None, keys[backwards[-1]] if backwards else None, True):
                backwards += chunk
            assert forwards == whole
            assert backwards == whole[::-1]

    def test_people_of_companies_are_the_visible_ones(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        at_k1 = admitted & {"c-a", "c-b", "c-e"}
        firsts = backend.customers.first_of_companies(["k1", "k2"], 10, visible=visible)
        assert {view.id for view in firsts["k1"]} == at_k1
        counts = backend.customers.count_of_companies(["k1", "k2"], visible=visible)
        assert counts == {"k1": len(at_k1), "k2": len(admitted - at_k1)}

    def test_duplicate_pairs_have_both_sides_visible(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        pairs = {(a, b) for a, b, _ in backend.customers.duplicate_pairs(visible=visible)}
        sharing = sorted(admitted & {"c-a", "c-b", "c-e"})
        expected = {(a, b) for i, a in enumerate(sharing) for b in sharing[i + 1 :]}
        assert pairs == expected

    def test_external_ids_only_of_visible_customers(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        if backend.link_external_id is None:
            pytest.skip("this adapter keeps no external ids")
        for customer_id in OWNERS:
            backend.link_external_id("shop", f"x-{customer_id}", customer_id)
        found = backend.customers.external_ids_of(list(OWNERS), visible=visible)
        assert {cid for cid, ids in found.items() if ids} <= admitted

    def test_orders_follow_their_customer(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        world = _world(backend)
        orders = backend.orders
        by_id = orders.get_many(list(world.orders.values()), visible=visible)
        assert _by_customer(world.orders, by_id) == admitted
        assert orders.count(OrderFilter(), visible=visible) == len(admitted)
        page = orders.slice(
            OrderFilter(),
            OrderSort(),
            visible=visible,
            after=None,
            before=None,
            limit=100,
            from_end=False,
        )
        assert _by_customer(world.orders, [view.id for view in page]) == admitted
        at_k1 = admitted & {"c-a", "c-b", "c-e"}
        of_k1 = orders.of_company("k1", before=None, limit=100, visible=visible)
        assert _by_customer(world.orders, [view.id for view in of_k1]) == at_k1
        assert orders.count_of_company("k1", visible=visible) == len(at_k1)
        assert orders.count_of_companies(["k1"], visible=visible) == {"k1": len(at_k1)}
        newest = orders.newest_of_companies(["k1"], 100, visible=visible)
        assert _by_customer(world.orders, [view.id for view in newest["k1"]]) == at_k1
        stats = orders.stats_of_companies(["k1"], visible=visible)
        assert stats["k1"].orders == len(at_k1)
        counts = orders.count_of_customers(list(OWNERS), visible=visible)
        assert {cid for cid, count in counts.items() if count} == admitted
        mine = orders.newest_of_customers(list(OWNERS), 10, visible=visible)
        assert {cid for cid, views in mine.items() if views} == admitted
        assert sum(total.orders for total in orders.totals(visible=visible)) == len(admitted)

    def test_activities_and_events_follow_their_customer(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        world = _world(backend)
        activities = backend.activities.get_many(list(world.activities.values()), visible=visible)
        assert _by_customer(world.activities, activities) == admitted
        events = backend.behaviour.get_many(list(world.events.values()), visible=visible)
        assert _by_customer(world.events, events) == admitted

    def test_timelines_follow_their_customer(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        timeline = backend.timeline
        newest = timeline.newest_of_customers(list(OWNERS), visible=visible, kinds=None, limit=5)
        assert {cid for cid, entries in newest.items() if entries} == admitted
        counts = timeline.count_of_customers(list(OWNERS), visible=visible, kinds=None)
        assert {cid for cid, count in counts.items() if count} == admitted
        for customer_id in OWNERS:
            page = timeline.slice(customer_id, visible=visible, kinds=None, after=None, limit=5)
            assert bool(page) == (customer_id in admitted)

    def test_segment_members_and_sizes_are_the_visible_ones(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        segments = backend.segments
        assert segments is not None
        assert set(segments.members("seg-v", first=100, after=None, visible=visible)) == admitted
        assert segments.member_count("seg-v", visible=visible) == len(admitted)
        assert segments.member_counts(["seg-v"], visible=visible).get("seg-v", 0) == len(admitted)
        firsts = segments.first_members(["seg-v"], 100, visible=visible)
        assert set(firsts["seg-v"]) == admitted

    def test_export_rows_are_the_visible_customers(
        self, backend: StorageBackend, case: tuple[Visibility, set[str]]
    ) -> None:
        visible, admitted = case
        _world(backend)
        actor = Principal(
            actor_id="u1",
            role=Role.SALES_REP,
            name="Rep",
            reach=Reach({Resource.CUSTOMERS: visible}),
        )
        rows = customer_rows(
            ListCustomers(backend.customers, backend.custom_fields),
            GetCustomers(backend.customers),
            actor,
            CustomerFilter(include_archived=True),
        )
        assert {row[0] for row in rows} == admitted


class CompanyVisibilityContract:
    def test_companies_by_id_count_and_slice(self, backend: StorageBackend) -> None:
        _world(backend)
        readers = backend.companies
        admitted = {"k1", "k3"}
        assert set(readers.get_many(list(COMPANY_OWNERS), visible=REP_COMPANIES)) == admitted
        assert readers.count(CompanyFilter(), visible=REP_COMPANIES) == 2
        page = readers.slice(
            CompanyFilter(),
            CompanyOrder(),
            visible=REP_COMPANIES,
            after=None,
            before=None,
            limit=100,
            from_end=False,
        )
        assert {view.id for view in page} == admitted
        assert readers.count(CompanyFilter(), visible=NOTHING) == 0
        assert readers.count(CompanyFilter(), visible=EVERYTHING) == 3


class CredentialReachContract:
    def test_a_key_finds_its_user_with_their_team_and_manager(
        self, backend: StorageBackend
    ) -> None:
        """What a TEAM scope reaches is worked out from these, when the key authenticates."""
        user = User.register(
            id="user-t",
            name="Rep",
            email=EmailAddress("team@example.com"),
            role=Role.SALES_REP,
            at=T0,
            team_id="team-1",
            manager_id="boss-1",
        )
        key = ApiKey.issue(
            id="key-t", user_id=user.id, name="k", role=Role.SALES_REP, secret="s", at=T0
        )
        with backend.uow() as uow:
            uow.users.add(user)
            uow.api_keys.add(key)
            uow.commit()
        found = backend.credentials.find("key-t")
        assert found is not None
        assert (found.user.team_id, found.user.manager_id) == ("team-1", "boss-1")
