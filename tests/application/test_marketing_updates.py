"""Changing tags and auto-tag rules at a version, and paging small lists in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from attrs import frozen

from adapters.ids import SequentialIdGenerator
from application.behaviour.tracking import IncomingEvent
from application.customers.commands import NewCustomer
from application.errors import InvalidInput
from application.pagination import MemoryOrder, PageRequest, page_in_memory, read_int
from application.principal import Principal
from application.tags.commands import CreateTag, NewTag, TagCustomers, TagPatch, UpdateTag
from application.tags.conditions import ConditionSources, EventCondition
from application.tags.queries import GetTags, ListTags
from application.tags.rules import (
    DefineAutoTagRule,
    ListAutoTagRules,
    RulePatch,
    RunAutoTagRules,
    UpdateAutoTagRule,
)
from application.tags.views import TagFilter, TagOrder, TagSortField
from domain.behaviour import EventFrequency
from domain.errors import DomainError, ErrorCode
from domain.tags import Tag, TagCategory
from tests.application.conftest import App

SYSTEM = Principal.system()
SIGNED_IN = EventCondition(EventFrequency("Signed In", 1, 7))


def codes(error: DomainError) -> list[tuple[str | None, ErrorCode]]:
    return [(problem.field, problem.code) for problem in error.problems]


def test_a_tag_changes_at_its_version_and_only_a_real_change_counts() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    tag = Tag.create(
        id="t", name="VIP", colour="#000000", category=TagCategory.STATIC, at=at, by="u"
    )
    tag.events.clear()
    assert not tag.change(name="VIP", at=at, by="u")
    assert (tag.version, tag.events) == (1, [])
    assert tag.change(category=TagCategory.BEHAVIOUR, description=" big ", at=at, by="u")
    assert (tag.version, tag.category, tag.description) == (2, TagCategory.BEHAVIOUR, "big")
    assert [event.event_type for event in tag.events] == ["rapport.tag.updated.v1"]
    with pytest.raises(DomainError) as raised:
        tag.change(name="", colour="red", at=at, by="u")
    assert {field for field, _ in codes(raised.value)} == {"name", "colour"}
    assert (tag.name, tag.version) == ("VIP", 2)


@frozen
class World:
    create: CreateTag
    update: UpdateTag
    list: ListTags
    define: DefineAutoTagRule
    update_rule: UpdateAutoTagRule
    rules: ListAutoTagRules
    run: RunAutoTagRules
    tag: TagCustomers
    get: GetTags


@pytest.fixture
def world(app: App) -> World:
    ids = SequentialIdGenerator("m")
    sources = ConditionSources(
        app.backend.customers, app.backend.behaviour, app.backend.custom_fields
    )
    uow, clock = app.backend.uow, app.clock
    return World(
        create=CreateTag(uow, clock, ids),
        update=UpdateTag(uow, clock),
        list=ListTags(app.backend.tags),
        define=DefineAutoTagRule(uow, sources, clock, ids),
        update_rule=UpdateAutoTagRule(uow, sources),
        rules=ListAutoTagRules(app.backend.tags),
        run=RunAutoTagRules(uow, sources, clock, ids),
        tag=TagCustomers(uow, clock, ids),
        get=GetTags(app.backend.tags),
    )


def test_update_tag_refuses_stale_versions_taken_names_and_unknown_tags(world: World) -> None:
    vip = world.create(SYSTEM, NewTag(name="VIP", colour="#000000"))
    world.create(SYSTEM, NewTag(name="Lead", colour="#000000"))
    changed = world.update(SYSTEM, TagPatch(tag_id=vip.id, expected_version=1, name="VIPs"))
    assert (changed.name, changed.version) == ("VIPs", 2)
    for patch, expected in (
        (
            TagPatch(tag_id=vip.id, expected_version=1, name="X"),
            ("version", ErrorCode.STALE_VERSION),
        ),
        (TagPatch(tag_id=vip.id, expected_version=2, name="lead"), ("name", ErrorCode.TAKEN)),
        (TagPatch(tag_id="nothing", expected_version=1), ("id", ErrorCode.NOT_FOUND)),
    ):
        with pytest.raises(DomainError) as raised:
            world.update(SYSTEM, patch)
        assert codes(raised.value) == [expected]
    assert [v.name for v in world.list.everything(SYSTEM)] == ["Lead", "VIPs"]
    unchanged = world.update(SYSTEM, TagPatch(tag_id=vip.id, expected_version=2, name="VIPs"))
    assert unchanged.version == 2


def test_tags_are_filtered_and_ordered(world: World) -> None:
    for name, category in (("b", TagCategory.STATIC), ("a", TagCategory.BEHAVIOUR)):
        world.create(SYSTEM, NewTag(name=name, colour="#000000", category=category))
    page = world.list(
        SYSTEM, PageRequest(first=5), TagFilter(categories=frozenset({TagCategory.STATIC}))
    )
    assert [edge.node.name for edge in page.edges] == ["b"]
    newest = world.list(
        SYSTEM, PageRequest(first=5), order=TagOrder(field=TagSortField.NAME, descending=True)
    )
    assert [edge.node.name for edge in newest.edges] == ["b", "a"]
    assert world.list.count(SYSTEM, TagFilter(name_contains="A")) == 1


def test_a_rule_switched_off_keeps_its_tags_and_a_rule_given_another_tag_leaves_them(
    app: App, world: World
) -> None:
    ada = app.customers.create(SYSTEM, NewCustomer(first_name="Ada"))
    app.behaviour.track(
        SYSTEM, [IncomingEvent(customer_id=ada.id, name="Signed In", event_id="e1")]
    )
    vip = world.create(SYSTEM, NewTag(name="VIP", colour="#000000"))
    fan = world.create(SYSTEM, NewTag(name="Fan", colour="#000000"))
    rule = world.define(SYSTEM, vip.id, SIGNED_IN)
    assert world.run(SYSTEM).added == 1
    off = world.update_rule(SYSTEM, RulePatch(rule_id=rule.id, expected_version=1, enabled=False))
    assert (off.enabled, off.version) == (False, 2)
    assert world.run(SYSTEM).rules == 0
    with pytest.raises(DomainError) as raised:
        world.update_rule(SYSTEM, RulePatch(rule_id=rule.id, expected_version=1, enabled=True))
    assert codes(raised.value) == [("version", ErrorCode.STALE_VERSION)]
    moved = world.update_rule(
        SYSTEM, RulePatch(rule_id=rule.id, expected_version=2, tag_id=fan.id, enabled=True)
    )
    assert (moved.tag_id, moved.version) == (fan.id, 3)
    report = world.run(SYSTEM)
    assert (report.added, report.removed) == (1, 0)
    names = [v.name for v in world.get.of_customers(SYSTEM, [ada.id])[ada.id]]
    assert names == ["Fan", "VIP"]
    assert world.rules.count(SYSTEM, tag_ids={fan.id}) == 1
    enabled = world.rules.page(SYSTEM, PageRequest(first=5), enabled=True)
    assert [edge.node.id for edge in enabled.edges] == [rule.id]
    with pytest.raises(DomainError) as unknown:
        world.update_rule(SYSTEM, RulePatch(rule_id=rule.id, expected_version=3, tag_id="nothing"))
    assert codes(unknown.value) == [("tagId", ErrorCode.NOT_FOUND)]


@frozen
class Item:
    id: str
    size: int


def test_a_list_in_memory_pages_both_ways_in_either_direction() -> None:
    items = [Item(f"i{n}", size) for n, size in enumerate((3, 1, 2, 2, 5))]
    order = MemoryOrder(
        name="items:size:desc",
        value_of=lambda item: item.size,
        id_of=lambda item: item.id,
        read=read_int,
        descending=True,
    )

    def ids(request: PageRequest) -> list[str]:
        return [edge.node.id for edge in page_in_memory(request, items, order).edges]

    assert ids(PageRequest(first=10)) == ["i4", "i0", "i3", "i2", "i1"]
    first = page_in_memory(PageRequest(first=2), items, order)
    assert first.has_next_page and not first.has_previous_page
    assert ids(PageRequest(first=2, after=first.end_cursor)) == ["i3", "i2"]
    last = page_in_memory(PageRequest(last=2), items, order)
    assert [edge.node.id for edge in last.edges] == ["i2", "i1"]
    assert last.has_previous_page
    assert ids(PageRequest(last=2, before=last.start_cursor)) == ["i0", "i3"]
    with pytest.raises(InvalidInput):
        page_in_memory(PageRequest(after="nope"), items, order)
