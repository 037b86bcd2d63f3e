"""Segment use cases on the in-memory adapters, with the NumPy evaluator kept current."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from attrs import define

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import ALL_EVENTS, InProcessEventBus
from adapters.segments.live import LiveSnapshot
from adapters.segments.numpy_engine import NumpySegmentEvaluator
from adapters.segments.single import PythonRuleMatcher
from application.errors import Forbidden
from application.principal import Principal
from application.segments.commands import (
    CreateSegment,
    NewSegment,
    PreviewSegment,
    RecheckCustomers,
    RefreshSegments,
    UpdateSegment,
)
from application.segments.language import RuleSyntaxError
from application.segments.rules import RuleSources, SegmentRules
from domain.access.roles import Role
from domain.errors import DomainError
from domain.segments.segment import SegmentKind
from domain.tags import Tag, TagChange
from tests.conftest import memory_backend
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0, new_customer
from tests.contracts.tags import new_tag

SYSTEM = Principal.system()


@define
class Segments:
    backend: StorageBackend
    clock: ManualClock
    snapshot: LiveSnapshot
    preview: PreviewSegment
    create: CreateSegment
    update: UpdateSegment
    refresh: RefreshSegments
    vip: Tag

    def customers(self, *names: str) -> list[str]:
        people = [new_customer(first=name, email=f"{name}@example.com") for name in names]
        with self.backend.uow() as uow:
            uow.customers.add_many(people)
            uow.commit()
        return [person.id for person in people]

    def tag(self, customer_ids: Sequence[str], *, added: bool = True) -> None:
        with self.backend.uow() as uow:
            uow.tags.apply(
                [
                    TagChange(
                        id=f"tc-{customer_id}-{added}-{self.clock.now().isoformat()}",
                        customer_id=customer_id,
                        tag_id=self.vip.id,
                        tag_name=self.vip.name,
                        added=added,
                        occurred_at=self.clock.now(),
                        actor_id="user-1",
                    )
                    for customer_id in customer_ids
                ]
            )
            uow.commit()


@pytest.fixture
def segments() -> Segments:
    bus = InProcessEventBus()
    backend = memory_backend(bus)
    clock = ManualClock(T0)
    assert backend.segment_facts is not None and backend.segments is not None
    assert backend.lifecycle is not None
    snapshot = LiveSnapshot(backend.segment_facts, clock)
    bus.subscribe(ALL_EVENTS, snapshot.changed)
    evaluator = NumpySegmentEvaluator(snapshot)
    rules = SegmentRules(
        RuleSources(backend.custom_fields, backend.tags, backend.lifecycle, backend.segments)
    )
    ids = SequentialIdGenerator("seg")
    vip = new_tag("VIP")
    with backend.uow() as uow:
        uow.tags.add(vip)
        uow.commit()
    return Segments(
        backend=backend,
        clock=clock,
        snapshot=snapshot,
        preview=PreviewSegment(rules, evaluator, clock, backend.customers),
        create=CreateSegment(backend.uow, rules, evaluator, clock, ids),
        update=UpdateSegment(backend.uow, rules, evaluator, clock),
        refresh=RefreshSegments(backend.uow, rules, evaluator, clock),
        vip=vip,
    )


def members(segments: Segments, segment_id: str) -> set[str]:
    assert segments.backend.segments is not None
    return segments.backend.segments.all_members(segment_id)


def test_a_dynamic_segment_follows_its_rule_and_announces_who_enters_and_leaves(
    segments: Segments,
) -> None:
    ada, bob = segments.customers("ada", "bob")
    segments.tag([ada])
    view = segments.create(SYSTEM, NewSegment(name="VIPs", rule='tag("VIP")'))
    assert (view.size, members(segments, view.id)) == (1, {ada})

    segments.tag([bob])
    segments.tag([ada], added=False)
    # The tag changes were committed events: the snapshot knows without being told.
    assert segments.preview(SYSTEM, 'tag("vip")').sample == [bob]
    assert segments.refresh(SYSTEM) == 1
    assert members(segments, view.id) == {bob}
    events = segments.backend.outbox()
    assert ("rapport.segment.entered.v1", bob) in events
    assert ("rapport.segment.exited.v1", ada) in events
    assert segments.refresh(SYSTEM) == 0


def test_a_static_segment_keeps_the_members_it_was_taken_with(segments: Segments) -> None:
    ada, bob = segments.customers("ada", "bob")
    segments.tag([ada])
    frozen = segments.create(
        SYSTEM, NewSegment(name="Launch list", rule='tag("VIP")', kind=SegmentKind.STATIC)
    )
    segments.tag([bob])
    segments.refresh(SYSTEM)
    assert members(segments, frozen.id) == {ada}
    # Named in a rule, a static segment stands for its stored members.
    assert segments.preview(SYSTEM, 'segment("launch list") or tag("vip")').count == 2
    assert segments.preview(SYSTEM, 'segment("Launch List") and tag("vip")').sample == [ada]


def test_a_rule_may_name_dynamic_segments_but_never_itself(segments: Segments) -> None:
    ada, _ = segments.customers("ada", "bob")
    segments.tag([ada])
    vips = segments.create(SYSTEM, NewSegment(name="VIPs", rule='tag("VIP")'))
    outer = segments.create(
        SYSTEM, NewSegment(name="Named VIPs", rule='segment("VIPs") and first_name = "ada"')
    )
    assert outer.size == 1
    with pytest.raises(RuleSyntaxError) as raised:
        segments.update(SYSTEM, vips.id, name=None, rule='email is set or segment("Named VIPs")')
    assert "refers back to itself" in raised.value.problems[0].message
    assert segments.backend.segments is not None
    assert segments.backend.segments.get_many([vips.id])[vips.id].rule == 'tag("VIP")'


def test_names_are_unique_whatever_their_case_and_bad_rules_save_nothing(
    segments: Segments,
) -> None:
    segments.create(SYSTEM, NewSegment(name="VIPs", rule='tag("VIP")'))
    with pytest.raises(DomainError) as taken:
        segments.create(SYSTEM, NewSegment(name="vips", rule="email is set"))
    assert taken.value.problems[0].field == "name"
    with pytest.raises(RuleSyntaxError):
        segments.create(SYSTEM, NewSegment(name="Odd", rule='tag("gold")'))
    assert segments.backend.segments is not None
    assert [view.name for view in segments.backend.segments.all()] == ["VIPs"]


def test_viewers_preview_but_may_not_create(segments: Segments) -> None:
    viewer = Principal(actor_id="viewer-1", role=Role.ANALYST, name="Viewer")
    assert segments.preview(viewer, 'tag("VIP")').count == 0
    with pytest.raises(Forbidden):
        segments.create(viewer, NewSegment(name="Mine", rule='tag("VIP")'))


def test_recheck_moves_only_the_changed_customers_and_archived_ones_leave(
    segments: Segments,
) -> None:
    ada, bob = segments.customers("ada", "bob")
    segments.tag([ada, bob])
    view = segments.create(SYSTEM, NewSegment(name="VIPs", rule='tag("VIP")'))
    assert view.size == 2
    assert segments.backend.segment_facts is not None and segments.backend.segments is not None
    recheck = RecheckCustomers(
        segments.backend.uow,
        segments.create.rules,
        segments.backend.segment_facts,
        PythonRuleMatcher(),
        segments.clock,
    )
    segments.tag([bob], added=False)
    with segments.backend.uow() as uow:
        customer = uow.customers.get(ada)
        assert customer is not None
        customer.archive(at=T0, by="user-1")
        uow.commit()
    assert recheck(SYSTEM, [ada]) == 1
    assert members(segments, view.id) == {bob}
    assert recheck(SYSTEM, [bob]) == 1
    assert members(segments, view.id) == set()
    assert segments.backend.segments.get_many([view.id])[view.id].size == 0
    exited = [e for e in segments.backend.outbox() if e[0] == "rapport.segment.exited.v1"]
    assert exited == [("rapport.segment.exited.v1", ada), ("rapport.segment.exited.v1", bob)]
    assert recheck(SYSTEM, [ada, bob]) == 0
