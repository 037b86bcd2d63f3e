"""Contracts of record-level visibility in the pipeline's readers: what a ``Visibility``
does not admit is never read, counted, paged or summed, on every adapter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from application.pipeline.ports import LeadReader, PipelineReader, TaskReader
from application.pipeline.views import (
    CurrencyAmount,
    LeadFilter,
    LeadOrder,
    OpportunityFilter,
    OpportunityOrder,
    TaskFilter,
    TaskOrder,
)
from domain.access.visibility import EVERYTHING, NOTHING, Visibility
from domain.pipeline import Lead, LeadProfile, Outcome
from tests.contracts.backend import StorageBackend
from tests.contracts.pipeline import (
    WINDOW,
    D,
    Q,
    close,
    day,
    move,
    open_deal,
    task,
)
from tests.contracts.timeline import stored_customers

PAGE = {"after": None, "before": None, "limit": 10, "from_end": False}
REP_A = Visibility.owned_by({"rep-a"}, {"d3", "l3", "t3"})
"""Rep A: their own deals, leads and tasks, and one of each shared with them."""
SHARED_ONLY = Visibility.owned_by((), {"d2"})
COMPANY = "co-1"


@attrs.frozen
class World:
    first: str
    second: str
    pipeline: PipelineReader
    leads: LeadReader
    tasks: TaskReader


def world(backend: StorageBackend) -> World:
    """Five deals, four leads and four tasks, owned by three reps or nobody.

    d1 rep-a Q open 100    d2 rep-b Q open 200    d3 rep-c D open 400 (shared)
    d4 rep-b won (day 5)   d5 rep-a lost (day 6)
    l1 rep-a   l2 rep-b   l3 nobody (shared)   l4 nobody
    t1 rep-a on d1   t2 rep-b on d2   t3 rep-b on d3 (shared)   t4 rep-c, second customer
    """
    first, second = (c.id for c in stored_customers(backend, 2))
    for deal_id, owner, amount, customer in (
        ("d1", "rep-a", "100.00", first),
        ("d2", "rep-b", "200.00", first),
        ("d3", "rep-c", "400.00", second),
        ("d4", "rep-b", "800.00", first),
        ("d5", "rep-a", "1600.00", second),
    ):
        open_deal(
            backend,
            customer,
            deal_id,
            amount=amount,
            close=date(2026, 3, 1),
            created=0,
            stage=Q,
            owner=owner,
            company=COMPANY,
        )
    move(backend, "d3", D, 1)
    move(backend, "d4", D, 2)
    close(backend, "d4", Outcome.WON, 5)
    close(backend, "d5", Outcome.LOST, 6)
    with backend.uow() as uow:
        for lead_id, owner, customer in (
            ("l1", "rep-a", first),
            ("l2", "rep-b", first),
            ("l3", None, second),
            ("l4", None, second),
        ):
            lead = Lead.capture(
                id=lead_id,
                customer_id=customer,
                email=f"{lead_id}@example.com",
                profile=LeadProfile(),
                source="api",
                utm={},
                at=day(0),
                by="u",
            )
            if owner is not None:
                lead.assign(owner, due_at=None, at=day(0), by="u")
            uow.leads.add(lead)
        for task_id, assignee, customer, deal in (
            ("t1", "rep-a", first, "d1"),
            ("t2", "rep-b", first, "d2"),
            ("t3", "rep-b", second, "d3"),
            ("t4", "rep-c", second, None),
        ):
            made = task(task_id, customer, deal=deal)
            made.assignee_id = assignee
            uow.tasks.add(made)
        uow.commit()
    assert backend.pipeline is not None and backend.leads is not None
    assert backend.tasks is not None
    return World(first, second, backend.pipeline, backend.leads, backend.tasks)


def ids(views: Sequence[object]) -> list[str]:
    return sorted(str(view.id) for view in views)


ALL_DEALS = ["d1", "d2", "d3", "d4", "d5"]


class PipelineVisibilityContract:
    def test_deals_outside_the_visibility_are_never_read_or_counted(
        self, backend: StorageBackend
    ) -> None:
        w = world(backend)
        reader, order = w.pipeline, OpportunityOrder()
        for visible, expected in (
            (EVERYTHING, ALL_DEALS),
            (REP_A, ["d1", "d3", "d5"]),
            (SHARED_ONLY, ["d2"]),
            (NOTHING, []),
        ):
            assert sorted(reader.get_many(ALL_DEALS, visible=visible)) == expected
            assert reader.count(OpportunityFilter(), visible=visible) == len(expected)
            page = reader.slice(OpportunityFilter(), order, visible=visible, **PAGE)
            assert ids(page) == expected
            by_customer = reader.slices(
                OpportunityFilter(),
                order,
                visible=visible,
                by="customer_id",
                keys=[w.first, w.second],
                **PAGE,
            )
            assert sorted(i for views in by_customer.values() for i in ids(views)) == expected
            counted = reader.counts(
                OpportunityFilter(), visible=visible, by="company_id", keys=[COMPANY]
            )
            assert counted == {COMPANY: len(expected)}
            histories = reader.entries_of(ALL_DEALS, visible=visible)
            assert sorted(i for i, entries in histories.items() if entries) == expected

    def test_a_filter_on_owners_narrows_within_the_visibility(
        self, backend: StorageBackend
    ) -> None:
        reader = world(backend).pipeline
        theirs = OpportunityFilter(owner_ids=frozenset({"rep-b", "rep-c"}))
        assert ids(reader.slice(theirs, OpportunityOrder(), visible=REP_A, **PAGE)) == ["d3"]
        assert reader.count(OpportunityFilter(owner_id="rep-b"), visible=REP_A) == 0

    def test_the_board_sums_only_visible_deals(self, backend: StorageBackend) -> None:
        reader = world(backend).pipeline
        open_deals = OpportunityFilter(status="open")
        columns = {
            column.stage_id: (column.count, column.values)
            for column in reader.board_totals(open_deals, visible=REP_A)
        }
        usd = "USD"
        assert columns == {
            Q: (1, (CurrencyAmount(usd, Decimal("100.00")),)),
            D: (1, (CurrencyAmount(usd, Decimal("400.00")),)),
        }
        assert reader.board_totals(open_deals, visible=NOTHING) == []
        stage_pages = reader.slices(
            open_deals, OpportunityOrder(), visible=REP_A, by="stage_id", keys=[Q, D], **PAGE
        )
        assert {stage: ids(views) for stage, views in stage_pages.items()} == {
            Q: ["d1"],
            D: ["d3"],
        }

    def test_analytics_aggregate_only_visible_deals(self, backend: StorageBackend) -> None:
        w = world(backend)
        analytics = backend.analytics
        assert analytics is not None
        pipeline_id = w.pipeline.pipelines()[0].id
        start, end = WINDOW
        flows = {
            f.stage_id: f.entered
            for f in analytics.stage_flows(pipeline_id, start, end, visible=REP_A)
        }
        assert flows == {Q: 3, D: 1}  # d1, d3, d5 entered Q; d3 entered D
        everyone = {
            f.stage_id: f.entered
            for f in analytics.stage_flows(pipeline_id, start, end, visible=EVERYTHING)
        }
        assert everyone == {Q: 5, D: 2}
        assert analytics.stage_flows(pipeline_id, start, end, visible=NOTHING) == []
        mine = analytics.closed_deals(pipeline_id, start, end, visible=REP_A)
        assert (mine.won, mine.lost, mine.won_values) == (0, 1, ())
        theirs = analytics.closed_deals(pipeline_id, start, end, visible=SHARED_ONLY)
        assert (theirs.won, theirs.lost) == (0, 0)
        slices = analytics.open_deal_slices(pipeline_id, visible=REP_A)
        assert sorted((s.owner_id, s.count, s.amount) for s in slices) == [
            ("rep-a", 1, Decimal("100.00")),
            ("rep-c", 1, Decimal("400.00")),
        ]
        assert analytics.open_deal_slices(pipeline_id, visible=NOTHING) == []

    def test_leads_outside_the_visibility_are_never_read_or_counted(
        self, backend: StorageBackend
    ) -> None:
        w = world(backend)
        reader, order, every = w.leads, LeadOrder(), ["l1", "l2", "l3", "l4"]
        for visible, expected in (
            (EVERYTHING, every),
            (REP_A, ["l1", "l3"]),
            (NOTHING, []),
        ):
            assert sorted(reader.get_many(every, visible=visible)) == expected
            assert reader.count(LeadFilter(), visible=visible) == len(expected)
            assert ids(reader.slice(LeadFilter(), order, visible=visible, **PAGE)) == expected
            pages = reader.slices(
                LeadFilter(), order, visible=visible, keys=[w.first, w.second], **PAGE
            )
            assert sorted(i for views in pages.values() for i in ids(views)) == expected
            counted = reader.counts(LeadFilter(), visible=visible, keys=[w.first, w.second])
            assert sum(counted.values()) == len(expected)

    def test_tasks_outside_the_visibility_are_never_read_or_counted(
        self, backend: StorageBackend
    ) -> None:
        w = world(backend)
        reader, order, every = w.tasks, TaskOrder(), ["t1", "t2", "t3", "t4"]
        for visible, expected, of_company in (
            (EVERYTHING, every, ["t1", "t2", "t3"]),
            (REP_A, ["t1", "t3"], ["t1", "t3"]),
            (NOTHING, [], []),
        ):
            assert sorted(reader.get_many(every, visible=visible)) == expected
            assert reader.count(TaskFilter(), visible=visible) == len(expected)
            assert ids(reader.slice(TaskFilter(), order, visible=visible, **PAGE)) == expected
            people = reader.slices(
                TaskFilter(),
                order,
                visible=visible,
                by="customer_id",
                keys=[w.first, w.second],
                **PAGE,
            )
            assert sorted(i for views in people.values() for i in ids(views)) == expected
            companies = reader.slices(
                TaskFilter(), order, visible=visible, by="company_id", keys=[COMPANY], **PAGE
            )
            assert ids(companies[COMPANY]) == of_company
            counted = reader.counts(TaskFilter(), visible=visible, by="company_id", keys=[COMPANY])
            assert counted == {COMPANY: len(of_company)}
