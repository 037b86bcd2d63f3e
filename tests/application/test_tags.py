"""Tags on the in-memory adapters: the catalogue, bulk tagging, merges and history."""

from __future__ import annotations

import pytest
from attrs import define

from adapters.ids import SequentialIdGenerator
from application.customers.commands import NewCustomer
from application.customers.merging import MergeCustomers
from application.customers.views import CustomerFilter, CustomerView
from application.errors import Forbidden
from application.pagination import PageRequest
from application.principal import Principal
from application.tags.commands import CreateTag, NewTag, TagCustomers, UntagCustomers
from application.tags.queries import GetTags, ListTags
from application.tags.views import TagView
from domain.access.visibility import EVERYTHING
from domain.errors import DomainError, ErrorCode
from domain.tags import TagCategory
from tests.application.conftest import App
from tests.conftest import later


@define
class Tags:
    create: CreateTag
    tag: TagCustomers
    untag: UntagCustomers
    list: ListTags
    get: GetTags


@pytest.fixture
def tags(app: App) -> Tags:
    ids = SequentialIdGenerator("t")
    uow, clock = app.backend.uow, app.clock
    return Tags(
        create=CreateTag(uow, clock, ids),
        tag=TagCustomers(uow, clock, ids),
        untag=UntagCustomers(uow, clock, ids),
        list=ListTags(app.backend.tags),
        get=GetTags(app.backend.tags),
    )


@pytest.fixture
def people(app: App, agent: Principal) -> list[CustomerView]:
    return [
        app.customers.create(
            agent, NewCustomer(first_name=name, email=f"{name.lower()}@example.com")
        )
        for name in ("Ada", "Grace", "Linus")
    ]


def tag(tags: Tags, name: str, category: TagCategory = TagCategory.STATIC) -> TagView:
    return tags.create(Principal.system(), NewTag(name=name, colour="#00aa00", category=category))


def names_of(tags: Tags, actor: Principal, customer_id: str) -> list[str]:
    return [view.name for view in tags.get.of_customers(actor, [customer_id]).get(customer_id, ())]


def codes(error: DomainError) -> list[tuple[str, ErrorCode]]:
    return [(problem.field, problem.code) for problem in error.problems]


def test_a_tag_name_is_taken_whatever_its_case(tags: Tags, manager: Principal) -> None:
    tags.create(manager, NewTag(name="VIP", colour="#FFD700"))
    with pytest.raises(DomainError) as raised:
        tags.create(manager, NewTag(name="vip", colour="#000000"))
    assert codes(raised.value) == [("name", ErrorCode.TAKEN)]
    assert [t.name for t in tags.get.reader.all()] == ["VIP"]


def test_agents_tag_customers_but_only_managers_add_tags(
    tags: Tags, agent: Principal, viewer: Principal
) -> None:
    with pytest.raises(Forbidden):
        tags.create(agent, NewTag(name="VIP", colour="#FFD700"))
    vip = tag(tags, "VIP")
    with pytest.raises(Forbidden):
        tags.tag(viewer, ["anyone"], [vip.id])


def test_tagging_many_customers_draws_each_change_on_their_timeline(
    app: App, tags: Tags, agent: Principal, people: list[CustomerView]
) -> None:
    vip, b2b = tag(tags, "VIP"), tag(tags, "B2B")
    ids = [p.id for p in people]
    tags.tag(agent, ids[:1], [vip.id])
    result = tags.tag(agent, ids, [vip.id, b2b.id])
    assert (result.changed, result.unchanged) == (5, 1)
    assert names_of(tags, agent, ids[0]) == ["B2B", "VIP"]
    entries = [e.node for e in app.timeline.get(agent, ids[1], first=10).edges]
    assert sorted((e.kind, e.title) for e in entries if e.kind == "tagged") == [
        ("tagged", "Tagged B2B"),
        ("tagged", "Tagged VIP"),
    ]
    added = [e for e in app.backend.outbox() if e[0] == "rapport.tag.added.v1"]
    assert len(added) == 6


