"""Contracts of ``uow.segments``, the segment reader and the facts segment rules read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.segments.numpy_engine import NumpySegmentEvaluator
from adapters.segments.snapshot import build_snapshot
from application.pagination import SortKey
from application.segments.language import parse_rule
from application.segments.ports import SegmentFilter, SegmentOrder, SegmentSortField
from domain.access.visibility import EVERYTHING
from domain.orders import Currency
from domain.segments.rfm import RfmScore
from domain.segments.segment import Segment, SegmentKind
from domain.tags import TagChange
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0, new_customer
from tests.contracts.orders import new_order
from tests.contracts.tags import new_tag
from tests.contracts.timeline import stored_customers


def new_segment(name: str, *, segment_id: str, kind: SegmentKind = SegmentKind.DYNAMIC) -> Segment:
    return Segment.create(
        id=segment_id, name=name, kind=kind, rule='tag("vip")', at=T0, actor_id="user-1"
    )


class SegmentContract:
    def test_a_segment_is_stored_found_by_name_whatever_the_case_and_announced(
        self, backend: StorageBackend
    ) -> None:
        assert backend.segments is not None
        with backend.uow() as uow:
            uow.segments.add(new_segment("Big Spenders", segment_id="seg-1"))
            uow.commit()
        with backend.uow() as uow:
            found = uow.segments.by_name("big spenders")
            assert found is not None
            assert (found.id, found.kind, found.rule) == (
                "seg-1",
                SegmentKind.DYNAMIC,
                'tag("vip")',
            )
            assert uow.segments.by_name("other") is None
        [view] = backend.segments.all()
        assert (view.name, view.size, view.refreshed_at) == ("Big Spenders", 0, None)
        assert view.version == 1
        with backend.uow() as uow:
            loaded = uow.segments.get("seg-1")
            assert loaded is not None
            loaded.change(name="Bigger Spenders", rule=None, at=T0, actor_id="u")
            uow.commit()
        [view] = backend.segments.all()
        assert (view.name, view.version) == ("Bigger Spenders", 2)
        assert ("rapport.segment.created.v1", "seg-1") in backend.outbox()

    def test_segments_are_sliced_filtered_and_ordered_in_storage(
        self, backend: StorageBackend
    ) -> None:
        assert backend.segments is not None
        with backend.uow() as uow:
            for number, name in enumerate(("Beta", "alpha", "Gamma")):
                segment = new_segment(name, segment_id=f"seg-{number}")
                segment.size = 3 - number
                uow.segments.add(segment)
            uow.commit()
        reader = backend.segments

        def names(
            filter: SegmentFilter = SegmentFilter(),
            order: SegmentOrder = SegmentOrder(),
            **window: Any,
        ) -> list[str]:
            arguments: dict[str, Any] = {
                "after": None,
                "before": None,
                "limit": 10,
                "from_end": False,
            }
            return [view.name for view in reader.slice(filter, order, **{**arguments, **window})]

        assert names() == ["alpha", "Beta", "Gamma"]
        assert names(limit=1, from_end=True) == ["Gamma"]
        assert names(after=SortKey("beta", "seg-0")) == ["Gamma"]
        assert names(SegmentFilter(name_contains="MM")) == ["Gamma"]
        assert names(SegmentFilter(kinds=frozenset({SegmentKind.STATIC}))) == []
        by_size = SegmentOrder(field=SegmentSortField.SIZE, descending=True)
        assert names(order=by_size) == ["Beta", "alpha", "Gamma"]
        assert names(order=by_size, after=SortKey(2, "seg-1")) == ["Gamma"]
        assert reader.count(SegmentFilter(kinds=frozenset({SegmentKind.DYNAMIC}))) == 3

    def test_members_change_by_difference_with_history_and_events(
        self, backend: StorageBackend
    ) -> None:
        assert backend.segments is not None
        a, b, c = sorted(c.id for c in stored_customers(backend, 3))
        with backend.uow() as uow:
            segment = new_segment("VIPs", segment_id="seg-1")
            uow.segments.add(segment)
            entered, exited = uow.segments.set_members(segment, [a, b], T0)
            segment.refreshed(entered=entered, exited=exited, size=2, at=T0, actor_id="u")
            uow.commit()
        assert (entered, exited) == ({a, b}, set())
        later = T0 + timedelta(hours=1)
        with backend.uow() as uow:
            loaded = uow.segments.get("seg-1")
            assert loaded is not None
            entered, exited = uow.segments.set_members(loaded, [b, c], later)
            loaded.refreshed(entered=entered, exited=exited, size=2, at=later, actor_id="u")
            uow.commit()
        assert (entered, exited) == ({c}, {a})
        assert backend.segments.members("seg-1", first=10, after=None, visible=EVERYTHING) == [b, c]
        assert backend.segments.members("seg-1", first=1, after=b, visible=EVERYTHING) == [c]
        assert backend.segments.members(
            "seg-1", first=5, after=None, descending=True, visible=EVERYTHING
        ) == [c, b]
        assert backend.segments.members(
            "seg-1", first=5, after=c, descending=True, visible=EVERYTHING
        ) == [b]
        assert backend.segments.members(
            "seg-1", first=5, after=None, before=c, visible=EVERYTHING
        ) == [b]
        assert backend.segments.member_count("seg-1", visible=EVERYTHING) == 2
        assert backend.segments.member_count("nothing", visible=EVERYTHING) == 0
        assert backend.segments.first_members(["seg-1", "nothing"], 1, visible=EVERYTHING)[
            "seg-1"
        ] == [b]
        assert (
            list(
                backend.segments.first_members(["nothing"], 1, visible=EVERYTHING).get(
                    "nothing", []
                )
            )
            == []
        )
        counts = backend.segments.member_counts(["seg-1", "nothing"], visible=EVERYTHING)
        assert (counts["seg-1"], counts.get("nothing", 0)) == (2, 0)
        histories = backend.segments.size_histories(["seg-1", "nothing"])
        assert [p.size for p in histories["seg-1"]] == [2, 2]
        assert list(histories.get("nothing", [])) == []
        assert backend.segments.all_members("seg-1") == {b, c}
        assert [p.size for p in backend.segments.size_history("seg-1")] == [2, 2]
        assert backend.segments.get_many(["seg-1"])["seg-1"].refreshed_at == later
        of = backend.segments.segments_of([a, c])
        assert (of[a], [view.name for view in of[c]]) == ([], ["VIPs"])
        events = backend.outbox()
        assert ("rapport.segment.entered.v1", c) in events
        assert ("rapport.segment.exited.v1", a) in events

    def test_rolls_back_uncommitted_work_by_default(self, backend: StorageBackend) -> None:
        assert backend.segments is not None
        [customer] = stored_customers(backend)
        with backend.uow() as uow:
            segment = new_segment("VIPs", segment_id="seg-1")
            uow.segments.add(segment)
            uow.segments.set_members(segment, [customer.id], T0)
            uow.segments.replace_rfm([RfmScore(customer.id, 5, 5, 5, "champions")], T0)
        assert backend.segments.all() == []
        assert backend.segments.all_members("seg-1") == set()
        assert backend.segments.rfm_of([customer.id]) == {}

    def test_an_rfm_run_replaces_the_previous_one(self, backend: StorageBackend) -> None:
        assert backend.segments is not None
        a, b = (c.id for c in stored_customers(backend, 2))
        with backend.uow() as uow:
            uow.segments.replace_rfm([RfmScore(a, 5, 4, 3, "champions")], T0)
            uow.commit()
        with backend.uow() as uow:
            uow.segments.replace_rfm([RfmScore(b, 1, 1, 2, "lost")], T0)
            uow.commit()
        assert backend.segments.rfm_of([a, b]) == {b: RfmScore(b, 1, 1, 2, "lost")}

    def test_facts_hold_active_customers_and_counted_orders_only(
        self, backend: StorageBackend
    ) -> None:
        assert backend.segment_facts is not None
        ada = new_customer(first="Ada", email="ada@example.com")
        gone = new_customer(first="Gone")
        gone.archive(at=T0, by="user-1")
        vip = new_tag("VIP")
        kept = new_order(ada.id, "o-1", at=T0, total="600.00")
        cancelled = new_order(ada.id, "o-2", at=T0, total="50.00", paid=False)
        cancelled.cancel(at=T0, by="user-1")
        euros = new_order(ada.id, "o-3", at=T0, total="70.00", currency=Currency("EUR"))
        with backend.uow() as uow:
            uow.customers.add_many([ada, gone])
            uow.tags.add(vip)
            uow.commit()
        with backend.uow() as uow:
            for order in (kept, cancelled, euros):
                uow.orders.add(order)
            uow.tags.apply(
                [
                    TagChange(
                        id=f"tc-{who.id}",
                        customer_id=who.id,
                        tag_id=vip.id,
                        tag_name=vip.name,
                        added=True,
                        occurred_at=T0,
                        actor_id="user-1",
                    )
                    for who in (ada, gone)
                ]
            )
            uow.commit()
        facts = backend.segment_facts.facts(currency="USD", events_since=T0.date())
        assert [row.id for row in facts.customers] == [ada.id]
        assert facts.customers[0].email == "ada@example.com"
        assert facts.tags == [(ada.id, "vip")]
        assert facts.orders == [(ada.id, T0.date(), 60_000)]
        [bought] = backend.segment_facts.purchases(currency="USD", since=None, until=T0.date())
        assert (bought.customer_id, bought.orders, bought.amount_minor) == (ada.id, 1, 60_000)

        evaluator = NumpySegmentEvaluator(lambda: build_snapshot(facts, currency="USD"))
        found = evaluator.evaluate(parse_rule('tag("vip") and orders.sum(30d) >= 600'), T0.date())
        assert (found.count, list(found.ids)) == (1, [ada.id])
