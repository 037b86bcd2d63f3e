"""Contracts of the company repository and the company reader."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest

from application.companies.views import CompanyFilter, CompanyOrder, CompanyOrderField
from application.customers.views import CustomerFilter
from application.errors import StaleVersion
from application.pagination import SortKey
from application.search import MAX_SEARCH_LENGTH
from domain.access.visibility import EVERYTHING
from domain.companies import Address, Company, CompanyChanges, CompanySize
from domain.custom_fields import CustomFieldSchema, FieldType, ObjectType
from tests.contracts.backend import StorageBackend
from tests.contracts.custom_fields import T0, definition
from tests.contracts.customers import new_customer

SCHEMA = CustomFieldSchema([definition("tier", FieldType.TEXT, object_type=ObjectType.COMPANY)])
_numbers = itertools.count(1)


def new_company(
    *,
    name: str = "Acme",
    domain: str | None = None,
    size: CompanySize | None = None,
    address: Address | None = None,
    owner: str = "owner-1",
    at: object = T0,
    custom_fields: dict[str, object] | None = None,
    company_id: str | None = None,
) -> Company:
    number = next(_numbers)
    return Company.register(
        id=company_id or f"comp-{number:08d}",
        name=name,
        domain=domain,
        industry="Software",
        size=size,
        address=address,
        custom_fields=custom_fields or {},
        schema=SCHEMA,
        owner_id=owner,
        at=at,  # type: ignore[arg-type]
        by="actor-1",
    )


class CompanyRepositoryContract:
    def test_added_company_reads_back_equal(self, backend: StorageBackend) -> None:
        address = Address.parse(street="1 Main St", city="Zürich", postal_code="8001", country="ch")
        company = new_company(
            name="Acme AG",
            domain="https://WWW.Acme.example/about",
            size=CompanySize.FROM_51_TO_200,
            address=address,
            custom_fields={"tier": "gold"},
        )
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.companies.get(company.id)
            assert uow.companies.get("missing") is None
        assert loaded is not None
        assert (loaded.name, loaded.domain, loaded.industry) == (
            "Acme AG",
            "www.acme.example",
            "Software",
        )
        assert loaded.size is CompanySize.FROM_51_TO_200
        assert loaded.address == address and loaded.address.country == "CH"
        assert loaded.custom_fields == {"tier": "gold"}
        assert (loaded.version, loaded.events) == (1, [])
        assert backend.outbox() == [("rapport.company.created.v1", company.id)]
        view = backend.companies.get_many([company.id, "missing"], visible=EVERYTHING)[company.id]
        assert (view.address, view.size, view.domain) == (
            address,
            CompanySize.FROM_51_TO_200,
            "www.acme.example",
        )

    def test_company_without_address_or_size_reads_back_empty(
        self, backend: StorageBackend
    ) -> None:
        company = new_company()
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.commit()
        view = backend.companies.get_many([company.id], visible=EVERYTHING)[company.id]
        assert (view.address, view.size, view.domain) == (None, None, None)

    def test_archived_flags_report_only_existing_companies(self, backend: StorageBackend) -> None:
        active, archived = new_company(), new_company()
        archived.archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.companies.add(active)
            uow.companies.add(archived)
            uow.commit()
        with backend.uow() as uow:
            flags = uow.companies.archived_flags([active.id, archived.id, "missing"])
        assert dict(flags) == {active.id: False, archived.id: True}

    def test_updates_and_archive_are_saved_with_events(self, backend: StorageBackend) -> None:
        company = new_company()
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.companies.get(company.id)
            assert loaded is not None
            loaded.update(
                CompanyChanges(name="Acme Ltd", size=CompanySize.OVER_10000),
                at=T0 + timedelta(1),
                by="a",
            )
            loaded.archive(at=T0 + timedelta(2), by="a")
            uow.commit()
        view = backend.companies.get_many([company.id], visible=EVERYTHING)[company.id]
        assert (view.name, view.size, view.version) == ("Acme Ltd", CompanySize.OVER_10000, 3)
        assert view.archived_at == T0 + timedelta(2)
        assert [event for event, _ in backend.outbox()] == [
            "rapport.company.created.v1",
            "rapport.company.updated.v1",
            "rapport.company.archived.v1",
        ]

    def test_stale_company_write_is_a_conflict(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip(f"{backend.name} serialises writers, so two writes cannot interleave")
        company = new_company()
        with backend.uow() as uow:
            uow.companies.add(company)
            uow.commit()
        first, second = backend.uow(), backend.uow()
        with first, second:
            mine = first.companies.get(company.id)
            theirs = second.companies.get(company.id)
            assert mine is not None and theirs is not None
            theirs.update(CompanyChanges(name="Theirs"), at=T0, by="b")
            second.commit()
            mine.update(CompanyChanges(name="Mine"), at=T0, by="a")
            with pytest.raises(StaleVersion):
                first.commit()
        assert (
            backend.companies.get_many([company.id], visible=EVERYTHING)[company.id].name
            == "Theirs"
        )


def _companies(backend: StorageBackend, size: int = 30, seed: int = 5) -> list[Company]:
    rng = random.Random(seed)
    names = ["Acme", "acme", "Zeta", "Émile & Co", "李氏", "Beta", "beta"]
    made = [
        new_company(
            name=rng.choice(names),
            domain=f"d{n}.example" if rng.random() < 0.5 else None,
            size=rng.choice([None, *CompanySize]),
            owner=rng.choice(["owner-1", "owner-2"]),
            at=T0 + timedelta(minutes=rng.randint(0, 4)),
            company_id=f"co-{rng.randint(0, 10**9):010d}-{n:03d}",
        )
        for n in range(size)
    ]
    with backend.uow() as uow:
        for company in made:
            uow.companies.add(company)
        uow.commit()
    return made


class CompanyReaderContract:
    @pytest.mark.parametrize("field", list(CompanyOrderField))
    @pytest.mark.parametrize("descending", [False, True])
    def test_walking_visits_every_company_once_in_order(
        self, backend: StorageBackend, field: CompanyOrderField, descending: bool
    ) -> None:
        made = _companies(backend)
        order = CompanyOrder(field, descending)
        views = backend.companies.get_many([c.id for c in made], visible=EVERYTHING).values()
        expected = [
            v.id
            for v in sorted(
                views,
                key=lambda v: (field.key_of(v).value, v.id),  # type: ignore[arg-type, return-value]
                reverse=descending,
            )
        ]
        walked: list[str] = []
        after: SortKey | None = None
        while True:
            page = backend.companies.slice(
                CompanyFilter(),
                order,
                after=after,
                before=None,
                limit=7,
                from_end=False,
                visible=EVERYTHING,
            )
            walked.extend(v.id for v in page)
            if len(page) < 7:
                break
            after = order.key_of(page[-1])
        assert walked == expected
        last = backend.companies.slice(
            CompanyFilter(),
            order,
            after=None,
            before=None,
            limit=3,
            from_end=True,
            visible=EVERYTHING,
        )
        assert [v.id for v in last] == list(reversed(expected))[:3]

    def test_filters_agree_with_a_plain_scan(self, backend: StorageBackend) -> None:
        made = _companies(backend)
        made[0].archive(at=T0, by="a")
        with backend.uow() as uow:
            loaded = uow.companies.get(made[1].id)
            assert loaded is not None
            loaded.archive(at=T0, by="a")
            uow.commit()
        active = [c for c in made if c.id != made[1].id]
        domain = next(c.domain for c in active if c.domain)
        cases = [
            (CompanyFilter(search="ACME"), lambda c: "acme" in c.name.casefold()),
            (CompanyFilter(search="d1"), lambda c: "d1" in (c.domain or "")),
            (CompanyFilter(domain=domain.upper()), lambda c: c.domain == domain),
            (CompanyFilter(owner_ids=frozenset({"owner-2"})), lambda c: c.owner_id == "owner-2"),
            (
                CompanyFilter(sizes=frozenset({CompanySize.FROM_1_TO_10, CompanySize.OVER_10000})),
                lambda c: c.size in (CompanySize.FROM_1_TO_10, CompanySize.OVER_10000),
            ),
        ]
        for where, wanted in cases:
            expected = {c.id for c in active if wanted(c)}
            found = backend.companies.slice(
                where,
                CompanyOrder(),
                after=None,
                before=None,
                limit=1000,
                from_end=False,
                visible=EVERYTHING,
            )
            assert {v.id for v in found} == expected, where
            assert backend.companies.count(where, visible=EVERYTHING) == len(expected), where
        assert backend.companies.count(CompanyFilter(), visible=EVERYTHING) == len(active)
        assert backend.companies.count(
            CompanyFilter(include_archived=True), visible=EVERYTHING
        ) == len(made)

    def test_the_longest_search_finds_its_company_and_no_pattern_is_too_complex(
        self, backend: StorageBackend
    ) -> None:
        name = "%_\\" * 66 + "Zz"
        wanted, other = new_company(name=name), new_company()
        with backend.uow() as uow:
            uow.companies.add(wanted)
            uow.companies.add(other)
            uow.commit()
        assert len(name) == MAX_SEARCH_LENGTH
        for search, expected in ((name.lower(), [wanted.id]), ("_" * MAX_SEARCH_LENGTH, [])):
            where = CompanyFilter(search=search)
            found = backend.companies.slice(
                where,
                CompanyOrder(),
                after=None,
                before=None,
                limit=10,
                from_end=False,
                visible=EVERYTHING,
            )
            assert [v.id for v in found] == expected
            assert backend.companies.count(where, visible=EVERYTHING) == len(expected)

    def test_customers_filter_by_company(self, backend: StorageBackend) -> None:
        acme, other = new_company(), new_company()
        with backend.uow() as uow:
            uow.companies.add(acme)
            uow.companies.add(other)
            uow.customers.add_many(
                [
                    new_customer(customer_id="p1", company_id=acme.id),
                    new_customer(customer_id="p2", company_id=other.id),
                    new_customer(customer_id="p3", company_id=acme.id),
                    new_customer(customer_id="p4"),
                ]
            )
            uow.commit()
        where = CustomerFilter(company_ids=frozenset({acme.id}))
        assert backend.customers.count(where, visible=EVERYTHING) == 2
        views = backend.customers.get_many(["p1", "p4"], visible=EVERYTHING)
        assert (views["p1"].company_id, views["p4"].company_id) == (acme.id, None)