def test_untagging_records_who_did_it_and_leaves_other_tags(
    app: App, tags: Tags, agent: Principal, people: list[CustomerView]
) -> None:
    vip, b2b = tag(tags, "VIP"), tag(tags, "B2B")
    ada = people[0].id
    tags.tag(agent, [ada], [vip.id, b2b.id])
    later(app.clock, 60)
    result = tags.untag(agent, [ada, people[1].id], [vip.id])
    assert (result.changed, result.unchanged) == (1, 1)
    assert names_of(tags, agent, ada) == ["B2B"]
    history = tags.get.history(agent, ada)
    newest = history[0]
    assert (newest.tag_name, newest.added, newest.actor_id) == ("VIP", False, agent.actor_id)
    assert len(history) == 3


def test_unknown_customers_and_tags_change_nothing(
    app: App, tags: Tags, agent: Principal, people: list[CustomerView]
) -> None:
    vip = tag(tags, "VIP")
    with pytest.raises(DomainError) as raised:
        tags.tag(agent, [people[0].id, "nobody"], [vip.id, "no-tag"])
    assert codes(raised.value) == [
        ("customerIds.1", ErrorCode.NOT_FOUND),
        ("tagIds.1", ErrorCode.NOT_FOUND),
    ]
    assert names_of(tags, agent, people[0].id) == []
    assert tags.get.history(agent, people[0].id) == []


def test_archived_customers_cannot_be_tagged(
    app: App, tags: Tags, agent: Principal, manager: Principal, people: list[CustomerView]
) -> None:
    vip = tag(tags, "VIP")
    app.customers.archive(manager, people[0].id)
    with pytest.raises(DomainError) as raised:
        tags.tag(agent, [people[0].id], [vip.id])
    assert codes(raised.value) == [("customerIds.0", ErrorCode.NOT_FOUND)]


def test_empty_or_oversized_requests_are_refused(tags: Tags, agent: Principal) -> None:
    vip = tag(tags, "VIP")
    with pytest.raises(DomainError) as raised:
        tags.tag(agent, [], [vip.id])
    assert codes(raised.value) == [("customerIds", ErrorCode.REQUIRED)]
    with pytest.raises(DomainError) as raised:
        tags.tag(agent, [f"c{i}" for i in range(10_001)], [vip.id])
    assert codes(raised.value) == [("customerIds", ErrorCode.TOO_LONG)]


def test_thousands_of_customers_are_tagged_in_one_call(
    app: App, tags: Tags, agent: Principal
) -> None:
    rows = [NewCustomer(first_name=f"P{i}", email=f"p{i}@example.com") for i in range(3_000)]
    app.customers.create_in_bulk(agent, rows)
    ids = sorted(app.backend.customers.ids_matching(CustomerFilter(), visible=EVERYTHING))
    vip = tag(tags, "VIP")
    assert tags.tag(agent, ids, [vip.id]).changed == 3_000
    where = CustomerFilter(tag_ids=frozenset({vip.id}))
    assert app.customers.list.count(agent, where) == 3_000
    assert tags.untag(agent, ids[:1_000], [vip.id]).changed == 1_000
    assert app.customers.list.count(agent, where) == 2_000


def test_a_merge_gives_the_survivor_every_tag(
    app: App, tags: Tags, agent: Principal, manager: Principal, people: list[CustomerView]
) -> None:
    vip, b2b = tag(tags, "VIP"), tag(tags, "B2B")
    survivor, duplicate = people[0].id, people[1].id
    tags.tag(agent, [survivor, duplicate], [vip.id])
    tags.tag(agent, [duplicate], [b2b.id])
    MergeCustomers(app.backend.uow, app.clock)(manager, survivor, [duplicate])
    assert names_of(tags, agent, survivor) == ["B2B", "VIP"]
    assert len(tags.get.history(agent, survivor)) == 3


def test_the_catalogue_pages_by_name_ignoring_case(tags: Tags, agent: Principal) -> None:
    for name in ("delta", "Alpha", "charlie", "Bravo", "echo"):
        tag(tags, name)
    first = tags.list(agent, PageRequest(first=2))
    assert [e.node.name for e in first.edges] == ["Alpha", "Bravo"]
    assert first.has_next_page
    second = tags.list(agent, PageRequest(first=2, after=first.end_cursor))
    assert [e.node.name for e in second.edges] == ["charlie", "delta"]
    last = tags.list(agent, PageRequest(last=2))
    assert [e.node.name for e in last.edges] == ["delta", "echo"]
    assert tags.list.count(agent) == 5
