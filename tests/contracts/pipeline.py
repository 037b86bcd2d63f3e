"""Contracts of the pipeline's repositories and readers, and the analytics on a fixed data set.

The data set (one pipeline, six deals, figures worked out by hand in the comments) is the
same on every adapter, so the funnel, win rate, cycle length and forecast must agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from application.errors import StaleVersion
from application.lifecycle.commands import ChangeLifecycleStage
from application.pagination import SortKey
from application.pipeline.analytics import ForecastGrouping, Period, SalesAnalytics
from application.pipeline.leads import Conversion, ConvertLead, CreateLead, NewLead
from application.pipeline.ports import PipelineReader
from application.pipeline.views import (
    CurrencyAmount,
    ForecastLine,
    LeadFilter,
    LeadOrder,
    OpportunityFilter,
    OpportunityOrder,
    OpportunitySort,
    OpportunityView,
    TaskFilter,
    TaskOrder,
)
from application.principal import Principal
from domain.access.visibility import EVERYTHING
from domain.orders.money import Currency, Money
from domain.pipeline import (
    AutomationRule,
    DealTerms,
    Lead,
    LeadProfile,
    Opportunity,
    Outcome,
    SalesTeam,
    Strategy,
    Task,
    TaskKind,
    TeamMember,
    default_pipeline,
)
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import new_customer
from tests.contracts.orders import new_order
from tests.contracts.timeline import stored_customers

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIPELINE = default_pipeline()
Q, D, P, N = (stage.id for stage in PIPELINE.stages)
WINDOW = (T0, T0 + timedelta(days=30))


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def open_deal(
    backend: StorageBackend,
    customer_id: str,
    deal_id: str,
    *,
    amount: str,
    close: date,
    created: float,
    stage: str,
    owner: str = "rep-a",
    currency: str = "USD",
    company: str | None = None,
) -> None:
    money = Currency(currency)
    with backend.uow() as uow:
        pipeline = uow.pipelines.get(PIPELINE.id)
        assert pipeline is not None
        uow.opportunities.add(
            Opportunity.open(
                id=deal_id,
                pipeline=pipeline,
                stage_id=stage,
                name=f"Deal {deal_id}",
                customer_id=customer_id,
                company_id=company,
                owner_id=owner,
                terms=DealTerms.of(
                    currency=money,
                    amount=Money.of(amount, money),
                    expected_close_date=close,
                    next_step="call",
                ),
                entry_id=f"{deal_id}-e0",
                at=day(created),
                by="user-1",
            )
        )
        uow.commit()


def move(backend: StorageBackend, deal_id: str, stage: str, at: float) -> None:
    with backend.uow() as uow:
        deal = uow.opportunities.get(deal_id)
        assert deal is not None
        deal.advance(
            PIPELINE, stage, entry_id=f"{deal_id}-e{len(deal.entries)}", at=day(at), by="u"
        )
        uow.commit()


def close(backend: StorageBackend, deal_id: str, outcome: Outcome, at: float) -> None:
    with backend.uow() as uow:
        deal = uow.opportunities.get(deal_id)
        assert deal is not None
        deal.close(outcome, "because", at=day(at), by="u")
        uow.commit()


def fixed_data_set(backend: StorageBackend) -> None:
    """Six deals in USD (one in EUR); days after T0 in brackets.

    o1 1000 Q(0) D(2) P(5) N(9) won(20)      o4 300 Q(2), open, closes March
    o2  500 Q(0) D(4) lost(10)               o5 800 EUR D(3), open, closes April
    o3 2000 Q(1) D(3) P(7), open, March      o6 1200 Q(1) D(2) P(6) D(8) P(12) won(15)
    """
    (customer,) = stored_customers(backend, 1)
    c = customer.id
    open_deal(backend, c, "o1", amount="1000.00", close=date(2026, 2, 15), created=0, stage=Q)
    open_deal(backend, c, "o2", amount="500.00", close=date(2026, 2, 20), created=0, stage=Q)
    open_deal(backend, c, "o3", amount="2000.00", close=date(2026, 3, 10), created=1, stage=Q)
    open_deal(
        backend,
        c,
        "o4",
        amount="300.00",
        close=date(2026, 3, 31),
        created=2,
        stage=Q,
        owner="rep-b",
    )
    open_deal(
        backend,
        c,
        "o5",
        amount="800.00",
        close=date(2026, 4, 2),
        created=3,
        stage=D,
        currency="EUR",
    )
    open_deal(backend, c, "o6", amount="1200.00", close=date(2026, 2, 28), created=1, stage=Q)
    for deal, stage, at in (
        ("o1", D, 2), ("o1", P, 5), ("o1", N, 9),
        ("o2", D, 4),
        ("o3", D, 3), ("o3", P, 7),
        ("o6", D, 2), ("o6", P, 6), ("o6", D, 8), ("o6", P, 12),
    ):  # fmt: skip
        move(backend, deal, stage, at)
    close(backend, "o1", Outcome.WON, 20)
    close(backend, "o2", Outcome.LOST, 10)
    close(backend, "o6", Outcome.WON, 15)


def analytics(backend: StorageBackend) -> SalesAnalytics:
    assert backend.analytics is not None and backend.pipeline is not None
    return SalesAnalytics(backend.analytics, backend.pipeline)


def usd(amount: str) -> CurrencyAmount:
    return CurrencyAmount("USD", Decimal(amount))


class PipelineContract:
    def test_a_fresh_store_holds_the_default_pipeline(self, backend: StorageBackend) -> None:
        assert backend.pipeline is not None
        assert list(backend.pipeline.pipelines()) == [PIPELINE]
        with backend.uow() as uow:
            assert uow.pipelines.get(PIPELINE.id) == PIPELINE
            assert uow.leads.form("website") is not None
            assert uow.leads.form("nope") is None

    def test_funnel_matches_the_hand_computed_figures(self, backend: StorageBackend) -> None:
        fixed_data_set(backend)
        funnel = analytics(backend).funnel(system(), PIPELINE.id, *WINDOW)
        rows = [
            (s.stage_id, s.entered, s.values, s.conversion_to_next, s.median_days_in_stage)
            for s in funnel.stages
        ]
        assert rows == [
            # First entries only: o6's return to D and P is not counted again.
            (Q, 5, (usd("5000"),), Decimal("1.0000"), Decimal("2.00")),  # stays 2,4,2,1
            (
                D,
                5,
                (CurrencyAmount("EUR", Decimal("800")), usd("4700")),
                Decimal("0.6000"),
                Decimal("4.00"),  # stays 3,6,4,4,4
            ),
            (P, 3, (usd("4200"),), Decimal("0.3333"), Decimal("3.00")),  # stays 4,2,3
            (N, 1, (usd("1000"),), None, Decimal("11.00")),
        ]
        assert (funnel.won, funnel.lost, funnel.win_rate) == (2, 1, Decimal("0.6667"))
        assert funnel.average_deal_sizes == (usd("1100.00"),)
        assert funnel.average_cycle_days == Decimal("17.00")  # 20 and 14 days

    def test_a_window_counts_only_what_entered_in_it(self, backend: StorageBackend) -> None:
        fixed_data_set(backend)
        funnel = analytics(backend).funnel(system(), PIPELINE.id, day(4), day(8))
        assert [s.entered for s in funnel.stages] == [0, 1, 3, 0]  # o2 D; o1, o6, o3 P
        assert (funnel.won, funnel.lost, funnel.win_rate) == (0, 0, None)

    def test_forecast_weights_open_deals_by_stage_probability(
        self, backend: StorageBackend
    ) -> None:
        fixed_data_set(backend)
        by_month = analytics(backend).forecast(system(), PIPELINE.id, Period.MONTH)
        assert by_month == [
            # o3 2000 at 50% + o4 300 at 10%
            ForecastLine(
                period="2026-03", group=None, currency="USD", count=2,
                amount=Decimal("2300"), weighted=Decimal("1030"),
            ),
            # o5 800 EUR at 25%
            ForecastLine(
                period="2026-04", group=None, currency="EUR", count=1,
                amount=Decimal("800"), weighted=Decimal("200"),
            ),
        ]  # fmt: skip
        by_quarter = analytics(backend).forecast(
            system(), PIPELINE.id, Period.QUARTER, ForecastGrouping.OWNER
        )
        assert [(f.period, f.group, f.currency, f.count, f.weighted) for f in by_quarter] == [
            ("2026-Q1", "rep-a", "USD", 1, Decimal("1000")),
            ("2026-Q1", "rep-b", "USD", 1, Decimal("30")),
            ("2026-Q2", "rep-a", "EUR", 1, Decimal("200")),
        ]

    def test_board_totals_open_deals_per_stage(self, backend: StorageBackend) -> None:
        fixed_data_set(backend)
        assert backend.pipeline is not None
        totals = {
            t.stage_id: (t.count, t.values)
            for t in backend.pipeline.board_totals(
                OpportunityFilter(pipeline_id=PIPELINE.id, status="open"), visible=EVERYTHING
            )
        }
        assert totals == {
            Q: (1, (usd("300"),)),
            D: (1, (CurrencyAmount("EUR", Decimal("800")),)),
            P: (1, (usd("2000"),)),
        }

    def test_history_and_lists_read_back(self, backend: StorageBackend) -> None:
        fixed_data_set(backend)
        assert backend.pipeline is not None
        history = backend.pipeline.entries_of(["o6", "missing"], visible=EVERYTHING)
        assert [(e.stage_id, e.first_entry, e.seconds) for e in history["o6"]] == [
            (Q, True, 86_400),
            (D, True, 4 * 86_400),
            (P, True, 2 * 86_400),
            (D, False, 4 * 86_400),
            (P, False, 3 * 86_400),
        ]
        assert history["missing"] == []
        reader = backend.pipeline
        page = newest(reader, OpportunityFilter(status="open"), limit=2)
        assert [v.id for v in page] == ["o5", "o4"]
        rest = newest(reader, OpportunityFilter(status="open"), after=sort_key(page[-1]))
        assert [v.id for v in rest] == ["o3"]
        assert reader.count(OpportunityFilter(pipeline_id=PIPELINE.id), visible=EVERYTHING) == 6
        # Open deals idle since day 3 or before: o4 (day 2) and o5 (day 3), not o3 (day 7).
        idle = newest(reader, OpportunityFilter(status="open", inactive_since=day(3)))
        assert sorted(v.id for v in idle) == ["o4", "o5"]
        assert reader.get_many(["o1"], visible=EVERYTHING)["o1"].amount == Decimal("1000.00")

    def test_deals_sort_by_each_field_both_ways_and_page_back(
        self, backend: StorageBackend
    ) -> None:
        fixed_data_set(backend)
        reader = backend.pipeline
        assert reader is not None
        usd_deals = OpportunityFilter(pipeline_id=PIPELINE.id)

        def ids(order: OpportunityOrder, **bounds: object) -> list[str]:
            window: dict[str, Any] = {**FORWARD, **bounds}
            return [v.id for v in reader.slice(usd_deals, order, **window)]

        by_amount = OpportunityOrder(OpportunitySort.AMOUNT, descending=True)
        # Minor units: o3 200000, o6 120000, o1 100000, o5 80000 (EUR), o2 50000, o4 30000.
        assert ids(by_amount) == ["o3", "o6", "o1", "o5", "o2", "o4"]
        by_close = OpportunityOrder(OpportunitySort.EXPECTED_CLOSE_DATE, descending=False)
        assert ids(by_close) == ["o1", "o2", "o6", "o3", "o4", "o5"]
        by_name = OpportunityOrder(OpportunitySort.NAME, descending=True)
        assert ids(by_name) == ["o6", "o5", "o4", "o3", "o2", "o1"]
        # The last two, and the two before them, walking from the end.
        assert ids(by_close, limit=2, from_end=True) == ["o5", "o4"]
        before = by_close.key_of(reader.get_many(["o4"], visible=EVERYTHING)["o4"])
        assert ids(by_close, before=before, limit=2, from_end=True) == ["o3", "o6"]
        after = by_amount.key_of(reader.get_many(["o1"], visible=EVERYTHING)["o1"])
        assert ids(by_amount, after=after, limit=2) == ["o5", "o2"]

    def test_pages_of_many_groups_and_their_counts_in_one_read(
        self, backend: StorageBackend
    ) -> None:
        fixed_data_set(backend)
        reader = backend.pipeline
        assert reader is not None
        open_deals = OpportunityFilter(pipeline_id=PIPELINE.id, status="open")
        by_stage = reader.slices(
            open_deals, OpportunityOrder(), by="stage_id", keys=[Q, D, P, N], **FORWARD
        )
        assert {k: [v.id for v in found] for k, found in by_stage.items()} == {
            Q: ["o4"],
            D: ["o5"],
            P: ["o3"],
            N: [],
        }
        assert reader.counts(open_deals, by="stage_id", keys=[Q, D, P, N], visible=EVERYTHING) == {
            Q: 1,
            D: 1,
            P: 1,
            N: 0,
        }
        everything = OpportunityFilter(pipeline_id=PIPELINE.id)
        (customer_id,) = {
            v.customer_id for v in reader.get_many(["o1"], visible=EVERYTHING).values()
        }
        newest_two = reader.slices(
            everything,
            OpportunityOrder(),
            by="customer_id",
            keys=[customer_id, "nobody"],
            **{**FORWARD, "limit": 2},
        )
        assert [v.id for v in newest_two[customer_id]] == ["o5", "o4"]
        assert newest_two["nobody"] == []
        team = OpportunityFilter(owner_ids=frozenset({"rep-b"}))
        assert [v.id for v in newest(reader, team)] == ["o4"]

    def test_a_deal_changed_elsewhere_is_a_stale_version(self, backend: StorageBackend) -> None:
        if not backend.concurrent_writers:
            pytest.skip(f"{backend.name} serialises writers, so two writes cannot interleave")
        (customer,) = stored_customers(backend, 1)
        open_deal(
            backend, customer.id, "o1", amount="1", close=date(2026, 2, 1), created=0, stage=Q
        )
        with backend.uow() as first:
            mine = first.opportunities.get("o1")
            assert mine is not None
            move(backend, "o1", D, 1)
            mine.advance(PIPELINE, P, entry_id="late", at=day(2), by="u")
            with pytest.raises(StaleVersion):
                first.commit()
        assert backend.pipeline is not None
        assert backend.pipeline.get_many(["o1"], visible=EVERYTHING)["o1"].stage_id == D

    def test_rolls_back_uncommitted_work_by_default(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend, 1)
        with backend.uow() as uow:
            uow.tasks.add(task("t1", customer.id))
        assert backend.tasks is not None
        assert backend.tasks.count(TaskFilter(), visible=EVERYTHING) == 0

    def test_tasks_read_soonest_first_and_keys_are_kept(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend, 1)
        with backend.uow() as uow:
            uow.tasks.add(task("t1", customer.id, due=3, key="rule:1"))
            uow.tasks.add(task("t2", customer.id, due=1))
            uow.commit()
        assert backend.tasks is not None
        views = backend.tasks.slice(TaskFilter(status="open"), TaskOrder(), **FORWARD)
        assert [v.id for v in views] == ["t2", "t1"]
        assert backend.tasks.count(TaskFilter(due_before=day(2)), visible=EVERYTHING) == 1
        with backend.uow() as uow:
            assert uow.tasks.dedupe_keys_in_use(["rule:1", "rule:2"]) == {"rule:1"}
            due = uow.tasks.reminders_due_by(day(2))
            assert [t.id for t in due] == ["t2"]
            due[0].remind(day(2), "system")
            uow.commit()
        with backend.uow() as uow:
            assert uow.tasks.reminders_due_by(day(5))[0].id == "t1"

    def test_a_company_has_its_deals_and_the_tasks_on_its_people_and_deals(
        self, backend: StorageBackend
    ) -> None:
        employee, outsider = new_customer(company_id="co-1"), new_customer()
        with backend.uow() as uow:
            uow.customers.add_many([employee, outsider])
            uow.commit()
        close_on = date(2026, 6, 1)
        for deal_id, company in (("d-co", "co-1"), ("d-other", "co-2")):
            open_deal(
                backend, outsider.id, deal_id, amount="10", close=close_on, created=1,
                stage=PIPELINE.stages[0].id, company=company,
            )  # fmt: skip
        with backend.uow() as uow:
            uow.tasks.add(task("on-person", employee.id))
            uow.tasks.add(task("on-deal", None, deal="d-co"))
            uow.tasks.add(task("elsewhere", outsider.id, deal="d-other"))
            uow.commit()
        assert backend.tasks is not None and backend.pipeline is not None
        tasks = backend.tasks.slice(TaskFilter(company_id="co-1"), TaskOrder(), **FORWARD)
        assert sorted(t.id for t in tasks) == ["on-deal", "on-person"]
        assert backend.tasks.count(TaskFilter(company_id="co-1"), visible=EVERYTHING) == 2
        deals = newest(backend.pipeline, OpportunityFilter(company_id="co-1"))
        assert [d.id for d in deals] == ["d-co"]
        grouped = backend.pipeline.slices(
            OpportunityFilter(),
            OpportunityOrder(),
            by="company_id",
            keys=["co-1", "co-3"],
            **FORWARD,
        )
        assert {k: [d.id for d in v] for k, v in grouped.items()} == {"co-1": ["d-co"], "co-3": []}
        counted = backend.pipeline.counts(
            OpportunityFilter(), by="company_id", keys=["co-2"], visible=EVERYTHING
        )
        assert counted == {"co-2": 1}
        per_person = backend.tasks.slices(
            TaskFilter(), TaskOrder(), by="customer_id", keys=[employee.id, outsider.id], **FORWARD
        )
        assert [t.id for t in per_person[employee.id]] == ["on-person"]
        counted = backend.tasks.counts(
            TaskFilter(), by="customer_id", keys=[outsider.id], visible=EVERYTHING
        )
        assert counted == {outsider.id: 1}

    def test_pages_of_many_companies_tasks_and_their_counts_in_one_read(
        self, backend: StorageBackend
    ) -> None:
        employee, other, outsider = (
            new_customer(company_id="co-1"),
            new_customer(company_id="co-2"),
            new_customer(),
        )
        with backend.uow() as uow:
            uow.customers.add_many([employee, other, outsider])
            uow.commit()
        for deal_id, company in (("d-1", "co-1"), ("d-2", "co-2"), ("d-none", None)):
            open_deal(
                backend, outsider.id, deal_id, amount="10", close=date(2026, 6, 1), created=1,
                stage=Q, company=company,
            )  # fmt: skip
        with backend.uow() as uow:
            for made in (
                task("on-person", employee.id, due=4),
                task("on-deal", None, due=2, deal="d-1"),
                # About co-1 both ways: listed once.
                task("twice", employee.id, due=3, deal="d-1"),
                # About a person of co-1 and a deal of co-2: in both lists.
                task("both", employee.id, due=1, deal="d-2"),
                task("of-co-2", other.id, due=5, deal="d-none"),
                task("nowhere", outsider.id, due=1, deal="d-none"),
            ):
                uow.tasks.add(made)
            uow.commit()
        assert backend.tasks is not None
        reader = backend.tasks
        companies = ["co-1", "co-2", "co-3"]
        grouped = reader.slices(
            TaskFilter(), TaskOrder(), by="company_id", keys=companies, **FORWARD
        )
        assert {k: [t.id for t in v] for k, v in grouped.items()} == {
            "co-1": ["both", "on-deal", "twice", "on-person"],
            "co-2": ["both", "of-co-2"],
            "co-3": [],
        }
        for company_id in companies:
            alone = reader.slice(TaskFilter(company_id=company_id), TaskOrder(), **FORWARD)
            assert list(grouped[company_id]) == list(alone)
        counted = reader.counts(TaskFilter(), by="company_id", keys=companies, visible=EVERYTHING)
        assert counted == {"co-1": 4, "co-2": 2, "co-3": 0}
        # The same page of each: after a key, and from the end; a filter holds for all.
        after = TaskOrder().key_of(grouped["co-1"][0])
        later = reader.slices(
            TaskFilter(), TaskOrder(), by="company_id", keys=["co-1", "co-2"],
            after=after, before=None, limit=2, from_end=False, visible=EVERYTHING,
        )  # fmt: skip
        assert {k: [t.id for t in v] for k, v in later.items()} == {
            "co-1": ["on-deal", "twice"],
            "co-2": ["of-co-2"],
        }
        last = reader.slices(
            TaskFilter(), TaskOrder(), by="company_id", keys=["co-1"],
            after=None, before=None, limit=1, from_end=True, visible=EVERYTHING,
        )  # fmt: skip
        assert [t.id for t in last["co-1"]] == ["on-person"]
        soon = TaskFilter(due_before=day(3))
        early = reader.slices(soon, TaskOrder(), by="company_id", keys=companies, **FORWARD)
        assert {k: [t.id for t in v] for k, v in early.items()} == {
            "co-1": ["both", "on-deal"],
            "co-2": ["both"],
            "co-3": [],
        }
        assert reader.counts(soon, by="company_id", keys=companies, visible=EVERYTHING) == {
            "co-1": 2,
            "co-2": 1,
            "co-3": 0,
        }

    def test_purchases_by_sku_skip_cancelled_orders(self, backend: StorageBackend) -> None:
        buyer, other = stored_customers(backend, 2)
        with backend.uow() as uow:
            uow.orders.add(new_order(buyer.id, "order-1", at=day(0)))
            uow.orders.add(new_order(buyer.id, "order-2", at=day(-5)))
            cancelled = new_order(other.id, "order-3", at=day(0), paid=False)
            cancelled.cancel(at=day(1), by="u")
            uow.orders.add(cancelled)
            uow.commit()
        with backend.uow() as uow:
            assert uow.purchases.first_bought("cd-1") == {buyer.id: day(-5)}
            assert uow.purchases.customers_who_bought("cd-2") == {buyer.id}
            assert uow.purchases.customers_who_bought("nothing") == set()

    def test_automation_rules_teams_and_leads_read_back(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend, 1)
        rule = AutomationRule.from_data(
            key="cross_sell",
            name="B after A",
            condition={"type": "bought_without", "product": "a", "days": 180, "neverBought": "b"},
            action={"type": "create_task", "kind": "call", "title": "Offer B", "dueInDays": 2},
        )
        team = SalesTeam(
            id="team-1",
            name="Inside",
            strategy=Strategy.ROUND_ROBIN,
            members=[
                TeamMember(user_id="rep-a"),
                TeamMember(user_id="rep-b", regions=frozenset({"emea"})),
            ],
        )
        lead = Lead.capture(
            id="lead-1",
            customer_id=customer.id,
            email="ada@example.com",
            profile=LeadProfile(title="VP Sales", region="EMEA"),
            source="website",
            utm={"utm_source": "ads"},
            at=T0,
            by="u",
        )
        lead.assign("rep-a", due_at=day(1), at=T0, by="u")
        with backend.uow() as uow:
            uow.automation_rules.save(rule)
            uow.sales_teams.add(team)
            uow.leads.add(lead)
            uow.commit()
        with backend.uow() as uow:
            assert uow.automation_rules.all() == [rule]
            stored = uow.sales_teams.default()
            assert stored is not None and stored.members == team.members
            stored.next_rep()
            assert uow.leads.open_counts(["rep-a", "rep-b"]) == {"rep-a": 1}
            assert [found.id for found in uow.leads.first_touch_due_by(day(2))] == ["lead-1"]
            assert [found.id for found in uow.leads.awaiting_first_touch(customer.id)] == ["lead-1"]
            assert uow.leads.awaiting_first_touch("someone-else") == []
            uow.commit()
        with backend.uow() as uow:
            (waiting,) = uow.leads.awaiting_first_touch(customer.id)
            waiting.contacted_in(T0 + timedelta(hours=1))
            uow.commit()
        with backend.uow() as uow:
            assert uow.leads.awaiting_first_touch(customer.id) == []
            assert uow.leads.first_touch_due_by(day(2)) == []
        with backend.uow() as uow:
            again = uow.sales_teams.get("team-1")
            assert again is not None and again.members[0].turns == 1
        assert backend.leads is not None
        views = backend.leads.slice(
            LeadFilter(owner_ids=frozenset({"rep-a"})), LeadOrder(), **FORWARD
        )
        assert [(v.id, v.utm, v.title) for v in views] == [
            ("lead-1", (("utm_source", "ads"),), "VP Sales")
        ]
        by_customer = backend.leads.slices(
            LeadFilter(), LeadOrder(), keys=[customer.id, "nobody"], **FORWARD
        )
        assert {k: [v.id for v in found] for k, found in by_customer.items()} == {
            customer.id: ["lead-1"],
            "nobody": [],
        }
        assert backend.leads.counts(LeadFilter(), keys=[customer.id], visible=EVERYTHING) == {
            customer.id: 1
        }


class PipelineUseCaseContract:
    def test_a_lead_with_a_new_customer_and_its_deal_store_in_one_go(
        self, backend: StorageBackend
    ) -> None:
        clock = ManualClock(T0)
        ids = SequentialIdGenerator("x")
        assert backend.behaviour_counts is not None
        create = CreateLead(
            backend.uow,
            clock,
            ids,
            backend.behaviour_counts,
            ChangeLifecycleStage(backend.uow, clock, ids),
        )
        lead = create(system(), NewLead(email="new@example.com", company_name="Newco"))
        _, deal_id = ConvertLead(backend.uow, clock, ids)(
            system(),
            Conversion(
                lead_id=lead.id, opportunity_name="Newco pilot", currency="EUR", amount="10"
            ),
        )
        assert backend.pipeline is not None
        deal = backend.pipeline.get_many([deal_id], visible=EVERYTHING)[deal_id]
        assert (deal.customer_id, deal.company_id is not None) == (lead.customer_id, True)


class PipelineMergeContract:
    def test_a_merge_gives_the_duplicates_deals_leads_and_tasks_to_the_survivor(
        self, backend: StorageBackend
    ) -> None:
        survivor, duplicate, bystander = stored_customers(backend, 3)
        open_deal(
            backend, duplicate.id, "o1", amount="10", close=date(2026, 2, 1), created=0, stage=Q
        )
        open_deal(
            backend, bystander.id, "o2", amount="10", close=date(2026, 2, 1), created=0, stage=Q
        )
        lead = Lead.capture(
            id="lead-1",
            customer_id=duplicate.id,
            email="dup@example.com",
            profile=LeadProfile(),
            source="api",
            utm={},
            at=T0,
            by="u",
        )
        with backend.uow() as uow:
            uow.leads.add(lead)
            uow.tasks.add(task("t1", duplicate.id))
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.opportunities.get("o1")
            assert loaded is not None
            moved = (
                uow.opportunities.move_to(survivor.id, [duplicate.id]),
                uow.leads.move_to(survivor.id, [duplicate.id]),
                uow.tasks.move_to(survivor.id, [duplicate.id]),
            )
            assert loaded.customer_id == survivor.id
            uow.commit()
        assert moved == (1, 1, 1)
        assert backend.pipeline is not None and backend.leads is not None
        assert backend.tasks is not None
        deals = backend.pipeline.get_many(["o1", "o2"], visible=EVERYTHING)
        assert (deals["o1"].customer_id, deals["o2"].customer_id) == (survivor.id, bystander.id)
        assert (
            backend.leads.get_many(["lead-1"], visible=EVERYTHING)["lead-1"].customer_id
            == survivor.id
        )
        assert backend.tasks.count(TaskFilter(customer_id=survivor.id), visible=EVERYTHING) == 1
        with backend.uow() as uow:
            again = uow.opportunities.get("o1")
            assert again is not None
            again.advance(PIPELINE, D, entry_id="o1-e1", at=day(1), by="u")
            uow.commit()  # the moved deal's new version is the one stored


def sort_key(view: OpportunityView) -> SortKey:
    return SortKey(view.created_at, view.id)


FORWARD: Final = {
    "visible": EVERYTHING,
    "after": None,
    "before": None,
    "limit": 10,
    "from_end": False,
}


def newest(
    reader: PipelineReader,
    where: OpportunityFilter,
    *,
    after: SortKey | None = None,
    limit: int = 10,
) -> Sequence[OpportunityView]:
    return reader.slice(
        where,
        OpportunityOrder(),
        after=after,
        before=None,
        limit=limit,
        from_end=False,
        visible=EVERYTHING,
    )


def task(
    task_id: str,
    customer_id: str | None,
    *,
    due: float = 1,
    key: str | None = None,
    deal: str | None = None,
) -> Task:
    return Task.create(
        id=task_id,
        kind=TaskKind.CALL,
        title="Call",
        due_at=day(due),
        assignee_id="rep-a",
        customer_id=customer_id,
        opportunity_id=deal,
        dedupe_key=key,
        at=T0,
        by="u",
    )


def system() -> Principal:
    return Principal.system()
